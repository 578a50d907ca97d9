// The `quorum-kv` system: the Dynamo-style node of nodes/quorum-kv/ with workloads that choose the
// consistency of their requests, and the checkers that judge each choice by what it claims:
// linearizability for the CP (ABD) mode only; for the AP modes no acknowledged write or sibling
// lost, convergence after the heal, and staleness measured rather than judged.
import { NS_PER_MS } from '../../nodes/host.js';
import { createQuorumKvNode, quorumKvBugs, QUORUM_KV_PARAMS, type KvReply as NodeKvReply, type KvRequest as NodeKvRequest } from '../../nodes/quorum-kv/index.js';
import type { KvReply, KvRequest } from '../kv-protocol.js';
import type { History } from '../../histories/schema.js';
import type { CheckerResult } from '../../checkers/verdict.js';
import { checkLiveness, type LivenessOptions } from '../../checkers/liveness.js';
import { checkSet } from '../../checkers/set.js';
import { checkSiblings } from '../../checkers/siblings.js';
import { checkCounter } from '../../checkers/counter-bounds.js';
import { checkTtl } from '../../checkers/ttl.js';
import { TTL_MS, ttlClient } from './ttl-client.js';
import { measureStaleness } from '../../checkers/staleness.js';
import { checkSessions } from '../../checkers/session.js';
import type { CheckContext, SystemPlugin, Workload, WorkloadParams } from '../system.js';
import { checkLinKv, LIN_KV_SHRINK, linKvClient, linKvOptions, linKvOptionsSchema, mixOf, type LinKvMix } from '../lin-kv.js';
import { setClient } from '../set.js';
import { AP_ONE_LWW, AP_QUORUM_LWW, AP_READ_ALL, AP_SLOPPY, CP_PARTIAL, CP_QUORUM, CP_SERIAL } from './options.js';
import { stamped } from './client-host.js';
import { SETTLE_NS, siblingsClient } from './siblings-client.js';
import { convergenceMonitor } from './monitor.js';
import { quorumKvTargets } from './targets.js';

// The clients speak workloads/kv-protocol.ts; the node declares the same shapes (a node may import
// only nodes/host.ts) plus its optional additions. Every request its clients send (the KV ops; the
// transactions of other systems' workloads are not among them) is one the node reads.
const requestsFit: NodeKvRequest = {} as Omit<KvRequest, 'op'> & { op: Omit<KvRequest['op'], 'f' | 'value'> & { f: 'read' | 'write' | 'cas'; value: null | number | [number, number] } };
const repliesFit: KvReply = {} as NodeKvReply;
void requestsFit;
void repliesFit;


/**
 * Reads and writes only, for the ABD workloads: half and half, or the scenario's read share with
 * writes taking the rest. (`lin-kv-cas` adds compare-and-set through Paxos.)
 */
function readWrite(params: WorkloadParams): LinKvMix {
  const readPercent = linKvOptions(params).readPercent ?? 50;
  return { readPercent, writePercent: 100 - readPercent };
}

/**
 * Liveness (for the plugin contract of issue 11: a plugin-owned bound): after the last heal, an op
 * must complete `ok` within this long. The worst ordinary case: a client's attempt sits at a node
 * that was cut off until its timeout (1 s by default), the coordinator waits out its own op timeout
 * (500 ms), and peers take `suspectAfterMs` (300 ms) to be believed up again; twice that, rounded up.
 */
export const LIVENESS_BOUND_MS = 4_000;

export function livenessBoundNs(): number {
  return LIVENESS_BOUND_MS * NS_PER_MS;
}

function liveness(history: History, context: CheckContext): CheckerResult {
  const options: LivenessOptions = { healedAtNs: context.healedAtNs, endNs: context.endNs, boundNs: livenessBoundNs(), answeredFails: [] };
  if (context.quietWindows !== undefined) options.quietWindows = context.quietWindows;
  return checkLiveness(history, options);
}

