// Splitting a long part of a history at quiescent points, so an hour-long history checks as a
// sequence of short ones and checking time per op stays flat instead of growing with the history.
//
// A part (one key's ops, in invoke order) splits just before an op W when (1) every op invoked
// before W completed before W was invoked, (2) W completed before the next op was invoked, and (3)
// W resets the state (a write: legal in every state, the state after it independent of the state
// before). Then any linearization of the whole is one of the prefix followed by one of W and the
// rest started from any state, and back: the split is exact.
//
// Info ops are what keep a long history from ever being quiescent: an op whose outcome is unknown
// may take effect at any time after its invoke, so it spans every later point. Where the model says
// which value each op writes and observes (Model.valueFlow) and every written value of the part is
// unique, an info op is resolved:
//  - its value was observed by a completed op: it took effect before the first such observer
//    completed, so it completes there (exact: every linearization already places it before);
//  - its value was never observed: it is confined to its own segment, free to take effect anywhere
//    from its invoke to the segment's end, or never, but no later. It no longer spans the later cut
//    points. A linearization of the segments is one of the whole (the op took effect, or never
//    did, within its life), so a valid verdict stands; a refutation may not (a failed compare in a
//    later segment might have needed the value in place), so the checker confirms any refutation of
//    a split that confined ops by checking the whole again unsplit (linearizability.ts).
import type { Model } from './model.js';
import type { PartOp } from './part-search.js';

/** Parts of at most this many ops are searched whole, as they always were; longer ones are split. */
export const SPLIT_OPS_MIN = 4_096;

export interface SplitPart<S> {
  segments: PartOp<S>[][];
  /** Info ops resolved as taking effect before their first observer completed. */
  resolved: number;
  /** Info ops never observed, confined to the segment they were invoked in. */
  confined: number;
}

/** The flows of an op, when the model says them. */
interface Flow {
  writes: string | null;
  observes: string | null;
  resets: boolean;
}

/**
 * Splits one part's ops (in invoke order) into segments, each checkable from the model's initial
 * state on its own. A model without `valueFlow` cannot say where a cut is exact: the part is one
 * segment. Takes the ops over: their indexes are rewritten in place (doubled, resolved ops completed).
 */
export function splitAtQuiescence<S, I>(ops: PartOp<S>[], model: Model<unknown, I>): SplitPart<S> {
  const valueFlow = model.valueFlow;
  if (valueFlow === undefined) return { segments: [ops], resolved: 0, confined: 0 };
  const flows: Flow[] = ops.map((op) => valueFlow(op.input as I));
  const initial = model.show(model.init());
  const written = new Set<string>();
  let unique = true;
  for (const flow of flows) {
    if (flow.writes === null) continue;
    if (flow.writes === initial || written.has(flow.writes)) unique = false;
    written.add(flow.writes);
  }
  let resolved = 0;
  let confined = 0;
  // The part's ops are this check's own (partsOf made them), so they are changed in place rather
  // than copied: an hour of history is a few hundred thousand of them. Indexes are doubled, so a
  // resolved op can complete just before its observer (at an odd index) while every index stays
  // distinct and every order between invokes and completions is kept.
  const kept: PartOp<S>[] = [];
  const keptFlows: Flow[] = [];
  /** Positions in `kept` of the never-observed info ops (confinedAt): pending, but not across a cut. */
  const confinedAt = new Set<number>();
  const keep = (op: PartOp<S>, flow: Flow, completeIndex: number | null): void => {
    op.invokeIndex *= 2;
    op.completeIndex = completeIndex;
    kept.push(op);
    keptFlows.push(flow);
  };
  // The earliest completion of a completed op observing each value.
  const firstObserved = new Map<string, number>();
  if (unique) {
    ops.forEach((op, at) => {
      const observes = flows[at]!.observes;
      if (observes === null || op.completeIndex === null) return;
      const before = firstObserved.get(observes);
      if (before === undefined || op.completeIndex < before) firstObserved.set(observes, op.completeIndex);
    });
  }
  ops.forEach((op, at) => {
    const flow = flows[at]!;
    const writes = flow.writes;
    if (!unique || op.completeIndex !== null || writes === null) {
      keep(op, flow, op.completeIndex === null ? null : 2 * op.completeIndex);
      return;
    }
    const observedAt = firstObserved.get(writes);
    if (observedAt === undefined) {
      confined++;
      confinedAt.add(kept.length);
      keep(op, flow, null);
      return;
    }
    // Observed before it was even invoked: a violation the search must see, left as it was.
    if (observedAt < op.invokeIndex) {
      keep(op, flow, null);
      return;
    }
    resolved++;
    keep(op, flow, 2 * observedAt - 1);
  });
  const segments: PartOp<S>[][] = [];
  let segment: PartOp<S>[] = [];
  /** The latest completion among the ops before `at` (Infinity once one never completes). */
  let spanEnd = -1;
  for (let at = 0; at < kept.length; at++) {
    const op = kept[at]!;
    // The next op that is not a confined info op must come after W's completion.
    let after = at + 1;
    while (confinedAt.has(after)) after++;
    const next = kept[after];
    const isolated = op.completeIndex !== null && (next === undefined || op.completeIndex < next.invokeIndex);
    if (segment.length > 0 && spanEnd < op.invokeIndex && isolated && keptFlows[at]!.resets) {
      segments.push(segment);
      segment = [];
    }
    segment.push(op);
    if (!confinedAt.has(at)) spanEnd = Math.max(spanEnd, op.completeIndex ?? Infinity);
  }
  if (segment.length > 0) segments.push(segment);
  return { segments, resolved, confined };
}
