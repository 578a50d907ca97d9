// The replicated state machine: a key-value map with read, write and compare-and-set, multi-key
// transactions of list-append and register micro-operations, and client sessions (thesis 6.3).
// A transaction is one log entry, applied here at once: its reads see its own earlier writes and
// no other command runs in between. A session keeps, per client id, the highest sequence number applied and
// its result, so a command retried with the same `seq` (a redirect, a duplicated message, a retry
// to a new leader) is applied at most once and answered with the first result.
//
// Applying is deterministic: every replica that applies the same entries reaches the same state,
// including the session table and its eviction. A chain hash over applied commands lets replicas
// (and the invariant monitor) compare their histories by one number per index.
import { assert, RaftAssertionError } from './assert.js';
import { HASH_SEED, hashNumber, hashString } from './hash.js';
import type { Entry, EntryData, KvOp, KvResult, KvValue, TxnMicroOp } from './types.js';

export interface Session {
  seq: number;
  result: KvResult;
  /** The log index that last touched this session (eviction picks the oldest). */
  index: number;
}

/** Sessions kept; beyond this the least recently used is evicted (deterministically). */
export const SESSIONS_MAX = 4096;

/** Micro-ops in one transaction, and elements in one list key (the workloads retire keys well before). */
export const TXN_OPS_MAX = 16;
export const LIST_LENGTH_MAX = 4096;

/** A string register's length, at most (a JSON document of an embedding system; messages bound it too). */
export const STRING_VALUE_CHARS_MAX = 256 * 1024;

/** Values a speculative read sees over the applied state (the planted read-uncommitted bug). */
type Overlay = Map<string, KvValue | number[]>;

/** What applying one entry produced, for the driver to answer the client. */
export interface ApplyOutcome {
  /** The result for the client, or null when the command was a stale duplicate with no answer. */
  result: KvResult | null;
  /** True when the command was recognised as a retry and not applied again. */
  duplicate: boolean;
}

export class KvStateMachine {
  private values = new Map<string, KvValue>();
  /** List keys of the list-append micro-ops, apart from registers so a read of either keeps its type. */
  private lists = new Map<string, number[]>();
  private sessions = new Map<string, Session>();
  /**
   * Keys of `values` and `sessions` in sorted order, for serialize(); null when a key came or went
   * since. Keys are few and rarely new, so a compaction seldom sorts.
   */
  private sortedValueKeys: string[] | null = null;
  private sortedClients: string[] | null = null;
  appliedIndex = 0;
  /** Chain hash of every applied entry up to appliedIndex. */
  chain = HASH_SEED;

  constructor(private readonly dedup: boolean = true) {}

  /** Applies one committed entry (in index order). */
  apply(entry: Entry): ApplyOutcome {
    if (entry.index !== this.appliedIndex + 1) throw new RaftAssertionError(`raft assertion failed: apply of ${entry.index} after ${this.appliedIndex}: entries must be applied in order, none skipped`);
    this.appliedIndex = entry.index;
    this.chain = chainStep(this.chain, entry);
    const data = entry.data;
    if (data.kind !== 'kv') return { result: null, duplicate: false };
    const session = this.sessions.get(data.client);
    if (this.dedup && session !== undefined && data.seq <= session.seq) {
      session.index = entry.index;
      // The same seq again: answer what the first application answered. An older seq: the client
      // has moved on and waits for no answer; applying it now could undo later writes.
      return { result: data.seq === session.seq ? session.result : null, duplicate: true };
    }
    const result = this.execute(data.op);
    if (session === undefined) this.sortedClients = null;
    this.sessions.set(data.client, { seq: Math.max(data.seq, session?.seq ?? 0), result, index: entry.index });
    if (this.sessions.size > SESSIONS_MAX) this.evictOldestSession();
    return { result, duplicate: false };
  }

  /** A local read of the current state (serve only after ReadIndex says it is fresh enough). */
  read(key: string): KvValue | null {
    return this.values.get(key) ?? null;
  }