export const linKvWorkload: Workload = {
  name: 'lin-kv',
  description: 'CP mode (ABD on strict majorities, R = W = quorum): reads and writes on a few keys through any node; linearizable per key; progress after the last heal',
  options: linKvOptionsSchema,
  shrink: LIN_KV_SHRINK,
  client: (params, index) => stamped(linKvClient(params, index, readWrite(params)), { read: CP_QUORUM, write: CP_QUORUM }),
  check: (history, context) => [checkLinKv(history), liveness(history, context)],
};

export const linKvCasWorkload: Workload = {
  name: 'lin-kv-cas',
  description:
    'CP mode with compare-and-set: reads by ABD (R = W = quorum), writes and cas through the key\'s Paxos register (prepare/promise, accept, commit, each durable before its reply); linearizable per key; progress after the last heal',
  options: linKvOptionsSchema,
  shrink: LIN_KV_SHRINK,
  client: (params, index) => stamped(linKvClient(params, index, mixOf(params)), { read: CP_QUORUM, write: CP_SERIAL }),
  check: (history, context) => [checkLinKv(history), liveness(history, context)],
};

export const partialQuorumWorkload: Workload = {
  name: 'lin-kv-partial',
  description:
    'negative control, expected to FAIL: the CP code with R = W = 1, so R + W <= N and a read may miss a completed write; judged as linearizable to show the lab catches a claim the configuration cannot keep',
  options: linKvOptionsSchema,
  shrink: LIN_KV_SHRINK,
  client: (params, index) => stamped(linKvClient(params, index, readWrite(params)), { read: CP_PARTIAL, write: CP_PARTIAL }),
  check: (history) => {
    const result = checkLinKv(history);
    return [{ ...result, summary: `negative control, expected to fail (R + W <= N: a read of one replica can miss a write acknowledged by another): ${result.summary}` }];
  },
};

export const setCpWorkload: Workload = {
  name: 'set',
  description: 'CP mode: each client adds unique elements (a write per element key), then reads its set back; nothing acknowledged lost, nothing stale, nothing unadded',
  client: (params, index) => stamped(setClient(params, index), { read: CP_QUORUM, write: CP_QUORUM }),
  check: (history, context) => [checkSet(history), liveness(history, context)],
};

export const setApWorkload: Workload = {
  name: 'set-ap',
  description: 'AP mode: adds with sloppy W = 2 (hinted handoff), final reads with R = all; no acknowledged add lost, nothing unadded (a read of all primaries sees every acknowledged write)',
  client: (params, index) => stamped(setClient(params, index), { read: AP_READ_ALL, write: AP_SLOPPY }),
  check: (history, context) => [checkSet(history), liveness(history, context)],
};

export const siblingsWorkload: Workload = {
  name: 'siblings',
  description:
    'AP mode with siblings: clients read (R = 1) and write (sloppy W = 2) with the causal context of their last read, or blind; after the writes, every key is read with R = all. No sibling lost unless a write that saw it replaced it, none replaced resurrected; every replica converged (white-box)',
  options: linKvOptionsSchema,
  shrink: LIN_KV_SHRINK,
  client: (params, index) => siblingsClient(params, index),
  check: (history, context) => [checkSiblings(history, { convergedByNs: (context.healedAtNs ?? 0) + SETTLE_NS })],
};

export const deletesWorkload: Workload = {
  name: 'deletes',
  description:
    'AP mode with deletes: the siblings workload plus deletes (a tombstone carrying the context of the last read); final reads of one replica through every node first, then of all replicas. Nothing deleted comes back (no resurrection), no sibling lost, and every replica converged on the deletes too',
  options: linKvOptionsSchema,
  shrink: LIN_KV_SHRINK,
  client: (params, index) => siblingsClient(params, index, { deletes: true }),
  check: (history, context) => [checkSiblings(history, { convergedByNs: (context.healedAtNs ?? 0) + SETTLE_NS })],
};

