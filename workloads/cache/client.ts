// The cache workload's client: one op at a time, arriving as a Poisson process (workloads/pacing.ts).
//
// Mixed phase: reads of Zipf-ranked keys through the cache (`cache.get` to the key's owner on the
// ring; on a miss that grants this client the key's lease, a read of the store and a `cache.fill`
// with the lease, look-aside), and writes of keys this client owns. A write goes to the store first (the Raft KV client
// protocol, workloads/kv-caller.ts, with this client's session), then to the key's cache owner
// (`cache.write`: install or drop, by the write mode); it is `ok` only when both acknowledged, `info`
// when the store may or did commit it but the cache did not confirm, `fail` when the store
// certainly did not. Each key has one writer (client `rank mod clients`), whose values increase, and
// the store applies one session's commands in order, so a key's committed values increase: a value
// is its own version and the checkers read the store's commit order off the values.
//
// Final phase, from `writesUntilNs` on: reads only; once its writes are over, a client reads each
// key it wrote straight from the store (`store-read`), the reference for freshness.
import { NS_PER_MS, type ClientHost, type NodeId, type Process, type ProcessFactory, type TimerId, type TimerTag } from '../../nodes/host.js';
import { asCacheReply, cacheNodesOf, cacheRing, STORE_NODES, type CacheFill, type CacheGet, type CacheRing, type CacheWrite, type WriteMode } from '../../nodes/cache/index.js';
import type { WorkloadParams } from '../system.js';
import { KvCaller, defaultCallerConfig, type CallResult } from '../kv-caller.js';
import { exponentialGapNs, opsShare, processNumber, spreadGapNs } from '../pacing.js';
import { validateWorkloadParams } from '../lin-kv.js';
import { cacheOptions, type CacheWorkloadOptions } from './options.js';
import { Zipf } from './zipf.js';
import { burstDelayNs } from './bursts.js';
import { freshnessBoundNs } from '../../checkers/cache/bounds.js';

export function cacheKey(rank: number): string {
  return `k${rank}`;
}

/** Final cache reads each client keeps budget for after its writes. */
export const FINAL_READS = 8;

/**
 * When writes stop: early enough that the last write completes (a timeout), the store reads come
 * back (another), and then reads still run for twice the freshness bound before clients stop.
 */
export function writesUntilNs(params: WorkloadParams, ttlMs: number): number {
  const reserveNs = 3 * params.timeoutNs + 2 * freshnessBoundNs(ttlMs);
  return Math.max(0, params.stopInvokingAtNs - reserveNs);
}

export function cacheClient(params: WorkloadParams, index: number, ttlMs: number): ProcessFactory<ClientHost> {
  validateWorkloadParams(params, index);
  if (cacheNodesOf(params.nodes).length === 0) throw new Error(`cache workload: no cache node among ${params.nodes.join(',')} (ids ${STORE_NODES.join(',')} run the store)`);
  const options = cacheOptions(params);
  if (options.burstEveryMs > 0 && !(options.burstMs > 0 && options.burstMs <= options.burstEveryMs)) {
    throw new Error(`cache workload: burstMs ${options.burstMs} must be in 1..burstEveryMs (${options.burstEveryMs}); set burstEveryMs 0 for steady arrivals`);
  }
  return (host) => new CacheClient(host, params, index, options, writesUntilNs(params, ttlMs));
}

type Op = { f: 'read' | 'store-read'; key: string } | { f: 'write'; key: string; value: number; mode: WriteMode };

const ATTEMPT_TAG = 'cache.attempt';
/** Hot keys a client remembers at most. */
const HOT_KEYS_KNOWN_MAX = 64;
const DEADLINE_TAG = 'cache.deadline';
const ARRIVE_TAG = 'arrive';

class CacheClient implements Process {
  private readonly caller: KvCaller;
  private readonly ring: CacheRing;
  private readonly zipf: Zipf;
  private readonly ownRanks: number[];
  private readonly ownZipf: Zipf | null;
  private readonly budget: number;
  private readonly gapMeanNs: number;
  private startNs = 0;
  private invoked = 0;
  private generation = 0;
  private written = 0;
  private rid = 0;
  private op: Op | null = null;
  /** The cache request in flight for the current op, resent on each attempt. */
  private request: CacheGet | CacheWrite | null = null;
  private target: NodeId | null = null;
  private attemptTimer: TimerId | null = null;
  private deadlineTimer: TimerId | null = null;
  private arrivalTimer: TimerId | null = null;
  private nextArrivalNs = 0;
  /** Keys this client wrote, to read from the store in the final phase. */
  private readonly writtenKeys = new Set<string>();
  private readonly storeReadsLeft: string[] = [];
  /** Hot keys' replicas, as owners named them. */
  private readonly hotKeys = new Map<string, string[]>();
  /** The lease this client holds for its read in flight, after a miss. */
  private lease: { key: string; token: string; owner: NodeId } | null = null;
  private storeReadsQueued = false;
  private finished = false;

