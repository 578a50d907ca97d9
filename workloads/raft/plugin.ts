// The `raft` system: the Raft node of nodes/raft/ with its KV on top, the lin-kv and set workloads,
// the checks that judge them, its planted bugs and its white-box invariant monitor.
import { NS_PER_MS } from '../../nodes/host.js';
import { createRaftNode, raftBugs, raftNodeFactory, RAFT_NODE_DEFAULTS, RAFT_PARAMS, type KvReply as RaftKvReply, type KvRequest as RaftKvRequest, type RaftNodeOptions } from '../../nodes/raft/index.js';
import type { History } from '../../histories/schema.js';
import type { CheckerResult } from '../../checkers/verdict.js';
import { checkLiveness, type LivenessOptions } from '../../checkers/liveness.js';
import { checkSet } from '../../checkers/set.js';
import type { CheckContext, Knob, SystemPlugin, Workload } from '../system.js';
import { raftFaultKinds, raftTargets } from './faults.js';
import { checkLinKv, LIN_KV_SHRINK, linKvClient, linKvOptionsSchema } from '../lin-kv.js';
import { setClient } from '../set.js';
import { listAppendWorkload } from '../list-append.js';
import { rwRegisterWorkload } from '../rw-register.js';
import { majorityHealthyStretches } from '../fault-windows.js';
import { raftMonitor } from './monitor.js';
import type { KvReply, KvRequest } from '../kv-protocol.js';

/** True when A and B are the same type: the clients and the node must speak one protocol. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const protocolMatches: Same<KvRequest, RaftKvRequest> & Same<KvReply, RaftKvReply> = true;
void protocolMatches;

/**
 * The liveness bound in election timeouts. After a heal the worst ordinary case is: a deposed leader
 * in the old minority steps down only after CheckQuorum's election timeout; PreVote and the vote
 * itself take a round each, up to one maximal timeout apiece; a split vote costs another round (two
 * in a row are rare, more rarer still); and a client whose attempt went to a dead node waits out its
 * attempt timeout before it tries another. Ten maximal election timeouts cover that with room, yet
 * still fail a cluster that keeps disrupting itself.
 */
export const LIVENESS_ELECTION_TIMEOUTS = 10;

/** Liveness: the first `ok` after the last heal within this many maximal election timeouts. */
export function livenessBoundNs(params: Readonly<Record<string, number>>): number {
  const electionTimeoutMsMax = params.electionTimeoutMsMax;
  if (electionTimeoutMsMax === undefined || !(electionTimeoutMsMax > 0)) {
    throw new Error('raft plugin: params.electionTimeoutMsMax must be a positive number');
  }
  return electionTimeoutMsMax * LIVENESS_ELECTION_TIMEOUTS * NS_PER_MS;
}

/**
 * While a majority is untouched by faults, some op must complete `ok` within this many maximal
 * election timeouts (1.5 s) of any op's invoke. Over 1,000 all-fault seeds of the default scenario
 * the correct node's longest such wait was 830 ms (median 188 ms, 99th percentile 586 ms); a leader
 * that cannot hear its followers but keeps its role (no CheckQuorum) stalls the cluster for as long
 * as the fault lasts.
 */
export const STALL_ELECTION_TIMEOUTS = 5;

interface LivenessRules {
  /** The ops whose `fail` is the cluster's own answer (lin-kv: a failed compare). */
  answeredFails: readonly string[];
  /**
   * Whether progress is also demanded while a minority is faulted. Not for the set workload: its
   * reads take one KV read per element, so a long read would look like a stall.
   */
  duringFaults: boolean;
}

function liveness(history: History, context: CheckContext, rules: LivenessRules): CheckerResult {
  const boundNs = livenessBoundNs(context.params);
  const options: LivenessOptions = { healedAtNs: context.healedAtNs, endNs: context.endNs, boundNs, answeredFails: rules.answeredFails };
  if (context.quietWindows !== undefined) options.quietWindows = context.quietWindows;
  if (rules.duringFaults) {
    if (context.faults !== undefined) options.healthy = majorityHealthyStretches(context.faults, context.nodes, context.endNs);
    else if (context.healedAtNs === null) options.healthy = [{ startNs: 0, endNs: context.endNs }];
    options.stallBoundNs = (boundNs / LIVENESS_ELECTION_TIMEOUTS) * STALL_ELECTION_TIMEOUTS;
  }
  return checkLiveness(history, options);
}

