// The broker node: partition replicas (leader or follower) over the log of log.ts, and, inside
// the same process, a Raft KV (nodes/raft, as a library) that holds the controller's state. The
// broker whose embedded Raft leads is the active controller (KRaft): it elects partition leaders
// when a leader stops heartbeating. Every change of a partition's {leader, leaderEpoch, isr} is a
// compare-and-set of its whole JSON document on Raft, so a broker acting on an old view (a deposed
// leader shrinking its ISR, a controller that lost its lead) changes nothing.
//
// Replication, as Kafka's: followers fetch from the leader with their epoch and the epoch of their
// last record; the leader answers with records or, when the follower's tail diverges from its own
// log, with where the follower's epoch ends (truncation by epoch, KIP-101/KIP-279/KIP-320). Each
// replica counts only what it has fsynced: a follower fetches the next batch after the last is
// durable, and the leader's own share of the high watermark is its durable end, so a crash never
// takes a record below the high watermark. The high watermark is the minimum over the maximal ISR
// (the committed ISR plus a pending expansion, KIP-497) of the replicas' durable ends. An ISR member
// that has not caught up with the leader's end for `replicaLagMs` is dropped through the controller.
import type { Host, Message, NodeId, NodeStatus, Process, TimerTag } from '../host.js';
import { NS_PER_MS } from '../host.js';
import { EmbeddedRaftKv } from '../raft/index.js';
import { bugsFromHost, type BrokerBugSwitches } from './bugs.js';
import { GroupCoordinator, type GroupRequest } from './groups.js';
import { NO_PRODUCER, PartitionLog, type BatchProducer, type LogRecord } from './log.js';
import {
  PRODUCE_RECORDS_MAX,
  recordsForBytes,
  type Acks,
  type ConfigRequest,
  type FetchReply,
  type FetchRequest,
  type MetaReply,
  type ProduceOutcome,
  type ProduceReply,
  type ProduceRequest,
  type ReplicaFetch,
  type ReplicaFetchReply,
  type ReplicaRecord,
} from './protocol.js';
import { assignReplicas, CONFIG_KEY, decodeState, electLeader, encodeState, initialState, partitionKey, type PartitionState } from './state.js';

export interface BrokerOptions {
  partitions: number;
  replicationFactor: number;
  /** min.insync.replicas: an acks=all produce needs an ISR at least this large. */
  minInsyncReplicas: number;
  /** replica.lag.time.max.ms: an ISR member not caught up for this long is dropped. */
  replicaLagMs: number;
  /** The active controller declares a broker gone after this long without a heartbeat. */
  sessionTimeoutMs: number;
  heartbeatMs: number;
  tickMs: number;
  /** A replica fetch unanswered this long is sent again. */
  fetchRetryMs: number;
  segmentBytes: number;
  /** Largest replica fetch reply; must fit the host's message limit. */
  fetchMaxBytes: number;
  /** acks=all produce requests waiting for the high watermark, at most, per partition. */
  waitersMax: number;
  /** Proposals to the controller's Raft give up after this long (outcome unknown). */
  proposeTimeoutMs: number;
}

export const BROKER_DEFAULTS: BrokerOptions = {
  partitions: 3,
  replicationFactor: 3,
  minInsyncReplicas: 2,
  replicaLagMs: 400,
  sessionTimeoutMs: 600,
  heartbeatMs: 100,
  tickMs: 10,
  fetchRetryMs: 200,
  segmentBytes: 16 * 1024,
  fetchMaxBytes: 256 * 1024,
  waitersMax: 4096,
  proposeTimeoutMs: 1_000,
};

export const BROKER_PARAMS = {
  partitions: BROKER_DEFAULTS.partitions,
  replicaLagMs: BROKER_DEFAULTS.replicaLagMs,
  sessionTimeoutMs: BROKER_DEFAULTS.sessionTimeoutMs,
} as const;

const TICK_TAG = 'b.tick';
const FSYNC_TAG = 'b.fsync:';
const RECOVER_TAG = 'b.recover';
const EPOCH_TAG = 'b.epoch:';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The file that holds the newest epoch a partition's replica here ever led. */
function epochFile(partition: number): string {
  return `broker/t-${partition}/led-epoch`;
}

interface FollowerProgress {
  /** The follower's durable end, as its last accepted fetch said; -1 before any. */
  fetchOffset: number;
  lastCaughtUpNs: number;
  /** When its previous fetch came, and our end then (Kafka's caught-up rule). */
  lastFetchNs: number;
  leaderEndAtLastFetch: number;
}

interface Waiter {
  from: NodeId;
  id: number;
  endOffset: number;
  baseOffset: number;
}

