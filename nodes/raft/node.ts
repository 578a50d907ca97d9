// The driver: connects the pure core (core.ts) to the host (nodes/host.ts). It owns the tick timer,
// the WAL on the host's disk, the KV state machine and the client-facing bookkeeping. The pipeline
// for every input is:
//
//   input -> core -> Ready -> write WAL (+fsync) -> send what does not wait -> apply committed
//                                  ... fsync done -> send what waited for durability
//
// so no vote, acknowledgement or snapshot answer leaves before the state it depends on is on disk
// (etcd raft's rule). Timing: one tick every `tickNs` of the node's own clock; election timeout
// drawn in [electionTicksMin, electionTicksMax] ticks from the node's random stream; heartbeat
// every `heartbeatTicks`.
//
// Lease reads (option, off by default) rely on clocks: a leader counts its lease in its own ticks
// while followers count their election timeout in theirs. With drift up to ρ on each side, the
// lease is only safe when leaseMarginTicks >= 2ρ·electionTicksMin (plus one tick of granularity).
// The simulator's drift faults go up to 5%, so the default margin (5 of 15 ticks) covers them; a
// clock jump does not move ticks (they are timer-driven), but a pause of the leader can outlive the
// lease, which is why lease reads stay off unless asked for.
import { NS_PER_MS, type Host, type Message, type NodeId, type NodeStatus, type Process, type TimerTag } from '../host.js';
import { assert } from './assert.js';
import { bugsFromHost, type RaftBugSwitches } from './bugs.js';
import { NO_CONFIG, makeConfig } from './config.js';
import { CORE_DEFAULTS, RaftCore, type CoreOptions, type Ready } from './core.js';
import { KvStateMachine, entryHash, entryKey, isValidKvOp } from './kv.js';
import { RAFT_MESSAGE_TYPES, type ConfigState, type Entry, type HardState, type KvReply, type KvRequest, type KvResult, type KvValue, type RaftAdminMessage, type RaftMessage, type Snapshot, type TxnMicroOp } from './types.js';
import { recover, walFileName, walGeneration, type WalRecord } from './wal.js';
import { WalWriter } from './wal-writer.js';

export interface RaftNodeOptions {
  tickNs: number;
  electionTicksMin: number;
  electionTicksMax: number;
  heartbeatTicks: number;
  leaseReads: boolean;
  leaseMarginTicks: number;
  inflightMax: number;
  entriesPerAppendMax: number;
  uncommittedMax: number;
  readsPendingMax: number;
  snapshotChunkChars: number;
  /** Compact once this many entries were applied since the last snapshot... */
  compactEveryEntries: number;
  /** ...keeping this many applied entries in the log for followers slightly behind. */
  compactKeepEntries: number;
  /** Messages waiting for an fsync, at most (beyond, the oldest are dropped: like a lossy link). */
  heldMessagesMax: number;
  /** While the WAL cannot be read, retry recovery this often (node clock). */
  recoveryRetryNs: number;
}

export const RAFT_NODE_DEFAULTS: RaftNodeOptions = {
  tickNs: 10 * NS_PER_MS,
  electionTicksMin: CORE_DEFAULTS.electionTicksMin,
  electionTicksMax: CORE_DEFAULTS.electionTicksMax,
  heartbeatTicks: CORE_DEFAULTS.heartbeatTicks,
  leaseReads: false,
  leaseMarginTicks: CORE_DEFAULTS.leaseMarginTicks,
  inflightMax: CORE_DEFAULTS.inflightMax,
  entriesPerAppendMax: CORE_DEFAULTS.entriesPerAppendMax,
  uncommittedMax: CORE_DEFAULTS.uncommittedMax,
  readsPendingMax: CORE_DEFAULTS.readsPendingMax,
  snapshotChunkChars: CORE_DEFAULTS.snapshotChunkChars,
  compactEveryEntries: 32,
  compactKeepEntries: 8,
  heldMessagesMax: 65_536,
  recoveryRetryNs: 500 * NS_PER_MS,
};

/** The parameters the workload's checkers may rely on (election timeout in ms, ...). */
export const RAFT_PARAMS = {
  tickMs: RAFT_NODE_DEFAULTS.tickNs / NS_PER_MS,
  electionTimeoutMsMin: (RAFT_NODE_DEFAULTS.electionTicksMin * RAFT_NODE_DEFAULTS.tickNs) / NS_PER_MS,
  electionTimeoutMsMax: (RAFT_NODE_DEFAULTS.electionTicksMax * RAFT_NODE_DEFAULTS.tickNs) / NS_PER_MS,
  heartbeatMs: (RAFT_NODE_DEFAULTS.heartbeatTicks * RAFT_NODE_DEFAULTS.tickNs) / NS_PER_MS,
} as const;

/** The Raft message types as a set: every message is looked up here. */
const RAFT_MESSAGE_TYPE_SET: ReadonlySet<string> = new Set(RAFT_MESSAGE_TYPES);

