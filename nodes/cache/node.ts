// A cache node: the owner, by the ring of its epoch, of a share of the keys. Reads are served from
// memory or loaded from the store (the Raft KV) with one load per key at a time (singleflight);
// writes reach it from clients after the store committed them (write-through installs the new
// version, write-around drops older ones) and from the store's relay (refresh in place). Versions
// decide: nothing older than what the entry holds is ever installed.
//
// Leases: a load holds the key's lease from its start; a write or invalidation for the key revokes
// it. A load whose lease was revoked still answers the callers that joined it (they asked before the
// write was acknowledged here), but installs nothing and admits no new caller: a caller arriving
// later starts a new load, so it never joins a read older than a write it could know of.
//
// TTL is judged by the node's monotonic clock (lazy expiry on access, plus an active sweep), with
// per-entry jitter so entries filled together do not expire together. Errors are never cached; an
// absent key is, with a shorter TTL.
import type { Host, NodeId, Process, TimerTag, TraceFields } from '../host.js';
import { NS_PER_MS } from '../host.js';
import { bugsFromHost, type CacheBugSwitches } from './bugs.js';
import { EntryStore, entrySizeBytes, type CacheEntry } from './entries.js';
import { LruPolicy, type EvictionPolicy } from './policy.js';
import { asCacheRequest, cacheNodesOf, STORE_NODES, type CacheAck, type CacheGet, type CacheGot, type CacheInvalidate, type CacheWrite } from './protocol.js';
import { CacheRing, VNODES_PER_WEIGHT } from './ring.js';
import { StoreReader } from './store-reader.js';

export interface CacheNodeOptions {
  capacityBytes: number;
  ttlNs: number;
  /** An absent key is cached this long. */
  negativeTtlNs: number;
  /** Each entry's TTL is stretched by a draw from [0, jitterPercent] percent. */
  ttlJitterPercent: number;
  sweepEveryNs: number;
  /** Expired entries removed per sweep, at most. */
  sweepBatch: number;
  storeTimeoutNs: number;
  storeAttemptTimeoutNs: number;
  storeBackoffNs: number;
  /** Store reads in flight at most. */
  storeReadsMax: number;
  /** Callers waiting on one load, at most; more are refused. */
  waitersPerLoadMax: number;
  policy: () => EvictionPolicy;
}

export const CACHE_NODE_DEFAULTS: CacheNodeOptions = {
  capacityBytes: 600,
  ttlNs: 500 * NS_PER_MS,
  negativeTtlNs: 100 * NS_PER_MS,
  ttlJitterPercent: 10,
  sweepEveryNs: 100 * NS_PER_MS,
  sweepBatch: 16,
  storeTimeoutNs: 300 * NS_PER_MS,
  storeAttemptTimeoutNs: 80 * NS_PER_MS,
  storeBackoffNs: 20 * NS_PER_MS,
  storeReadsMax: 512,
  waitersPerLoadMax: 256,
  policy: () => new LruPolicy(),
};

/** The parameters checkers use: TTLs and the byte capacity, in the units their names say. */
export const CACHE_PARAMS = {
  ttlMs: CACHE_NODE_DEFAULTS.ttlNs / NS_PER_MS,
  negativeTtlMs: CACHE_NODE_DEFAULTS.negativeTtlNs / NS_PER_MS,
  ttlJitterPercent: CACHE_NODE_DEFAULTS.ttlJitterPercent,
  capacityBytes: CACHE_NODE_DEFAULTS.capacityBytes,
} as const;

/** Every cluster's ring is in this epoch until membership changes exist. */
export const RING_EPOCH = 1;

/** The ring of the cache nodes among `nodes` (every process builds it the same way). */
export function cacheRing(nodes: readonly NodeId[], epoch = RING_EPOCH): CacheRing {
  return new CacheRing({ epoch, members: cacheNodesOf(nodes).map((node) => ({ node, weight: 1 })), vnodesPerWeight: VNODES_PER_WEIGHT });
}

interface Waiter {
  from: NodeId;
  rid: number;
}

interface Load {
  id: string;
  key: string;
  /** A write or invalidation for the key arrived since the load started: it may not install. */
  revoked: boolean;
  waiters: Waiter[];
}

const SWEEP_TAG = 'cache.sweep';

export interface CacheInspection {
  id: NodeId;
  capacityBytes: number;
  bytesUsed: number;
  trueBytes: number;
  entries: number;
}

export class CacheNode implements Process {
  private readonly options: CacheNodeOptions;
  private readonly bugs: CacheBugSwitches;
  private ring: CacheRing;
  private entries: EntryStore;
  private reader: StoreReader;
  /** Loads in flight per key, oldest first; at most one of them is not revoked. */
  private loads = new Map<string, Load[]>();
  private incarnation = '';
  private fills = 0;
  private loadCount = 0;

