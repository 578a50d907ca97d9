// The quorum KV node: a Dynamo-style replica and coordinator in one state machine.
//
// Any node takes a client request. A read is coordinated by the node that got it: it asks the
// key's replicas and answers once R of them have (PR of them primaries). A write must be versioned
// by a replica of the key (versions.ts explains why), so a node that is not one forwards the write
// to the first primary it believes up, which coordinates it: it makes the new version on its own
// copy, fsyncs it, sends it to the other replicas and answers once W have acknowledged (PW of
// them primaries), itself included.
//
// Per request (protocol.ts `RequestOptions`):
// - `cp` mode is ABD (Attiya, Bar-Noy, Dolev) on strict quorums: a write first reads R primaries
//   and tags its version past every tag seen; a read writes the freshest version back until W
//   primaries hold it before it answers. With R + W > N every read quorum meets every completed
//   write's quorum, so reads and writes are linearizable.
// - `ap` mode is Dynamo: a write replicates to whoever answers (with `sloppy`, fallback nodes
//   stand in for unreachable primaries and keep the version as a durable hint, handed off when
//   the primary is back), a read answers at once and repairs stale replicas in the background,
//   concurrent writes become siblings returned with their causal context.
// A cas, and a CP write with `serial`, go through the key's Paxos register instead (paxos.ts), at
// a primary like every write. Deletes are writes of a tombstone; a key left with only tombstones
// is purged after a grace period once every primary holds them. Counter buckets and TTLs are
// resolution rules on the same versions (versions.ts `addToCounter`, `liveAt`).
// Anti-entropy (merkle.ts) runs between every pair of replicas all the time, so replicas converge
// even on keys nobody reads.
//
// Durability: nothing is acknowledged (to a client, or as a replica's put-ack) before the commit
// log record it depends on is fsynced. Handlers never wait: durability comes back as `onFsync`.
// Every queue has a limit; past it the request is refused before anything is done.
import { NS_PER_MS, NS_PER_S, type Host, type Message, type NodeId, type NodeStatus, type Process, type TimerTag } from '../host.js';
import { bugsFromHost, type QuorumKvBugSwitches } from './bugs.js';
import { monoNow, wallNow } from './clock.js';
import { CommitLog, type LogRecord } from './log.js';
import { bucketOf, differingBuckets, leavesOf, rootOf } from './merkle.js';
import { accept, commit, compareBallots, decide, EMPTY_PAXOS, prepare, type Accepted, type Ballot, type PaxosPromise, type PaxosState } from './paxos.js';
import {
  asKvRequest,
  asReplicaMessage,
  levelCount,
  parseOptions,
  type KeyedObject,
  type KvReply,
  type KvRequest,
  type ReplicaMessage,
  type RequestOptions,
} from './protocol.js';
import { Ring } from './ring.js';
import {
  addToCounter,
  contextOf,
  counterValue,
  digest,
  EMPTY_CONTEXT,
  EMPTY_OBJECT,
  liveAt,
  liveValues,
  maxTag,
  merge,
  nextTag,
  resolveLww,
  sameObject,
  winner,
  writeVersion,
  type VersionedObject,
} from './versions.js';

export interface QuorumKvOptions {
  /** N: replicas per key. */
  replicas: number;
  vnodesPerWeight: number;
  /** One tick drives pings, expiry, hint replay and anti-entropy. */
  tickNs: number;
  /** A peer not heard from for this long is believed down (for coordinator and fallback choice). */
  suspectAfterNs: number;
  /** A coordinator gives up on an op after this long (a write then stays silent: it may have happened). */
  opTimeoutNs: number;
  hintReplayEveryTicks: number;
  /** Hints older than this are dropped; anti-entropy repairs what they would have. */
  hintWindowNs: number;
  /** Hints handed off per target per replay round, at most. */
  hintsPerRoundMax: number;
  antiEntropyEveryTicks: number;
  recoveryRetryNs: number;
  /** Ops this node coordinates or forwards at once, at most. */
  opsPendingMax: number;
  /** Clients remembered for duplicate detection, at most. */
  clientsRememberedMax: number;
  compactBytes: number;
  durableWaitingMax: number;
  /**
   * A key whose versions are all tombstones is purged this long after this replica got them, and
   * only once every primary is known (by an equal anti-entropy leaf) to hold the same tombstones.
   * It must exceed the hint window: a hint older than the delete, handed off after the purge,
   * would bring the value back (Cassandra's gc_grace_seconds rule).
   */
  tombstoneGraceNs: number;
}

export const QUORUM_KV_DEFAULTS: QuorumKvOptions = {
  replicas: 3,
  vnodesPerWeight: 16,
  tickNs: 50 * NS_PER_MS,
  suspectAfterNs: 300 * NS_PER_MS,
  opTimeoutNs: 500 * NS_PER_MS,
  hintReplayEveryTicks: 4,
  hintWindowNs: 60 * NS_PER_S,
  hintsPerRoundMax: 64,
  antiEntropyEveryTicks: 2,
  recoveryRetryNs: 500 * NS_PER_MS,
  opsPendingMax: 4096,
  clientsRememberedMax: 4096,
  compactBytes: 256 * 1024,
  durableWaitingMax: 8192,
  tombstoneGraceNs: 90 * NS_PER_S,
};

/** What checkers may rely on: op timeout and anti-entropy period in ms. */
export const QUORUM_KV_PARAMS = {
  replicas: QUORUM_KV_DEFAULTS.replicas,
  opTimeoutMs: QUORUM_KV_DEFAULTS.opTimeoutNs / NS_PER_MS,
  suspectAfterMs: QUORUM_KV_DEFAULTS.suspectAfterNs / NS_PER_MS,
  antiEntropyMs: (QUORUM_KV_DEFAULTS.antiEntropyEveryTicks * QUORUM_KV_DEFAULTS.tickNs) / NS_PER_MS,
} as const;

/** The error of a cas whose compare failed (workloads/kv-protocol.ts says the same). */
const CAS_MISMATCH = 'cas-mismatch';

const TICK = 'tick';
const RECOVER = 'recover';
const RING_EPOCH = 1;

/** Where an answer goes: straight to the client, or back through the node that forwarded it. */
type Route = { kind: 'client'; client: NodeId } | { kind: 'forwarded'; via: NodeId; rid: string };

interface OpBase {
  rid: string;
  route: Route;
  seq: number;
  key: string;
  options: RequestOptions;
  deadlineNs: number;
  n: number;
  primaries: readonly NodeId[];
}

interface ReadOp extends OpBase {
  kind: 'read';
  phase: 'gather' | 'write-back' | 'done';
  answers: Map<NodeId, VersionedObject>;
  merged: VersionedObject | null;
  /** Primaries known to hold the merged version (write-back phase). */
  holders: Set<NodeId>;
}