const TICK_TAG = 'tick';
const RECOVER_TAG = 'recover';
/** Client proposals awaiting their apply, at most. */
const PROPOSALS_PENDING_MAX = 8192;
/** Reads confirmed but waiting for the state machine to catch up, at most. */
const READS_WAITING_MAX = 4096;

interface PendingProposal {
  replyTo: NodeId;
  client: string;
  seq: number;
  /** Under the planted txn-non-atomic bug: the transaction this entry is one micro-op of. */
  part?: { txn: SplitTxn; at: number };
}

/** A transaction proposed as one entry per micro-op (only the planted txn-non-atomic bug does). */
interface SplitTxn {
  replyTo: NodeId;
  seq: number;
  done: (TxnMicroOp | null)[];
}

interface PendingRead {
  replyTo: NodeId;
  seq: number;
  key: string;
  /** A read-only transaction served by ReadIndex, like a read. */
  txn?: TxnMicroOp[];
}

/** The reply to an applied (or already applied) command, carrying a txn's results when it has them. */
function resultReply(seq: number, result: KvResult): KvReply {
  return {
    type: 'kv.reply',
    seq,
    outcome: result.outcome,
    value: result.value,
    ...(result.error === undefined ? {} : { error: result.error }),
    ...(result.txn === undefined ? {} : { txn: result.txn }),
  };
}

/** The client id of micro-op `at` of a split transaction: each part has its own session. */
function partClient(client: string, at: number): string {
  return `${client}/part${at}`;
}

interface HeldMessage {
  seq: number;
  to: NodeId;
  message: RaftMessage;
}

/**
 * A view of a node for invariant monitors and tests (see invariants.ts). `inspect()` returns the
 * same object every time; its fields read the node's current state, so inspecting costs nothing
 * until a field is read. Treat it as read-only, and read it right away (it follows the node).
 */
export interface RaftInspection {
  readonly id: NodeId;
  /** Goes up whenever the node's state may have changed (a monitor skips a node it already saw). */
  readonly version: number;
  /** 'down' while the node refuses to start (see `down`). */
  readonly role: string;
  readonly term: number;
  readonly vote: NodeId | null;
  readonly lead: NodeId | null;
  readonly down: string | null;
  readonly commit: number;
  /** The commit index of the newest durable hard state: what a restart comes back with. */
  readonly durableCommit: number;
  /** True after a restart until what was read back is fsynced: the durable fields are not known yet. */
  readonly recovering: boolean;
  /** Term and vote of the newest durable hard state. */
  readonly durableTerm: number;
  readonly durableVote: NodeId | null;
  /** Reads registered with a read index so far (this incarnation), and the index of the latest. */
  readonly readsRegistered: number;
  readonly lastReadIndex: number;
  /** Reads answered so far (this incarnation); the latest's read index and the applied index it was answered at. */
  readonly readsAnswered: number;
  readonly lastAnswerIndex: number;
  readonly lastAnswerApplied: number;
  readonly applied: number;
  /** Chain hash of the applied commands up to `applied`. */
  readonly appliedChain: number;
  /** The log's compaction offset (entries up to here are gone from memory). */
  readonly snapshotIndex: number;
  readonly lastIndex: number;
  readonly lastTerm: number;
  /** Entries up to here are on this node's disk. */
  readonly stableIndex: number;
  readonly voters: readonly NodeId[];
  readonly outgoing: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /** The term of the entry at `index` in this node's log (-1: compacted away or absent). */
  termAt(index: number): number;
  /** A text naming the command at `index` (null: compacted away or absent). */
  keyAt(index: number): string | null;
  /** A hash of the command at `index` (0: compacted away or absent); equal commands, equal hashes. */
  hashAt(index: number): number;
  /** The configuration entries of the log after `index`. */
  configsAfter(index: number): { index: number; voters: readonly NodeId[]; outgoing: readonly NodeId[] }[];
  /** The configuration in force at `index` (not below the compaction offset). */
  configAt(index: number): { voters: readonly NodeId[]; outgoing: readonly NodeId[] };
}

export class RaftNode implements Process {
  private core: RaftCore | null = null;
  private kv: KvStateMachine;
  private wal: WalWriter | null = null;
  private downReason: string | null = null;
  private readonly options: RaftNodeOptions;
  private readonly bugs: RaftBugSwitches;
  private held: HeldMessage[] = [];
  private proposals = new Map<number, PendingProposal>();
  private reads = new Map<number, PendingRead>();
  private readsWaiting: { id: number; index: number }[] = [];
  private nextReadId = 1;
  private applyingReplay = false;
  private readonly view: RaftInspection;
  /** Goes up whenever the state may have changed; monitors skip a node whose version they saw. */
  stateVersion = 0;
  /** The reads answered at their read index, for the monitor's read-answer-applied check. */
  private readonly readAnswers = { count: 0, index: 0, applied: 0 };
  /** Told which keys committed commands changed here (null: a snapshot replaced everything). */
  private applyObserver: ((keys: readonly string[] | null) => void) | null = null;
  /** Term and vote as last handed to the WAL (an entries batch needs no hard-state record otherwise). */
  private writtenTerm = -1;
  private writtenVote: NodeId | null = null;

