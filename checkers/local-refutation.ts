// Refuting a window of a history on its own. When the search of a part has to exhaust every
// configuration before a violation, the number of ways to explain that prefix (pending ops placed
// here or there) can be astronomic, although the violation itself may need only a few ops. So, for
// models with few states, the checker also tries to refute a window [from, to) around where the
// search is stuck, relaxed so that a refutation of the window is a refutation of the whole part:
// - it may start in any state the model can reach (Model.statesOf), since the ops before it are unknown;
// - completed ops inside the window must be placed; ops that overlap either end, and pending ops
//   invoked before its end, may be placed or not (those invoked before it, any number of times);
//   ops completed before it or invoked after it are gone.
// Any linearization of the whole part, cut to these ops from the first completed op of the window,
// is a linearization of the window from the state at that point, so if no start state works, the
// part is not linearizable. A window that can be explained proves nothing and the search goes on.
import type { Model } from './model.js';
import { PartSearch, SEARCH_NOT_LINEARIZABLE, type PartOp } from './part-search.js';
import { ModelSpace } from './state-space.js';

/** The first window reaches this many invokes before and after the ops the search is stuck on. */
const REFUTE_REACH_OPS = 8;

/** The window's ops: completed ones inside it keep their completion, the others become optional. */
export function relaxedWindow<O>(ops: readonly PartOp<O>[], from: number, to: number): PartOp<O>[] {
  const window: PartOp<O>[] = [];
  for (const op of ops) {
    if (op.invokeIndex >= to) continue;
    if (op.completeIndex !== null && op.completeIndex < from) continue;
    const inside = op.completeIndex !== null && op.invokeIndex >= from && op.completeIndex < to;
    if (inside) {
      window.push(op);
    } else if (!op.readOnly) {
      // An optional read observes nothing that binds: leaving it out is the weaker claim. An op
      // invoked before the window may be placed any number of times: weaker again, and it spares
      // the search every choice of which of those ops were used up before the window.
      window.push({ ...op, completeIndex: null, reusable: op.invokeIndex < from });
    }
  }
  return window;
}

export interface WindowVerdict {
  refuted: boolean;
  steps: number;
}

/** Tries every start state with at most `stepsPerState` steps each; refuted only if all fail. */
export function refuteWindow<O>(
  model: Model,
  window: readonly PartOp<O>[],
  startStates: readonly unknown[],
  stepsPerState: number,
): WindowVerdict {
  let steps = 0;
  if (!window.some((op) => op.completeIndex !== null)) return { refuted: false, steps };
  for (const start of startStates) {
    const search = new PartSearch(window, (ordered, pool) => new ModelSpace(model, ordered.map((op) => op.input), start, pool));
    const status = search.run(stepsPerState);
    steps += search.steps;
    if (status !== SEARCH_NOT_LINEARIZABLE) return { refuted: false, steps };
  }
  return { refuted: true, steps };
}

/**
 * Tries to refute windows around the part's furthest point within `stepsMax` steps: in round r,
 * windows reaching 8, 16, ... 8·2^r invokes back and forward, each with an equal share of the
 * steps. Small windows are cheap to refute and come first; over the rounds every window gets more
 * steps. Returns the steps taken and, when one is refuted, that window: its bounds and its
 * completed ops.
 */
export function refuteAround<O>(
  model: Model,
  search: PartSearch<O>,
  partOps: readonly PartOp<O>[],
  around: { startStates: readonly unknown[] | null; invokes: readonly number[]; round: number },
  stepsMax: number,
): { steps: number; window: { fromIndex: number; toIndex: number; ops: PartOp<O>[]; startStates: string[] } | null } {
  const { startStates, invokes } = around;
  const candidates = search.furthestCandidates();
  if (startStates === null || candidates.length === 0) return { steps: 0, window: null };
  let firstInvoke = Number.POSITIVE_INFINITY;
  let lastComplete = 0;
  for (const op of candidates) {
    firstInvoke = Math.min(firstInvoke, search.ops[op]!.invokeIndex);
    lastComplete = Math.max(lastComplete, search.ops[op]!.completeIndex!);
  }
  let at = 0;
  while (at < invokes.length && invokes[at]! < firstInvoke) at += 1;
  let after = at;
  while (after < invokes.length && invokes[after]! <= lastComplete) after += 1;
  const windows = around.round + 1;
  const stepsPerState = Math.floor(stepsMax / windows / startStates.length);
  let steps = 0;
  let fromPrevious = -1;
  let toPrevious = -1;
  for (let round = 0; round < windows && stepsPerState > 0; round += 1) {
    // The window reaches back, and forward past the stuck ops, by the same number of invokes.
    const reach = REFUTE_REACH_OPS << round;
    const from = invokes[Math.max(0, at - reach)]!;
    const to = after + reach < invokes.length ? invokes[after + reach]! : Number.MAX_SAFE_INTEGER;
    if (from === fromPrevious && to === toPrevious) break;
    fromPrevious = from;
    toPrevious = to;
    const window = relaxedWindow(partOps, from, to);
    const verdict = refuteWindow(model, window, startStates, stepsPerState);
    steps += verdict.steps;
    if (verdict.refuted) {
      const required = window.filter((op) => op.completeIndex !== null);
      const toIndex = Math.min(to, Math.max(...required.map((op) => op.completeIndex!)) + 1);
      const startStatesShown = startStates.map((state) => model.show(state));
      return { steps, window: { fromIndex: from, toIndex, ops: required, startStates: startStatesShown } };
    }
  }
  return { steps, window: null };
}
