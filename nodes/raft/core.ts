// The Raft consensus core: a pure state machine in the style of etcd-io/raft. It takes one input at
// a time (a message, a tick, a proposal, a read request, a persistence report) and accumulates what
// the driver must do: persist (hard state, entries, a received snapshot), send, apply, and answer
// reads. It never touches a clock, a disk or the network; its only randomness (the election
// timeout) comes through `CoreOptions.randomTicks`, the node's own random stream.
//
// Behaviour per role is a swapped step function (`stepLeader`, `stepCandidate`, `stepFollower`) and
// tick function (`tickHeartbeat`, `tickElection`), not a role test in every handler.
//
// Features: PreVote and CheckQuorum (thesis 9.6, 6.2), a no-op (or the bootstrap configuration) at
// the start of each term, the current-term commit rule (paper 5.4.2), pipelined replication with a
// bounded in-flight window and fast conflict back-off, snapshots sent in chunks, membership changes
// by joint consensus with learners (one change in flight), leadership transfer (TimeoutNow),
// ReadIndex reads (and lease reads as an option, only with CheckQuorum).
import type { NodeId } from '../host.js';
import { assert, fail } from './assert.js';
import {
  addLearner,
  allMembers,
  directChange,
  enterJointPromote,
  isJoint,
  isLearner,
  isMember,
  isVoter,
  leaveJoint,
  removeMember,
  sameConfig,
} from './config.js';
import { crc32String } from './crc32.js';
import { RaftLog } from './log.js';
import { Progress } from './progress.js';
import { committedIndex, isQuorum, jointVote } from './quorum.js';
import type {
  AppendRequest,
  AppendResponse,
  ConfigState,
  Entry,
  EntryData,
  HardState,
  HeartbeatRequest,
  HeartbeatResponse,
  RaftMessage,
  Role,
  Snapshot,
  SnapshotChunk,
  SnapshotMeta,
  SnapshotResponse,
  VoteRequest,
  PreVoteRequest,
} from './types.js';

/** The planted bugs that live in the core (see bugs.ts for their descriptions). */
export interface CoreBugs {
  figure8Commit: boolean;
  earlyReadIndex: boolean;
  unsafeMembership: boolean;
  compactPastApplied: boolean;
}

export const NO_CORE_BUGS: CoreBugs = { figure8Commit: false, earlyReadIndex: false, unsafeMembership: false, compactPastApplied: false };

export interface CoreOptions {
  id: NodeId;
  /**
   * The configuration at index 0 when there is no snapshot: normally none (NO_CONFIG; the initial
   * membership comes as the configuration of an index-0 snapshot, see node.ts), so a node that has
   * none learns it from a leader.
   */
  bootstrap: ConfigState;
  /** Election timeout, in ticks, drawn uniformly in [min, max] at every reset. */
  electionTicksMin: number;
  electionTicksMax: number;
  heartbeatTicks: number;
  preVote: boolean;
  checkQuorum: boolean;
  /**
   * Lease reads: the leader answers reads locally while a quorum confirmed its leadership within
   * `electionTicksMin - leaseMarginTicks` ticks of the confirming heartbeat's send time. Only with
   * CheckQuorum (followers then ignore votes while they hear from a leader). Safe only when node
   * clocks drift apart by less than the margin over one election timeout; see node.ts.
   */
  leaseReads: boolean;
  leaseMarginTicks: number;
  /** Unacknowledged appends per follower. */
  inflightMax: number;
  entriesPerAppendMax: number;
  /** The leader refuses proposals while this many entries are uncommitted. */
  uncommittedMax: number;
  readsPendingMax: number;
  snapshotChunkChars: number;
  snapshotCharsMax: number;
  /** A uniform integer in [min, max]: the node's random stream. */
  randomTicks(min: number, max: number): number;
  bugs: CoreBugs;
}

export const CORE_DEFAULTS = {
  electionTicksMin: 15,
  electionTicksMax: 30,
  heartbeatTicks: 5,
  preVote: true,
  checkQuorum: true,
  leaseReads: false,
  leaseMarginTicks: 5,
  inflightMax: 64,
  entriesPerAppendMax: 64,
  uncommittedMax: 4096,
  readsPendingMax: 1024,
  snapshotChunkChars: 4096,
  snapshotCharsMax: 64 * 1024 * 1024,
} as const;

export interface Outgoing {
  to: NodeId;
  message: RaftMessage;
  /** Must not leave before everything written so far is durable (votes, acknowledgements). */
  durable: boolean;
}

export interface ReadState {
  id: number;
  /** The read may be served once the state machine has applied this index. */
  index: number;
}

/** A structured event for the node's trace (rare: role changes, configuration, snapshots). */
export interface CoreEvent {
  kind: string;
  fields: Record<string, string | number | boolean | null>;
}

/** What the driver must do, drained by `ready()`. */
export interface Ready {
  /** The hard state to persist, when it changed (term or vote), or when entries are written. */
  hardState: HardState | null;
  /** Entries to write; the first one's index tells where the durable log is cut. */
  entries: Entry[];
  /** A snapshot received from the leader: persist it and restore the state machine from it. */
  snapshot: Snapshot | null;
  messages: Outgoing[];
  /** Committed, durable entries to apply, in order. */
  committed: Entry[];
  readStates: ReadState[];
  /** Reads that will never be confirmed here (leadership lost): answer them `unavailable`. */
  readsDropped: number[];
  events: CoreEvent[];
}

interface PendingRead {
  id: number;
  index: number;
  /** The heartbeat round that confirms it (0: not yet assigned). */
  ctx: number;
}

interface IncomingSnapshot {
  meta: SnapshotMeta;
  total: number;
  crc: number;
  parts: string[];
  received: number;
}

type StepFn = (from: NodeId, m: RaftMessage) => void;

/** Membership changes a leader keeps waiting behind the one in flight, at most. */
const ADMIN_QUEUE_MAX = 8;
/** Sent-tick records kept for lease reads, at most this many. */
const CTX_TICKS_MAX = 1024;
/** Entries applied per `ready()`; the rest follow at the next one. */
const APPLY_BATCH_MAX = 256;