interface WriteOp extends OpBase {
  kind: 'write';
  /** Null is a delete: a tombstone that carries the write's causal context like any version. */
  value: number | null;
  phase: 'gather' | 'replicate' | 'done';
  /** CP phase 1: the primaries' copies. */
  answers: Map<NodeId, VersionedObject>;
  /** Replicas that acknowledged the new version durably; `primaryAcks` counts the primaries. */
  acks: Set<NodeId>;
  /** Whether fallback acknowledgements count toward W (sloppy quorums). */
  sloppy: boolean;
  /** The new version's tag, once made. */
  tag: number;
}

interface ForwardOp {
  kind: 'forward';
  rid: string;
  client: NodeId;
  seq: number;
  deadlineNs: number;
}

/** A cas, or a serial write, through the key's Paxos register (paxos.ts). */
interface PaxosOp extends OpBase {
  kind: 'paxos';
  /** The compare of a cas; undefined for a serial write, which always proposes. */
  expected: number | null | undefined;
  /** Null: a serial delete. */
  value: number | null;
  /**
   * prepare -> (accept -> commit of an unfinished value -> prepare again) -> accept -> commit -> ok,
   * or prepare -> write-back -> fail when the compare fails; backoff between contended rounds.
   */
  phase: 'prepare' | 'accept' | 'commit' | 'write-back' | 'backoff' | 'done';
  ballot: Ballot;
  /** The highest round number any acceptor reported: the next ballot goes past it. */
  highestSeen: number;
  promises: Map<NodeId, PaxosPromise>;
  refusals: Set<NodeId>;
  accepts: Set<NodeId>;
  acks: Set<NodeId>;
  proposal: Accepted | null;
  /** True once this op's own version was proposed: from then on its fate may be unknown. */
  ownProposed: boolean;
  rounds: number;
  tag: number;
}

type Op = ReadOp | WriteOp | ForwardOp | PaxosOp;

const PAXOS_TIMER = 'paxos:';
/** Rounds one op may run (each a prepare), at most: contention past it ends the op by its deadline. */
const PAXOS_ROUNDS_MAX = 16;

interface Hint {
  object: VersionedObject;
  /** When this node first held it (its monotonic clock; a restart starts the window again). */
  sinceNs: number;
}

/** A read-only view for invariant monitors and tests. */
export interface QuorumKvInspection {
  readonly id: NodeId;
  readonly up: boolean;
  readonly actor: string;
  readonly store: ReadonlyMap<string, VersionedObject>;
  /** Hints held, per the primary they are for. */
  hintsFor(target: NodeId): number;
  primaries(key: string): readonly NodeId[];
  /** The key's Paxos acceptor state (paxos.ts). */
  paxos(key: string): PaxosState;
}

export class QuorumKvNode implements Process {
  private readonly options: QuorumKvOptions;
  private readonly bugs: QuorumKvBugSwitches;
  private up = false;
  private downReason: string | null = 'starting';
  private incarnation = 0;
  private actor = '';
  private ring: Ring;
  private log: CommitLog;
  private readonly store = new Map<string, VersionedObject>();
  private readonly digests = new Map<string, number>();
  private readonly hints = new Map<NodeId, Map<string, Hint>>();
  private readonly hintsInFlight = new Map<string, { target: NodeId; key: string; digest: number; sentNs: number }>();
  private readonly heard = new Map<NodeId, number>();
  private readonly ops = new Map<string, Op>();
  private readonly lastCoordinated = new Map<string, number>();
  private readonly primariesCache = new Map<string, readonly NodeId[]>();
  /** The Paxos acceptor state per key (paxos.ts), durable in the commit log. */
  private readonly paxos = new Map<string, PaxosState>();
  /**
   * Per key, the last dot counter this incarnation put in a Paxos proposal: a proposal that was
   * not chosen never reaches the store, so the store alone would hand the same dot out twice.
   */
  private readonly paxosCounters = new Map<string, number>();
  /** Keys whose copy is only tombstones: since when, and the primaries known to hold the same. */
  private readonly tombstones = new Map<string, { digest: number; sinceNs: number; holders: Set<NodeId> }>();
  private ridCounter = 0;
  private ticks = 0;
  private antiEntropyTurn = 0;

  constructor(
    private readonly host: Host,
    options: Partial<QuorumKvOptions> = {},
  ) {
    this.options = { ...QUORUM_KV_DEFAULTS, ...options };
    this.bugs = bugsFromHost(host);
    this.ring = this.initialRing();
    this.log = this.newLog();
  }

  // ------------------------------------------------------------------ lifecycle

  start(): void {
    this.up = false;
    this.store.clear();
    this.digests.clear();
    this.hints.clear();
    this.hintsInFlight.clear();
    this.ops.clear();
    this.lastCoordinated.clear();
    this.paxos.clear();
    this.paxosCounters.clear();
    this.tombstones.clear();
    this.log = this.newLog();
    const recovery = this.log.recover();
    if (recovery.kind === 'corrupt') {
      this.stayDown(recovery.reason);
      return;
    }
    for (const file of recovery.tornFiles) this.host.log('qkv.log-torn-tail', { file });
    let incarnation = 0;
    for (const record of recovery.records) incarnation = Math.max(incarnation, this.replay(record));
    // A new actor for this incarnation (versions.ts): it is durable before any version uses it.
    this.incarnation = incarnation + 1;
    this.actor = `${this.host.id}.${this.incarnation}`;
    this.log.append({ t: 'inc', n: this.incarnation });
    const now = monoNow(this.host);
    for (const peer of this.ring.nodes) this.heard.set(peer, now);
    this.downReason = 'starting';
    this.log.whenDurable(() => {
      this.up = true;
      this.downReason = null;
      this.host.log('qkv.start', { actor: this.actor, keys: this.store.size, hints: this.hintCount() });
    });
    // The only tick timer: a node that stays down re-enters start() by its recovery timer instead.
    this.host.setTimer(this.options.tickNs, TICK);
  }

  status(): NodeStatus {
    const status: NodeStatus & { ring: number; keys: number; hints: number } = { ring: this.ring.config.epoch, keys: this.store.size, hints: this.hintCount() };
    if (this.downReason !== null) status.down = this.downReason;
    return status;
  }

  inspect(): QuorumKvInspection {
    const node = this;
    return {
      id: this.host.id,
      get up() {
        return node.up;
      },
      get actor() {
        return node.actor;
      },
      store: this.store,
      hintsFor: (target) => this.hints.get(target)?.size ?? 0,
      primaries: (key) => this.primariesOf(key),
      paxos: (key) => this.paxos.get(key) ?? EMPTY_PAXOS,
    };
  }