  /**
   * A read-only transaction against the applied state, or (the planted read-uncommitted bug) against
   * it with `pending` entries (committed or not, unapplied) laid over it.
   */
  readTxn(ops: readonly TxnMicroOp[], pending: readonly Entry[] = []): TxnMicroOp[] {
    const overlay: Overlay = new Map();
    for (const entry of pending) {
      const data = entry.data;
      if (data.kind === 'kv' && data.op.f === 'txn') this.runTxn(data.op.value as TxnMicroOp[], overlay);
      else if (data.kind === 'kv' && data.op.f === 'write') overlay.set(data.op.key, data.op.value as number);
    }
    return this.runTxn(ops, overlay);
  }

  /** The answer already recorded for (client, seq), if that command was applied. */
  sessionResult(client: string, seq: number): KvResult | null {
    const session = this.sessions.get(client);
    if (session === undefined || session.seq !== seq) return null;
    return session.result;
  }

  sessionSeq(client: string): number {
    return this.sessions.get(client)?.seq ?? 0;
  }

  /** The whole state as JSON text, with keys sorted so equal states give equal text. */
  serialize(): string {
    const valueKeys = (this.sortedValueKeys ??= [...this.values.keys()].sort(compareText));
    const clients = (this.sortedClients ??= [...this.sessions.keys()].sort(compareText));
    assert(valueKeys.length === this.values.size && clients.length === this.sessions.size, 'the sorted key lists cover the state');
    const values: [string, KvValue][] = [];
    for (const key of valueKeys) values.push([key, this.values.get(key)!]);
    const sessions: unknown[][] = [];
    for (const client of clients) {
      const s = this.sessions.get(client)!;
      const row: unknown[] = [client, s.seq, s.result.outcome, s.result.value, s.result.error ?? null, s.index];
      // Fields only transactions have are written only when present, so a state without them
      // serializes exactly as before transactions existed.
      if (s.result.txn !== undefined) row.push(s.result.txn);
      sessions.push(row);
    }
    if (this.lists.size === 0) return JSON.stringify({ v: values, s: sessions });
    const lists: [string, number[]][] = [...this.lists.keys()].sort(compareText).map((key) => [key, this.lists.get(key)!]);
    return JSON.stringify({ v: values, s: sessions, l: lists });
  }

  /** Replaces the state by a snapshot's (`index` and `chain` come from its metadata). */
  restore(data: string, index: number, chain: number): void {
    const parsed = JSON.parse(data) as {
      v: [string, KvValue][];
      s: [string, number, 'ok' | 'fail', KvValue | null, string | null, number, TxnMicroOp[]?][];
      l?: [string, number[]][];
    };
    assert(Array.isArray(parsed.v) && Array.isArray(parsed.s), 'snapshot data has values and sessions');
    this.values = new Map(parsed.v);
    this.lists = new Map(parsed.l ?? []);
    this.sessions = new Map();
    this.sortedValueKeys = null;
    this.sortedClients = null;
    for (const [client, seq, outcome, value, error, at, txn] of parsed.s) {
      const result: KvResult = error === null ? { outcome, value } : { outcome, value, error };
      if (txn !== undefined) result.txn = txn;
      this.sessions.set(client, { seq, result, index: at });
    }
    this.appliedIndex = index;
    this.chain = chain;
  }

  /** Forces the applied index forward without applying (only the planted compaction bug does). */
  skipTo(index: number): void {
    assert(index >= this.appliedIndex, 'skipTo moves forward');
    this.appliedIndex = index;
  }

  keyCount(): number {
    return this.values.size + this.lists.size;
  }