  constructor(
    private readonly host: Host,
    options: Partial<RaftNodeOptions> = {},
  ) {
    this.options = { ...RAFT_NODE_DEFAULTS, ...options };
    this.bugs = bugsFromHost(host);
    this.kv = new KvStateMachine(!this.bugs.noClientDedup);
    this.view = makeView(host.id, () => this.stateVersion, () => this.core, () => this.kv, () => this.wal, () => this.downReason, this.readAnswers);
  }

  // ------------------------------------------------------------------ Process

  start(): void {
    this.recoverFromDisk();
    this.host.setTimer(this.options.tickNs, TICK_TAG);
  }

  onTimer(tag: TimerTag): void {
    if (tag === TICK_TAG) {
      this.host.setTimer(this.options.tickNs, TICK_TAG);
      if (this.core === null) return;
      this.wal!.retry();
      this.core.tick();
      this.handleReady();
      return;
    }
    if (tag === RECOVER_TAG && this.core === null) this.recoverFromDisk();
  }

  onFsync(tag: TimerTag, ok: boolean): void {
    if (this.wal === null || this.core === null || typeof tag !== 'number') return;
    const recovering = this.wal.recovering();
    const durable = this.wal.onFsync(tag, ok);
    this.stateVersion++;
    if (!ok) this.host.log('raft.fsync-failed', { seq: tag });
    if (recovering && !this.wal.recovering()) this.host.log('raft.recovery-synced', { lastIndex: this.core.log.lastIndex() });
    if (durable !== null) this.core.stableTo(durable.index, durable.term);
    this.releaseHeld();
    this.handleReady();
  }

  onMessage(from: NodeId, message: Message): void {
    const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
    if (type === 'kv.request') {
      this.onClientRequest(from, message as KvRequest);
      return;
    }
    if (type === 'raft.admin') {
      this.onAdmin(message as RaftAdminMessage);
      return;
    }
    if (this.core === null) return;
    if (typeof type !== 'string' || !RAFT_MESSAGE_TYPE_SET.has(type)) {
      this.host.log('raft.unknown-message', { from, type: typeof type === 'string' ? type : null });
      return;
    }
    this.core.receive(from, message as RaftMessage);
    this.handleReady();
  }

  status(): NodeStatus {
    if (this.core === null) return { role: 'follower', term: 0, down: this.downReason ?? 'starting' };
    const role = this.core.role === 'follower' && this.core.isLearner() ? 'learner' : this.core.role;
    // The configuration as this node knows it, so the nemesis can tell whether a member it removed
    // is back (workloads/raft/faults.ts) instead of assuming its re-add landed.
    const config = this.core.config();
    return { role, term: this.core.term, voters: config.voters.join(','), outgoing: config.outgoing.join(',') };
  }

  // ------------------------------------------------------------------ start and recovery