  onTimer(tag: TimerTag): void {
    if (tag === RECOVER) {
      this.start();
      return;
    }
    if (typeof tag === 'string' && tag.startsWith(PAXOS_TIMER)) {
      const op = this.ops.get(tag.slice(PAXOS_TIMER.length));
      if (op !== undefined && op.kind === 'paxos' && op.phase === 'backoff') this.paxosRound(op);
      return;
    }
    if (tag !== TICK) return;
    this.host.setTimer(this.options.tickNs, TICK);
    this.ticks += 1;
    this.log.retry();
    if (!this.up) return;
    for (const peer of this.ring.nodes) if (peer !== this.host.id) this.host.send(peer, { type: 'qkv.ping' });
    this.expireOps();
    if (this.ticks % this.options.hintReplayEveryTicks === 0) this.replayHints();
    if (this.ticks % this.options.antiEntropyEveryTicks === 0) this.startAntiEntropy();
    this.purgeTombstones();
    this.log.compactIfLarge(() => this.snapshot());
  }

  onFsync(tag: TimerTag, ok: boolean): void {
    this.log.onFsync(tag, ok);
  }

  onMessage(from: NodeId, message: Message): void {
    if (this.ring.nodes.includes(from)) this.heard.set(from, monoNow(this.host));
    const request = asKvRequest(message);
    if (request !== null) {
      this.onClientRequest(from, request);
      return;
    }
    const replica = asReplicaMessage(message);
    if (replica === null || !this.up) return;
    this.onReplicaMessage(from, replica);
  }

  // ------------------------------------------------------------------ client requests

  private onClientRequest(from: NodeId, request: KvRequest): void {
    const reply = (fields: Omit<KvReply, 'type' | 'seq'>): void => this.host.send(from, { type: 'kv.reply', seq: request.seq, ...fields });
    if (!this.up) return reply({ outcome: 'unavailable', error: this.downReason ?? 'starting' });
    const options = parseOptions(request.q);
    if (typeof options === 'string') return reply({ outcome: 'fail', error: `bad request: ${options}` });
    if (request.op.f === 'cas' && options.mode !== 'cp') return reply({ outcome: 'fail', error: 'bad request: a cas needs q.mode "cp" (it goes through the key\'s Paxos register)' });
    const n = this.primariesOf(request.op.key).length;
    for (const [name, level] of [['r', options.r], ['w', options.w], ['pr', options.pr], ['pw', options.pw]] as const) {
      // A count the key cannot meet is refused, not quietly lowered to N.
      if (typeof level === 'number' && level > n) return reply({ outcome: 'fail', error: `bad request: q.${name} = ${level} exceeds N = ${n}` });
    }
    if (this.ops.size >= this.options.opsPendingMax || this.log.full()) return reply({ outcome: 'unavailable', error: 'overloaded' });
    const route: Route = { kind: 'client', client: from };
    if (request.op.f === 'read') {
      this.startRead(route, request, options);
      return;
    }
    if (options.resolve === 'counter' && typeof request.op.value !== 'number') return reply({ outcome: 'fail', error: 'bad request: a counter write needs a number (the delta)' });
    const badValue = writeValueProblem(request);
    if (badValue !== null) return reply({ outcome: 'fail', error: `bad request: ${badValue}` });
    if (this.primariesOf(request.op.key).includes(this.host.id)) {
      this.startWrite(route, request, options);
      return;
    }
    const coordinator = this.primariesOf(request.op.key).find((node) => this.seemsUp(node));
    if (coordinator === undefined) return reply({ outcome: 'unavailable', error: 'no primary of the key is reachable' });
    const rid = this.nextRid();
    this.ops.set(rid, { kind: 'forward', rid, client: from, seq: request.seq, deadlineNs: monoNow(this.host) + this.options.opTimeoutNs });
    this.host.send(coordinator, { type: 'qkv.coordinate', rid, request });
  }

  private opBase(route: Route, request: KvRequest, options: RequestOptions): OpBase {
    const primaries = this.primariesOf(request.op.key);
    const deadlineNs = monoNow(this.host) + this.options.opTimeoutNs;
    return { rid: this.nextRid(), route, seq: request.seq, key: request.op.key, options, deadlineNs, n: primaries.length, primaries };
  }

  private answer(route: Route, reply: KvReply): void {
    if (route.kind === 'client') this.host.send(route.client, reply);
    else this.host.send(route.via, { type: 'qkv.coordinated', rid: route.rid, reply });
  }

  // ------------------------------------------------------------------ reads

  private startRead(route: Route, request: KvRequest, options: RequestOptions): void {
    const key = request.op.key;
    const primaries = this.primariesOf(key);
    const op: ReadOp = {
      ...this.opBase(route, request, options),
      kind: 'read',
      phase: 'gather',
      answers: new Map(),
      merged: null,
      holders: new Set(),
    };
    this.ops.set(op.rid, op);
    const targets = options.mode === 'ap' && options.sloppy ? this.sloppyTargets(key).map((t) => t.node) : primaries;
    for (const target of targets) {
      if (target === this.host.id) op.answers.set(target, this.localCopy(key));
      else this.host.send(target, { type: 'qkv.get', rid: op.rid, key });
    }
    this.progressRead(op);
  }

  private progressRead(op: ReadOp): void {
    if (op.phase === 'gather') {
      const primaryAnswers = [...op.answers.keys()].filter((node) => op.primaries.includes(node)).length;
      const strict = op.options.mode === 'cp' || !op.options.sloppy;
      const counted = strict ? primaryAnswers : op.answers.size;
      if (counted < levelCount(op.options.r, op.n) || primaryAnswers < Math.min(op.options.pr, op.n)) return;
      let merged = EMPTY_OBJECT;
      for (const copy of op.answers.values()) merged = merge(merged, copy, this.bugs.vvMerge);
      op.merged = merged;
      if (op.options.mode === 'ap') {
        this.repairInBackground(op.key, merged, op.answers, op.primaries);
        this.finishRead(op);
        return;
      }
      if (this.bugs.noWriteBack) {
        this.finishRead(op);
        return;
      }
      // ABD's second phase: the freshest version must be on W primaries before anyone is told.
      for (const [node, copy] of op.answers) if (op.primaries.includes(node) && sameObject(copy, merged)) op.holders.add(node);
      op.phase = 'write-back';
      for (const primary of op.primaries) {
        if (op.holders.has(primary)) continue;
        if (primary === this.host.id) this.applyLocal(op.key, merged, () => this.onHolder(op.rid, primary));
        else this.host.send(primary, { type: 'qkv.put', rid: op.rid, key: op.key, object: merged, hintFor: null, replay: false });
      }
    }
    if (op.phase === 'write-back' && op.holders.size >= levelCount(op.options.w, op.n)) this.finishRead(op);
  }

