// White-box invariants of Raft, checked across the live cluster on every trace event (the paper's
// Figure 3, plus what our implementation promises on top):
//
//   election-safety       at most one leader per term, over the whole run;
//   leader-append-only    a leader's log only grows during its term;
//   leader-completeness   a new leader's log holds every entry known committed;
//   log-matching          two logs with an entry of the same index and term hold the same command;
//   committed-stable      committed entries are never lost or changed (a global map of them);
//   commit-durable        the durable commit index never moves back, across restarts too;
//   applied-le-commit     applied <= committed <= last index;
//   state-machine-safety  every node applies the same command at the same index (chain hashes);
//   leader-commit-rule    a leader advances its commit index only onto an entry of its own term
//                         (Figure 2); earlier entries are committed with it, never by counting;
//   vote-durable          a granted vote leaves only once that vote is on disk (Figure 2: persist
//                         before responding), checked when the node sends it;
//   read-index-fresh      a read index registered by the newest-term leader is at least every
//                         commit index seen anywhere (so the read sees every acknowledged write);
//   read-answer-applied   a read is answered only once the state machine applied its read index
//                         (registering it fresh is not enough: answering early reads the past);
//   leader-has-quorum     a new leader was granted votes by a majority of its configuration,
//                         members only, its own vote included (read from the votes seen leaving);
//   vote-to-member        a vote goes only to a voter of the voter's own newest configuration
//                         (thesis 4.2.3: a removed node can neither disrupt nor win);
//   no-disruption         a leader that hears from a quorum is never deposed by a candidate whose
//                         log is behind its own (PreVote and CheckQuorum, thesis 9.6);
//   commit-safety         when a leader commits an entry, no node lacking it could win an election
//                         with votes of nodes whose durable logs are no more up-to-date (this is
//                         what the current-term commit rule guarantees; Figure 8 breaks it);
//   config-safety         every quorum of a configuration in flight meets every quorum of the
//                         committed one (what joint consensus and one-change-at-a-time guarantee).
//
// `RaftInvariants` is the logic, over `RaftInspection` views; `raftInvariantMonitor()` wraps it in
// the InvariantMonitor shape of workloads/system.ts (declared structurally: nodes/ may not import it).
import type { CheckerResult, Inspector, NodeId, TraceEvent } from '../host.js';
import { RaftNode, type RaftInspection } from './node.js';

export interface InvariantViolation {
  /** True time (ns) of the event that revealed it. */
  time: number;
  node: NodeId;
  invariant: string;
  message: string;
}

export const RAFT_INVARIANT_NAMES = [
  'election-safety',
  'leader-append-only',
  'leader-completeness',
  'log-matching',
  'committed-stable',
  'commit-durable',
  'applied-le-commit',
  'state-machine-safety',
  'commit-safety',
  'config-safety',
  'leader-commit-rule',
  'vote-durable',
  'read-index-fresh',
  'read-answer-applied',
  'leader-has-quorum',
  'vote-to-member',
  'no-disruption',
] as const;

/** Terms of granted votes kept below the newest (leader-has-quorum). */
const VOTE_TERMS_KEPT = 64;
/** Violations kept (the first ones); later ones are counted only. */
const VIOLATIONS_KEPT = 16;
/** How far back a new leader's log is compared with the committed map. */
const COMPLETENESS_WINDOW = 4096;
/** Committed entries and applied chains are kept for this many indexes below the newest. */
const HISTORY_WINDOW = 200_000;
/** Nodes beyond this in one configuration pair skip the brute-force quorum test. */
const QUORUM_BRUTE_FORCE_NODES_MAX = 16;

interface NodeTrack {
  /** The view's version when last checked: an unchanged node is not checked again. */
  version: number;
  checkedCommit: number;
  maxDurableCommit: number;
  leaderTerm: number;
  leaderLastIndex: number;
  leaderLastTerm: number;
  safetyCheckedCommit: number;
  configCheckKey: string;
  leaderCommit: number;
  readsRegistered: number;
  readsAnswered: number;
  /** What the per-node checks last saw, to skip the ones whose inputs did not change. */
  lastApplied: number;
  lastChain: number;
  lastLastIndex: number;
  lastLastTerm: number;
}

interface ConfigView {
  voters: readonly NodeId[];
  outgoing: readonly NodeId[];
}