  constructor(
    private readonly host: ClientHost,
    private readonly params: WorkloadParams,
    private readonly index: number,
    private readonly options: CacheWorkloadOptions,
    private readonly writesUntilNs: number,
  ) {
    this.budget = opsShare(params.opsMax, params.clients, index);
    // Inside bursts the same budget is spent in a fraction of the time, so gaps shrink by that fraction.
    const burstFraction = options.burstEveryMs > 0 ? options.burstMs / options.burstEveryMs : 1;
    this.gapMeanNs = Math.max(1, Math.floor(spreadGapNs(params.opsPerSecond, params.clients, this.budget, params.stopInvokingAtNs, 0.95) * burstFraction));
    this.ring = cacheRing(params.nodes);
    this.zipf = new Zipf(options.keys, options.zipf);
    this.ownRanks = Array.from({ length: options.keys }, (_, rank) => rank).filter((rank) => rank % params.clients === index);
    this.ownZipf = this.ownRanks.length > 0 ? new Zipf(this.ownRanks.length, options.zipf) : null;
    const stores = params.nodes.filter((id) => STORE_NODES.includes(id));
    // The store write gets three quarters of the op's time; the cache acknowledgement the rest.
    this.caller = new KvCaller(host, defaultCallerConfig(stores, Math.floor((params.timeoutNs * 3) / 4)), (result) => this.storeDone(result));
  }

  start(): void {
    this.startNs = this.host.monotonicNow();
    this.scheduleArrival(this.arrivalDelayNs());
  }

  /** The delay to the next arrival: an exponential gap, counted only inside bursts when there are any. */
  private arrivalDelayNs(): number {
    const gapNs = exponentialGapNs(this.host.random, this.gapMeanNs);
    return burstDelayNs(this.elapsedNs(), gapNs, this.options.burstEveryMs * NS_PER_MS, this.options.burstMs * NS_PER_MS);
  }

  onMessage(from: NodeId, message: unknown): void {
    if (this.caller.onMessage(from, message)) return;
    const reply = asCacheReply(message);
    if (reply === null || this.request === null || reply.rid !== this.request.rid || from !== this.target) return;
    const op = this.op!;
    if (reply.outcome === 'miss' && reply.type === 'cache.got' && op.f === 'read') {
      // This client holds the key's lease: it loads from the store and fills the owner.
      this.clearAttempt();
      this.request = null;
      this.lease = { key: op.key, token: reply.lease!, owner: from };
      this.caller.call({ f: 'read', key: op.key, value: null });
      return;
    }
    if (reply.outcome === 'not-owner' && op.f === 'read' && this.request?.type === 'cache.get' && from !== this.ring.owner(op.key)) {
      // A replica without a copy: the owner answers.
      this.clearAttempt();
      this.target = this.ring.owner(op.key);
      this.sendAttempt();
      return;
    }
    if (reply.type === 'cache.got' && reply.replicas !== undefined && this.hotKeys.size < HOT_KEYS_KNOWN_MAX) this.hotKeys.set(op.key, reply.replicas);
    if (reply.outcome !== 'ok') {
      // The owner refused (another epoch, not its key, no store): a read certainly had no effect.
      if (op.f === 'read') this.complete('fail', op, null, from, reply.error ?? reply.outcome);
      else this.complete('info', op, null, from, `cache refused: ${reply.error ?? reply.outcome}`);
      return;
    }
    if (reply.type === 'cache.got') this.complete('ok', op, reply.value ?? null, from);
    else this.complete('ok', op, op.f === 'write' ? op.value : null, from);
  }

  onTimer(tag: TimerTag): void {
    if (this.caller.onTimer(tag)) return;
    if (tag === ARRIVE_TAG) {
      this.arrivalTimer = null;
      if (this.op === null) this.arrive();
    } else if (tag === ATTEMPT_TAG) {
      this.attemptTimer = null;
      if (this.request !== null) this.sendAttempt();
    } else if (tag === DEADLINE_TAG) {
      this.deadlineTimer = null;
      const op = this.op;
      if (op === null || !this.caller.idle()) return;
      // A read that got no answer had no effect; a write whose store part committed is uncertain in the cache.
      if (op.f === 'write') this.complete('info', op, null, this.target, 'cache acknowledgement timed out');
      else this.complete('fail', op, null, this.target, 'timeout');
    }
  }

  onFsync(): void {}

  private elapsedNs(): number {
    return this.host.monotonicNow() - this.startNs;
  }

  private arrive(): void {
    if (this.finished) return;
    if (this.invoked >= this.budget || this.elapsedNs() >= this.params.stopInvokingAtNs) {
      this.finished = true;
      this.host.done();
      return;
    }
    this.invoke(this.nextOp());
  }