  private onHolder(rid: string, node: NodeId): void {
    const op = this.ops.get(rid);
    if (op === undefined || op.kind !== 'read' || op.phase !== 'write-back') return;
    op.holders.add(node);
    this.progressRead(op);
  }

  private finishRead(op: ReadOp): void {
    op.phase = 'done';
    this.ops.delete(op.rid);
    // TTLs are judged by this node's wall clock; the write-back above kept every version.
    const merged = liveAt(op.merged ?? EMPTY_OBJECT, wallNow(this.host));
    const best = winner(merged);
    const reply: KvReply = { type: 'kv.reply', seq: op.seq, outcome: 'ok', value: best === null ? null : best.value, replicas: [...op.answers.keys()].sort(), tag: maxTag(merged) };
    if (op.options.resolve === 'counter') {
      reply.value = counterValue(merged);
    } else if (op.options.mode === 'ap') {
      reply.siblings = liveValues(op.options.resolve === 'lww' ? resolveLww(merged) : merged);
      reply.context = contextOf(merged);
    }
    this.answer(op.route, reply);
  }

  /** AP read repair: replicas whose copy lacked something get the merged version, no waiting. */
  private repairInBackground(key: string, merged: VersionedObject, answers: ReadonlyMap<NodeId, VersionedObject>, primaries: readonly NodeId[]): void {
    for (const [node, copy] of answers) {
      if (!primaries.includes(node) || sameObject(copy, merged)) continue;
      if (node === this.host.id) this.applyLocal(key, merged, () => {});
      else this.host.send(node, { type: 'qkv.put', rid: null, key, object: merged, hintFor: null, replay: false });
    }
  }

  // ------------------------------------------------------------------ writes

  private startWrite(route: Route, request: KvRequest, options: RequestOptions): void {
    // A duplicated or retried request this node already coordinated must not make a second version.
    const last = this.lastCoordinated.get(request.client);
    if (last !== undefined && request.seq <= last) return;
    this.rememberClient(request.client, request.seq);
    if (request.op.f === 'cas' || (options.mode === 'cp' && options.serial === true)) {
      this.startPaxos(route, request, options);
      return;
    }
    const key = request.op.key;
    const primaries = this.primariesOf(key);
    const op: WriteOp = {
      ...this.opBase(route, request, options),
      kind: 'write',
      value: request.op.value as number | null,
      phase: 'gather',
      answers: new Map(),
      acks: new Set(),
      sloppy: (options.mode === 'ap' && options.sloppy) || (options.mode === 'cp' && this.bugs.sloppyAsStrict),
      tag: 0,
    };
    this.ops.set(op.rid, op);
    if (options.mode === 'ap') {
      this.replicate(op);
      return;
    }
    // ABD's first phase: learn the newest tag a completed write may have left on a quorum.
    op.answers.set(this.host.id, this.localCopy(key));
    const asked = op.sloppy ? this.sloppyTargets(key).map((target) => target.node) : primaries;
    for (const node of asked) if (node !== this.host.id) this.host.send(node, { type: 'qkv.get', rid: op.rid, key });
    this.progressWrite(op);
  }

  private progressWrite(op: WriteOp): void {
    if (op.phase === 'gather') {
      const primaryAnswers = [...op.answers.keys()].filter((node) => op.primaries.includes(node)).length;
      if ((op.sloppy ? op.answers.size : primaryAnswers) < levelCount(op.options.r, op.n)) return;
      this.replicate(op);
      return;
    }
    if (op.phase !== 'replicate') return;
    const primaryAcks = [...op.acks].filter((node) => op.primaries.includes(node)).length;
    const counted = op.sloppy ? op.acks.size : primaryAcks;
    if (counted < levelCount(op.options.w, op.n) || primaryAcks < Math.min(op.options.pw, op.n)) return;
    op.phase = 'done';
    this.ops.delete(op.rid);
    this.answer(op.route, { type: 'kv.reply', seq: op.seq, outcome: 'ok', value: op.value, replicas: [...op.acks].sort(), tag: op.tag });
  }

  /** Makes the new version on this replica's copy and sends it to the other replicas. */
  private replicate(op: WriteOp): void {
    op.phase = 'replicate';
    let base = this.store.get(op.key) ?? EMPTY_OBJECT;
    for (const copy of op.answers.values()) base = merge(base, copy, this.bugs.vvMerge);
    // CP: the new version replaces everything the quorum showed. AP: what the client had seen.
    const context = op.options.mode === 'cp' ? contextOf(base) : (op.options.context ?? EMPTY_CONTEXT);
    const tag = nextTag(wallNow(this.host), Math.max(maxTag(base), context.tag), this.bugs.lwwWallClock);
    op.tag = tag;
    let version: VersionedObject;
    if (op.options.resolve === 'counter') {
      // A counter adds this op's delta to this actor's own entry; the client's context is moot.
      version = addToCounter(base, this.actor, op.value ?? 0);
      op.tag = 0;
    } else {
      const expiresAtNs = op.options.ttlMs === undefined ? undefined : wallNow(this.host) + op.options.ttlMs * NS_PER_MS;
      version = writeVersion(base, context, this.actor, tag, op.value, expiresAtNs);
      if (op.options.resolve === 'lww') version = resolveLww(version);
    }
    this.applyLocal(op.key, version, () => this.onWriteAck(op.rid, this.host.id));
    for (const target of op.sloppy ? this.sloppyTargets(op.key) : op.primaries.map((node) => ({ node, hintFor: null }))) {
      if (target.node === this.host.id) continue;
      this.host.send(target.node, { type: 'qkv.put', rid: op.rid, key: op.key, object: version, hintFor: target.hintFor, replay: false });
    }
  }

  private onWriteAck(rid: string, node: NodeId): void {
    const op = this.ops.get(rid);
    if (op === undefined || op.kind !== 'write') return;
    op.acks.add(node);
    this.progressWrite(op);
  }

  // ------------------------------------------------------------------ Paxos per key (paxos.ts)

  private startPaxos(route: Route, request: KvRequest, options: RequestOptions): void {
    const isCas = request.op.f === 'cas';
    const [expected, value] = isCas ? (request.op.value as [number, number]) : [undefined, request.op.value as number | null];
    const op: PaxosOp = {
      ...this.opBase(route, request, options),
      kind: 'paxos',
      expected,
      value,
      phase: 'prepare',
      ballot: { n: 0, by: this.actor },
      highestSeen: 0,
      promises: new Map(),
      refusals: new Set(),
      accepts: new Set(),
      acks: new Set(),
      proposal: null,
      ownProposed: false,
      rounds: 0,
      tag: 0,
    };
    this.ops.set(op.rid, op);
    this.paxosRound(op);
  }