/** One replica of one partition on this broker. */
export class Replica {
  role: 'leader' | 'follower' | 'none' = 'none';
  /** The epoch this replica leads or follows; -1 before any. */
  leaderEpoch = -1;
  leader: NodeId | null = null;
  /** The raw document last applied, for compare-and-set. */
  stateJson: string | null = null;
  state: PartitionState | null = null;
  highWatermark = 0;
  /** Offsets below this are fsynced. */
  durableEnd = 0;
  readonly followers = new Map<NodeId, FollowerProgress>();
  /** An ISR change proposed and not yet applied. */
  pendingIsr: NodeId[] | null = null;
  readonly waiters: Waiter[] = [];
  fetchInFlightSinceNs: number | null = null;
  /** Files whose fsync has not completed, and the end they make durable. */
  syncFiles = new Set<string>();
  syncTarget = 0;
  syncFailed = false;
  syncAgain = false;
  /** An election or leader re-registration proposed and not yet answered. */
  proposing = false;
  /**
   * The newest epoch this replica ever led, kept on disk: an epoch at or below it is never led
   * again after a restart. Produce waits until the current epoch is durable there.
   */
  ledEpochMax = -1;
  epochDurable = false;

  constructor(
    readonly partition: number,
    readonly log: PartitionLog,
  ) {}

  /** The ISR the high watermark is computed over: committed, plus a pending expansion. */
  maximalIsr(): NodeId[] {
    const isr = this.state?.isr ?? [];
    if (this.pendingIsr === null) return isr;
    return [...new Set([...isr, ...this.pendingIsr])].sort();
  }
}

export interface BrokerInspection {
  id: NodeId;
  up: boolean;
  replicas: ReadonlyMap<number, Replica>;
  controller: boolean;
}

export class BrokerNode implements Process {
  readonly options: BrokerOptions;
  readonly raft: EmbeddedRaftKv;
  private readonly groups: GroupCoordinator;
  private readonly bugs: BrokerBugSwitches;
  private readonly replicas = new Map<number, Replica>();
  private downReason: string | null = 'starting';
  /** Controller state: when each broker last heartbeated (this node's monotonic clock). */
  private readonly heard = new Map<NodeId, number>();
  private controllerSinceNs: number | null = null;
  private readonly controlPending = new Set<number>();
  private lastHeartbeatNs = -Infinity;

  constructor(
    private readonly host: Host,
    options: Partial<BrokerOptions> = {},
  ) {
    this.options = { ...BROKER_DEFAULTS, ...options };
    assert(this.options.fetchMaxBytes <= 4 * 1024 * 1024 - 1024, 'fetchMaxBytes must fit the host message limit');
    assert(this.options.minInsyncReplicas >= 1 && this.options.minInsyncReplicas <= this.options.replicationFactor, 'minInsyncReplicas in [1, replicationFactor]');
    this.bugs = bugsFromHost(host);
    this.raft = new EmbeddedRaftKv(host, { onApplied: (keys) => this.onApplied(keys) });
    const { partitions, sessionTimeoutMs, proposeTimeoutMs } = this.options;
    this.groups = new GroupCoordinator(host, this.raft, { partitions, sessionTimeoutMs, proposeTimeoutMs, fenced: !this.bugs.unfencedGroupCommit });
  }

  start(): void {
    this.raft.start();
    this.recover();
    this.host.setTimer(this.options.tickMs * NS_PER_MS, TICK_TAG);
  }

  status(): NodeStatus {
    const raft = this.raft.status();
    const p0 = this.replicas.get(0);
    return {
      ...(this.downReason === null ? {} : { down: this.downReason }),
      role: typeof raft.role === 'string' ? raft.role : 'follower',
      term: typeof raft.term === 'number' ? raft.term : 0,
      controller: this.raft.isLeader(),
      p0: p0?.role ?? 'none',
    };
  }

  inspect(): BrokerInspection {
    return { id: this.host.id, up: this.downReason === null, replicas: this.replicas, controller: this.raft.isLeader() };
  }

  onMessage(from: NodeId, message: Message): void {
    if (this.raft.onMessage(from, message)) return;
    const m = message as { type?: string };
    if (this.downReason !== null) return;
    switch (m.type) {
      case 'broker.meta':
        return this.onMeta(from);
      case 'broker.produce':
        return this.onProduce(from, message as ProduceRequest);
      case 'broker.fetch':
        return this.onFetch(from, message as FetchRequest);
      case 'broker.config':
        return this.onConfig(from, message as ConfigRequest);
      case 'broker.replica-fetch':
        return this.onReplicaFetch(from, message as ReplicaFetch);
      case 'broker.replica-fetch.reply':
        return this.onReplicaFetchReply(from, message as ReplicaFetchReply);
      case 'broker.group':
        return this.groups.onRequest(from, message as GroupRequest);
      case 'broker.heartbeat':
        this.heard.set(from, this.host.monotonicNow());
        return;
      default:
        return;
    }
  }