  /** Runs micro-ops in order; with an overlay, writes go to it and nothing applied changes. */
  private runTxn(ops: readonly TxnMicroOp[], overlay: Overlay | null): TxnMicroOp[] {
    const done: TxnMicroOp[] = [];
    for (const op of ops) {
      const key = op[1];
      switch (op[0]) {
        case 'append': {
          const found = overlay?.get(key) ?? this.lists.get(key) ?? [];
          const current = Array.isArray(found) ? found : [];
          const next = [...current, op[2]];
          if (overlay !== null) overlay.set(key, next);
          else this.lists.set(key, next);
          done.push(op);
          break;
        }
        case 'w':
          if (overlay !== null) overlay.set(key, op[2]);
          else this.setValue(key, op[2]);
          done.push(op);
          break;
        case 'r': {
          // A key is a list once appended to, a register once written; unknown keys read as nil.
          // (A string register is a document of an embedding system, which never reads it in a txn.)
          const seen = overlay?.get(key) ?? this.lists.get(key) ?? this.values.get(key) ?? null;
          done.push(['r', key, Array.isArray(seen) ? [...seen] : (seen as number | null)]);
          break;
        }
      }
    }
    return done;
  }

  private execute(op: KvOp): KvResult {
    switch (op.f) {
      case 'txn': {
        const ops = op.value as TxnMicroOp[];
        // A list at its limit refuses the whole transaction before any of it is applied.
        if (ops.some((micro) => micro[0] === 'append' && (this.lists.get(micro[1])?.length ?? 0) + ops.length > LIST_LENGTH_MAX)) {
          return { outcome: 'fail', value: null, error: 'list-too-long' };
        }
        return { outcome: 'ok', value: null, txn: this.runTxn(ops, null) };
      }
      case 'read':
        return { outcome: 'ok', value: this.read(op.key) };
      case 'write': {
        assert(typeof op.value === 'number' || typeof op.value === 'string', 'write carries a number or a string');
        this.setValue(op.key, op.value);
        return { outcome: 'ok', value: op.value };
      }
      case 'cas': {
        assert(Array.isArray(op.value) && op.value.length === 2, 'cas carries [expected, new]');
        // An expected null is "only if absent": a create that two proposers cannot both win.
        const [expected, next] = op.value as [KvValue | null, KvValue];
        const current = this.read(op.key);
        if (current !== expected) return { outcome: 'fail', value: current, error: 'cas-mismatch' };
        this.setValue(op.key, next);
        return { outcome: 'ok', value: next };
      }
    }
  }

  private setValue(key: string, value: KvValue): void {
    if (!this.values.has(key)) this.sortedValueKeys = null;
    this.values.set(key, value);
  }