  /** Phase 1: prepare under a ballot past every one this op or this acceptor has seen. */
  private paxosRound(op: PaxosOp): void {
    if (op.rounds >= PAXOS_ROUNDS_MAX) {
      op.phase = 'backoff';
      return;
    }
    op.rounds += 1;
    const mine = this.paxos.get(op.key) ?? EMPTY_PAXOS;
    const seen = Math.max(op.highestSeen, mine.promised?.n ?? 0, mine.accepted?.ballot.n ?? 0, mine.committed?.n ?? 0);
    op.ballot = { n: seen + 1, by: this.actor };
    op.phase = 'prepare';
    op.promises.clear();
    op.refusals.clear();
    for (const node of op.primaries) {
      if (node === this.host.id) this.onPrepare(op.key, op.ballot, (reply) => this.onPromise(node, op.rid, reply.ballot, reply.promise));
      else this.host.send(node, { type: 'qkv.prepare', rid: op.rid, key: op.key, ballot: op.ballot });
    }
  }

  private onPromise(from: NodeId, rid: string, ballot: Ballot, promise: PaxosPromise): void {
    const op = this.ops.get(rid);
    if (op === undefined || op.kind !== 'paxos' || op.phase !== 'prepare' || compareBallots(ballot, op.ballot) !== 0) return;
    op.highestSeen = Math.max(op.highestSeen, promise.promised?.n ?? 0);
    if (promise.ok) op.promises.set(from, promise);
    else op.refusals.add(from);
    const majority = levelCount('quorum', op.n);
    if (op.promises.size >= majority) this.afterPromises(op);
    else if (op.refusals.size > op.n - majority) this.paxosBackoff(op);
  }

  /** Phase 2: finish an unfinished value, or judge the compare on the promised copies and propose. */
  private afterPromises(op: PaxosOp): void {
    const promises = [...op.promises.values()];
    const decision = decide(promises);
    if (decision.kind === 'finish') {
      this.propose(op, { ballot: op.ballot, object: decision.accepted.object });
      return;
    }
    let current = this.store.get(op.key) ?? EMPTY_OBJECT;
    for (const promise of promises) current = merge(current, promise.object, this.bugs.vvMerge);
    const now = winner(current)?.value ?? null;
    if (op.expected !== undefined && now !== op.expected) {
      // The compare failed on a state a later read must see too: write it back to a majority first.
      op.phase = 'write-back';
      op.acks.clear();
      op.proposal = { ballot: op.ballot, object: current };
      for (const node of op.primaries) {
        if (node === this.host.id) this.applyLocal(op.key, current, () => this.onWrittenBack(op, node));
        else this.host.send(node, { type: 'qkv.put', rid: op.rid, key: op.key, object: current, hintFor: null, replay: false });
      }
      return;
    }
    const reserved = Math.max(current.vv[this.actor] ?? 0, this.paxosCounters.get(op.key) ?? 0);
    this.paxosCounters.set(op.key, reserved + 1);
    op.tag = nextTag(wallNow(this.host), maxTag(current), this.bugs.lwwWallClock);
    const version = resolveLww(writeVersion({ vv: { ...current.vv, [this.actor]: reserved }, siblings: current.siblings }, contextOf(current), this.actor, op.tag, op.value));
    op.ownProposed = true;
    this.propose(op, { ballot: op.ballot, object: version });
  }

  private propose(op: PaxosOp, proposal: Accepted): void {
    op.phase = 'accept';
    op.proposal = proposal;
    op.accepts.clear();
    op.refusals.clear();
    for (const node of op.primaries) {
      if (node === this.host.id) this.onAccept(op.key, proposal, (reply) => this.onAccepted(node, op.rid, reply.ballot, reply.ok, reply.promised));
      else this.host.send(node, { type: 'qkv.accept', rid: op.rid, key: op.key, accepted: proposal });
    }
  }

  private onAccepted(from: NodeId, rid: string, ballot: Ballot, ok: boolean, promised: Ballot | null): void {
    const op = this.ops.get(rid);
    if (op === undefined || op.kind !== 'paxos' || op.phase !== 'accept' || compareBallots(ballot, op.ballot) !== 0 || op.proposal === null) return;
    op.highestSeen = Math.max(op.highestSeen, promised?.n ?? 0);
    if (ok) op.accepts.add(from);
    else op.refusals.add(from);
    const majority = levelCount('quorum', op.n);
    if (op.accepts.size >= majority) {
      // Chosen: commit it everywhere, count a majority of durable commits.
      op.phase = 'commit';
      op.acks.clear();
      const chosen = op.proposal;
      for (const node of op.primaries) {
        if (node === this.host.id) this.onCommit(op.key, chosen, () => this.onCommitted(node, op.rid, chosen.ballot));
        else this.host.send(node, { type: 'qkv.commit', rid: op.rid, key: op.key, accepted: chosen });
      }
      return;
    }
    if (op.refusals.size <= op.n - majority) return;
    // Our own version may still be accepted somewhere and chosen by a later round, so the op's
    // fate is unknown: it ends by its deadline, silently. Someone else's is safe to retry.
    if (op.ownProposed) {
      this.ops.delete(op.rid);
      this.host.log('qkv.paxos-outcome-unknown', { key: op.key, ballot: op.ballot.n });
    } else {
      this.paxosBackoff(op);
    }
  }

  private onCommitted(from: NodeId, rid: string, ballot: Ballot): void {
    const op = this.ops.get(rid);
    if (op === undefined || op.kind !== 'paxos' || op.phase !== 'commit' || compareBallots(ballot, op.ballot) !== 0) return;
    op.acks.add(from);
    if (op.acks.size < levelCount('quorum', op.n)) return;
    if (!op.ownProposed) {
      // An unfinished value is committed; now this op's own round.
      this.paxosRound(op);
      return;
    }
    op.phase = 'done';
    this.ops.delete(op.rid);
    this.answer(op.route, { type: 'kv.reply', seq: op.seq, outcome: 'ok', value: op.value, replicas: [...op.acks].sort(), tag: op.tag });
  }