  onTimer(tag: TimerTag): void {
    if (this.raft.onTimer(tag)) return;
    if (tag === RECOVER_TAG) {
      this.recover();
      return;
    }
    if (tag !== TICK_TAG) return;
    this.host.setTimer(this.options.tickMs * NS_PER_MS, TICK_TAG);
    if (this.downReason !== null) return;
    this.tick();
  }

  onFsync(tag: TimerTag, ok: boolean): void {
    if (this.raft.onFsync(tag, ok)) return;
    if (typeof tag === 'string' && tag.startsWith(EPOCH_TAG)) {
      const [p, epoch] = tag.slice(EPOCH_TAG.length).split(':').map(Number);
      const replica = this.replicas.get(p!);
      if (replica === undefined || replica.role !== 'leader' || epoch !== replica.ledEpochMax) return;
      if (ok) replica.epochDurable = true;
      else this.persistLedEpoch(replica);
      return;
    }
    if (typeof tag !== 'string' || !tag.startsWith(FSYNC_TAG)) return;
    const rest = tag.slice(FSYNC_TAG.length);
    const colon = rest.indexOf(':');
    const replica = this.replicas.get(Number(rest.slice(0, colon)));
    if (replica === undefined) return;
    const file = rest.slice(colon + 1);
    if (!replica.syncFiles.delete(file)) return;
    if (!ok) {
      // The bytes are still in the page cache; write them out again on the next sync.
      replica.syncFailed = true;
      replica.log.markDirty(file);
    }
    if (replica.syncFiles.size > 0) return;
    if (!replica.syncFailed) {
      replica.durableEnd = Math.min(replica.log.endOffset(), Math.max(replica.durableEnd, replica.syncTarget));
      this.afterDurable(replica);
    }
    const again = replica.syncAgain;
    replica.syncAgain = false;
    // A failed fsync is retried at the next tick, not at once (the fault may last).
    if (again && !replica.syncFailed) this.sync(replica);
  }

  // ------------------------------------------------------------------ start and recovery

  private recover(): void {
    const { partitions, replicationFactor, segmentBytes } = this.options;
    const brokers = [...this.host.peers()].sort();
    this.replicas.clear();
    for (let p = 0; p < partitions; p++) {
      if (!assignReplicas(brokers, p, replicationFactor).includes(this.host.id)) continue;
      const log = new PartitionLog(this.host.disk, `broker/t-${p}`, segmentBytes, !this.bugs.seqNotPersisted);
      // Read every file twice: reads that differ mean the disk returns corrupted bytes right now.
      let unstable: string | null = null;
      const recovery = log.recover((name) => {
        const bytes = this.readTwice(name);
        if (bytes !== 'unstable') return bytes;
        unstable = name;
        return null;
      });
      if (unstable !== null) return this.stayDown(`disk reads of ${unstable} are unstable (corrupted); retrying`);
      if (recovery.kind === 'corrupt') {
        this.downReason = `corrupt log: ${recovery.reason}`;
        this.host.log('broker.down', { reason: this.downReason });
        return;
      }
      const replica = new Replica(p, log);
      const led = this.readTwice(epochFile(p));
      if (led === 'unstable') return this.stayDown(`disk reads of ${epochFile(p)} are unstable (corrupted); retrying`);
      if (led !== null) {
        const text = decoder.decode(led);
        // A torn write of this small file leaves a prefix of the digits; an empty one held nothing durable.
        if (text !== '' && !/^[0-9]+$/.test(text)) {
          this.downReason = `corrupt ${epochFile(p)}: ${JSON.stringify(text.slice(0, 20))}`;
          this.host.log('broker.down', { reason: this.downReason });
          return;
        }
        replica.ledEpochMax = text === '' ? -1 : Number(text);
      }
      this.replicas.set(p, replica);
      if (recovery.tornBytes > 0) this.host.log('broker.torn-tail', { p, bytes: recovery.tornBytes });
      // What was read back may be only in the page cache: make it durable before counting it.
      this.sync(replica);
      if (this.bugs.truncateToHw) this.truncate(replica, 0, 'restart (truncate to the high watermark, unknown after a restart)');
    }
    this.downReason = null;
    for (const replica of this.replicas.values()) this.applyState(replica);
  }