  private evictOldestSession(): void {
    let oldest: string | null = null;
    let oldestIndex = Number.POSITIVE_INFINITY;
    for (const [client, session] of this.sessions) {
      if (session.index < oldestIndex || (session.index === oldestIndex && oldest !== null && client < oldest)) {
        oldest = client;
        oldestIndex = session.index;
      }
    }
    if (oldest !== null) {
      this.sessions.delete(oldest);
      this.sortedClients = null;
    }
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A short text naming an entry's command, the same on every replica. */
export function entryKey(data: EntryData): string {
  switch (data.kind) {
    case 'noop':
      return 'noop';
    case 'kv': {
      if (data.op.f === 'txn') return `kv:${data.client}:${data.seq}:txn:${JSON.stringify(data.op.value)}`;
      const value = data.op.value === null ? 'null' : Array.isArray(data.op.value) ? `${valueText(data.op.value[0] as KvValue | null)}>${valueText(data.op.value[1] as KvValue)}` : valueText(data.op.value);
      return `kv:${data.client}:${data.seq}:${data.op.f}:${data.op.key}:${value}`;
    }
    case 'config':
      return `config:${data.config.voters.join(',')}|${data.config.outgoing.join(',')}|${data.config.learners.join(',')}`;
  }
}

/** A number as it always read; a string quoted, so "7" and 7 never name the same command. */
function valueText(value: KvValue | null): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

const commandHashes = new WeakMap<Entry, number>();

/** A hash of the entry's index, term and command (cached: entries are immutable and shared). */
export function entryHash(entry: Entry): number {
  let hash = commandHashes.get(entry);
  if (hash === undefined) {
    hash = chainStep(0, entry);
    commandHashes.set(entry, hash);
  }
  return hash;
}

/** The chain hash after applying `entry` on top of `chain` (field by field: no string is built). */
export function chainStep(chain: number, entry: Entry): number {
  let hash = hashNumber(hashNumber(chain, entry.index), entry.term);
  const data = entry.data;
  switch (data.kind) {
    case 'noop':
      return hashNumber(hash, 1);
    case 'kv': {
      hash = hashString(hashNumber(hash, 2), data.client);
      hash = hashString(hashNumber(hash, data.seq), data.op.f);
      hash = hashString(hash, data.op.key);
      const value = data.op.value;
      if (value === null) return hashNumber(hash, 0);
      if (typeof value === 'number') return hashNumber(hashNumber(hash, 1), value);
      if (typeof value === 'string') return hashString(hashNumber(hash, 4), value);
      if (data.op.f === 'txn') return hashTxn(hashNumber(hash, 3), value as TxnMicroOp[]);
      const [expected, next] = value as [KvValue | null, KvValue];
      // Numbers hash as they always did (every stored fingerprint depends on it); strings and an
      // absent expectation get tags of their own.
      return hashValue(hashValue(hashNumber(hash, 2), expected), next);
    }
    case 'config': {
      hash = hashNumber(hash, 3);
      for (const id of data.config.voters) hash = hashString(hash, id);
      hash = hashNumber(hash, 4);
      for (const id of data.config.outgoing) hash = hashString(hash, id);
      hash = hashNumber(hash, 5);
      for (const id of data.config.learners) hash = hashString(hash, id);
      return hash;
    }
  }
}

function hashValue(hash: number, value: KvValue | null): number {
  if (typeof value === 'number') return hashNumber(hash, value);
  if (value === null) return hashNumber(hashNumber(hash, 0x6e756c6c), 0);
  return hashString(hashNumber(hash, 0x73747220), value);
}

function hashTxn(start: number, ops: readonly TxnMicroOp[]): number {
  let hash = hashNumber(start, ops.length);
  for (const op of ops) {
    hash = hashString(hashString(hash, op[0]), op[1]);
    const value = op[2];
    if (value === null) hash = hashNumber(hash, 0);
    else if (typeof value === 'number') hash = hashNumber(hashNumber(hash, 1), value);
    else {
      hash = hashNumber(hashNumber(hash, 2), value.length);
      for (const item of value) hash = hashNumber(hash, item);
    }
  }
  return hash;
}

/** A request's micro-op: reads carry null (the node fills them in), writes a finite number. */
function isValidMicroOp(op: unknown): op is TxnMicroOp {
  if (!Array.isArray(op) || op.length !== 3) return false;
  const [f, key, value] = op as unknown[];
  if (typeof key !== 'string' || key.length === 0 || key.length > 256) return false;
  if (f === 'append' || f === 'w') return typeof value === 'number' && Number.isFinite(value);
  return f === 'r' && value === null;
}

function isValidValue(value: unknown): value is KvValue {
  return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.length <= STRING_VALUE_CHARS_MAX);
}

export function isValidKvOp(op: unknown): op is KvOp {
  if (typeof op !== 'object' || op === null) return false;
  const o = op as { f?: unknown; key?: unknown; value?: unknown };
  if (typeof o.key !== 'string' || o.key.length === 0 || o.key.length > 256) return false;
  switch (o.f) {
    case 'read':
      return o.value === null || o.value === undefined;
    case 'write':
      return isValidValue(o.value);
    case 'cas':
      return Array.isArray(o.value) && o.value.length === 2 && (o.value[0] === null || isValidValue(o.value[0])) && isValidValue(o.value[1]);
    case 'txn':
      return Array.isArray(o.value) && o.value.length >= 1 && o.value.length <= TXN_OPS_MAX && o.value.every(isValidMicroOp);
    default:
      return false;
  }
}