export class RaftInvariants {
  readonly violations: InvariantViolation[] = [];
  violationCount = 0;
  checks = 0;
  private leaderOfTerm = new Map<number, NodeId>();
  /** Granted votes seen leaving, by `candidate@term`: who voted. Terms far below the newest are dropped. */
  private votesFor = new Map<string, Set<NodeId>>();
  private votesNewestTerm = 0;
  // `commitTerm`: the lowest term of a node seen holding the entry as committed. Leader completeness
  // binds only leaders of later terms: a deposed leader of an older term (paused, cut off) may still
  // believe it leads while a newer term commits entries it never saw.
  private committed = new Map<number, { term: number; hash: number; commitTerm: number }>();
  private committedMax = 0;
  private committedMin = 1;
  private chains = new Map<number, number>();
  private chainMax = 0;
  private chainMin = 0;
  private entryHashes = new Map<number, { term: number; hash: number }[]>();
  private tracks = new Map<NodeId, NodeTrack>();
  private maxTerm = 0;

  /** Checks what a node's own trace event says it did against its state (see the header). */
  onEvent(time: number, view: RaftInspection, kind: string, fields: Readonly<Record<string, unknown>> | undefined): void {
    if (kind === 'raft.vote-sent') {
      const term = Number(fields?.term);
      const to = String(fields?.to);
      if (!(view.durableTerm > term || (view.durableTerm === term && view.durableVote === to))) {
        this.fail(time, view.id, 'vote-durable', `${view.id} granted its vote in term ${term} to ${to} before that vote was on disk (durable: term ${view.durableTerm}, vote ${view.durableVote ?? 'none'})`);
      }
      // Thesis 4.2.3, as the node means to follow it: a vote goes only to a voter of the voter's own
      // newest configuration, so a removed node can neither disrupt nor win.
      if (!view.voters.includes(to) && !view.outgoing.includes(to)) {
        this.fail(time, view.id, 'vote-to-member', `${view.id} granted its vote in term ${term} to ${to}, not a voter of its configuration ${view.voters.join(',')}${view.outgoing.length > 0 ? ` / ${view.outgoing.join(',')}` : ''}`);
      }
      this.noteVote(to, term, view.id);
    } else if (kind === 'raft.leader') {
      this.checkLeaderQuorum(time, view, Number(fields?.term));
    } else if (kind === 'raft.deposed') {
      if (fields?.transfer !== true && fields?.quorumRecent === true && fields?.candidateBehind === true) {
        this.fail(time, view.id, 'no-disruption', `leader ${view.id} heard from a quorum, yet was deposed by ${String(fields?.by)} (term ${String(fields?.term)}), whose log is behind its own`);
      }
    }
  }

  private noteVote(candidate: NodeId, term: number, voter: NodeId): void {
    if (term > this.votesNewestTerm) {
      this.votesNewestTerm = term;
      // Elections are decided within a few terms: older tallies are no longer needed.
      for (const key of this.votesFor.keys()) if (Number(key.slice(key.lastIndexOf('@') + 1)) < term - VOTE_TERMS_KEPT) this.votesFor.delete(key);
    }
    const key = `${candidate}@${term}`;
    let voters = this.votesFor.get(key);
    if (voters === undefined) this.votesFor.set(key, (voters = new Set()));
    voters.add(voter);
  }

  /**
   * leader-has-quorum: a node that becomes leader of `term` was granted votes, its own included, by
   * a majority of its configuration (of both halves in a joint one), counting only members' votes.
   */
  private checkLeaderQuorum(time: number, view: RaftInspection, term: number): void {
    const granted = new Set(this.votesFor.get(`${view.id}@${term}`) ?? []);
    granted.add(view.id);
    const majorityOf = (members: readonly NodeId[]) => members.length === 0 || members.filter((id) => granted.has(id)).length >= Math.floor(members.length / 2) + 1;
    if (!majorityOf(view.voters) || !majorityOf(view.outgoing)) {
      const votes = [...granted].sort().join(', ');
      this.fail(time, view.id, 'leader-has-quorum', `${view.id} became leader of term ${term} with votes of ${votes} only, not a majority of ${view.voters.join(',')}${view.outgoing.length > 0 ? ` and ${view.outgoing.join(',')}` : ''}`);
    }
  }