  /** A file read twice: reads that differ mean the disk returns corrupted bytes right now. */
  private readTwice(name: string): Uint8Array | null | 'unstable' {
    const first = this.host.disk.read(name);
    const second = this.host.disk.read(name);
    if (first === null && second === null) return null;
    if (first === null || second === null || !sameBytes(first, second)) return 'unstable';
    return first;
  }

  private stayDown(reason: string): void {
    this.downReason = reason;
    this.host.log('broker.down', { reason });
    this.host.setTimer(100 * NS_PER_MS, RECOVER_TAG);
  }

  // ------------------------------------------------------------------ the controller's state

  private onApplied(keys: readonly string[] | null): void {
    if (this.downReason !== null) return;
    for (const replica of this.replicas.values()) {
      if (keys === null || keys.includes(partitionKey(replica.partition))) this.applyState(replica);
    }
  }

  /** Acts on the partition's document as this node's Raft applied it. */
  private applyState(replica: Replica): void {
    const json = this.raft.read(partitionKey(replica.partition));
    if (typeof json === 'string') this.adoptState(replica, json);
  }

  /**
   * Acts on a partition document: as applied here, or as the answer to this broker's own
   * compare-and-set (which may be newer than what this node has applied). Never goes back.
   */
  private adoptState(replica: Replica, json: string): void {
    if (json === replica.stateJson) return;
    const state = decodeState(json);
    if (state === null) return;
    const known = replica.state;
    if (state.leaderEpoch < replica.leaderEpoch || (known !== null && (state.leaderEpoch < known.leaderEpoch || (state.leaderEpoch === known.leaderEpoch && state.partitionEpoch < known.partitionEpoch)))) return;
    replica.stateJson = json;
    replica.state = state;
    if (replica.pendingIsr !== null && sameList([...replica.pendingIsr].sort(), [...state.isr].sort())) replica.pendingIsr = null;
    if (state.leaderEpoch === replica.leaderEpoch && replica.role !== 'none') return;
    if (state.leader === this.host.id) {
      if (replica.leaderEpoch !== state.leaderEpoch && state.leaderEpoch <= replica.ledEpochMax) {
        // We led this epoch in an earlier life: its unsynced tail may be gone here yet held by a
        // follower, so continuing it could put two records at one (offset, epoch). Ask for a new one.
        this.reRegister(replica);
        return;
      }
      this.becomeLeader(replica, state);
    } else {
      this.becomeFollower(replica, state);
    }
  }

  private reRegister(replica: Replica): void {
    if (replica.proposing || replica.state === null || replica.stateJson === null) return;
    const next: PartitionState = { ...replica.state, leaderEpoch: replica.state.leaderEpoch + 1, partitionEpoch: replica.state.partitionEpoch + 1 };
    this.propose(replica, replica.stateJson, next);
  }

  private becomeLeader(replica: Replica, state: PartitionState): void {
    this.failWaiters(replica, 'unknown');
    replica.role = 'leader';
    replica.leader = this.host.id;
    replica.leaderEpoch = state.leaderEpoch;
    replica.pendingIsr = null;
    replica.log.beginEpoch(state.leaderEpoch);
    replica.followers.clear();
    const now = this.host.monotonicNow();
    for (const id of state.replicas) {
      if (id !== this.host.id) replica.followers.set(id, { fetchOffset: -1, lastCaughtUpNs: now, lastFetchNs: now, leaderEndAtLastFetch: 0 });
    }
    replica.highWatermark = Math.min(replica.highWatermark, replica.log.endOffset());
    this.persistLedEpoch(replica);
    this.host.log('broker.leader', { p: replica.partition, epoch: state.leaderEpoch, leo: replica.log.endOffset(), hw: replica.highWatermark });
  }

  /** Writes and fsyncs the newest epoch this replica leads; produce waits for it (see `ledEpochMax`). */
  private persistLedEpoch(replica: Replica): void {
    replica.epochDurable = false;
    replica.ledEpochMax = Math.max(replica.ledEpochMax, replica.leaderEpoch);
    const name = epochFile(replica.partition);
    this.host.disk.write(name, encoder.encode(String(replica.ledEpochMax)));
    this.host.disk.fsync(name, `${EPOCH_TAG}${replica.partition}:${replica.ledEpochMax}`);
  }