  constructor(
    private readonly host: Host,
    options: Partial<CacheNodeOptions> = {},
  ) {
    this.options = { ...CACHE_NODE_DEFAULTS, ...options };
    this.bugs = bugsFromHost(host);
    this.ring = cacheRing(host.peers());
    this.entries = this.newEntries();
    this.reader = this.newReader();
  }

  start(): void {
    // Memory only: a restart begins empty, with a fresh incarnation so no old lease or fill id matches.
    this.incarnation = this.host.random.int(2 ** 30).toString(36);
    this.ring = cacheRing(this.host.peers());
    this.entries = this.newEntries();
    this.reader = this.newReader();
    this.loads = new Map();
    this.fills = 0;
    this.loadCount = 0;
    this.host.log('cache.start', { incarnation: this.incarnation, epoch: this.ring.epoch });
    this.host.setTimer(this.options.sweepEveryNs, SWEEP_TAG);
  }

  onMessage(from: NodeId, message: unknown): void {
    if (this.reader.onMessage(from, message)) return;
    const request = asCacheRequest(message);
    if (request === null) {
      this.host.log('cache.unknown-message', { from });
      return;
    }
    if (request.type === 'cache.get') this.onGet(from, request);
    else if (request.type === 'cache.write') this.onWrite(from, request);
    else this.onInvalidate(request);
  }

  onTimer(tag: TimerTag): void {
    if (this.reader.onTimer(tag)) return;
    if (tag !== SWEEP_TAG) return;
    this.host.setTimer(this.options.sweepEveryNs, SWEEP_TAG);
    for (const key of this.entries.expired(this.clockNs(), this.options.sweepBatch)) {
      this.entries.delete(key);
      this.host.log('cache.expire', { key, swept: true });
    }
  }

  onFsync(): void {}

  status(): { part: string; epoch: number; entries: number } {
    return { part: 'cache', epoch: this.ring.epoch, entries: this.entries.size() };
  }

  inspect(): CacheInspection {
    return { id: this.host.id, capacityBytes: this.entries.capacityBytes, bytesUsed: this.entries.bytesUsed(), trueBytes: this.entries.trueBytes(), entries: this.entries.size() };
  }

  // ------------------------------------------------------------------ reads

  private onGet(from: NodeId, request: CacheGet): void {
    const refusal = this.refusal(request.key, request.epoch);
    if (refusal !== null) {
      this.reply(from, { type: 'cache.got', rid: request.rid, ...refusal });
      return;
    }
    const entry = this.liveEntry(request.key);
    if (entry !== undefined) {
      this.entries.touch(request.key);
      this.log('cache.hit', { key: request.key, version: entry.version, fill: entry.fill });
      this.reply(from, { type: 'cache.got', rid: request.rid, outcome: 'ok', value: entry.value, hit: true, fill: entry.fill });
      return;
    }
    const load = this.joinableLoad(request.key);
    if (load !== null) {
      if (load.waiters.length >= this.options.waitersPerLoadMax) {
        this.reply(from, { type: 'cache.got', rid: request.rid, outcome: 'error', error: 'too many callers waiting on this key' });
        return;
      }
      load.waiters.push({ from, rid: request.rid });
      return;
    }
    this.startLoad(request.key, { from, rid: request.rid });
  }

  /** The entry if present and unexpired; an expired one is removed here (lazy expiry). */
  private liveEntry(key: string): CacheEntry | undefined {
    const entry = this.entries.peek(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtNs > this.clockNs()) return entry;
    this.entries.delete(key);
    this.host.log('cache.expire', { key, swept: false });
    return undefined;
  }

  /** The load a new caller may join: the newest one in flight, unless a write revoked it. */
  private joinableLoad(key: string): Load | null {
    if (this.bugs.noCoalescing) return null;
    const newest = this.loads.get(key)?.at(-1);
    if (newest === undefined) return null;
    if (newest.revoked && !this.bugs.coalesceAcrossWrite) return null;
    return newest;
  }

  private startLoad(key: string, first: Waiter): void {
    this.loadCount += 1;
    const load: Load = { id: `${this.incarnation}.${this.loadCount}`, key, revoked: false, waiters: [first] };
    const list = this.loads.get(key) ?? [];
    list.push(load);
    this.loads.set(key, list);
    this.log('cache.load', { key, load: load.id });
    this.reader.read(key, (result) => this.finishLoad(load, result.ok ? { value: result.value } : { error: result.error }));
  }

  private finishLoad(load: Load, result: { value: number | null } | { error: string }): void {
    const list = this.loads.get(load.key) ?? [];
    const at = list.indexOf(load);
    assert(at >= 0, 'a finished load was in flight');
    list.splice(at, 1);
    if (list.length === 0) this.loads.delete(load.key);
    if ('error' in result) {
      // Errors are never cached: each caller hears of this one, the next miss loads again.
      this.log('cache.loaded', { key: load.key, load: load.id, error: result.error });
      for (const waiter of load.waiters) this.reply(waiter.from, { type: 'cache.got', rid: waiter.rid, outcome: 'error', error: result.error });
      return;
    }
    const version = result.value ?? 0;
    let fill: string | undefined;
    if (!load.revoked || this.bugs.staleSetRace) fill = this.install(load.key, result.value, version, false);
    this.log('cache.loaded', { key: load.key, load: load.id, version, revoked: load.revoked, fill: fill ?? null });
    for (const waiter of load.waiters) {
      const reply: CacheGot = { type: 'cache.got', rid: waiter.rid, outcome: 'ok', value: result.value, hit: false };
      this.reply(waiter.from, fill === undefined ? reply : { ...reply, fill });
    }
  }