  /**
   * Checks node `view` at time `time`. `cluster` lists the views of every live node (the same view
   * objects may be returned each time); it is called only for the cross-node checks.
   */
  observe(time: number, view: RaftInspection, cluster: () => readonly RaftInspection[]): void {
    if (view.down !== null) return;
    const id = view.id;
    let track = this.tracks.get(id);
    if (track === undefined) {
      track = {
        version: -1,
        checkedCommit: 0,
        maxDurableCommit: 0,
        leaderTerm: -1,
        leaderLastIndex: 0,
        leaderLastTerm: 0,
        safetyCheckedCommit: 0,
        configCheckKey: '',
        leaderCommit: 0,
        readsRegistered: 0,
        readsAnswered: 0,
        lastApplied: -1,
        lastChain: -1,
        lastLastIndex: -1,
        lastLastTerm: -1,
      };
      this.tracks.set(id, track);
    }
    const version = view.version;
    if (version === track.version) return;
    track.version = version;
    this.checks++;
    const commit = view.commit;
    const lastIndex = view.lastIndex;

    if (view.applied > commit || commit > lastIndex) {
      this.fail(time, id, 'applied-le-commit', `applied ${view.applied}, commit ${commit}, last index ${lastIndex}: expected applied <= commit <= last index`);
    }

    if (view.term > this.maxTerm) this.maxTerm = view.term;
    if (view.readsRegistered < track.readsRegistered) track.readsRegistered = 0;
    if (view.readsRegistered > track.readsRegistered) {
      track.readsRegistered = view.readsRegistered;
      if (view.role === 'leader' && view.term >= this.maxTerm && view.lastReadIndex < this.committedMax) {
        this.fail(time, id, 'read-index-fresh', `leader ${id} (term ${view.term}) registered a read at index ${view.lastReadIndex}, but index ${this.committedMax} is already committed`);
      }
    }

    if (view.readsAnswered < track.readsAnswered) track.readsAnswered = 0;
    if (view.readsAnswered > track.readsAnswered) {
      track.readsAnswered = view.readsAnswered;
      if (view.lastAnswerApplied < view.lastAnswerIndex) {
        this.fail(time, id, 'read-answer-applied', `${id} answered a read confirmed at index ${view.lastAnswerIndex} with only ${view.lastAnswerApplied} applied`);
      }
    }

    // Right after a restart, what was read back is not known durable until the node's recovery
    // fsync completes: its durable commit says nothing yet (its commit still must not move back).
    const durable = view.recovering ? track.maxDurableCommit : view.durableCommit;
    if (durable < track.maxDurableCommit || commit < track.maxDurableCommit) {
      this.fail(time, id, 'commit-durable', `durable commit ${durable} and commit ${commit} are below ${track.maxDurableCommit}, which was durable before`);
    }
    if (durable > track.maxDurableCommit) track.maxDurableCommit = durable;

    if (commit !== track.checkedCommit) this.checkCommittedPrefix(time, view, track);
    const applied = view.applied;
    const chain = view.appliedChain;
    if (applied !== track.lastApplied || chain !== track.lastChain) {
      track.lastApplied = applied;
      track.lastChain = chain;
      this.checkApplied(time, view);
    }
    const lastTerm = view.lastTerm;
    if (lastIndex !== track.lastLastIndex || lastTerm !== track.lastLastTerm) {
      track.lastLastIndex = lastIndex;
      track.lastLastTerm = lastTerm;
      this.checkLogMatching(time, view);
    }

    if (view.role === 'leader') {
      const term = view.term;
      const holder = this.leaderOfTerm.get(term);
      if (holder === undefined) this.leaderOfTerm.set(term, id);
      else if (holder !== id) this.fail(time, id, 'election-safety', `${id} and ${holder} are both leaders of term ${term}`);
      if (track.leaderTerm !== term) {
        this.checkLeaderCompleteness(time, view);
        track.leaderTerm = term;
        track.safetyCheckedCommit = commit;
        track.leaderCommit = commit;
      } else {
        if (commit > track.leaderCommit && view.termAt(commit) !== term && view.termAt(commit) !== -1) {
          this.fail(time, id, 'leader-commit-rule', `leader ${id} of term ${term} advanced its commit index to ${commit}, an entry of term ${view.termAt(commit)}, by counting replicas`);
        }
        track.leaderCommit = commit;
        const seenTerm = view.termAt(track.leaderLastIndex);
        if (lastIndex < track.leaderLastIndex || (seenTerm !== -1 && seenTerm !== track.leaderLastTerm)) {
          this.fail(time, id, 'leader-append-only', `leader of term ${term}: its log ended at ${track.leaderLastIndex} (term ${track.leaderLastTerm}) and now ends at ${lastIndex} with term ${seenTerm} there`);
        }
      }
      track.leaderLastIndex = lastIndex;
      track.leaderLastTerm = view.lastTerm;
      if (commit > track.safetyCheckedCommit) {
        track.safetyCheckedCommit = commit;
        this.checkCommitSafety(time, view, cluster());
      }
      this.checkConfigSafety(time, view, track);
    } else {
      track.leaderTerm = -1;
    }
  }