  private becomeFollower(replica: Replica, state: PartitionState): void {
    this.failWaiters(replica, 'unknown');
    replica.role = state.leader === null ? 'none' : 'follower';
    replica.leader = state.leader;
    replica.leaderEpoch = state.leaderEpoch;
    replica.pendingIsr = null;
    replica.followers.clear();
    replica.fetchInFlightSinceNs = null;
    if (this.bugs.truncateToHw) this.truncate(replica, replica.highWatermark, 'following (truncate to the high watermark)');
    this.host.log('broker.follower', { p: replica.partition, epoch: state.leaderEpoch, leader: state.leader });
  }

  private propose(replica: Replica, expected: string | null, next: PartitionState): void {
    replica.proposing = true;
    this.raft.propose({ f: 'cas', key: partitionKey(replica.partition), value: [expected, encodeState(next)] }, this.options.proposeTimeoutMs * NS_PER_MS, () => {
      replica.proposing = false;
    });
  }

  // ------------------------------------------------------------------ the periodic work

  private tick(): void {
    const now = this.host.monotonicNow();
    if (now - this.lastHeartbeatNs >= this.options.heartbeatMs * NS_PER_MS) {
      this.lastHeartbeatNs = now;
      const controller = this.raft.leader();
      if (controller === this.host.id) this.heard.set(this.host.id, now);
      else if (controller !== null) this.host.send(controller, { type: 'broker.heartbeat' });
    }
    if (this.raft.isLeader()) this.control(now);
    else this.controllerSinceNs = null;
    this.groups.tick();
    for (const replica of this.replicas.values()) {
      if (replica.role === 'leader') this.maintainIsr(replica, now);
      else if (replica.role === 'follower') this.fetchFromLeader(replica, now);
      // Named leader of an epoch we cannot take up (led in an earlier life): keep asking for a new one.
      if (replica.state?.leader === this.host.id && replica.leaderEpoch !== replica.state.leaderEpoch) this.reRegister(replica);
      if (replica.syncFailed || (replica.syncFiles.size === 0 && replica.durableEnd < replica.log.endOffset())) {
        replica.syncFailed = false;
        this.sync(replica);
      }
    }
  }

  /** The active controller's duties: create partitions, and elect leaders for those whose leader is gone. */
  private control(now: number): void {
    if (this.controllerSinceNs === null) {
      // A new controller has heard nobody yet: every broker gets a full session before it is judged.
      this.controllerSinceNs = now;
      for (const id of this.host.peers()) this.heard.set(id, now);
    }
    const brokers = [...this.host.peers()].sort();
    const sessionNs = this.options.sessionTimeoutMs * NS_PER_MS;
    const alive = (id: NodeId) => now - (this.heard.get(id) ?? -Infinity) <= sessionNs;
    const uncleanAllowed = this.raft.read(CONFIG_KEY) === 'true';
    for (let p = 0; p < this.options.partitions; p++) {
      if (this.controlPending.has(p)) continue;
      const key = partitionKey(p);
      const json = this.raft.read(key);
      if (json === null) {
        this.proposeControl(p, null, initialState(assignReplicas(brokers, p, this.options.replicationFactor)));
        continue;
      }
      const state = decodeState(json);
      if (state === null || (state.leader !== null && alive(state.leader))) continue;
      const next = electLeader(state, alive, { uncleanAllowed, anyReplica: this.bugs.uncleanElection });
      if (next !== null && json !== encodeState(next)) {
        this.host.log('broker.elect', { p, from: state.leader, to: next.leader, epoch: next.leaderEpoch, isr: next.isr.join(',') });
        this.proposeControl(p, json as string, next);
      }
    }
  }

  private proposeControl(partition: number, expected: string | null, next: PartitionState): void {
    this.controlPending.add(partition);
    this.raft.propose({ f: 'cas', key: partitionKey(partition), value: [expected, encodeState(next)] }, this.options.proposeTimeoutMs * NS_PER_MS, () => {
      this.controlPending.delete(partition);
    });
  }

  /** Drops ISR members that fell behind for too long, adds followers that caught up (AlterPartition). */
  private maintainIsr(replica: Replica, now: number): void {
    const state = replica.state;
    if (state === null || replica.stateJson === null || replica.proposing) return;
    if (replica.pendingIsr !== null) {
      // The last change's outcome is unknown: ask again, the same change against the same document.
      this.proposeIsr(replica, replica.stateJson, state, replica.pendingIsr);
      return;
    }
    const lagNs = this.options.replicaLagMs * NS_PER_MS;
    const epochStart = replica.log.endOffsetForEpoch(replica.leaderEpoch).startOffset;
    const next = state.replicas.filter((id) => {
      if (id === this.host.id) return true;
      const progress = replica.followers.get(id);
      if (progress === undefined) return false;
      if (state.isr.includes(id)) return now - progress.lastCaughtUpNs <= lagNs;
      return progress.fetchOffset >= replica.highWatermark && progress.fetchOffset >= epochStart && now - progress.lastCaughtUpNs <= lagNs;
    });
    if (sameList([...next].sort(), [...state.isr].sort())) return;
    replica.pendingIsr = next;
    this.host.log('broker.alter-isr', { p: replica.partition, epoch: replica.leaderEpoch, from: state.isr.join(','), to: next.join(',') });
    this.proposeIsr(replica, replica.stateJson, state, next);
    this.advanceHighWatermark(replica);
  }