  private onWrittenBack(op: PaxosOp, from: NodeId): void {
    if (op.phase !== 'write-back' || this.ops.get(op.rid) !== op) return;
    op.acks.add(from);
    if (op.acks.size < levelCount('quorum', op.n)) return;
    op.phase = 'done';
    this.ops.delete(op.rid);
    const value = winner(op.proposal?.object ?? EMPTY_OBJECT)?.value ?? null;
    this.answer(op.route, { type: 'kv.reply', seq: op.seq, outcome: 'fail', error: CAS_MISMATCH, value, replicas: [...op.acks].sort() });
  }

  /** Contended: wait a random few milliseconds, so two proposers stop pre-empting each other. */
  private paxosBackoff(op: PaxosOp): void {
    op.phase = 'backoff';
    this.host.setTimer(this.host.random.range(1, 20) * NS_PER_MS, `${PAXOS_TIMER}${op.rid}`);
  }

  /** Acceptor: prepare. The promise is durable before the reply (unless the planted bug). */
  private onPrepare(key: string, ballot: Ballot, reply: (message: { type: 'qkv.promise'; ballot: Ballot; key: string; promise: PaxosPromise }) => void): void {
    const state = this.paxos.get(key) ?? EMPTY_PAXOS;
    const result = prepare(state, ballot);
    const send = (): void => {
      const now = this.paxos.get(key) ?? EMPTY_PAXOS;
      reply({ type: 'qkv.promise', key, ballot, promise: { ok: result.ok, promised: now.promised, accepted: now.accepted, committed: now.committed, object: this.store.get(key) ?? EMPTY_OBJECT } });
      // What was promised must survive a crash: the invariant monitor holds the node to it.
      if (result.ok) this.host.log('qkv.promised', { key, n: ballot.n, by: ballot.by });
    };
    if (!result.ok) return send();
    this.setPaxos(key, result.state);
    if (this.bugs.paxosUnpersistedPromise) return send();
    if (!this.log.whenDurable(send)) this.host.log('qkv.ack-dropped', { key, why: 'durability queue full' });
  }

  private onAccept(key: string, proposal: Accepted, reply: (message: { type: 'qkv.accepted'; key: string; ballot: Ballot; ok: boolean; promised: Ballot | null }) => void): void {
    const result = accept(this.paxos.get(key) ?? EMPTY_PAXOS, proposal.ballot, proposal.object);
    const send = (): void => reply({ type: 'qkv.accepted', key, ballot: proposal.ballot, ok: result.ok, promised: result.state.promised });
    if (!result.ok) return send();
    this.setPaxos(key, result.state);
    if (!this.log.whenDurable(send)) this.host.log('qkv.ack-dropped', { key, why: 'durability queue full' });
  }

  private onCommit(key: string, chosen: Accepted, then: () => void): void {
    this.setPaxos(key, commit(this.paxos.get(key) ?? EMPTY_PAXOS, chosen.ballot));
    this.applyLocal(key, chosen.object, then);
  }

  private setPaxos(key: string, state: PaxosState): void {
    this.paxos.set(key, state);
    this.log.append({ t: 'paxos', k: key, s: state });
  }

  // ------------------------------------------------------------------ replica side

  private onReplicaMessage(from: NodeId, message: ReplicaMessage): void {
    switch (message.type) {
      case 'qkv.get': {
        const copy = this.localCopy(message.key);
        this.host.send(from, { type: 'qkv.got', rid: message.rid, key: message.key, object: copy.siblings.length === 0 && Object.keys(copy.vv).length === 0 ? null : copy });
        return;
      }
      case 'qkv.got': {
        const op = this.ops.get(message.rid);
        if (op === undefined || op.kind === 'forward' || op.phase !== 'gather') return;
        op.answers.set(from, message.object ?? EMPTY_OBJECT);
        if (op.kind === 'read') this.progressRead(op);
        else this.progressWrite(op);
        return;
      }
      case 'qkv.put':
        this.onPut(from, message);
        return;
      case 'qkv.put-ack':
        this.onPutAck(from, message.rid);
        return;
      case 'qkv.coordinate': {
        const options = parseOptions(message.request.q);
        if (typeof options === 'string' || writeValueProblem(message.request) !== null) return;
        if (this.ops.size >= this.options.opsPendingMax || this.log.full()) return;
        this.startWrite({ kind: 'forwarded', via: from, rid: message.rid }, message.request, options);
        return;
      }
      case 'qkv.coordinated': {
        const op = this.ops.get(message.rid);
        if (op === undefined || op.kind !== 'forward') return;
        this.ops.delete(op.rid);
        this.host.send(op.client, { ...message.reply, seq: op.seq });
        return;
      }
      case 'qkv.prepare':
        this.onPrepare(message.key, message.ballot, (reply) => this.host.send(from, { ...reply, rid: message.rid }));
        return;
      case 'qkv.accept':
        this.onAccept(message.key, message.accepted, (reply) => this.host.send(from, { ...reply, rid: message.rid }));
        return;
      case 'qkv.commit':
        this.onCommit(message.key, message.accepted, () => this.host.send(from, { type: 'qkv.committed', rid: message.rid, ballot: message.accepted.ballot }));
        return;
      case 'qkv.promise':
        this.onPromise(from, message.rid, message.ballot, message.promise);
        return;
      case 'qkv.accepted':
        this.onAccepted(from, message.rid, message.ballot, message.ok, message.promised);
        return;
      case 'qkv.committed':
        this.onCommitted(from, message.rid, message.ballot);
        return;
      case 'qkv.ping':
        return;
      case 'qkv.tree':
        this.onTree(from, message.leaves);
        return;
      case 'qkv.tree-diff':
        this.mergeAll(message.objects);
        this.host.send(from, { type: 'qkv.tree-objects', objects: this.sharedObjects(from, new Set(message.buckets)) });
        return;
      case 'qkv.tree-objects':
        this.mergeAll(message.objects);
        return;
    }
  }

  private onPut(from: NodeId, message: Extract<ReplicaMessage, { type: 'qkv.put' }>): void {
    const ack = (): void => {
      if (message.rid !== null) this.host.send(from, { type: 'qkv.put-ack', rid: message.rid });
    };
    if (this.log.full()) return;
    if (message.hintFor !== null && message.hintFor !== this.host.id) {
      this.keepHint(message.hintFor, message.key, message.object, ack);
      return;
    }
    if (message.replay && this.bugs.hintOverwritesNewer) {
      this.setLocal(message.key, message.object);
      this.log.whenDurable(ack);
      return;
    }
    this.applyLocal(message.key, message.object, ack);
  }