  private checkCommittedPrefix(time: number, view: RaftInspection, track: NodeTrack): void {
    const commit = view.commit;
    if (commit < track.checkedCommit) track.checkedCommit = commit;
    const from = Math.max(track.checkedCommit + 1, view.snapshotIndex + 1, commit - COMPLETENESS_WINDOW + 1);
    for (let index = from; index <= commit; index++) {
      const term = view.termAt(index);
      if (term === -1) continue;
      const hash = view.hashAt(index);
      const known = this.committed.get(index);
      if (known === undefined) {
        if (index >= this.committedMin) this.committed.set(index, { term, hash, commitTerm: view.term });
      } else if (known.term !== term || known.hash !== hash) {
        this.fail(time, view.id, 'committed-stable', `index ${index} is committed with term ${known.term} (entry hash ${known.hash}) but ${view.id} committed (term ${term}, ${view.keyAt(index)})`);
      } else if (view.term < known.commitTerm) {
        known.commitTerm = view.term;
      }
    }
    track.checkedCommit = commit;
    if (commit > this.committedMax) {
      this.committedMax = commit;
      while (this.committedMin < this.committedMax - HISTORY_WINDOW) this.committed.delete(this.committedMin++);
    }
  }

  private checkApplied(time: number, view: RaftInspection): void {
    const applied = view.applied;
    if (applied < this.chainMin) return;
    const known = this.chains.get(applied);
    if (known === undefined) {
      this.chains.set(applied, view.appliedChain);
      if (applied > this.chainMax) {
        this.chainMax = applied;
        while (this.chainMin < this.chainMax - HISTORY_WINDOW) this.chains.delete(this.chainMin++);
      }
    } else if (known !== view.appliedChain) {
      this.fail(time, view.id, 'state-machine-safety', `${view.id} applied a different sequence of commands up to index ${applied} than another node (chain ${view.appliedChain} vs ${known})`);
    }
  }

  private checkLogMatching(time: number, view: RaftInspection): void {
    const index = view.lastIndex;
    if (index <= view.snapshotIndex) return;
    const term = view.lastTerm;
    const hash = view.hashAt(index);
    let seen = this.entryHashes.get(index);
    if (seen === undefined) {
      seen = [];
      this.entryHashes.set(index, seen);
      if (this.entryHashes.size > HISTORY_WINDOW) this.entryHashes.delete(this.entryHashes.keys().next().value!);
    }
    for (const entry of seen) {
      if (entry.term !== term) continue;
      if (entry.hash !== hash) this.fail(time, view.id, 'log-matching', `index ${index}, term ${term} holds ${view.keyAt(index)} on ${view.id} but another entry (hash ${entry.hash}) elsewhere`);
      return;
    }
    if (seen.length < 64) seen.push({ term, hash });
  }

  private checkLeaderCompleteness(time: number, view: RaftInspection): void {
    const to = this.committedMax;
    const from = Math.max(view.snapshotIndex + 1, to - COMPLETENESS_WINDOW + 1, this.committedMin);
    for (let index = from; index <= to; index++) {
      const known = this.committed.get(index);
      if (known === undefined || known.commitTerm >= view.term) continue;
      if (index > view.lastIndex) {
        this.fail(time, view.id, 'leader-completeness', `${view.id} leads term ${view.term} with a log ending at ${view.lastIndex}, but index ${index} was committed in term ${known.commitTerm}`);
        return;
      }
      const term = view.termAt(index);
      if (term === -1) continue;
      if (term !== known.term || view.hashAt(index) !== known.hash) {
        this.fail(time, view.id, 'leader-completeness', `${view.id} leads term ${view.term} without the committed entry ${index} (term ${known.term}, entry hash ${known.hash}); it has (term ${term}, ${view.keyAt(index)}) there`);
        return;
      }
    }
  }