  /**
   * AlterPartition by compare-and-set. Until an answer says what the document is, the change stays
   * pending and the high watermark counts the maximal ISR (KIP-497): an unknown outcome may have
   * been applied, and an expansion applied but unknown here must not let this leader commit alone.
   */
  private proposeIsr(replica: Replica, expected: string, state: PartitionState, isr: NodeId[]): void {
    replica.proposing = true;
    const proposed = encodeState({ ...state, isr, partitionEpoch: state.partitionEpoch + 1 });
    this.raft.propose({ f: 'cas', key: partitionKey(replica.partition), value: [expected, proposed] }, this.options.proposeTimeoutMs * NS_PER_MS, (reply) => {
      replica.proposing = false;
      if (reply === null) return; // unknown: still pending; the next tick asks again
      // ok: our document is the partition's; fail: the answer carries the current one (ours, when
      // an earlier attempt of the same change landed), which may depose us.
      const current = reply.outcome === 'ok' ? proposed : reply.value;
      if (typeof current === 'string') {
        this.adoptState(replica, current);
        if (replica.pendingIsr === isr) replica.pendingIsr = null;
      }
      this.advanceHighWatermark(replica);
    });
  }

  private fetchFromLeader(replica: Replica, now: number): void {
    if (replica.leader === null) return;
    if (replica.fetchInFlightSinceNs !== null && now - replica.fetchInFlightSinceNs < this.options.fetchRetryMs * NS_PER_MS) return;
    // Only what is durable is reported: the next fetch waits for the last batch's fsync.
    if (replica.durableEnd < replica.log.endOffset()) return;
    replica.fetchInFlightSinceNs = now;
    const fetchOffset = replica.log.endOffset();
    const request: ReplicaFetch = {
      type: 'broker.replica-fetch',
      partition: replica.partition,
      leaderEpoch: replica.leaderEpoch,
      fetchOffset,
      lastFetchedEpoch: replica.log.lastEpoch(),
      maxBytes: this.options.fetchMaxBytes,
    };
    this.host.send(replica.leader, request);
  }

  // ------------------------------------------------------------------ replication

  private onReplicaFetch(from: NodeId, request: ReplicaFetch): void {
    const replica = this.replicas.get(request.partition);
    if (replica === undefined) return;
    const reply = (fields: Partial<ReplicaFetchReply> & Pick<ReplicaFetchReply, 'outcome'>): void => {
      this.host.send(from, {
        type: 'broker.replica-fetch.reply',
        partition: request.partition,
        leaderEpoch: replica.leaderEpoch,
        fetchOffset: request.fetchOffset,
        lastFetchedEpoch: request.lastFetchedEpoch,
        records: [],
        highWatermark: replica.highWatermark,
        ...fields,
      } satisfies ReplicaFetchReply);
    };
    if (replica.role !== 'leader' || request.leaderEpoch !== replica.leaderEpoch) {
      reply({ outcome: 'fenced' });
      return;
    }
    const log = replica.log;
    const end = log.endOffset();
    if (this.bugs.truncateToHw) {
      // Pre-KIP-101: no epoch check, only "out of range: start again from my end".
      if (request.fetchOffset > end) {
        reply({ outcome: 'diverging', diverging: { epoch: request.lastFetchedEpoch, endOffset: end } });
        return;
      }
    } else if (request.fetchOffset > 0) {
      const found = log.endOffsetForEpoch(request.lastFetchedEpoch);
      if (found.epoch !== request.lastFetchedEpoch || found.endOffset < request.fetchOffset) {
        reply({ outcome: 'diverging', diverging: { epoch: found.epoch, endOffset: found.endOffset } });
        return;
      }
    }
    const progress = replica.followers.get(from);
    if (progress !== undefined) {
      const now = this.host.monotonicNow();
      if (request.fetchOffset >= end) progress.lastCaughtUpNs = now;
      else if (request.fetchOffset >= progress.leaderEndAtLastFetch) progress.lastCaughtUpNs = Math.max(progress.lastCaughtUpNs, progress.lastFetchNs);
      progress.lastFetchNs = now;
      progress.leaderEndAtLastFetch = end;
      progress.fetchOffset = request.fetchOffset;
    }
    const maxBytes = Math.min(request.maxBytes, this.options.fetchMaxBytes);
    const records = log.slice(request.fetchOffset, end, recordsForBytes(maxBytes)).map((r): ReplicaRecord => [r.offset, r.epoch, r.key, r.value, r.producer, r.seq, r.batchBase]);
    this.advanceHighWatermark(replica);
    reply({ outcome: 'ok', records });
  }