  private recoverFromDisk(): void {
    this.stateVersion++;
    const disk = this.host.disk;
    const names = disk.list().filter((name) => walGeneration(name) !== null);
    // Read every file twice: reads that differ mean the disk returns corrupted bytes right now, and
    // nothing read may be trusted (not even to decide that a tail is torn). Wait and retry.
    const files = new Map<string, Uint8Array>();
    for (const name of names) {
      const first = disk.read(name);
      const second = disk.read(name);
      if (first === null || second === null) continue;
      if (!sameBytes(first, second)) {
        this.stayDown(`disk reads of ${name} are unstable (corrupted); retrying`);
        return;
      }
      files.set(name, first);
    }
    const recovery = recover(files);
    if (recovery.kind === 'corrupt') {
      this.stayDown(recovery.reason);
      return;
    }
    if (recovery.kind === 'fresh') {
      for (const name of recovery.stale) disk.delete(name);
      const hs: HardState = { term: 0, vote: null, commit: 0 };
      // The initial membership is written once, by each node that creates the cluster, at its first
      // start: as the configuration of an empty snapshot at index 0, so every later start reads it
      // back. Any other node with an empty disk (added to a running cluster, or restarted after
      // losing everything) has no configuration: it never campaigns nor votes until a leader's
      // append or snapshot brings it one.
      const initial = this.bugs.selfMadeConfig ? null : this.initialMembership();
      // In memory the founders start as before (no load: the election timer keeps its first draw).
      const core = new RaftCore(this.coreOptions(initial ?? this.bootstrapConfig()));
      const snap: Snapshot | null = initial === null ? null : { meta: { index: 0, term: 0, config: initial, chain: this.kv.chain }, data: this.kv.serialize() };
      this.wal = new WalWriter(disk, 0, [], hs);
      this.wal.rewrite([{ t: 'base', gen: 1, snap, hs }], { index: 0, term: 0 });
      this.writtenTerm = hs.term;
      this.writtenVote = hs.vote;
      this.core = core;
      const voters = core.config().voters;
      this.host.log('raft.start', { fresh: true, voters: voters.length > 0 ? voters.join(',') : 'none (joins)' });
    } else {
      const { state } = recovery;
      if (recovery.truncateTo !== null) {
        disk.truncate(recovery.file, recovery.truncateTo);
        this.host.log('raft.wal-torn-tail', { file: recovery.file, truncatedTo: recovery.truncateTo, why: recovery.torn });
      }
      const core = new RaftCore(this.coreOptions(this.bootstrapConfig()));
      // What was read back may sit in the page cache only: a crash keeps the cache, a power loss
      // (or the next crash) does not. Nothing is trusted as durable, and nothing that depends on
      // durability leaves, until an fsync of the kept file completes. The planted bug
      // `raft.trust-unsynced-recovery` trusts the bytes at once.
      const trusted = this.bugs.trustUnsyncedRecovery;
      this.wal = new WalWriter(disk, state.gen, recovery.stale, state.hardState);
      for (const name of recovery.stale) disk.delete(name);
      core.load(state.hardState, state.snapshot, state.entries, trusted);
      if (!trusted) this.wal.syncRecovered({ index: core.log.lastIndex(), term: core.log.lastTerm() }, { ...state.hardState, commit: core.log.committed });
      this.writtenTerm = state.hardState.term;
      this.writtenVote = state.hardState.vote;
      this.core = core;
      if (state.snapshot !== null) {
        this.kv.restore(state.snapshot.data, state.snapshot.meta.index, state.snapshot.meta.chain);
        this.applyObserver?.(null);
      }
      this.host.log('raft.start', {
        fresh: false,
        term: state.hardState.term,
        commit: core.log.committed,
        lastIndex: core.log.lastIndex(),
        snapshot: core.log.snapshotIndex,
      });
    }
    this.downReason = null;
    // Re-apply the committed entries after the snapshot (no client waits for these answers).
    this.applyingReplay = true;
    this.handleReady();
    this.applyingReplay = false;
  }

  private stayDown(reason: string): void {
    if (this.downReason !== reason) this.host.log('raft.down', { reason });
    this.downReason = reason;
    this.core = null;
    this.wal = null;
    this.host.setTimer(this.options.recoveryRetryNs, RECOVER_TAG);
  }

  /**
   * The cluster's initial membership when this start creates the cluster (this node among its
   * founders), else null. A host that cannot tell (no `founding()`) has a fixed peer list, which
   * is then the initial membership.
   */
  private initialMembership(): ConfigState | null {
    const founders = this.host.founding?.() ?? this.host.peers();
    return founders.includes(this.host.id) ? makeConfig(founders) : null;
  }

  /** The configuration at index 0 when the disk holds none: none at all, or (planted bug) one made up from the peers. */
  private bootstrapConfig(): ConfigState {
    if (!this.bugs.selfMadeConfig) return NO_CONFIG;
    const peers = this.host.peers();
    return makeConfig(peers.length > 0 ? peers : [this.host.id]);
  }

  private coreOptions(bootstrap: ConfigState): CoreOptions {
    const disruptive = this.bugs.noPrevoteCheckquorum;
    return {
      ...CORE_DEFAULTS,
      id: this.host.id,
      bootstrap,
      electionTicksMin: this.options.electionTicksMin,
      electionTicksMax: this.options.electionTicksMax,
      heartbeatTicks: this.options.heartbeatTicks,
      preVote: !disruptive,
      checkQuorum: !disruptive,
      leaseReads: this.options.leaseReads && !disruptive,
      leaseMarginTicks: this.options.leaseMarginTicks,
      inflightMax: this.options.inflightMax,
      entriesPerAppendMax: this.options.entriesPerAppendMax,
      uncommittedMax: this.options.uncommittedMax,
      readsPendingMax: this.options.readsPendingMax,
      snapshotChunkChars: this.options.snapshotChunkChars,
      randomTicks: (min, max) => this.host.random.range(min, max),
      bugs: {
        figure8Commit: this.bugs.figure8Commit,
        earlyReadIndex: this.bugs.earlyReadIndex,
        unsafeMembership: this.bugs.unsafeMembership,
        compactPastApplied: this.bugs.compactPastApplied,
      },
    };
  }

  // ------------------------------------------------------------------ the Ready pipeline

  private handleReady(): void {
    const core = this.core;
    if (core === null) return;
    // Each round drains the core; applying may let more entries through, so loop a bounded number.
    for (let round = 0; round < 8 && core.hasReady(); round++) {
      this.stateVersion++;
      this.processReady(core, core.ready());
      if (this.core !== core) return;
    }
    this.serveWaitingReads();
    this.maybeCompact(core);
  }

