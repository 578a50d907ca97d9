// What the linearizability checker shows a person: for a violation, the part's longest
// linearizable prefix and the ops that cannot be placed after it, each with the model state before
// it; for a valid history, on request, the linearization itself. Plain JSON, so the viewer and the
// HTML report draw it and `check --json` prints it.
import type { PairedOp } from './paired-ops.js';
import type { PartSearch } from './part-search.js';

export interface EvidenceOp {
  /** History index of the invoke. */
  invokeIndex: number;
  /** History index of the completion; null for an op that never completed. */
  completeIndex: number | null;
  process: number;
  f: string;
  key?: string;
  /** What the op carried: the value read for a read, the value written for a write. */
  value: unknown;
  outcome: 'ok' | 'fail' | 'info';
  invokeTime?: number;
  completeTime?: number;
  /** The model state just before this op, as the model renders it. */
  stateBefore?: string;
  /**
   * For a stuck op: `illegal`, it cannot follow the prefix; `unreachable`, it observed something no
   * op left to place could produce (a read of a value nobody can still write before it).
   */
  reason?: 'illegal' | 'unreachable';
}

export interface ViolationEvidence {
  kind: 'not-linearizable';
  model: string;
  /** The key of the part that is not linearizable; null when the history is not split by key. */
  key: string | null;
  /** The longest linearizable prefix of the part, in linearization order. */
  prefix: EvidenceOp[];
  stateAfterPrefix: string;
  /**
   * Why the prefix cannot be extended: the completed ops that could come next in real time, none
   * legal after it, and reads that no op left could make legal.
   */
  stuck: EvidenceOp[];
  /** History indexes to highlight: the stuck ops' invokes and completions (or the window's ops). */
  indexes: number[];
  /** When a window of the history was refuted on its own: the smaller set of ops that cannot be linearized. */
  window?: WindowEvidence;
}

/**
 * A stretch of the history that no linearization explains whatever happened before it: its
 * completed ops cannot be ordered legally from any state the earlier ops could have left, even with
 * every op that may have happened (pending, or overlapping its ends) free to happen or not.
 */
export interface WindowEvidence {
  /** History indexes: ops invoked from `fromIndex`, and completed before `toIndex`, must be placed. */
  fromIndex: number;
  toIndex: number;
  /** The completed ops of the window, in invoke order. */
  ops: EvidenceOp[];
  /** The start states tried, all of them failing. */
  startStates: string[];
}

export interface LinearizationEvidence {
  kind: 'linearization';
  model: string;
  /** Per part, the ops in an order that is legal and respects real time. */
  parts: { key: string | null; order: EvidenceOp[] }[];
}

export interface UndecidedEvidence {
  kind: 'undecided';
  model: string;
  key: string | null;
  /** What ran out. */
  exhausted: 'steps' | 'memory';
  /** How far the part got: its longest linearizable prefix so far. */
  prefixLength: number;
  stateAfterPrefix: string;
}

export type LinEvidence = ViolationEvidence | LinearizationEvidence | UndecidedEvidence;

/** Prefix ops listed with their state before: the last few, where the trouble is. */
export const PREFIX_STATES_MAX = 10;

export function evidenceOp(op: PairedOp, stateBefore?: string): EvidenceOp {
  const shown: EvidenceOp = {
    invokeIndex: op.invokeIndex,
    completeIndex: op.completeIndex,
    process: op.process,
    f: op.f,
    value: (op.type === 'ok' ? op.value : (op.invokeValue ?? op.value)) ?? null,
    outcome: op.type,
  };
  if (op.key !== undefined) shown.key = op.key;
  if (op.invokeTime !== undefined) shown.invokeTime = op.invokeTime;
  if (op.completeTime !== undefined) shown.completeTime = op.completeTime;
  if (stateBefore !== undefined) shown.stateBefore = stateBefore;
  return shown;
}

/** The ops of a linearization (search op numbers) as evidence, with states before the last few. */
function prefixOps(search: PartSearch<PairedOp>, order: readonly number[]): { ops: EvidenceOp[]; stateAfter: number } {
  let state = search.space.initial;
  const ops: EvidenceOp[] = [];
  order.forEach((op, position) => {
    const before = order.length - position <= PREFIX_STATES_MAX ? search.space.show(state) : undefined;
    ops.push(evidenceOp(search.ops[op]!.source, before));
    state = search.space.next(state, op);
  });
  return { ops, stateAfter: state };
}

/**
 * The evidence of a part found not linearizable: its furthest configuration (the most completed ops
 * placed) and the completed ops that could come next in real time but are illegal there.
 */
export function violationEvidence(
  model: string,
  key: string | null,
  search: PartSearch<PairedOp>,
  window?: WindowEvidence,
): ViolationEvidence {
  const furthest = search.furthest();
  const { ops: prefix, stateAfter } = prefixOps(search, furthest.ops);
  const stateAfterPrefix = search.space.show(stateAfter);
  const stuck: EvidenceOp[] = [];
  for (const { op, reason } of search.furthestStuck()) {
    const shown = evidenceOp(search.ops[op]!.source, stateAfterPrefix);
    shown.reason = reason;
    stuck.push(shown);
  }
  stuck.sort((a, b) => a.invokeIndex - b.invokeIndex);
  const indexes: number[] = [];
  for (const op of window?.ops ?? stuck) {
    indexes.push(op.invokeIndex);
    if (op.completeIndex !== null) indexes.push(op.completeIndex);
  }
  indexes.sort((a, b) => a - b);
  const evidence: ViolationEvidence = { kind: 'not-linearizable', model, key, prefix, stateAfterPrefix, stuck, indexes };
  if (window !== undefined) evidence.window = window;
  return evidence;
}

export function linearizationOf(search: PartSearch<PairedOp>): EvidenceOp[] {
  return prefixOps(search, search.linearized()).ops;
}

export function undecidedEvidence(model: string, key: string | null, exhausted: 'steps' | 'memory', search: PartSearch<PairedOp>): UndecidedEvidence {
  const furthest = search.furthest();
  return {
    kind: 'undecided',
    model,
    key,
    exhausted,
    prefixLength: furthest.ops.length,
    stateAfterPrefix: search.space.show(furthest.state),
  };
}

/** One line on an op: `p4 get "x 2 y" [#120-#131]`. */
export function describeOp(op: EvidenceOp): string {
  const value = op.value === null ? '' : ` ${JSON.stringify(op.value)}`;
  const complete = op.completeIndex === null ? '' : `-#${op.completeIndex}`;
  const outcome = op.outcome === 'ok' ? '' : ` (${op.outcome})`;
  const reason = op.reason === 'unreachable' ? ', which no op left could produce' : '';
  return `p${op.process} ${op.f}${value}${outcome} [#${op.invokeIndex}${complete}]${reason}`;
}