  private onReplicaFetchReply(from: NodeId, reply: ReplicaFetchReply): void {
    const replica = this.replicas.get(reply.partition);
    if (replica === undefined || replica.role !== 'follower' || from !== replica.leader) return;
    // Only the answer to the fetch of our log as it is now: an older one (late, or duplicated by the
    // network) may say to truncate a tail that has since been replaced by the leader's records.
    if (reply.fetchOffset !== replica.log.endOffset() || reply.lastFetchedEpoch !== replica.log.lastEpoch()) return;
    replica.fetchInFlightSinceNs = null;
    if (reply.leaderEpoch !== replica.leaderEpoch) return; // one of us is stale: the controller's state decides
    if (reply.outcome === 'diverging' && reply.diverging !== undefined) {
      const own = replica.log.endOffsetForEpoch(reply.diverging.epoch);
      const to = reply.diverging.epoch < 0 ? 0 : Math.min(reply.diverging.endOffset, own.endOffset);
      this.truncate(replica, Math.min(to, replica.log.endOffset()), 'diverging from the leader');
      return;
    }
    if (reply.outcome !== 'ok') return;
    const log = replica.log;
    const records: LogRecord[] = [];
    for (const [offset, epoch, key, value, producer, seq, batchBase] of reply.records) {
      if (offset >= log.endOffset()) records.push({ offset, epoch, key, value, producer, seq, batchBase });
    }
    if (records.length > 0 && records[0]!.offset === log.endOffset()) {
      log.appendFetched(records);
      this.sync(replica);
    }
    replica.highWatermark = Math.max(replica.highWatermark, Math.min(reply.highWatermark, log.endOffset()));
  }

  private truncate(replica: Replica, offset: number, why: string): void {
    if (offset >= replica.log.endOffset()) return;
    // Logged before the cut, so a monitor sees what is about to go.
    this.host.log('broker.truncating', { p: replica.partition, to: offset, end: replica.log.endOffset(), why });
    replica.log.truncateTo(offset);
    replica.durableEnd = Math.min(replica.durableEnd, offset);
    replica.syncTarget = Math.min(replica.syncTarget, offset);
    replica.highWatermark = Math.min(replica.highWatermark, offset);
    this.sync(replica);
  }

  private sync(replica: Replica): void {
    if (replica.syncFiles.size > 0) {
      replica.syncAgain = true;
      return;
    }
    const files = replica.log.takeDirty();
    replica.syncTarget = replica.log.endOffset();
    if (files.length === 0) {
      replica.durableEnd = replica.syncTarget;
      this.afterDurable(replica);
      return;
    }
    replica.syncFailed = false;
    for (const file of files) {
      replica.syncFiles.add(file);
      this.host.disk.fsync(file, `${FSYNC_TAG}${replica.partition}:${file}`);
    }
  }

  private afterDurable(replica: Replica): void {
    if (replica.role === 'leader') this.advanceHighWatermark(replica);
    else if (replica.role === 'follower') this.fetchFromLeader(replica, this.host.monotonicNow());
  }

  private advanceHighWatermark(replica: Replica): void {
    if (replica.role !== 'leader') return;
    let hw = replica.durableEnd;
    for (const id of replica.maximalIsr()) {
      if (id === this.host.id) continue;
      hw = Math.min(hw, replica.followers.get(id)?.fetchOffset ?? -1);
    }
    if (hw > replica.highWatermark) {
      replica.highWatermark = hw;
      this.host.log('broker.hw', { p: replica.partition, hw, epoch: replica.leaderEpoch });
    }
    this.answerWaiters(replica);
  }

  // ------------------------------------------------------------------ clients

  private onMeta(from: NodeId): void {
    const partitions = [];
    for (let p = 0; p < this.options.partitions; p++) {
      const state = decodeState(this.raft.read(partitionKey(p)));
      partitions.push({ leader: state?.leader ?? null, leaderEpoch: state?.leaderEpoch ?? -1 });
    }
    this.host.send(from, { type: 'broker.meta.reply', partitions } satisfies MetaReply);
  }