  private processReady(core: RaftCore, rd: Ready): void {
    const wal = this.wal!;
    for (const event of rd.events) this.host.log(event.kind, event.fields);

    if (rd.snapshot !== null) {
      const snapshot = rd.snapshot;
      this.persistRewrite(core, snapshot, rd.hardState ?? core.hardState(), rd.entries);
      this.kv.restore(snapshot.data, snapshot.meta.index, snapshot.meta.chain);
      this.applyObserver?.(null);
      this.dropProposalsUpTo(snapshot.meta.index);
    } else if (rd.entries.length > 0 || rd.hardState !== null) {
      // One record per batch: entries carry the commit index; term and vote get their own record
      // only when they changed (their record then carries the commit too).
      const records: WalRecord[] = [];
      const hs = rd.hardState;
      const termOrVoteChanged = hs !== null && (hs.term !== this.writtenTerm || hs.vote !== this.writtenVote);
      if (rd.entries.length > 0) records.push(termOrVoteChanged || hs === null ? { t: 'ent', e: rd.entries } : { t: 'ent', e: rd.entries, c: hs.commit });
      if (hs !== null && (termOrVoteChanged || rd.entries.length === 0)) records.push({ t: 'hs', hs });
      if (hs !== null) {
        this.writtenTerm = hs.term;
        this.writtenVote = hs.vote;
      }
      wal.append(records, { index: core.log.lastIndex(), term: core.log.lastTerm() });
    }

    const seq = wal.latestSeq();
    for (const out of rd.messages) {
      // The planted bug `raft.unpersisted-vote` answers a vote before the vote is on disk.
      const mustWait = out.durable && !(this.bugs.unpersistedVote && out.message.type === 'raft.vote.resp');
      if (!mustWait || wal.durableSeq >= seq) this.sendRaft(out.to, out.message);
      else this.hold(seq, out.to, out.message);
    }

    if (rd.committed.length > 0) {
      const changed: string[] | null = this.applyObserver === null ? null : [];
      for (const entry of rd.committed) {
        if (entry.index <= this.kv.appliedIndex) continue;
        const outcome = this.kv.apply(entry);
        if (changed !== null && !outcome.duplicate && outcome.result?.outcome === 'ok') changed.push(...changedKeys(entry));
        const pending = this.proposals.get(entry.index);
        if (pending === undefined) continue;
        this.proposals.delete(entry.index);
        const data = entry.data;
        // Answer only when this index holds the very command we proposed; if another leader
        // overwrote it, the client's op may still happen elsewhere (a retry): no answer, it times out.
        if (data.kind === 'kv' && data.client === pending.client && data.seq === pending.seq && outcome.result !== null) {
          if (pending.part !== undefined) this.partDone(pending.part.txn, pending.part.at, outcome.result);
          else this.reply(pending.replyTo, resultReply(pending.seq, outcome.result));
        }
      }
      core.appliedTo(this.kv.appliedIndex);
      this.dropProposalsUpTo(this.kv.appliedIndex);
      if (changed !== null && changed.length > 0) this.applyObserver!(changed);
    }

    for (const read of rd.readStates) {
      if (this.readsWaiting.length >= READS_WAITING_MAX) {
        this.answerRead(read.id, null);
        continue;
      }
      this.readsWaiting.push({ id: read.id, index: read.index });
    }
    for (const id of rd.readsDropped) this.answerRead(id, null);
  }

  private persistRewrite(core: RaftCore, snapshot: Snapshot | null, hs: HardState, entries: readonly Entry[]): void {
    const wal = this.wal!;
    const gen = wal.nextGeneration();
    const records: WalRecord[] = [{ t: 'base', gen, snap: snapshot, hs }];
    this.writtenTerm = hs.term;
    this.writtenVote = hs.vote;
    if (entries.length > 0) records.push({ t: 'ent', e: [...entries] });
    wal.rewrite(records, { index: core.log.lastIndex(), term: core.log.lastTerm() });
  }

  private hold(seq: number, to: NodeId, message: RaftMessage): void {
    if (this.held.length >= this.options.heldMessagesMax) {
      this.held.shift();
      this.host.log('raft.held-dropped', { limit: this.options.heldMessagesMax });
    }
    this.held.push({ seq, to, message });
  }

  private releaseHeld(): void {
    const wal = this.wal;
    if (wal === null) return;
    let k = 0;
    while (k < this.held.length && this.held[k]!.seq <= wal.durableSeq) {
      const held = this.held[k]!;
      this.sendRaft(held.to, held.message);
      k++;
    }
    if (k > 0) this.held.splice(0, k);
  }

  /** Sends a Raft message; a granted vote leaves a trace event, which the monitor checks against the disk. */
  private sendRaft(to: NodeId, message: RaftMessage): void {
    if (message.type === 'raft.vote.resp' && !message.reject) this.host.log('raft.vote-sent', { to, term: message.term });
    this.host.send(to, message);
  }

