// A cache node: the owner, by the ring of its epoch, of a share of the keys, in the look-aside style
// of memcache (Nishtala et al., NSDI'13). A hit is answered from memory. The first miss of a key
// gets a lease: that caller reads the store (the Raft KV) itself and sends the value back with the
// lease (`cache.fill`); callers that miss while the lease is out wait here and are answered by that
// fill, so a key has one origin load per miss window. Writes reach the node from clients after the
// store committed them (write-through installs the new version, write-around drops older ones) and
// from the store's relay (refresh in place). Versions decide: nothing older than what the entry
// holds is ever installed.
//
// A write or invalidation for a key revokes its lease. A fill under a revoked lease still answers
// the callers that waited on it (they asked before the write was acknowledged here) but installs
// nothing, and a revoked lease admits no new caller: one arriving later gets a lease of its own, so
// it never joins a read older than a write it could know of. A lease not filled in time expires
// and its waiters get an error (errors are never cached).
//
// TTL is judged by the node's monotonic clock (lazy expiry on access, plus an active sweep), with
// per-entry jitter so entries filled together do not expire together. An absent key is cached too,
// with a shorter TTL.
import type { Host, NodeId, Process, TimerId, TimerTag, TraceFields } from '../host.js';
import { NS_PER_MS } from '../host.js';
import { bugsFromHost, type CacheBugSwitches } from './bugs.js';
import { EntryStore, entrySizeBytes, type CacheEntry } from './entries.js';
import { LruPolicy, type EvictionPolicy } from './policy.js';
import { asCacheRequest, cacheNodesOf, type CacheAck, type CacheFill, type CacheGet, type CacheGot, type CacheInvalidate, type CacheReplica, type CacheReplicaInvalidate, type CacheWrite } from './protocol.js';
import { HotKeys, ReplicaFloors } from './hot.js';
import { TokenBucket } from './rate-limit.js';
import { CacheRing, VNODES_PER_WEIGHT } from './ring.js';

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
  /** A lease not filled within this expires; its waiters get an error. */
  leaseTtlNs: number;
  /** Leases out at once, all keys together, at most; a miss beyond that is refused. */
  leasesMax: number;
  /** Callers waiting on one lease, at most; more are refused. */
  waitersPerLoadMax: number;
  policy: () => EvictionPolicy;
  /** Gets per window that make a key hot, the window, and the extra copies of a hot key. */
  hotThreshold: number;
  hotWindowNs: number;
  hotReplicas: number;
  hotKeysMax: number;
  /** How long an owner waits for its replicas to confirm an invalidation before it gives up on the write. */
  replicaAckTimeoutNs: number;
  /** A restarted owner asks the other cache nodes to drop its keys' copies this often until all confirmed. */
  resetRetryNs: number;
  /** Writes waiting on replica confirmations at most; more are refused. */
  pendingWritesMax: number;
  /** Leases (each one origin load) granted per second at most, with this burst. */
  originLoadsPerSecond: number;
  originBurst: number;
}