function counterWorkload(kind: 'g' | 'pn'): Workload {
  return {
    name: `${kind}-counter`,
    description: `AP mode, counter buckets (a PN-counter CRDT merged per actor): reads (R = 1) and adds of ${kind === 'g' ? 'deltas 0..5' : 'deltas -5..5'} (sloppy W = 2), then final reads of all replicas through every node; each lies in the sum of the acknowledged deltas plus some subset of the indefinite ones, and they agree`,
    options: linKvOptionsSchema,
    shrink: LIN_KV_SHRINK,
    client: (params, index) => siblingsClient(params, index, { counter: kind }),
    check: (history, context) => [checkCounter(history, { convergedByNs: (context.healedAtNs ?? 0) + SETTLE_NS, grow: kind === 'g' })],
  };
}

/**
 * The clock skew the TTL checker allows per clock: a scenario's default clocks (scripts/lab/
 * scenario.ts `CLOCKS_DEFAULT`) start up to 100 ms off true time and drift up to 100 ppm (2 ms
 * over a 20 s run). The ttl scenario leaves clock faults out; a clock further off is what makes a
 * TTL judged by wall clocks wrong (the lab test of the ttl workload shows it). A scenario with
 * wider `clocks` needs a wider allowance, which this fixed figure does not follow.
 */
export const TTL_SKEW_MS = 105;

export const ttlWorkload: Workload = {
  name: 'ttl',
  description: `CP mode: writes of fresh keys with a ${TTL_MS} ms TTL, and reads of them before and after expiry; every value expires within its TTL of true time plus the allowed clock skew (${TTL_SKEW_MS} ms per clock)`,
  client: (params, index) => ttlClient(params, index),
  check: (history) => [checkTtl(history, { ttlMs: TTL_MS, skewMs: TTL_SKEW_MS })],
};

export const stalenessWorkload: Workload = {
  name: 'staleness',
  description:
    'AP mode, R = W = 1, last writer wins: reads and writes through any node; measures t-visibility (how long after a write was acknowledged a read could still return an older value), not judged as linearizable because the mode does not claim it',
  options: linKvOptionsSchema,
  shrink: LIN_KV_SHRINK,
  client: (params, index) => stamped(linKvClient(params, index, readWrite(params)), { read: AP_ONE_LWW, write: AP_ONE_LWW }),
  check: (history) => [measureStaleness(history)],
};

export const sessionWorkload: Workload = {
  name: 'session',
  description:
    'AP mode, R = W = quorum, last writer wins on hybrid logical clocks, each client carrying a session token (the largest tag it has seen per key): read-your-writes and monotonic writes per client, under clock faults',
  options: linKvOptionsSchema,
  shrink: LIN_KV_SHRINK,
  client: (params, index) => stamped(linKvClient(params, index, readWrite(params)), { read: AP_QUORUM_LWW, write: AP_QUORUM_LWW, session: true }),
  check: (history, context) => [checkSessions(history), liveness(history, context)],
};

export const quorumKvSystem: SystemPlugin = {
  name: 'quorum-kv',
  description: 'Dynamo-style leaderless KV: consistent-hash ring with virtual nodes, per-request R/W/PR/PW, ABD linearizable mode, sloppy quorums with durable hinted handoff, dotted version vectors with siblings, read repair, Merkle anti-entropy',
  node: createQuorumKvNode,
  nodes: { default: 5, min: 1, max: 9 },
  workloads: {
    'lin-kv': linKvWorkload,
    'lin-kv-cas': linKvCasWorkload,
    set: setCpWorkload,
    'set-ap': setApWorkload,
    siblings: siblingsWorkload,
    deletes: deletesWorkload,
    ttl: ttlWorkload,
    'g-counter': counterWorkload('g'),
    'pn-counter': counterWorkload('pn'),
    staleness: stalenessWorkload,
    session: sessionWorkload,
    'lin-kv-partial': partialQuorumWorkload,
  },
  defaultWorkload: 'lin-kv',
  bugs: quorumKvBugs,
  params: QUORUM_KV_PARAMS,
  invariants: convergenceMonitor,
  // A key's N replicas may be the very minority the liveness core keeps down (and a partition kept
  // through the liveness phase stops convergence): progress is judged after a full heal instead.
  livenessCore: false,
  targets: quorumKvTargets,
};