export class RaftCore {
  readonly id: NodeId;
  term = 0;
  vote: NodeId | null = null;
  role: Role = 'follower';
  lead: NodeId | null = null;
  readonly log: RaftLog;
  /** The latest snapshot with its data (for followers that fell behind the compacted log). */
  snapshot: Snapshot | null = null;

  private progress = new Map<NodeId, Progress>();
  private votes = new Map<NodeId, boolean>();
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private electionTimeout = 0;
  private tickCount = 0;
  private transferee: NodeId | null = null;
  private transferElapsed = 0;
  private step: StepFn;
  private tickFn: () => void;

  // ReadIndex state (leader only).
  private ctx = 0;
  private ctxSentTick = new Map<number, number>();
  private readRoundInFlight = 0;
  /** Messages sent so far (a counter, to tell whether a handler sent anything). */
  private sendsToFollower = 0;
  private confirmedCtx = 0;
  private leaseFromTick = -1;
  private reads: PendingRead[] = [];

  private incoming: IncomingSnapshot | null = null;
  /** Reads given a read index so far, and the latest such index (for the invariant monitor). */
  readsRegistered = 0;
  lastReadIndex = 0;
  /** Membership changes waiting for the one in flight, in order (leader only). */
  private adminQueue: ({ kind: 'add-member'; node: NodeId } | { kind: 'remove-member'; node: NodeId })[] = [];

  // Outputs, drained by ready().
  private msgs: Outgoing[] = [];
  private readStates: ReadState[] = [];
  private readsDropped: number[] = [];
  private events: CoreEvent[] = [];
  private snapshotToPersist: Snapshot | null = null;
  private persisted: HardState = { term: 0, vote: null, commit: 0 };