  private maybeCompact(core: RaftCore): void {
    const wal = this.wal!;
    const log = core.log;
    const lastSnapshot = core.snapshot?.meta.index ?? 0;
    // Fault point: compact early, at whatever was applied (followers then need snapshots sooner).
    if (this.kv.appliedIndex - lastSnapshot < this.options.compactEveryEntries && !(this.kv.appliedIndex > lastSnapshot && this.host.faultPoint('raft.compact-early'))) return;
    if (wal.busy()) return;
    // The snapshot is the state machine's state, so it is taken at the applied index. The planted
    // bug labels it with the commit index instead, discarding committed entries not yet applied.
    const index = this.bugs.compactPastApplied ? log.committed : this.kv.appliedIndex;
    if (index <= lastSnapshot) return;
    core.compact(index, this.kv.serialize(), this.kv.chain, this.options.compactKeepEntries);
    if (index > this.kv.appliedIndex) this.kv.skipTo(index);
    const snapshot = core.snapshot!;
    const entries = index < log.lastIndex() ? log.slice(index + 1, log.lastIndex(), Number.MAX_SAFE_INTEGER) : [];
    this.persistRewrite(core, snapshot, core.hardState(), entries);
    this.host.log('raft.compact', { index, kept: index - log.snapshotIndex });
  }

  // ------------------------------------------------------------------ clients and admin

  private onClientRequest(from: NodeId, request: KvRequest): void {
    if (!isValidRequest(request)) {
      const seq = typeof (request as { seq?: unknown }).seq === 'number' ? (request as { seq: number }).seq : -1;
      this.reply(from, { type: 'kv.reply', seq, outcome: 'fail', error: 'bad request: expected {client, seq, op: {f, key, value}}' });
      return;
    }
    const core = this.core;
    if (core === null) {
      this.reply(from, { type: 'kv.reply', seq: request.seq, outcome: 'unavailable', error: this.downReason ?? 'starting' });
      return;
    }
    const op = request.op;
    const readOnlyTxn = op.f === 'txn' && (op.value as TxnMicroOp[]).every((micro) => micro[0] === 'r');
    if (readOnlyTxn && this.bugs.txnStaleSnapshotRead) {
      // The planted bug: any node serves a read-only transaction at its own applied index, no ReadIndex.
      this.reply(from, { type: 'kv.reply', seq: request.seq, outcome: 'ok', value: null, txn: this.kv.readTxn(op.value as TxnMicroOp[]) });
      return;
    }
    if (op.f === 'read' && this.bugs.staleLocalRead) {
      // The planted bug: any node answers from its own state machine, with no ReadIndex.
      this.reply(from, { type: 'kv.reply', seq: request.seq, outcome: 'ok', value: this.kv.read(op.key) });
      return;
    }
    if (core.role !== 'leader') {
      const leader = core.lead !== null && core.lead !== this.host.id ? core.lead : null;
      if (leader === null) this.reply(from, { type: 'kv.reply', seq: request.seq, outcome: 'unavailable', leader: null, error: 'no leader known' });
      else this.reply(from, { type: 'kv.reply', seq: request.seq, outcome: 'redirect', leader });
      return;
    }
    if (readOnlyTxn && this.bugs.txnReadUncommitted) {
      // The planted bug: the leader answers at once from its log as it stands, uncommitted and
      // unapplied entries included, as if every entry it holds had already taken effect.
      const log = core.log;
      const pending = this.kv.appliedIndex < log.lastIndex() ? log.slice(this.kv.appliedIndex + 1, log.lastIndex(), Number.MAX_SAFE_INTEGER) : [];
      this.reply(from, { type: 'kv.reply', seq: request.seq, outcome: 'ok', value: null, txn: this.kv.readTxn(op.value as TxnMicroOp[], pending) });
      return;
    }
    if (op.f === 'read' || readOnlyTxn) {
      if (this.reads.size >= this.options.readsPendingMax) {
        this.reply(from, { type: 'kv.reply', seq: request.seq, outcome: 'unavailable', error: 'too many pending reads' });
        return;
      }
      const id = this.nextReadId++;
      this.reads.set(id, readOnlyTxn ? { replyTo: from, seq: request.seq, key: op.key, txn: op.value as TxnMicroOp[] } : { replyTo: from, seq: request.seq, key: op.key });
      if (!core.readIndex(id)) {
        this.reads.delete(id);
        this.reply(from, { type: 'kv.reply', seq: request.seq, outcome: 'unavailable', error: 'read refused' });
        return;
      }
      this.handleReady();
      return;
    }
    if (op.f === 'txn' && this.bugs.txnNonAtomic && (op.value as TxnMicroOp[]).length > 1) {
      this.proposeSplit(core, from, request);
      return;
    }
    if (!this.bugs.noClientDedup) {
      const known = this.kv.sessionResult(request.client, request.seq);
      if (known !== null) {
        // Already applied: the same answer again, without a second application.
        this.reply(from, resultReply(request.seq, known));
        return;
      }
      // An older seq than the session's: the client moved on and no longer waits for it.
      if (request.seq < this.kv.sessionSeq(request.client)) return;
    }
    if (this.proposals.size >= PROPOSALS_PENDING_MAX) {
      this.reply(from, { type: 'kv.reply', seq: request.seq, outcome: 'unavailable', error: 'too many pending proposals' });
      return;
    }
    const index = core.propose({ kind: 'kv', client: request.client, seq: request.seq, op });
    if (index === null) {
      this.reply(from, { type: 'kv.reply', seq: request.seq, outcome: 'unavailable', leader: null, error: 'proposal refused' });
      return;
    }
    this.proposals.set(index, { replyTo: from, client: request.client, seq: request.seq });
    this.handleReady();
  }