  private checkCommitSafety(time: number, leader: RaftInspection, views: readonly RaftInspection[]): void {
    const index = leader.commit;
    const term = leader.termAt(index);
    if (term === -1) return;
    for (const candidate of views) {
      if (candidate.id === leader.id || candidate.down !== null) continue;
      if (candidate.snapshotIndex >= index || candidate.termAt(index) === term) continue;
      const config: ConfigView = { voters: candidate.voters, outgoing: candidate.outgoing };
      if (!isVoterIn(config, candidate.id)) continue;
      const votes = new Set<NodeId>([candidate.id]);
      for (const voter of views) {
        if (voter.id === candidate.id || voter.down !== null) continue;
        if (!isVoterIn(config, voter.id) || !isVoterIn(voter, candidate.id)) continue;
        // Only what is on the voter's disk counts: a crash may take the rest.
        const stable = voter.stableIndex;
        if (stable < voter.snapshotIndex) continue;
        const stableTerm = voter.termAt(stable);
        if (stableTerm === -1) continue;
        const upToDate = candidate.lastTerm > stableTerm || (candidate.lastTerm === stableTerm && candidate.lastIndex >= stable);
        if (upToDate) votes.add(voter.id);
      }
      if (hasQuorum(config, votes)) {
        this.fail(
          time,
          leader.id,
          'commit-safety',
          `${leader.id} (term ${leader.term}) committed index ${index} of term ${term}, yet ${candidate.id}, whose log lacks it (ends at ${candidate.lastIndex}, term ${candidate.lastTerm}), could win votes of ${[...votes].sort().join(',')}`,
        );
        return;
      }
    }
  }

  private checkConfigSafety(time: number, leader: RaftInspection, track: NodeTrack): void {
    const base = Math.max(leader.snapshotIndex, Math.min(leader.lastIndex, Math.max(this.committedMax, leader.commit)));
    const later = leader.configsAfter(base);
    if (later.length === 0) return;
    const key = `${base}:${later.map((c) => c.index).join(',')}`;
    if (key === track.configCheckKey) return;
    track.configCheckKey = key;
    const configs: ConfigView[] = [leader.configAt(base), ...later];
    for (let a = 0; a < configs.length; a++) {
      for (let b = a + 1; b < configs.length; b++) {
        if (!quorumsIntersect(configs[a]!, configs[b]!)) {
          this.fail(
            time,
            leader.id,
            'config-safety',
            `leader ${leader.id} has configurations ${describe(configs[a]!)} and ${describe(configs[b]!)} in flight after the committed index ${base}: they have disjoint quorums`,
          );
          return;
        }
      }
    }
  }

  /** Forgets what was known of one node's own durability (it restarts from an empty disk). */
  forget(id: NodeId): void {
    this.tracks.delete(id);
  }

  private fail(time: number, node: NodeId, invariant: string, message: string): void {
    this.violationCount++;
    if (this.violations.length < VIOLATIONS_KEPT) this.violations.push({ time, node, invariant, message });
  }
}

function isVoterIn(config: ConfigView, id: NodeId): boolean {
  return config.voters.includes(id) || config.outgoing.includes(id);
}

function majorityOf(voters: readonly NodeId[], members: (id: NodeId) => boolean): boolean {
  if (voters.length === 0) return true;
  let count = 0;
  for (const voter of voters) if (members(voter)) count++;
  return count * 2 > voters.length;
}

function hasQuorum(config: ConfigView, members: ReadonlySet<NodeId>): boolean {
  return majorityIn(config.voters, members) && majorityIn(config.outgoing, members);
}

function majorityIn(voters: readonly NodeId[], members: ReadonlySet<NodeId>): boolean {
  if (voters.length === 0) return true;
  let count = 0;
  for (const voter of voters) if (members.has(voter)) count++;
  return count * 2 > voters.length;
}

/** True when every quorum of `a` shares a node with every quorum of `b` (brute force over subsets). */
export function quorumsIntersect(a: ConfigView, b: ConfigView): boolean {
  const universe = [...new Set([...a.voters, ...a.outgoing, ...b.voters, ...b.outgoing])].sort();
  if (universe.length > QUORUM_BRUTE_FORCE_NODES_MAX) return true;
  const n = universe.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    const inS = (id: NodeId) => (mask & (1 << universe.indexOf(id))) !== 0;
    const inT = (id: NodeId) => !inS(id);
    // Quorums are closed upwards, so disjoint quorums exist iff some split S | T has a quorum of a
    // in S and a quorum of b in T.
    if (majorityOf(a.voters, inS) && majorityOf(a.outgoing, inS) && majorityOf(b.voters, inT) && majorityOf(b.outgoing, inT)) return false;
  }
  return true;
}