  private onPutAck(from: NodeId, rid: string): void {
    const handoff = this.hintsInFlight.get(rid);
    if (handoff !== undefined) {
      this.hintsInFlight.delete(rid);
      const held = this.hints.get(handoff.target)?.get(handoff.key);
      // Only the very version handed off is dropped; one merged in since then stays for next round.
      if (held !== undefined && digest(handoff.key, held.object) === handoff.digest) this.dropHint(handoff.target, handoff.key);
      return;
    }
    const op = this.ops.get(rid);
    if (op === undefined) return;
    if (op.kind === 'write') this.onWriteAck(rid, from);
    else if (op.kind === 'read') this.onHolder(rid, from);
    else if (op.kind === 'paxos') this.onWrittenBack(op, from);
  }

  /** Merges a version into this replica's copy, logs it, and calls `then` once that is durable. */
  private applyLocal(key: string, object: VersionedObject, then: () => void): void {
    const current = this.store.get(key) ?? EMPTY_OBJECT;
    const merged = merge(current, object, this.bugs.vvMerge);
    if (!sameObject(merged, current)) this.setLocal(key, merged);
    // Even an unchanged copy may not be durable yet (appended, fsync pending): wait for the log.
    if (!this.log.whenDurable(then)) this.host.log('qkv.ack-dropped', { key, why: 'durability queue full' });
  }

  private setLocal(key: string, object: VersionedObject): void {
    this.store.set(key, object);
    const d = digest(key, object);
    this.digests.set(key, d);
    this.log.append({ t: 'obj', k: key, o: object });
    this.host.log('qkv.changed', { key });
    this.trackTombstone(key, object, d);
  }

  // ------------------------------------------------------------------ tombstones

  private trackTombstone(key: string, object: VersionedObject, d: number): void {
    if (!isTombstoned(object)) {
      this.tombstones.delete(key);
      return;
    }
    if (this.bugs.earlyTombstoneGc) {
      // The planted bug: purged at once, before the other replicas have the delete.
      this.purge(key, d);
      return;
    }
    const held = this.tombstones.get(key);
    if (held === undefined || held.digest !== d) this.tombstones.set(key, { digest: d, sinceNs: monoNow(this.host), holders: new Set([this.host.id]) });
  }

  /** Anti-entropy found this bucket equal with `peer`: it holds the same tombstones there. */
  private confirmTombstones(peer: NodeId, bucket: number): void {
    for (const [key, held] of this.tombstones) if (bucketOf(key) === bucket && this.digests.get(key) === held.digest) held.holders.add(peer);
  }

  private purgeTombstones(): void {
    const now = monoNow(this.host);
    for (const [key, held] of [...this.tombstones]) {
      if (now - held.sinceNs < this.options.tombstoneGraceNs) continue;
      if (!this.primariesOf(key).every((node) => held.holders.has(node))) continue;
      this.purge(key, held.digest);
    }
  }

  private purge(key: string, d: number): void {
    this.tombstones.delete(key);
    this.store.delete(key);
    this.digests.delete(key);
    this.log.append({ t: 'purge', k: key, d });
    this.host.log('qkv.purged', { key });
  }

  /** This node's copy of a key: its own data and any hints it keeps for others. */
  private localCopy(key: string): VersionedObject {
    let copy = this.store.get(key) ?? EMPTY_OBJECT;
    for (const held of this.hints.values()) {
      const hint = held.get(key);
      if (hint !== undefined) copy = merge(copy, hint.object, this.bugs.vvMerge);
    }
    return copy;
  }

  private mergeAll(objects: readonly KeyedObject[]): void {
    for (const { key, object } of objects) {
      if (this.primariesOf(key).includes(this.host.id)) this.applyLocal(key, object, () => {});
    }
  }

  // ------------------------------------------------------------------ hinted handoff

  private keepHint(target: NodeId, key: string, object: VersionedObject, then: () => void): void {
    let held = this.hints.get(target);
    if (held === undefined) {
      held = new Map();
      this.hints.set(target, held);
    }
    const current = held.get(key);
    const merged = current === undefined ? object : merge(current.object, object, this.bugs.vvMerge);
    if (current === undefined || !sameObject(merged, current.object)) {
      held.set(key, { object: merged, sinceNs: current?.sinceNs ?? monoNow(this.host) });
      this.log.append({ t: 'hint', to: target, k: key, o: merged });
      this.host.log('qkv.changed', { key, hintFor: target });
    }
    this.log.whenDurable(then);
  }

  private dropHint(target: NodeId, key: string): void {
    const held = this.hints.get(target);
    const hint = held?.get(key);
    if (held === undefined || hint === undefined) return;
    held.delete(key);
    if (held.size === 0) this.hints.delete(target);
    this.log.append({ t: 'unhint', to: target, k: key, d: digest(key, hint.object) });
    this.host.log('qkv.changed', { key, handedOffTo: target });
  }

  /** Hands hints to their primaries when those seem up; drops hints past the hint window. */
  private replayHints(): void {
    const now = monoNow(this.host);
    for (const [target, held] of [...this.hints]) {
      for (const [key, hint] of [...held]) if (now - hint.sinceNs > this.options.hintWindowNs) this.dropHint(target, key);
      if (!this.seemsUp(target)) continue;
      let sent = 0;
      for (const [key, hint] of this.hints.get(target) ?? []) {
        if (sent >= this.options.hintsPerRoundMax) break;
        const rid = this.nextRid();
        this.hintsInFlight.set(rid, { target, key, digest: digest(key, hint.object), sentNs: now });
        this.host.send(target, { type: 'qkv.put', rid, key, object: hint.object, hintFor: null, replay: true });
        sent += 1;
      }
    }
  }

  // ------------------------------------------------------------------ anti-entropy

  /** Sends the tree over the keys shared with the next peer in turn. */
  private startAntiEntropy(): void {
    const peers = this.ring.nodes.filter((node) => node !== this.host.id && this.seemsUp(node));
    if (peers.length === 0) return;
    const peer = peers[this.antiEntropyTurn++ % peers.length]!;
    this.host.send(peer, { type: 'qkv.tree', leaves: this.sharedLeaves(peer) });
  }

  private onTree(from: NodeId, theirs: readonly number[]): void {
    const mine = this.sharedLeaves(from);
    for (let bucket = 0; bucket < mine.length; bucket++) if (mine[bucket] === theirs[bucket]) this.confirmTombstones(from, bucket);
    if (rootOf(mine) === rootOf(theirs)) return;
    const buckets = differingBuckets(mine, theirs);
    this.host.send(from, { type: 'qkv.tree-diff', buckets, objects: this.sharedObjects(from, new Set(buckets)) });
  }

  private sharedLeaves(peer: NodeId): number[] {
    const digests = new Map<string, number>();
    for (const [key, value] of this.digests) if (this.primariesOf(key).includes(peer)) digests.set(key, value);
    return leavesOf(digests);
  }