export const CACHE_NODE_DEFAULTS: CacheNodeOptions = {
  capacityBytes: 120,
  ttlNs: 500 * NS_PER_MS,
  negativeTtlNs: 100 * NS_PER_MS,
  ttlJitterPercent: 10,
  sweepEveryNs: 100 * NS_PER_MS,
  sweepBatch: 16,
  leaseTtlNs: 800 * NS_PER_MS,
  leasesMax: 1024,
  waitersPerLoadMax: 256,
  policy: () => new LruPolicy(),
  hotThreshold: 8,
  hotWindowNs: 1_000 * NS_PER_MS,
  hotReplicas: 1,
  hotKeysMax: 64,
  replicaAckTimeoutNs: 150 * NS_PER_MS,
  resetRetryNs: 100 * NS_PER_MS,
  pendingWritesMax: 256,
  originLoadsPerSecond: 500,
  originBurst: 100,
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

/** A key's lease: its holder loads from the store; other callers of the same miss window wait on it. */
interface Lease {
  token: string;
  key: string;
  /** A write or invalidation for the key arrived since the lease was granted: its fill may not install. */
  revoked: boolean;
  waiters: Waiter[];
  timer: TimerId;
}

/** A client's write waiting for the hot key's replicas to confirm its invalidation. */
interface PendingWrite {
  client: NodeId;
  clientRid: number;
  waiting: Set<NodeId>;
  timer: TimerId;
}

const SWEEP_TAG = 'cache.sweep';
const HOT_WINDOW_TAG = 'cache.hot-window';
const RESET_TAG = 'cache.reset';
const LEASE_TAG_PREFIX = 'cache.lease:';
const PENDING_TAG_PREFIX = 'cache.pending:';

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
  /** Leases out per key, oldest first; at most one of them is unrevoked (without the planted bugs). */
  private leases = new Map<string, Lease[]>();
  private leasesOut = 0;
  private incarnation = '';
  private fills = 0;
  private leaseCount = 0;
  private hot: HotKeys;
  private floors = new ReplicaFloors();
  /** Peer rid -> the write waiting on it. */
  private pendingWrites = new Map<number, PendingWrite>();
  private peerRid = 0;
  /** Cache nodes that have not yet confirmed this incarnation's reset; writes wait until none. */
  private resetPending = new Set<NodeId>();
  private originLimit: TokenBucket;

  constructor(
    private readonly host: Host,
    options: Partial<CacheNodeOptions> = {},
  ) {
    this.options = { ...CACHE_NODE_DEFAULTS, ...options };
    this.bugs = bugsFromHost(host);
    this.hot = this.newHotKeys();
    this.originLimit = new TokenBucket(this.options.originLoadsPerSecond, this.options.originBurst);
    this.ring = cacheRing(host.peers());
    this.entries = this.newEntries();
  }

  start(): void {
    // Memory only: a restart begins empty, with a fresh incarnation so no old lease or fill id matches.
    this.incarnation = this.host.random.int(2 ** 30).toString(36);
    this.ring = cacheRing(this.host.peers());
    this.entries = this.newEntries();
    this.leases = new Map();
    this.leasesOut = 0;
    this.fills = 0;
    this.leaseCount = 0;
    this.hot = this.newHotKeys();
    this.originLimit = new TokenBucket(this.options.originLoadsPerSecond, this.options.originBurst);
    this.floors = new ReplicaFloors();
    this.pendingWrites = new Map();
    this.peerRid = 0;
    this.host.log('cache.start', { incarnation: this.incarnation, epoch: this.ring.epoch });
    this.host.setTimer(this.options.sweepEveryNs, SWEEP_TAG);
    this.host.setTimer(this.options.hotWindowNs, HOT_WINDOW_TAG);
    // This incarnation does not know which of its keys were hot before: copies elsewhere must go
    // before it acknowledges any write, or a replica could serve a value older than the write.
    this.resetPending = new Set(this.ring.nodes.filter((id) => id !== this.host.id));
    this.sendResets();
  }

  onMessage(from: NodeId, message: unknown): void {
    const request = asCacheRequest(message);
    if (request === null) {
      this.host.log('cache.unknown-message', { from });
      return;
    }
    switch (request.type) {
      case 'cache.get':
        return this.onGet(from, request);
      case 'cache.fill':
        return this.onFill(request);
      case 'cache.write':
        return this.onWrite(from, request);
      case 'cache.inval':
        return this.onInvalidate(request);
      case 'cache.replica':
        return this.onReplica(from, request);
      case 'cache.replica-inval':
        return this.onReplicaInvalidate(from, request);
      case 'cache.reset':
        return this.onReset(from, request.rid);
      case 'cache.peer-ack':
        return this.onPeerAck(from, request.rid);
    }
  }

  onTimer(tag: TimerTag): void {
    if (typeof tag === 'string' && tag.startsWith(LEASE_TAG_PREFIX)) {
      this.expireLease(tag.slice(LEASE_TAG_PREFIX.length));
      return;
    }
    if (typeof tag === 'string' && tag.startsWith(PENDING_TAG_PREFIX)) {
      const rid = Number(tag.slice(PENDING_TAG_PREFIX.length));
      const pending = this.pendingWrites.get(rid);
      if (pending === undefined) return;
      // A replica did not confirm: the write is not acknowledged (the client records it uncertain).
      this.pendingWrites.delete(rid);
      this.log('cache.replica-timeout', { waiting: [...pending.waiting].join(',') });
      return;
    }
    if (tag === HOT_WINDOW_TAG) {
      this.host.setTimer(this.options.hotWindowNs, HOT_WINDOW_TAG);
      this.hot.decay();
      return;
    }
    if (tag === RESET_TAG) {
      this.sendResets();
      return;
    }
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
      // Not the owner, but a replica of a hot key may serve its copy.
      const copy = refusal.outcome === 'not-owner' ? this.liveEntry(request.key) : undefined;
      if (copy?.replica === true) {
        this.entries.touch(request.key);
        this.log('cache.hit', { key: request.key, version: copy.version, fill: copy.fill, replica: true });
        this.reply(from, { type: 'cache.got', rid: request.rid, outcome: 'ok', value: copy.value, hit: true, fill: copy.fill });
        return;
      }
      this.reply(from, { type: 'cache.got', rid: request.rid, ...refusal });
      return;
    }
    const madeHot = this.hot.count(request.key, this.ring);
    if (madeHot !== null) {
      this.log('cache.hot', { key: request.key, replicas: madeHot.join(',') });
      const current = this.entries.peek(request.key);
      if (current !== undefined) this.pushCopy(request.key, current);
    }
    const replicas = this.hot.replicasOf(request.key);
    const named = replicas.length > 0 ? { replicas: [...replicas] } : {};
    const entry = this.liveEntry(request.key);
    if (entry !== undefined) {
      this.entries.touch(request.key);
      this.log('cache.hit', { key: request.key, version: entry.version, fill: entry.fill });
      this.reply(from, { type: 'cache.got', rid: request.rid, outcome: 'ok', value: entry.value, hit: true, fill: entry.fill, ...named });
      return;
    }
    const lease = this.joinableLease(request.key);
    if (lease !== null) {
      if (lease.waiters.length >= this.options.waitersPerLoadMax) {
        this.reply(from, { type: 'cache.got', rid: request.rid, outcome: 'error', error: 'too many callers waiting on this key' });
        return;
      }
      lease.waiters.push({ from, rid: request.rid });
      return;
    }
    if (this.leasesOut >= this.options.leasesMax) {
      this.reply(from, { type: 'cache.got', rid: request.rid, outcome: 'error', error: 'too many leases out' });
      return;
    }
    if (!this.originLimit.take(this.host.monotonicNow())) {
      this.log('cache.rate-limited', { key: request.key });
      this.reply(from, { type: 'cache.got', rid: request.rid, outcome: 'error', error: 'origin loads rate-limited' });
      return;
    }
    const token = this.grantLease(request.key);
    this.reply(from, { type: 'cache.got', rid: request.rid, outcome: 'miss', lease: token });
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

  /** The lease a new caller may wait on: the newest one out, unless a write revoked it. */
  private joinableLease(key: string): Lease | null {
    if (this.bugs.noCoalescing) return null;
    const newest = this.leases.get(key)?.at(-1);
    if (newest === undefined) return null;
    if (newest.revoked && !this.bugs.coalesceAcrossWrite) return null;
    return newest;
  }

  private grantLease(key: string): string {
    this.leaseCount += 1;
    const token = `${this.incarnation}.${this.leaseCount}`;
    const lease: Lease = { token, key, revoked: false, waiters: [], timer: this.host.setTimer(this.options.leaseTtlNs, `${LEASE_TAG_PREFIX}${key}|${token}`) };
    const list = this.leases.get(key) ?? [];
    list.push(lease);
    this.leases.set(key, list);
    this.leasesOut += 1;
    this.log('cache.lease', { key, lease: token });
    return token;
  }

  /** Takes the lease out of the key's list; null when it is not out (expired, unknown, another incarnation's). */
  private takeLease(key: string, token: string): Lease | null {
    const list = this.leases.get(key);
    const at = list?.findIndex((lease) => lease.token === token) ?? -1;
    if (list === undefined || at < 0) return null;
    const [lease] = list.splice(at, 1);
    if (list.length === 0) this.leases.delete(key);
    this.leasesOut -= 1;
    assert(this.leasesOut >= 0, 'leases out never go negative');
    return lease!;
  }

  private onFill(fill: CacheFill): void {
    const lease = this.takeLease(fill.key, fill.lease);
    if (lease === null) {
      this.log('cache.fill-refused', { key: fill.key, lease: fill.lease, reason: 'no such lease' });
      return;
    }
    this.host.cancelTimer(lease.timer);
    const version = fill.value ?? 0;
    let filled: string | undefined;
    // The planted stale-set race has no lease check: a fill under a revoked lease installs too.
    if (!lease.revoked || this.bugs.staleSetRace) filled = this.install(fill.key, fill.value, version, false);
    this.log('cache.lease-end', { key: fill.key, lease: lease.token, version, revoked: lease.revoked, fill: filled ?? null, waiters: lease.waiters.length });
    for (const waiter of lease.waiters) {
      const reply: CacheGot = { type: 'cache.got', rid: waiter.rid, outcome: 'ok', value: fill.value, hit: false };
      this.reply(waiter.from, filled === undefined ? reply : { ...reply, fill: filled });
    }
  }

  private expireLease(tagRest: string): void {
    const split = tagRest.lastIndexOf('|');
    const key = tagRest.slice(0, split);
    const lease = this.takeLease(key, tagRest.slice(split + 1));
    if (lease === null) return;
    this.log('cache.lease-end', { key, lease: lease.token, expired: true, waiters: lease.waiters.length });
    for (const waiter of lease.waiters) this.reply(waiter.from, { type: 'cache.got', rid: waiter.rid, outcome: 'error', error: 'the lease holder did not fill in time' });
  }

  // ------------------------------------------------------------------ writes and invalidations

  private onWrite(from: NodeId, request: CacheWrite): void {
    const refusal = this.refusal(request.key, request.epoch);
    if (refusal !== null) {
      this.reply(from, { type: 'cache.ack', rid: request.rid, ...refusal });
      return;
    }
    if (this.resetPending.size > 0) {
      this.reply(from, { type: 'cache.ack', rid: request.rid, outcome: 'error', error: 'restarted owner: copies of its keys elsewhere are not yet dropped' });
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
    const replicas = this.hot.replicasOf(request.key);
    // The planted bug acknowledges a hot key's write without a word to its replicas.
    if (replicas.length === 0 || this.bugs.hotReplicaNotInvalidated) {
      const ack: CacheAck = { type: 'cache.ack', rid: request.rid, outcome: 'ok' };
      this.reply(from, ack);
      return;
    }
    if (this.pendingWrites.size >= this.options.pendingWritesMax) {
      this.reply(from, { type: 'cache.ack', rid: request.rid, outcome: 'error', error: 'too many writes waiting on replicas' });
      return;
    }
    // Acknowledged only once every replica dropped older copies and will refuse them.
    this.peerRid += 1;
    const rid = this.peerRid;
    this.pendingWrites.set(rid, { client: from, clientRid: request.rid, waiting: new Set(replicas), timer: this.host.setTimer(this.options.replicaAckTimeoutNs, `${PENDING_TAG_PREFIX}${rid}`) });
    const invalidation: CacheReplicaInvalidate = { type: 'cache.replica-inval', key: request.key, version: request.version, rid };
    for (const replica of replicas) this.host.send(replica, invalidation);
  }

  // ------------------------------------------------------------------ hot-key copies

  private pushCopy(key: string, entry: CacheEntry): void {
    const copy: CacheReplica = { type: 'cache.replica', key, value: entry.value, version: entry.version };
    for (const replica of this.hot.replicasOf(key)) this.host.send(replica, copy);
  }

  /** A hot key's owner sent its entry: keep a copy unless an invalidation since says it is old. */
  private onReplica(from: NodeId, copy: CacheReplica): void {
    if (this.ring.owner(copy.key) !== from || from === this.host.id) return;
    // The planted unversioned bug compares no versions here either: a late copy lands over a newer one.
    if (!this.bugs.unversionedInvalidation) {
      if (!this.floors.admits(copy.key, copy.version)) {
        this.log('cache.replica-refused', { key: copy.key, version: copy.version });
        return;
      }
      const entry = this.entries.peek(copy.key);
      if (entry !== undefined && entry.version >= copy.version) return;
    }
    this.install(copy.key, copy.value, copy.version, false, true);
  }

  private onReplicaInvalidate(from: NodeId, message: CacheReplicaInvalidate): void {
    this.floors.raise(message.key, message.version);
    const entry = this.entries.peek(message.key);
    if (entry?.replica === true && entry.version < message.version) {
      this.entries.delete(message.key);
      this.log('cache.delete', { key: message.key, version: message.version, had: entry.version, replica: true });
    }
    if (message.rid !== 0) this.host.send(from, { type: 'cache.peer-ack', rid: message.rid });
  }

  /** A restarted owner: drop every copy of its keys. */
  private onReset(from: NodeId, rid: number): void {
    for (const key of [...this.entries.keys()]) {
      const entry = this.entries.peek(key)!;
      if (entry.replica === true && this.ring.owner(key) === from) this.entries.delete(key);
    }
    this.host.send(from, { type: 'cache.peer-ack', rid });
  }

  private onPeerAck(from: NodeId, rid: number): void {
    if (rid === 0) {
      this.resetPending.delete(from);
      if (this.resetPending.size === 0) this.log('cache.reset-done', {});
      return;
    }
    const pending = this.pendingWrites.get(rid);
    if (pending === undefined) return;
    pending.waiting.delete(from);
    if (pending.waiting.size > 0) return;
    this.pendingWrites.delete(rid);
    this.host.cancelTimer(pending.timer);
    const ack: CacheAck = { type: 'cache.ack', rid: pending.clientRid, outcome: 'ok' };
    this.reply(pending.client, ack);
  }

  /** Resets carry rid 0, so their acknowledgements are told apart from writes' (rids from 1). */
  private sendResets(): void {
    if (this.resetPending.size === 0) return;
    for (const peer of this.resetPending) this.host.send(peer, { type: 'cache.reset', rid: 0 });
    this.host.setTimer(this.options.resetRetryNs, RESET_TAG);
  }

  /** The relay's word that `version` committed: refresh an older entry in place (the value is the version). */
  private onInvalidate(message: CacheInvalidate): void {
    this.revoke(message.key, message.version);
    const entry = this.entries.peek(message.key);
    if (entry === undefined) return;
    if (entry.version < message.version || (this.bugs.unversionedInvalidation && entry.version !== message.version)) {
      this.install(message.key, message.version, message.version, true);
    }
    if (this.bugs.hotReplicaNotInvalidated) return;
    const forward: CacheReplicaInvalidate = { type: 'cache.replica-inval', key: message.key, version: message.version, rid: 0 };
    for (const replica of this.hot.replicasOf(message.key)) this.host.send(replica, forward);
  }

  /** A write for `key` was acknowledged by the store: a lease holder may have read an older value. */
  private revoke(key: string, version: number): void {
    for (const lease of this.leases.get(key) ?? []) {
      if (lease.revoked) continue;
      lease.revoked = true;
      this.log('cache.revoke', { key, lease: lease.token, version });
    }
  }

  /**
   * Puts `value` in as a fresh fill (a copy of the owner's when `replica`); returns its fill id, or
   * undefined when it cannot fit. An owner's fill of a hot key is copied to the key's replicas.
   */
  private install(key: string, value: number | null, version: number, byWrite: boolean, replica = false): string | undefined {
    const current = this.entries.peek(key);
    if (current !== undefined && current.version > version && !this.bugs.unversionedInvalidation && !this.bugs.staleSetRace) return undefined;
    this.fills += 1;
    const fill = `${this.incarnation}.${this.fills}`;
    const baseNs = value === null ? this.options.negativeTtlNs : this.options.ttlNs;
    const jitterNs = Math.floor((baseNs * this.host.random.int(this.options.ttlJitterPercent + 1)) / 100);
    const ttlNs = baseNs + jitterNs;
    const entry: CacheEntry = { value, version, sizeBytes: entrySizeBytes(key, value), expiresAtNs: this.clockNs() + ttlNs, fill };
    if (replica) entry.replica = true;
    if (!this.entries.put(key, entry)) return undefined;
    this.log('cache.fill', { key, version, fill, ttlMs: ttlNs / NS_PER_MS, byWrite, replica });
    if (!replica) this.pushCopy(key, entry);
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

  private newHotKeys(): HotKeys {
    return new HotKeys({ threshold: this.options.hotThreshold, replicas: this.options.hotReplicas, keysMax: this.options.hotKeysMax });
  }

  private newEntries(): EntryStore {
    return new EntryStore(this.options.capacityBytes, this.options.policy(), { evictAccounting: this.bugs.evictAccounting }, (key, entry) =>
      this.host.log('cache.evict', { key, version: entry.version, sizeBytes: entry.sizeBytes }),
    );
  }
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`cache node: ${message}`);
}
