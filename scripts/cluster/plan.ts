// The fault plan of a cluster test, drawn from its seed: which fault happens when, to whom, and
// for how long. Pure, so the same seed and options give the same plan (the real cluster's timing
// still varies; the plan is what we meant to do, and the run records what it did).
//
// Each fault kind named in `--faults` happens once, in its own slot of the fault window, in an
// order drawn from the seed; slots never overlap, so every fault has healed before the next
// starts, and everything has healed when the window ends (the liveness phase follows).
import type { NodeId } from '../../nodes/host.js';
import { createRandom } from '../tcp/random.js';

/** The fault window as fractions of the test's duration: before, warm-up; after, the liveness phase. */
export const FAULT_WINDOW_START = 0.15;
export const FAULT_WINDOW_END = 0.75;

/** Fault kinds a live cluster supports. */
export const CLUSTER_FAULT_KINDS = ['kill', 'pause', 'partition', 'latency', 'loss', 'restart-all'] as const;
export type ClusterFaultKind = (typeof CLUSTER_FAULT_KINDS)[number];

/** Other spellings (the simulator's names) accepted in `--faults`. */
export const CLUSTER_FAULT_ALIASES: Readonly<Record<string, ClusterFaultKind>> = {
  crash: 'kill',
  'crash-restart': 'kill',
  'partition-isolate': 'partition',
  'isolate-leader': 'partition',
  delay: 'latency',
  drop: 'loss',
  rolling: 'restart-all',
};

/** Who a node fault hits: the node with that role when the fault starts, or a fixed node. */
export type FaultTarget = { role: 'leader' } | { node: NodeId };

export type PlannedFault =
  | { kind: 'kill' | 'pause' | 'partition'; atMs: number; durationMs: number; target: FaultTarget }
  | { kind: 'latency'; atMs: number; durationMs: number; delayMs: number; jitterMs: number }
  | { kind: 'loss'; atMs: number; durationMs: number; lossPercent: number }
  /** Kill and restart every node in turn; `durationMs` covers all of them. */
  | { kind: 'restart-all'; atMs: number; durationMs: number; order: NodeId[]; downMs: number };

export interface PlanOptions {
  seed: number;
  nodes: readonly NodeId[];
  kinds: readonly ClusterFaultKind[];
  durationMs: number;
  /** The fault window as fractions of the duration; the rest is warm-up and the liveness phase. */
  windowStart?: number;
  windowEnd?: number;
}

/** Parses a `--faults` list; returns the kinds or a usage line naming the bad one. */
export function parseFaultKinds(items: readonly string[]): ClusterFaultKind[] | string {
  const kinds: ClusterFaultKind[] = [];
  for (const item of items) {
    if (item === 'none') continue;
    if (item === 'all') {
      kinds.push(...CLUSTER_FAULT_KINDS);
      continue;
    }
    const kind = (CLUSTER_FAULT_KINDS as readonly string[]).includes(item) ? (item as ClusterFaultKind) : CLUSTER_FAULT_ALIASES[item];
    if (kind === undefined) return `--faults ${item}: unknown fault for a live cluster (expected ${CLUSTER_FAULT_KINDS.join(', ')}, all or none)`;
    kinds.push(kind);
  }
  return [...new Set(kinds)];
}

export function planFaults(options: PlanOptions): PlannedFault[] {
  const { nodes, kinds, durationMs } = options;
  if (nodes.length === 0) throw new Error('planFaults: no nodes');
  if (!(durationMs > 0)) throw new Error('planFaults: duration must be positive');
  const windowStart = options.windowStart ?? FAULT_WINDOW_START;
  const windowEnd = options.windowEnd ?? FAULT_WINDOW_END;
  if (!(windowStart >= 0 && windowEnd <= 1 && windowStart < windowEnd)) throw new Error('planFaults: bad window');
  const random = createRandom(options.seed, 'cluster/faults');
  const order = random.shuffle([...kinds]);
  const windowMs = Math.floor(durationMs * (windowEnd - windowStart));
  const slotMs = order.length === 0 ? 0 : Math.floor(windowMs / order.length);
  const plan: PlannedFault[] = [];
  for (const [slot, kind] of order.entries()) {
    const slotStartMs = Math.floor(durationMs * windowStart) + slot * slotMs;
    // A fault takes 50-70% of its slot and starts within the first 15%; the rest is quiet time
    // for the cluster to recover before the next one.
    const atMs = slotStartMs + random.int(Math.max(1, Math.floor(slotMs * 0.15)));
    const durationMsOf = Math.max(1, Math.floor(slotMs * (0.5 + random.int(21) / 100)));
    const target: FaultTarget = random.chance(2, 3) ? { role: 'leader' } : { node: random.pick(nodes) };
    switch (kind) {
      case 'kill':
      case 'pause':
      case 'partition':
        plan.push({ kind, atMs, durationMs: durationMsOf, target });
        break;
      case 'latency':
        plan.push({ kind, atMs, durationMs: durationMsOf, delayMs: random.range(20, 100), jitterMs: random.range(0, 50) });
        break;
      case 'loss':
        plan.push({ kind, atMs, durationMs: durationMsOf, lossPercent: random.range(5, 30) });
        break;
      case 'restart-all': {
        const shuffled = random.shuffle([...nodes]);
        plan.push({ kind, atMs, durationMs: durationMsOf, order: shuffled, downMs: Math.max(1, Math.floor(durationMsOf / nodes.length / 4)) });
        break;
      }
    }
  }
  for (let i = 1; i < plan.length; i += 1) {
    if (plan[i]!.atMs < plan[i - 1]!.atMs + plan[i - 1]!.durationMs) throw new Error('planFaults: slots overlap');
  }
  return plan;
}