  // ------------------------------------------------------------------ writes and invalidations

  private onWrite(from: NodeId, request: CacheWrite): void {
    const refusal = this.refusal(request.key, request.epoch);
    if (refusal !== null) {
      this.reply(from, { type: 'cache.ack', rid: request.rid, ...refusal });
      return;
    }
    this.revoke(request.key, request.version);
    const entry = this.entries.peek(request.key);
    const older = entry === undefined || entry.version < request.version || this.bugs.unversionedInvalidation;
    if (request.mode === 'set') {
      if (older) this.install(request.key, request.version, request.version, true);
    } else if (entry !== undefined && older) {
      this.entries.delete(request.key);
      this.log('cache.delete', { key: request.key, version: request.version, had: entry.version });
    }
    const ack: CacheAck = { type: 'cache.ack', rid: request.rid, outcome: 'ok' };
    this.reply(from, ack);
  }

  /** The relay's word that `version` committed: refresh an older entry in place (the value is the version). */
  private onInvalidate(message: CacheInvalidate): void {
    this.revoke(message.key, message.version);
    const entry = this.entries.peek(message.key);
    if (entry === undefined) return;
    if (entry.version < message.version || (this.bugs.unversionedInvalidation && entry.version !== message.version)) {
      this.install(message.key, message.version, message.version, true);
    }
  }

  /** A write for `key` was acknowledged by the store: loads in flight may hold an older value. */
  private revoke(key: string, version: number): void {
    for (const load of this.loads.get(key) ?? []) {
      if (load.revoked) continue;
      load.revoked = true;
      this.log('cache.revoke', { key, load: load.id, version });
    }
  }

  /** Puts `value` in as a fresh fill; returns its fill id, or undefined when it cannot fit. */
  private install(key: string, value: number | null, version: number, byWrite: boolean): string | undefined {
    const current = this.entries.peek(key);
    if (current !== undefined && current.version > version && !this.bugs.unversionedInvalidation && !this.bugs.staleSetRace) return undefined;
    this.fills += 1;
    const fill = `${this.incarnation}.${this.fills}`;
    const baseNs = value === null ? this.options.negativeTtlNs : this.options.ttlNs;
    const jitterNs = Math.floor((baseNs * this.host.random.int(this.options.ttlJitterPercent + 1)) / 100);
    const ttlNs = baseNs + jitterNs;
    const entry: CacheEntry = { value, version, sizeBytes: entrySizeBytes(key, value), expiresAtNs: this.clockNs() + ttlNs, fill };
    if (!this.entries.put(key, entry)) return undefined;
    this.log('cache.fill', { key, version, fill, ttlMs: ttlNs / NS_PER_MS, byWrite });
    return fill;
  }

  // ------------------------------------------------------------------ helpers

  /** Why this node will not serve `key` in `epoch`, or null when it will. */
  private refusal(key: string, epoch: number): Pick<CacheGot, 'outcome' | 'epoch' | 'error'> | null {
    if (epoch !== this.ring.epoch) return { outcome: 'wrong-epoch', epoch: this.ring.epoch };
    if (this.ring.owner(key) !== this.host.id) return { outcome: 'not-owner', error: `owner is ${this.ring.owner(key)}` };
    return null;
  }

  /** The clock TTLs are judged by: monotonic, or (the planted bug) the wall clock that can step back. */
  private clockNs(): number {
    return this.bugs.ttlWallClock ? this.host.wallNow() : this.host.monotonicNow();
  }

  private reply(to: NodeId, message: CacheGot | CacheAck): void {
    this.host.send(to, message);
  }

  private log(kind: string, fields: TraceFields): void {
    this.host.log(kind, fields);
  }

  private newEntries(): EntryStore {
    return new EntryStore(this.options.capacityBytes, this.options.policy(), { evictAccounting: this.bugs.evictAccounting }, (key, entry) =>
      this.host.log('cache.evict', { key, version: entry.version, sizeBytes: entry.sizeBytes }),
    );
  }

  private newReader(): StoreReader {
    return new StoreReader(this.host, {
      stores: STORE_NODES,
      timeoutNs: this.options.storeTimeoutNs,
      attemptTimeoutNs: this.options.storeAttemptTimeoutNs,
      backoffNs: this.options.storeBackoffNs,
      pendingMax: this.options.storeReadsMax,
    });
  }
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`cache node: ${message}`);
}