  constructor(private readonly options: CoreOptions) {
    this.id = options.id;
    assert(options.electionTicksMin > options.heartbeatTicks, 'election timeout must exceed the heartbeat');
    assert(options.electionTicksMax >= options.electionTicksMin, 'election timeout range is empty');
    assert(!options.leaseReads || options.checkQuorum, 'lease reads need CheckQuorum');
    this.log = new RaftLog(options.bootstrap);
    this.step = this.stepFollower;
    this.tickFn = this.tickElection;
    this.resetElectionTimeout();
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Restores what the WAL held (term, vote, commit; snapshot; entries) at start. `durable`: the
   * entries are known to be on disk; otherwise only the snapshot counts as stable until the driver
   * reports an fsync with `stableTo`.
   */
  load(hardState: HardState, snapshot: Snapshot | null, entries: readonly Entry[], durable: boolean): void {
    const meta: SnapshotMeta = snapshot?.meta ?? { index: 0, term: 0, config: this.options.bootstrap, chain: 0 };
    this.log.load(meta, entries, hardState.commit, durable);
    this.snapshot = snapshot;
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.persisted = { term: hardState.term, vote: hardState.vote, commit: this.log.committed };
    this.becomeFollower(this.term, null);
  }

  config(): ConfigState {
    return this.log.latestConfig();
  }

  /** May this node campaign (a voter of its newest configuration)? */
  promotable(): boolean {
    return isVoter(this.config(), this.id);
  }

  isLearner(): boolean {
    return isLearner(this.config(), this.id);
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  // ------------------------------------------------------------------ inputs

  tick(): void {
    this.tickCount++;
    this.tickFn();
  }

  /** Handles a message from another node. */
  receive(from: NodeId, m: RaftMessage): void {
    if (m.term > this.term) {
      if (m.type === 'raft.vote' || m.type === 'raft.prevote') {
        const force = m.type === 'raft.vote' && m.transfer;
        const inLease = this.options.checkQuorum && this.lead !== null && this.electionElapsed < this.options.electionTicksMin;
        if (!force && inLease) {
          // We heard from a leader within the minimum election timeout: ignore the disruption.
          return;
        }
      }
      if (m.type === 'raft.vote' && this.role === 'leader') {
        // A leader deposed by an election: record whether it still heard from a quorum and whether
        // the candidate's log is behind ours (with CheckQuorum this happens only for a transfer).
        this.event('raft.deposed', {
          by: from,
          term: m.term,
          transfer: m.transfer,
          quorumRecent: this.quorumHeardWithin(this.options.electionTicksMin),
          candidateBehind: !this.log.isUpToDate(m.lastIndex, m.lastTerm),
        });
      }
      if (m.type === 'raft.prevote') {
        // A pre-vote does not change our term.
      } else if (m.type === 'raft.prevote.resp' && !m.reject) {
        // A granted pre-vote carries the term we would campaign in; the term changes when we do.
      } else if (m.type === 'raft.append' || m.type === 'raft.heartbeat' || m.type === 'raft.snapshot') {
        this.becomeFollower(m.term, from);
      } else {
        this.becomeFollower(m.term, null);
      }
    } else if (m.term < this.term) {
      if ((this.options.checkQuorum || this.options.preVote) && (m.type === 'raft.append' || m.type === 'raft.heartbeat')) {
        // A stale leader (perhaps cut off, unable to learn our term otherwise) learns it here.
        this.send(from, { type: 'raft.heartbeat.resp', term: this.term, ctx: 0 }, false);
      } else if (m.type === 'raft.prevote') {
        this.send(from, { type: 'raft.prevote.resp', term: this.term, reject: true }, false);
      }
      return;
    }

    if (m.type === 'raft.prevote' || m.type === 'raft.vote') {
      this.handleVoteRequest(from, m);
      return;
    }
    this.step(from, m);
  }

  /** Appends a command (leader only). Returns its index, or null when it cannot be proposed here. */
  propose(data: EntryData): number | null {
    if (this.role !== 'leader' || this.transferee !== null) return null;
    if (this.log.lastIndex() - this.log.committed >= this.options.uncommittedMax) return null;
    assert(data.kind !== 'config', 'configuration changes go through changeConfig');
    const index = this.appendEntries([data]);
    // Batching: a follower with an append in flight gets the new entry with the next one, sent when
    // that append is acknowledged (pipelining up to inflightMax still serves catching up).
    for (const id of allMembers(this.config())) {
      if (id === this.id) continue;
      const pr = this.progress.get(id);
      if (pr !== undefined && pr.state === 'replicate' && pr.inflightCount() > 0) continue;
      this.sendAppend(id, false);
    }
    return index;
  }

  /**
   * Registers a linearizable read (leader only). Returns false when refused (not leader, too many
   * pending); otherwise the read comes back in `readStates` or `readsDropped`.
   */
  readIndex(id: number): boolean {
    if (this.role !== 'leader') return false;
    if (this.reads.length >= this.options.readsPendingMax) return false;
    const ownTermCommitted = this.log.term(this.log.committed) === this.term;
    if (this.options.leaseReads && ownTermCommitted && this.leaseValid()) {
      this.registerRead(this.log.committed);
      this.readStates.push({ id, index: this.log.committed });
      return true;
    }
    // A read needs an entry of this term committed first: before that, our commit index may lag
    // what an earlier leader committed (thesis 6.4). The planted bug skips that wait.
    const ready = ownTermCommitted || this.options.bugs.earlyReadIndex;
    if (ready) this.registerRead(this.log.committed);
    this.reads.push({ id, index: ready ? this.log.committed : -1, ctx: 0 });
    if (ready && this.readRoundInFlight === 0) this.startReadRound();
    return true;
  }

  /** The driver reports the log durable up to (index, term). */
  stableTo(index: number, term: number): void {
    if (!this.log.stableTo(index, term)) return;
    if (this.role === 'leader') {
      const self = this.progress.get(this.id);
      if (self !== undefined && self.maybeUpdate(this.log.stableIndex)) {
        if (this.maybeCommit()) this.afterCommit();
      }
    }
  }

  /** The state machine applied up to `index`. */
  appliedTo(index: number): void {
    this.log.appliedTo(index);
  }

  /**
   * Takes a snapshot at `index`, which the state machine has applied (`data` is its state there),
   * and compacts the in-memory log up to `index - keepEntries` (the entries in between stay for
   * followers slightly behind). Never past the applied index: entries not yet applied would be lost.
   * The planted bug `raft.compact-past-applied` does exactly that, and they are skipped.
   */
  compact(index: number, data: string, chain: number, keepEntries: number): void {
    if (!this.options.bugs.compactPastApplied && !(index <= this.log.applied)) fail(`compaction to ${index} past applied ${this.log.applied}`);
    if (!(index <= this.log.committed)) fail(`compaction to ${index} past committed ${this.log.committed}`);
    if (!(index > (this.snapshot?.meta.index ?? 0))) fail(`snapshot at ${index} not past the previous one`);
    if (!(index >= this.log.snapshotIndex)) fail(`snapshot at ${index} inside the compacted log`);
    const meta: SnapshotMeta = { index, term: this.log.term(index), config: this.log.configAt(index), chain };
    this.snapshot = { meta, data };
    const compactTo = Math.max(0, index - keepEntries);
    if (compactTo > this.log.snapshotIndex) this.log.compact(compactTo, this.log.configAt(compactTo));
    if (index > this.log.applied) this.log.appliedTo(index);
  }

  /** Admin: membership change or leadership transfer. Returns null when accepted, else why not. */
  admin(action: { kind: 'add-member'; node: NodeId } | { kind: 'remove-member'; node: NodeId } | { kind: 'transfer-leader'; to: NodeId }): string | null {
    if (this.role !== 'leader') return 'not the leader';
    if (action.kind === 'transfer-leader') return this.transferLeadership(action.to);
    const config = this.config();
    if (this.options.bugs.unsafeMembership) {
      // The planted bug: no learner phase, no joint consensus, no waiting for the change in flight:
      // the change goes straight into the newest voter set, even while another is uncommitted.
      const direct = action.kind === 'add-member' ? directChange(config, action.node, null) : directChange(config, null, action.node);
      if (sameConfig(direct, config)) return 'no change';
      this.appendConfig(direct, `${action.kind} ${action.node} (direct)`);
      return null;
    }
    const busy = this.adminChangeBusy(action);
    if (busy !== null) {
      // One change at a time: this one waits for the one in flight (bounded queue).
      if (this.adminQueue.length >= ADMIN_QUEUE_MAX) return `${busy}, and ${ADMIN_QUEUE_MAX} changes already wait`;
      this.adminQueue.push(action);
      this.event('raft.admin-queued', { action: action.kind, node: action.node, waiting: this.adminQueue.length, why: busy });
      return null;
    }
    const next = action.kind === 'add-member' ? addLearner(config, action.node) : removeMember(config, action.node);
    if (next === null) return action.kind === 'add-member' ? 'already a member' : 'not a removable member';
    this.appendConfig(next, `${action.kind} ${action.node}`);
    return null;
  }

  // ------------------------------------------------------------------ outputs

  hasReady(): boolean {
    return (
      this.msgs.length > 0 ||
      this.readStates.length > 0 ||
      this.readsDropped.length > 0 ||
      this.events.length > 0 ||
      this.snapshotToPersist !== null ||
      this.log.writtenIndex < this.log.lastIndex() ||
      this.term !== this.persisted.term ||
      this.vote !== this.persisted.vote ||
      this.log.applied < Math.min(this.log.committed, this.log.stableIndex)
    );
  }

  ready(): Ready {
    const snapshot = this.snapshotToPersist;
    const entries = this.log.takeUnwritten();
    const changed = this.term !== this.persisted.term || this.vote !== this.persisted.vote;
    let hardState: HardState | null = null;
    if (changed || entries.length > 0 || snapshot !== null) {
      hardState = this.hardState();
      this.persisted = hardState;
    }
    const ready: Ready = {
      hardState,
      entries,
      snapshot,
      messages: this.msgs,
      committed: this.log.nextToApply(APPLY_BATCH_MAX),
      readStates: this.readStates,
      readsDropped: this.readsDropped,
      events: this.events,
    };
    this.snapshotToPersist = null;
    this.msgs = [];
    this.readStates = [];
    this.readsDropped = [];
    this.events = [];
    return ready;
  }

  // ------------------------------------------------------------------ role transitions

  private reset(term: number): void {
    if (term !== this.term) {
      if (!(term > this.term)) fail(`term moves back: ${this.term} -> ${term}`);
      this.term = term;
      this.vote = null;
    }
    this.lead = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetElectionTimeout();
    this.transferee = null;
    this.transferElapsed = 0;
    this.votes = new Map();
    this.progress = new Map();
    this.adminQueue = [];
    this.dropReads();
  }

  private becomeFollower(term: number, lead: NodeId | null): void {
    const wasLeader = this.role === 'leader';
    this.reset(term);
    this.step = this.stepFollower;
    this.tickFn = this.tickElection;
    this.lead = lead;
    this.role = 'follower';
    if (wasLeader) this.event('raft.step-down', { term: this.term });
  }

  private becomePreCandidate(): void {
    assert(this.role !== 'leader', 'a leader does not pre-campaign');
    // Term and vote are unchanged: a pre-election that fails leaves no trace on the cluster.
    this.step = this.stepCandidate;
    this.tickFn = this.tickElection;
    this.votes = new Map();
    this.lead = null;
    this.role = 'pre-candidate';
  }

  private becomeCandidate(): void {
    assert(this.role !== 'leader', 'a leader does not campaign');
    this.reset(this.term + 1);
    this.step = this.stepCandidate;
    this.tickFn = this.tickElection;
    this.vote = this.id;
    this.role = 'candidate';
  }

  private becomeLeader(): void {
    if (!(this.role === 'candidate')) fail(`becomeLeader from ${this.role}`);
    this.reset(this.term);
    this.step = this.stepLeader;
    this.tickFn = this.tickHeartbeat;
    this.lead = this.id;
    this.role = 'leader';
    this.syncProgress();
    const self = this.progress.get(this.id);
    if (self !== undefined) {
      self.maybeUpdate(this.log.stableIndex);
      self.becomeReplicate();
      self.recentActive = true;
    }
    // Announce the new term at once with an empty append at our last index: it tells followers who
    // leads and finds each one's match in one round trip (a follower that lacks entries answers
    // with a hint). The entry of this term follows as soon as a follower answers.
    for (const id of allMembers(this.config())) {
      if (id !== this.id) this.sendAppend(id, true);
    }
    // Every term starts with an entry of its own: committing it commits everything before it
    // (paper 5.4.2) and lets reads be served (thesis 6.4). The very first leader writes the
    // bootstrap configuration instead, so that nodes added later learn it from the log.
    if (this.log.lastIndex() === 0) this.appendEntries([{ kind: 'config', config: this.log.snapshotConfig }]);
    else this.appendEntries([{ kind: 'noop' }]);
    this.event('raft.leader', { term: this.term, lastIndex: this.log.lastIndex() });
  }

  private resetElectionTimeout(): void {
    this.electionTimeout = this.options.randomTicks(this.options.electionTicksMin, this.options.electionTicksMax);
    assert(this.electionTimeout >= this.options.electionTicksMin && this.electionTimeout <= this.options.electionTicksMax, 'election timeout out of range');
  }

  // ------------------------------------------------------------------ ticks

  private tickElection(): void {
    this.electionElapsed++;
    if (this.electionElapsed < this.electionTimeout) return;
    this.electionElapsed = 0;
    this.resetElectionTimeout();
    if (this.promotable()) {
      this.campaign(this.options.preVote ? 'pre' : 'election');
    } else {
      // A learner or a removed node never campaigns; it forgets a leader it no longer hears from.
      this.lead = null;
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.transferee !== null) {
      this.transferElapsed++;
      if (this.transferElapsed >= this.options.electionTicksMin) {
        this.event('raft.transfer-abort', { to: this.transferee });
        this.transferee = null;
        this.transferElapsed = 0;
      }
    }
    if (this.electionElapsed >= this.options.electionTicksMin) {
      this.electionElapsed = 0;
      if (this.options.checkQuorum) {
        if (!this.quorumActive()) {
          this.event('raft.check-quorum-lost', { term: this.term });
          this.becomeFollower(this.term, null);
          return;
        }
        for (const [id, pr] of this.progress) pr.recentActive = id === this.id;
      }
    }
    if (this.heartbeatElapsed >= this.options.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat();
    }
  }

  /** Whether a quorum (counting ourselves) answered within the last `ticks` ticks. */
  private quorumHeardWithin(ticks: number): boolean {
    this.heardWithinTicks = ticks;
    return isQuorum(this.config(), this.heardRecently);
  }

  private quorumActive(): boolean {
    return isQuorum(this.config(), this.isRecentlyActive);
  }

  // The quorum helpers' callbacks, made once per core: a closure per call would be garbage on every
  // acknowledgement.
  private heardWithinTicks = 0;
  private readonly heardRecently = (id: NodeId): boolean => {
    if (id === this.id) return true;
    const pr = this.progress.get(id);
    return pr !== undefined && pr.lastHeardTick > 0 && this.tickCount - pr.lastHeardTick <= this.heardWithinTicks;
  };
  private readonly isRecentlyActive = (id: NodeId): boolean => id === this.id || this.progress.get(id)?.recentActive === true;
  private readonly matchOf = (id: NodeId): number => this.progress.get(id)?.match ?? 0;
  private readonly ackedCtxOf = (id: NodeId): number => (id === this.id ? this.ctx : (this.progress.get(id)?.ackedCtx ?? 0));

  // ------------------------------------------------------------------ elections

  private campaign(kind: 'pre' | 'election' | 'transfer'): void {
    if (!this.promotable()) return;
    let term: number;
    if (kind === 'pre') {
      this.becomePreCandidate();
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      term = this.term;
    }
    this.event('raft.campaign', { kind, term });
    this.votes.set(this.id, true);
    if (this.tallyVotes(kind === 'pre')) return;
    const config = this.config();
    for (const id of allMembers(config)) {
      if (id === this.id || !isVoter(config, id)) continue;
      if (kind === 'pre') {
        const m: PreVoteRequest = { type: 'raft.prevote', term, lastIndex: this.log.lastIndex(), lastTerm: this.log.lastTerm() };
        this.send(id, m, false);
      } else {
        const m: VoteRequest = { type: 'raft.vote', term, lastIndex: this.log.lastIndex(), lastTerm: this.log.lastTerm(), transfer: kind === 'transfer' };
        // Our own vote and the new term must be durable before we ask for votes.
        this.send(id, m, true);
      }
    }
  }

  /** Counts votes; returns true when the election ended (won or lost). */
  private tallyVotes(pre: boolean): boolean {
    const result = jointVote(this.config(), this.votes);
    if (result === 'won') {
      if (pre) this.campaign('election');
      else {
        this.becomeLeader();
        this.bcastAppend();
      }
      return true;
    }
    if (result === 'lost') {
      this.becomeFollower(this.term, null);
      return true;
    }
    return false;
  }

  private handleVoteRequest(from: NodeId, m: PreVoteRequest | VoteRequest): void {
    const pre = m.type === 'raft.prevote';
    const canVote = this.vote === from || (this.vote === null && this.lead === null) || (pre && m.term > this.term);
    // Only a voter of our newest configuration gets a vote: a removed node, or a node that was
    // just started to join and knows nothing yet, cannot disrupt or win (thesis 4.2.3).
    const member = isVoter(this.config(), from);
    const granted = canVote && member && this.log.isUpToDate(m.lastIndex, m.lastTerm);
    if (pre) {
      this.send(from, { type: 'raft.prevote.resp', term: granted ? m.term : this.term, reject: !granted }, false);
      return;
    }
    if (granted) {
      this.electionElapsed = 0;
      this.vote = from;
    }
    // The vote (and term) must be durable before the answer leaves.
    this.send(from, { type: 'raft.vote.resp', term: this.term, reject: !granted }, true);
  }

  // ------------------------------------------------------------------ step functions

  private stepFollower = (from: NodeId, m: RaftMessage): void => {
    switch (m.type) {
      case 'raft.append':
        this.electionElapsed = 0;
        this.lead = from;
        this.handleAppend(from, m);
        return;
      case 'raft.heartbeat':
        this.electionElapsed = 0;
        this.lead = from;
        this.handleHeartbeat(from, m);
        return;
      case 'raft.snapshot':
        this.electionElapsed = 0;
        this.lead = from;
        this.handleSnapshot(from, m);
        return;
      case 'raft.timeout-now':
        if (this.promotable()) {
          this.event('raft.timeout-now', { from });
          this.campaign('transfer');
        }
        return;
      default:
        return;
    }
  };

  private stepCandidate = (from: NodeId, m: RaftMessage): void => {
    switch (m.type) {
      case 'raft.append':
      case 'raft.heartbeat':
      case 'raft.snapshot':
        // A leader of our term exists: follow it.
        this.becomeFollower(m.term, from);
        this.stepFollower(from, m);
        return;
      case 'raft.prevote.resp':
        // A duplicated answer is counted once: the first one from each voter stands.
        if (this.role !== 'pre-candidate' || this.votes.has(from)) return;
        this.votes.set(from, !m.reject);
        this.tallyVotes(true);
        return;
      case 'raft.vote.resp':
        if (this.role !== 'candidate' || this.votes.has(from)) return;
        this.votes.set(from, !m.reject);
        this.tallyVotes(false);
        return;
      default:
        return;
    }
  };

  private stepLeader = (from: NodeId, m: RaftMessage): void => {
    switch (m.type) {
      case 'raft.append':
      case 'raft.heartbeat':
      case 'raft.snapshot':
        fail(`${this.id} is leader of term ${this.term} and got ${m.type} from ${from}, another leader of the same term`);
        return;
      case 'raft.append.resp':
        this.handleAppendResponse(from, m);
        return;
      case 'raft.heartbeat.resp':
        this.handleHeartbeatResponse(from, m);
        return;
      case 'raft.snapshot.resp':
        this.handleSnapshotResponse(from, m);
        return;
      default:
        return;
    }
  };

  // ------------------------------------------------------------------ follower handlers

  private handleAppend(from: NodeId, m: AppendRequest): void {
    if (m.prevIndex < this.log.committed) {
      // Everything up to our commit index matches the leader already.
      this.send(from, { type: 'raft.append.resp', term: this.term, index: this.log.committed, reject: false, hintIndex: 0, hintTerm: 0, ctx: m.ctx }, true);
      return;
    }
    const lastNew = this.log.maybeAppend(m.prevIndex, m.prevTerm, m.entries);
    if (lastNew !== null) {
      this.log.commitTo(Math.min(m.commit, lastNew));
      this.send(from, { type: 'raft.append.resp', term: this.term, index: lastNew, reject: false, hintIndex: 0, hintTerm: 0, ctx: m.ctx }, true);
      return;
    }
    // Tell the leader where our logs can possibly agree, so it skips a whole term per round trip.
    const hintIndex = this.log.findConflictByTerm(Math.min(m.prevIndex, this.log.lastIndex()), m.prevTerm);
    const hintTerm = Math.max(0, this.log.term(hintIndex));
    this.send(from, { type: 'raft.append.resp', term: this.term, index: m.prevIndex, reject: true, hintIndex, hintTerm, ctx: m.ctx }, true);
  }

  private handleHeartbeat(from: NodeId, m: HeartbeatRequest): void {
    if (!(m.commit <= this.log.lastIndex() || m.commit <= this.log.committed)) fail(`heartbeat commit ${m.commit} beyond our last index ${this.log.lastIndex()}`);
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    const response: HeartbeatResponse = { type: 'raft.heartbeat.resp', term: this.term, ctx: m.ctx };
    this.send(from, response, false);
  }

  private handleSnapshot(from: NodeId, m: SnapshotChunk): void {
    const reply = (index: number, offset: number, durable: boolean): void => {
      const response: SnapshotResponse = { type: 'raft.snapshot.resp', term: this.term, index, offset, snapshotIndex: m.meta.index };
      this.send(from, response, durable);
    };
    if (m.meta.index <= this.log.committed) {
      // We have it all already (committed entries are the same everywhere).
      this.incoming = null;
      reply(this.log.committed, 0, true);
      return;
    }
    if (m.total > this.options.snapshotCharsMax) {
      this.event('raft.snapshot-refused', { index: m.meta.index, total: m.total });
      return;
    }
    let incoming = this.incoming;
    if (incoming === null || incoming.meta.index !== m.meta.index || incoming.meta.term !== m.meta.term || incoming.total !== m.total || incoming.crc !== m.crc) {
      if (m.offset !== 0) {
        reply(0, 0, false);
        return;
      }
      incoming = { meta: m.meta, total: m.total, crc: m.crc, parts: [], received: 0 };
      this.incoming = incoming;
    }
    if (m.offset === incoming.received && m.chunk.length > 0) {
      incoming.parts.push(m.chunk);
      incoming.received += m.chunk.length;
      assert(incoming.received <= incoming.total, 'snapshot chunks overflow the announced size');
    }
    if (incoming.received < incoming.total) {
      reply(0, incoming.received, false);
      return;
    }
    const data = incoming.parts.join('');
    this.incoming = null;
    if (crc32String(data) !== incoming.crc) {
      this.event('raft.snapshot-corrupt', { index: incoming.meta.index });
      reply(0, 0, false);
      return;
    }
    this.restore({ meta: incoming.meta, data });
    reply(this.log.committed, 0, true);
  }

  private restore(snapshot: Snapshot): void {
    const { meta } = snapshot;
    if (this.log.matchTerm(meta.index, meta.term)) {
      // Our log already has the snapshot's last entry: just fast-forward the commit index.
      this.log.commitTo(meta.index);
      return;
    }
    this.log.restore(meta);
    this.snapshot = snapshot;
    this.snapshotToPersist = snapshot;
    this.event('raft.snapshot-installed', { index: meta.index, term: meta.term });
  }

  // ------------------------------------------------------------------ leader handlers

  private handleAppendResponse(from: NodeId, m: AppendResponse): void {
    const pr = this.progress.get(from);
    if (pr === undefined) return;
    pr.recentActive = true;
    pr.lastHeardTick = this.tickCount;
    // Any answer in our term to a message sent after a read was registered confirms leadership.
    if (m.ctx > pr.ackedCtx) {
      pr.ackedCtx = m.ctx;
      this.advanceReads();
      if (this.role !== 'leader') return;
    }
    const sent = this.sendsToFollower;
    if (m.reject) {
      let probe = m.hintIndex;
      if (m.hintTerm > 0) probe = this.log.findConflictByTerm(m.hintIndex, m.hintTerm);
      if (pr.maybeDecrTo(m.index, probe)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(from, true);
      }
      return;
    }
    if (!(m.index <= this.log.lastIndex())) fail(`follower ${from} acknowledged ${m.index} beyond our last index ${this.log.lastIndex()}`);
    const updated = pr.maybeUpdate(m.index);
    // An accepted probe at our current match also found the match: replicate from there.
    if (updated || (pr.state === 'probe' && m.index === pr.match)) {
      pr.lastProgressTick = this.tickCount;
      if (pr.state === 'probe') pr.becomeReplicate();
      else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) pr.becomeProbe();
      else if (pr.state === 'replicate') pr.freeTo(m.index);
      if (this.maybeCommit()) this.afterCommit();
      if (this.role !== 'leader') return;
      if (from === this.transferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(from);
      // Only a response that moved this follower forward may send, and then it refills the pipeline
      // up to the in-flight window (catch-up stays pipelined). A duplicated or stale response
      // never gets here, so the network duplicating messages cannot multiply traffic.
      let sendsMax = this.options.inflightMax;
      while (sendsMax-- > 0 && this.sendAppend(from, false)) {
        // Fill the window.
      }
    }
    // A response that changed nothing (a duplicate, or older than what we know) sends nothing, except
    // the heartbeat that carries a read round this follower has not seen, once per round.
    if (this.role === 'leader' && pr.ackedCtx < this.readRoundInFlight && this.sendsToFollower === sent && pr.heartbeatSentCtx < this.readRoundInFlight) {
      this.sendHeartbeat(from);
    }
    if (updated) this.maybePromoteLearner(from);
  }

  private handleHeartbeatResponse(from: NodeId, m: HeartbeatResponse): void {
    const pr = this.progress.get(from);
    if (pr === undefined) return;
    pr.recentActive = true;
    pr.lastHeardTick = this.tickCount;
    if (m.ctx > pr.ackedCtx) {
      pr.ackedCtx = m.ctx;
      this.advanceReads();
      if (this.role !== 'leader') return;
    }
    // Only the first response of a heartbeat round may trigger sends: duplicates and older rounds
    // tell us nothing new (etcd unpauses a probe once per heartbeat; so do we).
    if (!(m.ctx > pr.heartbeatRespCtx)) return;
    pr.heartbeatRespCtx = m.ctx;
    pr.probeSent = false;
    if (pr.state === 'replicate' && pr.inflightCount() > 0 && this.tickCount - pr.lastProgressTick >= 2 * this.options.heartbeatTicks) {
      // Appends in flight for two heartbeat intervals without an answer were lost: probe again.
      pr.becomeProbe();
    }
    if (pr.state === 'snapshot') this.sendSnapshotChunk(from, pr);
    else if (pr.match < this.log.lastIndex()) this.sendAppend(from, true);
  }

  private handleSnapshotResponse(from: NodeId, m: SnapshotResponse): void {
    const pr = this.progress.get(from);
    if (pr === undefined) return;
    pr.recentActive = true;
    pr.lastHeardTick = this.tickCount;
    if (pr.state !== 'snapshot') {
      if (m.index > 0) pr.maybeUpdate(m.index);
      return;
    }
    if (m.index >= pr.pendingSnapshot && m.index > 0) {
      pr.maybeUpdate(m.index);
      pr.becomeProbe();
      this.event('raft.snapshot-sent', { to: from, index: m.index });
      this.sendAppend(from, true);
      return;
    }
    if (m.snapshotIndex === pr.pendingSnapshot) {
      pr.snapshotOffset = m.offset;
      this.sendSnapshotChunk(from, pr);
    }
  }

  // ------------------------------------------------------------------ replication

  private appendEntries(datas: readonly EntryData[]): number {
    assert(this.role === 'leader', 'only a leader appends new entries');
    const first = this.log.lastIndex() + 1;
    const entries: Entry[] = datas.map((data, k) => ({ index: first + k, term: this.term, data }));
    this.log.append(entries);
    // The leader counts itself only once its entries are durable (stableTo).
    return this.log.lastIndex();
  }

  private bcastAppend(): void {
    for (const id of allMembers(this.config())) {
      if (id !== this.id) this.sendAppend(id, true);
    }
  }

  /** Sends the next append to `to` if flow control allows; returns whether one was sent. */
  private sendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.progress.get(to);
    if (pr === undefined || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === -1) {
      // The entries this follower needs were compacted away: it gets the snapshot.
      this.startSnapshot(to, pr);
      return false;
    }
    const last = this.log.lastIndex();
    const entries = pr.next <= last ? this.log.slice(pr.next, last, this.options.entriesPerAppendMax) : [];
    if (entries.length === 0 && !sendIfEmpty) return false;
    const m: AppendRequest = { type: 'raft.append', term: this.term, prevIndex, prevTerm, entries, commit: this.log.committed, ctx: this.ctx };
    this.send(to, m, false);
    if (entries.length > 0 && pr.state === 'replicate') pr.sentEntries(entries[entries.length - 1]!.index);
    else if (pr.state === 'probe') pr.probeSent = true;
    return true;
  }

  private startSnapshot(to: NodeId, pr: Progress): void {
    const snapshot = this.snapshot;
    if (!(snapshot !== null)) fail(`the log is compacted to ${this.log.snapshotIndex} but there is no snapshot to send`);
    pr.becomeSnapshot(snapshot.meta.index);
    this.event('raft.snapshot-start', { to, index: snapshot.meta.index });
    this.sendSnapshotChunk(to, pr);
  }

  private sendSnapshotChunk(to: NodeId, pr: Progress): void {
    const snapshot = this.snapshot;
    if (snapshot === null) return;
    if (snapshot.meta.index !== pr.pendingSnapshot) {
      // We compacted again meanwhile: send the newer snapshot from its start.
      pr.becomeSnapshot(snapshot.meta.index);
    }
    const data = snapshot.data;
    const offset = Math.min(pr.snapshotOffset, data.length);
    const chunk = data.slice(offset, offset + this.options.snapshotChunkChars);
    const m: SnapshotChunk = { type: 'raft.snapshot', term: this.term, meta: snapshot.meta, offset, chunk, total: data.length, crc: crc32String(data) };
    this.send(to, m, false);
  }

  /** The periodic heartbeat: to every member, opening a new ReadIndex round. */
  private bcastHeartbeat(): void {
    this.openReadRound();
    for (const id of allMembers(this.config())) {
      if (id !== this.id) this.sendHeartbeat(id);
    }
    this.advanceReads();
  }

  /**
   * A ReadIndex round for reads waiting for one. Followers with an append in flight get the round
   * with the append sent when that one is acknowledged (reads ride on replication); the others get
   * a heartbeat now.
   */
  private startReadRound(): void {
    this.openReadRound();
    for (const id of allMembers(this.config())) {
      if (id === this.id) continue;
      const pr = this.progress.get(id);
      if (pr !== undefined && pr.state === 'replicate' && pr.inflightCount() > 0) continue;
      this.sendHeartbeat(id);
    }
    this.advanceReads();
  }

  private openReadRound(): void {
    this.ctx++;
    this.ctxSentTick.set(this.ctx, this.tickCount);
    if (this.ctxSentTick.size > CTX_TICKS_MAX) this.ctxSentTick.delete(this.ctxSentTick.keys().next().value!);
    let assigned = false;
    for (const read of this.reads) {
      if (read.ctx === 0 && read.index >= 0) {
        read.ctx = this.ctx;
        assigned = true;
      }
    }
    if (assigned) this.readRoundInFlight = this.ctx;
  }

  private sendHeartbeat(to: NodeId): void {
    const pr = this.progress.get(to);
    const commit = Math.min(pr?.match ?? 0, this.log.committed);
    if (pr !== undefined && this.ctx > pr.heartbeatSentCtx) pr.heartbeatSentCtx = this.ctx;
    this.send(to, { type: 'raft.heartbeat', term: this.term, commit, ctx: this.ctx }, false);
  }

  private sendTimeoutNow(to: NodeId): void {
    this.event('raft.timeout-now-sent', { to });
    this.send(to, { type: 'raft.timeout-now', term: this.term }, false);
  }

  /** Advances the commit index by the quorum rule; true when it moved. */
  private maybeCommit(): boolean {
    const index = committedIndex(this.config(), this.matchOf);
    if (index <= this.log.committed) return false;
    // Only an entry of the current term is committed by counting replicas (paper 5.4.2, Figure 8);
    // earlier entries are committed with it. The planted bug counts replicas for any entry.
    if (this.log.term(index) !== this.term && !this.options.bugs.figure8Commit) return false;
    this.log.commitTo(index);
    return true;
  }

  /** What a leader does after its commit index moved: reads, membership steps. */
  private afterCommit(): void {
    const config = this.config();
    const configIndex = this.log.latestConfigIndex();
    if (configIndex <= this.log.committed) {
      if (isJoint(config)) {
        // C_old,new is committed: move on to C_new.
        this.appendConfig(leaveJoint(config), 'leave joint');
      } else if (!isVoter(config, this.id)) {
        // C_new is committed and we are not in it: step down (thesis 4.2.2).
        this.event('raft.removed-step-down', { term: this.term });
        this.becomeFollower(this.term, null);
        return;
      }
    }
    this.releaseWaitingReads();
    for (const learner of this.config().learners) this.maybePromoteLearner(learner);
    this.drainAdminQueue();
  }

  /** Proposes the next waiting membership change once nothing is in flight. */
  private drainAdminQueue(): void {
    while (this.role === 'leader' && this.adminQueue.length > 0) {
      const next = this.adminQueue[0]!;
      if (this.adminChangeBusy(next) !== null) return;
      this.adminQueue.shift();
      const refused = this.admin(next);
      if (refused !== null) this.event('raft.admin-dropped', { action: next.kind, node: next.node, why: refused });
      else return;
    }
  }

  /** Why a configuration change cannot be proposed now, or null when it can. */
  private configChangeBusy(): string | null {
    if (this.log.term(this.log.committed) !== this.term) return 'no entry of this term committed yet';
    if (this.log.latestConfigIndex() > this.log.committed) return 'a configuration change is in flight';
    const config = this.config();
    if (isJoint(config)) return 'joint consensus in progress';
    return null;
  }

  /** Like configChangeBusy, and an added member still catching up as a learner counts as in flight. */
  private adminChangeBusy(action: { kind: 'add-member' | 'remove-member'; node: NodeId }): string | null {
    const busy = this.configChangeBusy();
    if (busy !== null) return busy;
    const learners = this.config().learners;
    if (learners.length === 0) return null;
    // Removing the learner being added is always allowed (it may never catch up).
    if (action.kind === 'remove-member' && learners.includes(action.node)) return null;
    return `${learners.join(',')} is still being added`;
  }

  private appendConfig(config: ConfigState, reason: string): void {
    this.appendEntries([{ kind: 'config', config }]);
    this.event('raft.config', { reason, voters: config.voters.join(','), outgoing: config.outgoing.join(','), learners: config.learners.join(',') });
    this.syncProgress();
    this.bcastAppend();
  }

  /** A learner that caught up is promoted through joint consensus. */
  private maybePromoteLearner(id: NodeId): void {
    if (this.role !== 'leader') return;
    const config = this.config();
    if (!isLearner(config, id)) return;
    const pr = this.progress.get(id);
    if (pr === undefined || pr.match < this.log.committed) return;
    if (this.configChangeBusy() !== null) return;
    this.appendConfig(enterJointPromote(config, id), `promote ${id}`);
  }

  /** Keeps one Progress per member of the newest configuration (leader only). */
  private syncProgress(): void {
    const members = allMembers(this.config());
    const next = this.log.lastIndex() + 1;
    for (const id of members) {
      if (!this.progress.has(id)) this.progress.set(id, new Progress(next, this.options.inflightMax));
    }
    for (const id of [...this.progress.keys()]) {
      if (!members.includes(id) && id !== this.id) this.progress.delete(id);
    }
  }

  private transferLeadership(to: NodeId): string | null {
    if (to === this.id) return 'already the leader';
    if (!isVoter(this.config(), to)) return `${to} is not a voter`;
    const pr = this.progress.get(to);
    if (pr === undefined) return `${to} has no progress`;
    this.transferee = to;
    this.transferElapsed = 0;
    this.event('raft.transfer', { to });
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else this.sendAppend(to, true);
    return null;
  }

  // ------------------------------------------------------------------ reads

  /** Reads that waited for this term's first commit get their read index now. */
  private releaseWaitingReads(): void {
    if (this.log.term(this.log.committed) !== this.term) return;
    let waiting = false;
    for (const read of this.reads) {
      if (read.index < 0) {
        read.index = this.log.committed;
        this.registerRead(read.index);
        waiting = true;
      }
    }
    if (waiting && this.readRoundInFlight === 0) this.startReadRound();
  }

  /** Confirms reads whose round a quorum acknowledged. */
  private advanceReads(): void {
    // Nothing to confirm: skip the quorum arithmetic (the lease, when on, needs it every round).
    if (this.reads.length === 0 && !this.options.leaseReads) return;
    const config = this.config();
    const quorumCtx = committedIndex(config, this.ackedCtxOf);
    if (quorumCtx <= this.confirmedCtx) return;
    this.confirmedCtx = quorumCtx;
    const sent = this.ctxSentTick.get(quorumCtx);
    if (sent !== undefined) this.leaseFromTick = sent;
    for (const key of [...this.ctxSentTick.keys()]) if (key < quorumCtx) this.ctxSentTick.delete(key);
    if (this.reads.length === 0) {
      this.readRoundInFlight = 0;
      return;
    }
    const remaining: PendingRead[] = [];
    for (const read of this.reads) {
      if (read.ctx !== 0 && read.ctx <= quorumCtx) this.readStates.push({ id: read.id, index: read.index });
      else remaining.push(read);
    }
    this.reads = remaining;
    if (this.readRoundInFlight <= quorumCtx) {
      this.readRoundInFlight = 0;
      if (this.reads.some((read) => read.ctx === 0 && read.index >= 0)) this.startReadRound();
    }
  }

  private registerRead(index: number): void {
    this.readsRegistered++;
    this.lastReadIndex = index;
  }

  private leaseValid(): boolean {
    if (!this.options.leaseReads || this.leaseFromTick < 0) return false;
    return this.tickCount < this.leaseFromTick + this.options.electionTicksMin - this.options.leaseMarginTicks;
  }

  private dropReads(): void {
    for (const read of this.reads) this.readsDropped.push(read.id);
    this.reads = [];
    this.readRoundInFlight = 0;
    this.confirmedCtx = 0;
    this.leaseFromTick = -1;
    this.ctxSentTick.clear();
  }

  // ------------------------------------------------------------------ helpers

  private send(to: NodeId, message: RaftMessage, durable: boolean): void {
    assert(to !== this.id, 'a node does not send to itself');
    this.sendsToFollower++;
    this.msgs.push({ to, message, durable });
  }

  private event(kind: string, fields: Record<string, string | number | boolean | null>): void {
    this.events.push({ kind, fields });
  }

  /** Read-only views for the node's inspect() and tests. */
  progressOf(id: NodeId): Progress | undefined {
    return this.progress.get(id);
  }

  pendingReads(): number {
    return this.reads.length;
  }

  transferTarget(): NodeId | null {
    return this.transferee;
  }

  isMemberOfConfig(): boolean {
    return isMember(this.config(), this.id);
  }
}