function describe(config: ConfigView): string {
  return config.outgoing.length === 0 ? `{${config.voters.join(',')}}` : `{${config.voters.join(',')}}&{${config.outgoing.join(',')}}`;
}

// ---------------------------------------------------------------- the monitor (structural InvariantMonitor)

/** What the monitor sees of a trace event. */
export type RaftTraceEvent = TraceEvent;

/** What the monitor needs of the live cluster. */
export type RaftInspector = Pick<Inspector, 'nodes' | 'process'>;

/** The monitor's result: a CheckerResult with its evidence's shape said. */
export interface RaftInvariantResult extends CheckerResult {
  checker: 'invariants';
  verdict: 'valid' | 'invalid';
  summary: string;
  evidence: { violations: InvariantViolation[]; violationCount: number; checks: number; invariants: readonly string[] };
}

/**
 * An InvariantMonitor over the live Raft cluster: on every trace event about a server, its view is
 * checked; the cross-node checks read every live node. It changes nothing.
 */
/**
 * A process that runs a Raft node inside itself (a broker's controller, a scheduler's job store:
 * see embedded.ts) shows it to the monitor through this method, so Raft's invariants hold there too.
 */
export interface HostsRaftNode {
  hostedRaftNode(): RaftNode | null;
}

/** The Raft node of a process: the process itself, or the one it hosts. */
export function raftNodeOf(process: unknown): RaftNode | null {
  if (process instanceof RaftNode) return process;
  if (typeof process === 'object' && process !== null && typeof (process as Partial<HostsRaftNode>).hostedRaftNode === 'function') {
    return (process as HostsRaftNode).hostedRaftNode();
  }
  return null;
}

export function raftInvariantMonitor(): { onTrace(event: RaftTraceEvent, inspector: RaftInspector): void; result(): RaftInvariantResult; checker: RaftInvariants } {
  const checker = new RaftInvariants();
  // The fast path: most events find the node unchanged since it was last checked.
  const seen = new Map<NodeId, { node: RaftNode; version: number }>();
  // The cluster's views, listed only when a cross-node check asks; made once (not per event).
  let current: RaftInspector | null = null;
  const cluster = (): readonly RaftInspection[] => {
    const views: RaftInspection[] = [];
    if (current === null) return views;
    for (const other of current.nodes()) {
      const node = raftNodeOf(current.process(other));
      if (node !== null) views.push(node.inspect());
    }
    return views;
  };
  return {
    checker,
    onTrace(event, inspector) {
      const id = event.node;
      if (id === null) {
        // A node added anew starts with a wiped disk: what it had durable before is gone by design.
        if (event.kind === 'fault.add-node' && typeof event.fields?.node === 'string') checker.forget(event.fields.node);
        return;
      }
      // Only servers are inspected (clients and external senders such as `admin` are not nodes).
      if (!inspector.nodes().includes(id)) return;
      const process = raftNodeOf(inspector.process(id));
      if (process === null) return;
      if (event.kind === 'raft.vote-sent' || event.kind === 'raft.deposed' || event.kind === 'raft.leader') checker.onEvent(event.time, process.inspect(), event.kind, event.fields);
      const last = seen.get(id);
      if (last !== undefined && last.node === process && last.version === process.stateVersion) return;
      if (last === undefined) seen.set(id, { node: process, version: process.stateVersion });
      else {
        last.node = process;
        last.version = process.stateVersion;
      }
      current = inspector;
      checker.observe(event.time, process.inspect(), cluster);
      current = null;
    },
    result() {
      const first = checker.violations[0];
      return {
        checker: 'invariants',
        verdict: first === undefined ? 'valid' : 'invalid',
        summary:
          first === undefined
            ? `raft invariants held over ${checker.checks} checks (${RAFT_INVARIANT_NAMES.length} invariants)`
            : `${first.invariant} violated on ${first.node} at ${(first.time / 1e6).toFixed(3)} ms: ${first.message}${checker.violationCount > 1 ? ` (${checker.violationCount} violations in all)` : ''}`,
        evidence: { violations: [...checker.violations], violationCount: checker.violationCount, checks: checker.checks, invariants: RAFT_INVARIANT_NAMES },
      };
    },
  };
}
