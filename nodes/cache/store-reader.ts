// The cache node's reads from the authoritative store, the Raft KV, in its client protocol
// (kv.request / kv.reply of nodes/raft/index.ts). Many reads may be in flight at once; each has its
// own `seq`, which reads may do because the store answers a read by ReadIndex without touching the
// client's session. The retry rules follow workloads/kv-caller.ts: follow a redirect to the named
// leader at once, back off when no leader is known, move to another node when an attempt times
// out, and give up at the read's deadline. A read has no effect, so a retry is always safe and a
// read that gives up is just an error (never cached).
import type { Host, NodeId, TimerId } from '../host.js';
import type { KvReply, KvRequest } from '../raft/index.js';

export interface StoreReaderConfig {
  stores: readonly NodeId[];
  /** The whole read: past it the read fails with `store timeout`. */
  timeoutNs: number;
  attemptTimeoutNs: number;
  backoffNs: number;
  /** Reads in flight at most; beyond, a read fails at once (a limit on the queue). */
  pendingMax: number;
}

export type StoreReadResult = { ok: true; value: number | null } | { ok: false; error: string };

interface PendingRead {
  key: string;
  seq: number;
  target: NodeId;
  deadlineNs: number;
  attemptTimer: TimerId | null;
  done: (result: StoreReadResult) => void;
}

/** Timer tags of the reader start with this; a node's own timers must not. */
export const STORE_TIMER_PREFIX = 'sr.';

export class StoreReader {
  /**
   * Starts at a random base per incarnation: a late answer to a read of the previous incarnation
   * must not be taken for the answer to a new read with the same number (it may be another key).
   */
  private seq: number;
  private leader: NodeId | null = null;
  private readonly pending = new Map<number, PendingRead>();

  constructor(
    private readonly host: Host,
    private readonly config: StoreReaderConfig,
  ) {
    assert(config.stores.length > 0, 'a store reader needs a store node');
    assert(config.attemptTimeoutNs > 0 && config.timeoutNs >= config.attemptTimeoutNs && config.backoffNs > 0, 'timeouts must be positive');
    assert(config.pendingMax >= 1, 'pendingMax must be at least 1');
    this.seq = host.random.int(2 ** 30) * 2 ** 20;
  }

  inFlight(): number {
    return this.pending.size;
  }

  read(key: string, done: (result: StoreReadResult) => void): void {
    if (this.pending.size >= this.config.pendingMax) {
      done({ ok: false, error: 'too many store reads in flight' });
      return;
    }
    this.seq += 1;
    const read: PendingRead = { key, seq: this.seq, target: this.pickTarget(null), deadlineNs: this.host.monotonicNow() + this.config.timeoutNs, attemptTimer: null, done };
    this.pending.set(read.seq, read);
    this.send(read);
  }

  /** Takes a kv.reply; false for anything else. */
  onMessage(from: NodeId, message: unknown): boolean {
    const reply = asReply(message);
    if (reply === null) return false;
    const read = this.pending.get(reply.seq);
    // A late or duplicated answer, or one from a node this attempt did not go to.
    if (read === undefined || from !== read.target) return true;
    if (reply.outcome === 'ok') {
      this.leader = from;
      this.finish(read, { ok: true, value: typeof reply.value === 'number' ? reply.value : null });
      return true;
    }
    this.clearAttempt(read);
    const hint = typeof reply.leader === 'string' && reply.leader !== from && this.config.stores.includes(reply.leader) ? reply.leader : null;
    this.leader = hint;
    if (reply.outcome === 'redirect' && hint !== null) {
      read.target = hint;
      this.send(read);
      return true;
    }
    read.target = this.pickTarget(from);
    read.attemptTimer = this.host.setTimer(this.config.backoffNs, `${STORE_TIMER_PREFIX}b${read.seq}`);
    return true;
  }

  /** Takes the reader's timers; false for any other tag. */
  onTimer(tag: unknown): boolean {
    if (typeof tag !== 'string' || !tag.startsWith(STORE_TIMER_PREFIX)) return false;
    const seq = Number(tag.slice(STORE_TIMER_PREFIX.length + 1));
    const read = this.pending.get(seq);
    if (read === undefined) return true;
    read.attemptTimer = null;
    if (this.host.monotonicNow() >= read.deadlineNs) {
      this.finish(read, { ok: false, error: 'store timeout' });
      return true;
    }
    if (tag.charAt(STORE_TIMER_PREFIX.length) === 'a') {
      // The attempt timed out: that node may be gone, so forget it as leader and move on.
      if (this.leader === read.target) this.leader = null;
      read.target = this.pickTarget(read.target);
    }
    this.send(read);
    return true;
  }

  private send(read: PendingRead): void {
    const request: KvRequest = { type: 'kv.request', client: this.host.id, seq: read.seq, op: { f: 'read', key: read.key, value: null } };
    this.host.send(read.target, request);
    const remainingNs = Math.max(1, read.deadlineNs - this.host.monotonicNow());
    read.attemptTimer = this.host.setTimer(Math.min(this.config.attemptTimeoutNs, remainingNs), `${STORE_TIMER_PREFIX}a${read.seq}`);
  }

  private finish(read: PendingRead, result: StoreReadResult): void {
    this.clearAttempt(read);
    this.pending.delete(read.seq);
    read.done(result);
  }

  private clearAttempt(read: PendingRead): void {
    if (read.attemptTimer !== null) this.host.cancelTimer(read.attemptTimer);
    read.attemptTimer = null;
  }

  private pickTarget(avoid: NodeId | null): NodeId {
    if (this.leader !== null && this.leader !== avoid) return this.leader;
    const others = this.config.stores.filter((node) => node !== avoid);
    return this.host.random.pick(others.length > 0 ? others : this.config.stores);
  }
}

function asReply(message: unknown): KvReply | null {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as Record<string, unknown>;
  if (m.type !== 'kv.reply' || typeof m.seq !== 'number' || typeof m.outcome !== 'string') return null;
  return m as unknown as KvReply;
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`cache store reader: ${message}`);
}