  private nextOp(): Op {
    const random = this.host.random;
    const mixed = this.elapsedNs() < this.writesUntilNs && this.invoked < this.budget - this.writtenKeys.size - FINAL_READS;
    if (!mixed && !this.storeReadsQueued) {
      this.storeReadsQueued = true;
      this.storeReadsLeft.push(...[...this.writtenKeys].sort());
    }
    // The store reads come once the writes are over and at least one op timeout has passed.
    if (!mixed && this.storeReadsLeft.length > 0 && this.elapsedNs() >= this.writesUntilNs + this.params.timeoutNs) {
      return { f: 'store-read', key: this.storeReadsLeft.shift()! };
    }
    if (mixed && this.ownZipf !== null && random.int(100) >= this.options.readPercent) {
      const key = cacheKey(this.ownRanks[this.ownZipf.draw(random)]!);
      const mode: WriteMode = this.options.writeMode === 'mixed' ? (random.int(2) === 0 ? 'set' : 'delete') : this.options.writeMode;
      return { f: 'write', key, value: this.freshValue(), mode };
    }
    return { f: 'read', key: cacheKey(this.zipf.draw(random)) };
  }

  private invoke(op: Op): void {
    this.op = op;
    this.invoked += 1;
    this.nextArrivalNs = this.host.monotonicNow() + this.arrivalDelayNs();
    this.host.record({ process: this.process(), type: 'invoke', f: op.f, value: op.f === 'write' ? op.value : null, key: op.key });
    this.deadlineTimer = this.host.setTimer(this.params.timeoutNs, DEADLINE_TAG);
    if (op.f === 'read') {
      this.rid += 1;
      this.request = { type: 'cache.get', rid: this.rid, key: op.key, epoch: this.ring.epoch };
      // A hot key's reads are spread over its owner and the replicas the owner named.
      const replicas = this.hotKeys.get(op.key) ?? [];
      this.target = replicas.length > 0 ? this.host.random.pick([this.ring.owner(op.key), ...replicas]) : this.ring.owner(op.key);
      this.sendAttempt();
    } else if (op.f === 'write') {
      this.writtenKeys.add(op.key);
      this.caller.call({ f: 'write', key: op.key, value: op.value });
    } else {
      this.caller.call({ f: 'read', key: op.key, value: null });
    }
  }

  private storeDone(result: CallResult): void {
    const op = this.op;
    if (op === null) return;
    if (op.f === 'read') {
      const lease = this.lease;
      this.lease = null;
      if (result.outcome !== 'ok') {
        // Errors are never cached: no fill; the lease expires at the owner and its waiters hear of it.
        this.complete('fail', op, null, result.node, result.outcome === 'fail' ? result.error : result.reason);
        return;
      }
      if (lease !== null) {
        const fill: CacheFill = { type: 'cache.fill', key: lease.key, lease: lease.token, value: result.value };
        this.host.send(lease.owner, fill);
      }
      this.complete('ok', op, result.value, result.node);
      return;
    }
    if (op.f === 'store-read') {
      if (result.outcome === 'ok') this.complete('ok', op, result.value, result.node);
      else this.complete('fail', op, null, result.node, result.outcome === 'fail' ? result.error : result.reason);
      return;
    }
    if (op.f !== 'write') return;
    if (result.outcome === 'fail') return this.complete('fail', op, null, result.node, result.error);
    if (result.outcome === 'info') return this.complete('info', op, null, result.node, result.reason);
    // Committed: now the owner must hear of it before the write is acknowledged.
    this.rid += 1;
    this.request = { type: 'cache.write', rid: this.rid, key: op.key, version: op.value, mode: op.mode, epoch: this.ring.epoch };
    this.target = this.ring.owner(op.key);
    this.sendAttempt();
  }

  private clearAttempt(): void {
    if (this.attemptTimer !== null) this.host.cancelTimer(this.attemptTimer);
    this.attemptTimer = null;
  }

  private sendAttempt(): void {
    if (this.request === null || this.target === null) return;
    this.host.send(this.target, this.request);
    this.attemptTimer = this.host.setTimer(Math.max(1, Math.floor(this.params.timeoutNs / 4)), ATTEMPT_TAG);
  }

  private complete(type: 'ok' | 'fail' | 'info', op: Op, value: number | null, node: NodeId | null, reason?: string): void {
    const record = { process: this.process(), type, f: op.f, value: type === 'ok' ? value : op.f === 'write' ? op.value : null, key: op.key };
    this.host.record(node === null ? record : { ...record, node });
    if (type !== 'ok' && reason !== undefined) this.host.log('cache.client-op', { f: op.f, key: op.key, type, reason });
    if (type === 'info') this.generation += 1;
    this.op = null;
    this.request = null;
    this.target = null;
    this.clearAttempt();
    if (this.deadlineTimer !== null) this.host.cancelTimer(this.deadlineTimer);
    this.deadlineTimer = null;
    const waitNs = this.nextArrivalNs - this.host.monotonicNow();
    if (waitNs <= 0) this.arrive();
    else this.scheduleArrival(waitNs);
  }

  /** Values are unique across the run and increase per client, so per key (one writer each). */
  private freshValue(): number {
    this.written += 1;
    return this.written * this.params.clients + this.index + 1;
  }

  private process(): number {
    return processNumber(this.index, this.params.clients, this.generation);
  }

  private scheduleArrival(delayNs: number): void {
    if (this.arrivalTimer !== null) this.host.cancelTimer(this.arrivalTimer);
    this.arrivalTimer = this.host.setTimer(delayNs, ARRIVE_TAG);
  }
}