  /**
   * The planted txn-non-atomic bug: each micro-op of the transaction becomes its own log entry
   * (its own session, so a retry still applies each at most once), and other commands may commit
   * between them. The client is answered once every part has applied.
   */
  private proposeSplit(core: RaftCore, from: NodeId, request: KvRequest): void {
    const ops = request.op.value as TxnMicroOp[];
    if (this.proposals.size + ops.length > PROPOSALS_PENDING_MAX) {
      this.reply(from, { type: 'kv.reply', seq: request.seq, outcome: 'unavailable', error: 'too many pending proposals' });
      return;
    }
    const txn: SplitTxn = { replyTo: from, seq: request.seq, done: ops.map(() => null) };
    for (let at = 0; at < ops.length; at++) {
      const client = partClient(request.client, at);
      const known = this.kv.sessionResult(client, request.seq);
      if (known !== null) {
        this.partDone(txn, at, known);
        continue;
      }
      const index = core.propose({ kind: 'kv', client, seq: request.seq, op: { f: 'txn', key: request.op.key, value: [ops[at]!] } });
      if (index === null) return;
      this.proposals.set(index, { replyTo: from, client, seq: request.seq, part: { txn, at } });
    }
    this.handleReady();
  }

  private partDone(txn: SplitTxn, at: number, result: KvResult): void {
    if (result.outcome !== 'ok' || result.txn === undefined) {
      this.reply(txn.replyTo, resultReply(txn.seq, result));
      return;
    }
    txn.done[at] = result.txn[0] ?? null;
    if (txn.done.every((op) => op !== null)) this.reply(txn.replyTo, { type: 'kv.reply', seq: txn.seq, outcome: 'ok', value: null, txn: txn.done as TxnMicroOp[] });
  }

  private onAdmin(message: RaftAdminMessage): void {
    const core = this.core;
    const action = message.action;
    if (core === null || typeof action !== 'object' || action === null) return;
    const refused = core.admin(action);
    this.host.log('raft.admin', { action: action.kind, node: 'node' in action ? action.node : action.to, refused: refused ?? null });
    this.handleReady();
  }

  private serveWaitingReads(): void {
    if (this.readsWaiting.length === 0) return;
    const applied = this.kv.appliedIndex;
    const remaining: { id: number; index: number }[] = [];
    for (const read of this.readsWaiting) {
      if (read.index <= applied) {
        this.noteReadAnswer(read.index);
        this.answerRead(read.id, this.reads.get(read.id)?.key ?? null);
      }
      else remaining.push(read);
    }
    this.readsWaiting = remaining;
  }

  /** Answers read `id` with the value of `key`, or `unavailable` when key is null. */
  /** For the monitor: a read confirmed at `index` is being answered now, at this applied index. */
  private noteReadAnswer(index: number): void {
    this.readAnswers.count++;
    this.readAnswers.index = index;
    this.readAnswers.applied = this.kv.appliedIndex;
    this.stateVersion++;
  }

  private answerRead(id: number, key: string | null): void {
    const read = this.reads.get(id);
    if (read === undefined) return;
    this.reads.delete(id);
    if (key === null) this.reply(read.replyTo, { type: 'kv.reply', seq: read.seq, outcome: 'unavailable', error: 'leadership lost before the read was confirmed' });
    else if (read.txn !== undefined) this.reply(read.replyTo, { type: 'kv.reply', seq: read.seq, outcome: 'ok', value: null, txn: this.kv.readTxn(read.txn) });
    else this.reply(read.replyTo, { type: 'kv.reply', seq: read.seq, outcome: 'ok', value: this.kv.read(key) });
  }

  private dropProposalsUpTo(index: number): void {
    if (this.proposals.size === 0) return;
    for (const at of [...this.proposals.keys()]) if (at <= index) this.proposals.delete(at);
  }

  private reply(to: NodeId, reply: KvReply): void {
    if (this.applyingReplay) return;
    // Fault point: the answer is lost after the state changed; the client's retry must meet its session.
    if (this.host.faultPoint('raft.drop-reply')) return;
    this.host.send(to, reply);
  }

  // ------------------------------------------------------------------ inspection

  /** The white-box view for invariant monitors (the same object on every call). */
  inspect(): RaftInspection {
    return this.view;
  }