  private onProduce(from: NodeId, request: ProduceRequest): void {
    const replica = this.replicas.get(request.partition);
    const answer = (outcome: ProduceOutcome, baseOffset?: number) => {
      if (request.acks === 0) return;
      this.host.send(from, { type: 'broker.produce.reply', id: request.id, outcome, ...(baseOffset === undefined ? {} : { baseOffset }), leader: replica?.leader ?? null } satisfies ProduceReply);
    };
    if (replica === undefined || replica.role !== 'leader') return answer('not-leader');
    const acks: Acks = request.acks;
    if (acks === -1 && replica.maximalIsr().length < this.options.minInsyncReplicas) return answer('not-enough-replicas');
    if (!replica.epochDurable || replica.waiters.length >= this.options.waitersMax) return answer('busy');
    if (!Array.isArray(request.records) || request.records.length === 0 || request.records.length > PRODUCE_RECORDS_MAX) return answer('busy');
    const producer: BatchProducer = typeof request.producerId === 'number' && typeof request.firstSeq === 'number' ? { id: request.producerId, firstSeq: request.firstSeq } : NO_PRODUCER;
    const sequence = replica.log.checkSequence(producer, request.records.length);
    if (sequence.kind === 'out-of-order') return answer('out-of-order');
    let baseOffset: number;
    if (sequence.kind === 'duplicate') {
      // A retry of a batch already appended: answered as the first was, never appended twice.
      baseOffset = sequence.baseOffset;
      this.host.log('broker.duplicate-batch', { p: replica.partition, producer: producer.id, seq: producer.firstSeq, offset: baseOffset });
    } else {
      baseOffset = replica.log.append(replica.leaderEpoch, request.records, producer);
      this.sync(replica);
    }
    if (acks === 1) return answer('ok', baseOffset);
    if (acks === -1) {
      replica.waiters.push({ from, id: request.id, baseOffset, endOffset: baseOffset + request.records.length });
      replica.waiters.sort((a, b) => a.endOffset - b.endOffset);
      this.answerWaiters(replica);
    }
  }

  private answerWaiters(replica: Replica): void {
    while (replica.waiters.length > 0 && replica.waiters[0]!.endOffset <= replica.highWatermark) {
      const waiter = replica.waiters.shift()!;
      // Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND: committed, but on fewer replicas than promised.
      const outcome: ProduceOutcome = replica.maximalIsr().length >= this.options.minInsyncReplicas ? 'ok' : 'unknown';
      this.host.send(waiter.from, { type: 'broker.produce.reply', id: waiter.id, outcome, baseOffset: waiter.baseOffset, leader: this.host.id } satisfies ProduceReply);
    }
  }

  private failWaiters(replica: Replica, outcome: ProduceOutcome): void {
    for (const waiter of replica.waiters.splice(0, replica.waiters.length)) {
      this.host.send(waiter.from, { type: 'broker.produce.reply', id: waiter.id, outcome, leader: null } satisfies ProduceReply);
    }
  }

  private onFetch(from: NodeId, request: FetchRequest): void {
    const replica = this.replicas.get(request.partition);
    const base = { type: 'broker.fetch.reply' as const, id: request.id, partition: request.partition };
    if (replica === undefined || replica.role !== 'leader') {
      this.host.send(from, { ...base, outcome: 'not-leader', records: [], highWatermark: 0, leader: replica?.leader ?? null } satisfies FetchReply);
      return;
    }
    const visible = this.bugs.readAboveHw ? replica.log.endOffset() : replica.highWatermark;
    if (request.offset > replica.log.endOffset()) {
      this.host.send(from, { ...base, outcome: 'offset-out-of-range', records: [], highWatermark: replica.highWatermark } satisfies FetchReply);
      return;
    }
    const maxBytes = Math.min(request.maxBytes, this.options.fetchMaxBytes);
    const records = replica.log.slice(request.offset, visible, recordsForBytes(maxBytes)).map((record) => [record.offset, record.value] as [number, number]);
    this.host.send(from, { ...base, outcome: 'ok', records, highWatermark: replica.highWatermark } satisfies FetchReply);
  }

  private onConfig(from: NodeId, request: ConfigRequest): void {
    this.raft.propose({ f: 'write', key: CONFIG_KEY, value: request.uncleanElection ? 'true' : 'false' }, this.options.proposeTimeoutMs * NS_PER_MS, (reply) => {
      this.host.send(from, { type: 'broker.config.reply', id: request.id, outcome: reply?.outcome === 'ok' ? 'ok' : 'unavailable' });
    });
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, k) => item === b[k]);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`broker assertion failed: ${message}`);
}