export const linKvWorkload: Workload = {
  name: 'lin-kv',
  description: 'read, write and cas on a few keys against any node; linearizable per key (cas-register, keys start absent); progress while a majority is healthy and after the last heal',
  options: linKvOptionsSchema,
  shrink: LIN_KV_SHRINK,
  client: (params, index) => linKvClient(params, index),
  check: (history, context) => [checkLinKv(history), liveness(history, context, { answeredFails: ['cas'], duringFaults: true })],
};

export const setWorkload: Workload = {
  name: 'set',
  description: 'each client adds unique elements (a write per element key), then reads its set back; nothing acknowledged may be lost, nothing unadded may appear, and liveness after the last heal',
  client: (params, index) => setClient(params, index),
  check: (history, context) => [checkSet(history), liveness(history, context, { answeredFails: [], duringFaults: false })],
};

/**
 * A transactional workload judged by its own checker, and for progress after the last heal (not
 * while faults last: a transaction touching several keys may wait on a slow ReadIndex).
 */
function withProgress(workload: Workload): Workload {
  return { ...workload, check: (history, context) => [...workload.check(history, context), liveness(history, context, { answeredFails: [], duringFaults: false })] };
}

/**
 * The settings swarm mode varies (issue 20: code that never runs under test hides bugs). Short
 * appends, small in-flight windows, frequent compaction with little kept, multi-chunk snapshots,
 * a small uncommitted budget and fast heartbeats each reach paths the defaults never do. Timeouts
 * stay fixed (the liveness bounds are in election timeouts), and lease reads stay out: under
 * pauses they trade safety away by design.
 */
export const RAFT_KNOBS: readonly Knob[] = [
  { name: 'entriesPerAppendMax', description: 'entries per append message', default: RAFT_NODE_DEFAULTS.entriesPerAppendMax, min: 1, max: 64 },
  { name: 'inflightMax', description: 'unacknowledged appends per follower', default: RAFT_NODE_DEFAULTS.inflightMax, min: 1, max: 64 },
  { name: 'compactEveryEntries', description: 'applied entries between snapshots', default: RAFT_NODE_DEFAULTS.compactEveryEntries, min: 2, max: 256 },
  { name: 'compactKeepEntries', description: 'applied entries kept in the log after a snapshot', default: RAFT_NODE_DEFAULTS.compactKeepEntries, min: 0, max: 32 },
  { name: 'snapshotChunkChars', description: 'characters per snapshot chunk', default: RAFT_NODE_DEFAULTS.snapshotChunkChars, min: 16, max: 4096 },
  { name: 'uncommittedMax', description: 'uncommitted entries before the leader refuses proposals', default: RAFT_NODE_DEFAULTS.uncommittedMax, min: 8, max: 4096 },
  { name: 'heartbeatTicks', description: 'ticks between heartbeats (election timeouts stay 15-30 ticks)', default: RAFT_NODE_DEFAULTS.heartbeatTicks, min: 1, max: 5 },
];

export const raftSystem: SystemPlugin = {
  name: 'raft',
  description: 'Raft (PreVote, CheckQuorum, snapshots, joint consensus, leader transfer, ReadIndex) with a linearizable KV and client sessions',
  node: createRaftNode,
  knobs: RAFT_KNOBS,
  nodeWithKnobs: (values) => raftNodeFactory(values as Partial<RaftNodeOptions>),
  nodes: { default: 5, min: 3, max: 7 },
  workloads: { 'lin-kv': linKvWorkload, set: setWorkload, 'list-append': withProgress(listAppendWorkload), 'rw-register': withProgress(rwRegisterWorkload) },
  defaultWorkload: 'lin-kv',
  bugs: raftBugs,
  params: RAFT_PARAMS,
  invariants: raftMonitor,
  targets: raftTargets,
  faultKinds: raftFaultKinds,
  // Ready once some node leads: before that every client request is refused or redirected.
  ready: (statuses) => Object.values(statuses).some((status) => status.role === 'leader' && status.down === undefined),
};