  private sharedObjects(peer: NodeId, buckets: ReadonlySet<number>): KeyedObject[] {
    const objects: KeyedObject[] = [];
    for (const [key, object] of this.store) {
      // The planted bug `kv.merkle-skip-delete`: deleted keys are never streamed, so a replica that
      // missed the delete keeps the value, and the trees differ forever.
      if (this.bugs.merkleSkipDelete && isTombstoned(object)) continue;
      if (buckets.has(bucketOf(key)) && this.primariesOf(key).includes(peer)) objects.push({ key, object });
    }
    return objects;
  }

  // ------------------------------------------------------------------ helpers

  /**
   * The replicas a sloppy quorum writes to: each primary that seems up, and for each one that does
   * not, the next fallback in ring order that does, keeping a hint for it.
   */
  private sloppyTargets(key: string): { node: NodeId; hintFor: NodeId | null }[] {
    const walk = this.ring.walk(key);
    const n = Math.min(this.options.replicas, walk.length);
    const fallbacks = walk.slice(n).filter((node) => this.seemsUp(node));
    const targets: { node: NodeId; hintFor: NodeId | null }[] = [];
    for (const primary of walk.slice(0, n)) {
      if (this.seemsUp(primary)) targets.push({ node: primary, hintFor: null });
      else if (fallbacks.length > 0) targets.push({ node: fallbacks.shift()!, hintFor: primary });
    }
    return targets;
  }

  private seemsUp(node: NodeId): boolean {
    if (node === this.host.id) return true;
    const heard = this.heard.get(node);
    return heard !== undefined && monoNow(this.host) - heard <= this.options.suspectAfterNs;
  }

  private primariesOf(key: string): readonly NodeId[] {
    let primaries = this.primariesCache.get(key);
    if (primaries === undefined) {
      primaries = this.ring.preferenceList(key, this.options.replicas);
      this.primariesCache.set(key, primaries);
    }
    return primaries;
  }

  private expireOps(): void {
    const now = monoNow(this.host);
    for (const op of [...this.ops.values()]) {
      if (now < op.deadlineNs) continue;
      this.ops.delete(op.rid);
      // A read, and a write still in its first phase, certainly changed nothing: say so, and the
      // client tries elsewhere. A write past that may have happened: silence, so it is uncertain.
      if (op.kind === 'read' || (op.kind === 'write' && op.phase === 'gather') || (op.kind === 'paxos' && !op.ownProposed)) {
        this.answer(op.route, { type: 'kv.reply', seq: op.seq, outcome: 'unavailable', error: 'quorum not reached in time' });
      }
    }
    for (const [rid, handoff] of [...this.hintsInFlight]) if (now - handoff.sentNs > this.options.opTimeoutNs) this.hintsInFlight.delete(rid);
  }

  private rememberClient(client: string, seq: number): void {
    this.lastCoordinated.delete(client);
    this.lastCoordinated.set(client, seq);
    if (this.lastCoordinated.size > this.options.clientsRememberedMax) this.lastCoordinated.delete(this.lastCoordinated.keys().next().value!);
  }

  private nextRid(): string {
    this.ridCounter += 1;
    return `${this.actor}.${this.ridCounter}`;
  }

  private hintCount(): number {
    let count = 0;
    for (const held of this.hints.values()) count += held.size;
    return count;
  }

  /** Replays one recovered record; returns its incarnation (0 for data records). */
  private replay(record: LogRecord): number {
    if (record.t === 'inc') return record.n;
    if (record.t === 'paxos') {
      this.paxos.set(record.k, record.s);
      return 0;
    }
    if (record.t === 'purge') {
      const current = this.store.get(record.k);
      // A version merged in after the purge (a later write) is kept: only the purged copy goes.
      if (current !== undefined && digest(record.k, current) === record.d) {
        this.store.delete(record.k);
        this.digests.delete(record.k);
      }
      return 0;
    }
    if (record.t === 'obj') {
      const merged = merge(this.store.get(record.k) ?? EMPTY_OBJECT, record.o);
      this.store.set(record.k, merged);
      this.digests.set(record.k, digest(record.k, merged));
      // The grace period starts again at recovery: the wait is never shorter than configured.
      if (isTombstoned(merged)) this.tombstones.set(record.k, { digest: digest(record.k, merged), sinceNs: monoNow(this.host), holders: new Set([this.host.id]) });
      else this.tombstones.delete(record.k);
    } else if (record.t === 'hint') {
      let held = this.hints.get(record.to);
      if (held === undefined) {
        held = new Map();
        this.hints.set(record.to, held);
      }
      const current = held.get(record.k);
      held.set(record.k, { object: current === undefined ? record.o : merge(current.object, record.o), sinceNs: monoNow(this.host) });
    } else {
      const held = this.hints.get(record.to);
      const hint = held?.get(record.k);
      if (held !== undefined && hint !== undefined && digest(record.k, hint.object) === record.d) held.delete(record.k);
    }
    return 0;
  }

  private snapshot(): LogRecord[] {
    const records: LogRecord[] = [{ t: 'inc', n: this.incarnation }];
    for (const [key, object] of this.store) records.push({ t: 'obj', k: key, o: object });
    for (const [key, state] of this.paxos) records.push({ t: 'paxos', k: key, s: state });
    for (const [target, held] of this.hints) for (const [key, hint] of held) records.push({ t: 'hint', to: target, k: key, o: hint.object });
    return records;
  }

  private stayDown(reason: string): void {
    if (this.downReason !== reason) this.host.log('qkv.down', { reason });
    this.downReason = reason;
    this.up = false;
    this.host.setTimer(this.options.recoveryRetryNs, RECOVER);
  }

  private initialRing(): Ring {
    const peers = this.host.peers();
    const members = (peers.length > 0 ? peers : [this.host.id]).map((node) => ({ node, weight: 1 }));
    return new Ring({ epoch: RING_EPOCH, members, vnodesPerWeight: this.options.vnodesPerWeight });
  }

  private newLog(): CommitLog {
    return new CommitLog(this.host.disk, { compactBytes: this.options.compactBytes, waitingMax: this.options.durableWaitingMax });
  }
}

/** Why a client's write or cas carries a value the node cannot take, or null when it is fine. */
function writeValueProblem(request: KvRequest): string | null {
  const value = request.op.value;
  if (request.op.f === 'cas') {
    return Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'number') ? null : 'a cas needs [from, to], two numbers';
  }
  return typeof value === 'number' || value === null ? null : 'a write needs a number (or null: a delete)';
}

/** True when every version of the object is a tombstone (and there is at least one). */
function isTombstoned(object: VersionedObject): boolean {
  return object.siblings.length > 0 && object.siblings.every((sibling) => sibling.value === null);
}