  /**
   * For a system that embeds this node: `observer` hears, after each batch applied here, the keys
   * committed commands changed (null after a snapshot replaced the state). It must not call back
   * into this node synchronously.
   */
  observeApplied(observer: ((keys: readonly string[] | null) => void) | null): void {
    this.applyObserver = observer;
  }

  /** For tests: the state machine's value of `key`. */
  valueOf(key: string): KvValue | null {
    return this.kv.read(key);
  }

  /** For tests and the harness: the core (null while down). */
  coreForTesting(): RaftCore | null {
    return this.core;
  }

  walFileForTesting(): string | null {
    return this.wal === null ? null : walFileName(this.wal.gen);
  }
}


const NO_IDS: readonly NodeId[] = [];

function makeView(
  id: NodeId,
  version: () => number,
  core: () => RaftCore | null,
  kv: () => KvStateMachine,
  wal: () => WalWriter | null,
  down: () => string | null,
  readAnswers: { readonly count: number; readonly index: number; readonly applied: number },
): RaftInspection {
  return {
    id,
    get version() {
      return version();
    },
    get role() {
      const c = core();
      return c === null ? 'down' : c.role;
    },
    get term() {
      return core()?.term ?? 0;
    },
    get vote() {
      return core()?.vote ?? null;
    },
    get lead() {
      return core()?.lead ?? null;
    },
    get down() {
      return core() === null ? (down() ?? 'starting') : null;
    },
    get commit() {
      return core()?.log.committed ?? 0;
    },
    get durableCommit() {
      return wal()?.durableCommit ?? 0;
    },
    get durableTerm() {
      return wal()?.durableTerm ?? 0;
    },
    get recovering() {
      return wal()?.recovering() ?? false;
    },
    get durableVote() {
      return wal()?.durableVote ?? null;
    },
    get readsRegistered() {
      return core()?.readsRegistered ?? 0;
    },
    get lastReadIndex() {
      return core()?.lastReadIndex ?? 0;
    },
    get readsAnswered() {
      return readAnswers.count;
    },
    get lastAnswerIndex() {
      return readAnswers.index;
    },
    get lastAnswerApplied() {
      return readAnswers.applied;
    },
    get applied() {
      return core() === null ? 0 : kv().appliedIndex;
    },
    get appliedChain() {
      return core() === null ? 0 : kv().chain;
    },
    get snapshotIndex() {
      return core()?.log.snapshotIndex ?? 0;
    },
    get lastIndex() {
      return core()?.log.lastIndex() ?? 0;
    },
    get lastTerm() {
      return core()?.log.lastTerm() ?? 0;
    },
    get stableIndex() {
      return core()?.log.stableIndex ?? 0;
    },
    get voters() {
      return core()?.config().voters ?? NO_IDS;
    },
    get outgoing() {
      return core()?.config().outgoing ?? NO_IDS;
    },
    get learners() {
      return core()?.config().learners ?? NO_IDS;
    },
    termAt(index: number): number {
      return core()?.log.term(index) ?? -1;
    },
    keyAt(index: number): string | null {
      const entry = core()?.log.entry(index) ?? null;
      return entry === null ? null : entryKey(entry.data);
    },
    hashAt(index: number): number {
      const entry = core()?.log.entry(index) ?? null;
      return entry === null ? 0 : entryHash(entry);
    },
    configsAfter(index: number) {
      const c = core();
      // The usual case, asked on every check of a leader: no configuration change in flight.
      if (c === null || c.log.latestConfigIndex() <= index) return [];
      const out: { index: number; voters: readonly NodeId[]; outgoing: readonly NodeId[] }[] = [];
      for (const at of c.log.configIndexesAfter(index)) {
        const data = c.log.entry(at)!.data;
        if (data.kind === 'config') out.push({ index: at, voters: data.config.voters, outgoing: data.config.outgoing });
      }
      return out;
    },
    configAt(index: number) {
      const c = core();
      if (c === null) return { voters: NO_IDS, outgoing: NO_IDS };
      const config = c.log.configAt(Math.max(index, c.log.snapshotIndex));
      return { voters: config.voters, outgoing: config.outgoing };
    },
  };
}

function isValidRequest(request: KvRequest): boolean {
  return (
    typeof request.client === 'string' &&
    request.client.length > 0 &&
    request.client.length <= 256 &&
    Number.isSafeInteger(request.seq) &&
    request.seq >= 0 &&
    isValidKvOp(request.op)
  );
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

assert(RAFT_PARAMS.electionTimeoutMsMin === 150 && RAFT_PARAMS.electionTimeoutMsMax === 300, 'the documented election timeout is 150-300 ms');

/** The keys a committed command wrote (a read changes none; a txn, the keys of its writes). */
function changedKeys(entry: Entry): string[] {
  const data = entry.data;
  if (data.kind !== 'kv') return [];
  if (data.op.f === 'read') return [];
  if (data.op.f !== 'txn') return [data.op.key];
  return (data.op.value as TxnMicroOp[]).filter((micro) => micro[0] !== 'r').map((micro) => micro[1]);
}
