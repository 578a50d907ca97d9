// The linearizability checker: is there an order of the history's operations, legal for the model,
// in which each op takes effect at one instant between its invoke and its completion? Jepsen's
// semantics: a `fail` op never happened; an `info` op (or an invoke never completed) may have
// happened at any time after its invoke, or never.
//
// A keyed model's history is split by key (P-compositionality) and the parts are searched
// round-robin in fixed slices of steps, stopping at the first part that is not linearizable, so a
// hard key cannot hide an easy refutation on another. A step budget and a memory budget end the
// search in `unknown`, never a hang; both count our own work, not the clock, so a verdict is the
// same on every machine.
import type { History } from '../histories/schema.js';
import { assert } from './assert.js';
import {
  linearizationOf,
  undecidedEvidence,
  violationEvidence,
  describeOp,
  evidenceOp,
  type LinEvidence,
  type WindowEvidence,
  type LinearizationEvidence,
} from './evidence.js';
import type { Model } from './model.js';
import { pairOps, type PairedOp } from './paired-ops.js';
import { PartSearch, SEARCH_LINEARIZABLE, SEARCH_NOT_LINEARIZABLE, type PartOp } from './part-search.js';
import { ProductSpace } from './product-space.js';
import { ModelSpace } from './state-space.js';
import { refuteWindow, relaxedWindow } from './local-refutation.js';
import type { CheckerResult } from './verdict.js';

export type LinVerdict = 'linearizable' | 'not-linearizable' | 'unknown';

export interface CheckOptions {
  /** Steps over all parts before the answer is `unknown` (default BUDGET_STEPS_DEFAULT). */
  budgetSteps?: number;
  /** Bytes of search tables over the parts in progress before the answer is `unknown`. */
  memoryBytesMax?: number;
  /** Evidence for a violation is always given; with this, a valid history also gets its linearization. */
  evidence?: boolean;
  /** Split a keyed model's history by key (default true). Off: one search over the tuple of all keys. */
  partition?: boolean;
}

export interface LinResult {
  verdict: LinVerdict;
  model: string;
  /** Client operations in the history (invokes). */
  ops: number;
  parts: number;
  steps: number;
  /** Configurations memoised, over all parts. */
  configurations: number;
  /** For `unknown`: which budget ran out. */
  exhausted?: 'steps' | 'memory';
  evidence?: LinEvidence;
}

/** About a minute of search on one core; a history that needs more is reported as unknown. */
export const BUDGET_STEPS_DEFAULT = 200_000_000;
export const MEMORY_BYTES_DEFAULT = 2 * 1024 * 1024 * 1024;
/** Steps a part runs before the next part gets its turn. */
export const SLICE_STEPS = 4096;
/**
 * A part whose search has taken this many steps gets a window around its furthest point refuted on
 * its own (local-refutation.ts); then again each time its steps double, with a window twice as long.
 */
export const REFUTE_AFTER_STEPS = 16384;
/** The first window reaches this many invokes before and after the ops the search is stuck on. */
const REFUTE_BACK_OPS = 8;

/** A history that cannot be read as operations (a completion without its invoke, ...). */
export class MalformedHistoryError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`malformed history: ${problems[0] ?? 'no detail'}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`);
    this.name = 'MalformedHistoryError';
  }
}

export interface Part {
  key: string | null;
  ops: PartOp<PairedOp>[];
}

/** A part being searched, with its schedule of window refutations. */
interface ActivePart {
  part: Part;
  search: PartSearch<PairedOp>;
  /** Start states for window refutations (Model.statesOf), or null when the model has none. */
  startStates: unknown[] | null;
  /** The part's invoke indexes, sorted, to measure a window in ops. */
  invokes: number[];
  refuteAt: number;
  round: number;
}

/**
 * Tries to refute windows around the part's furthest point within `stepsMax` steps: in round r,
 * windows reaching 8, 16, ... 8·2^r invokes back and forward, each with an equal share of the steps. Small windows
 * are cheap to refute and come first; over the rounds every window gets more steps. Returns the
 * steps taken and, when one is refuted, that window as evidence.
 */
function refuteAround(model: Model, active: ActivePart, stepsMax: number): { steps: number; window: WindowEvidence | null } {
  const { search, startStates, invokes } = active;
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
  const windows = active.round + 1;
  const stepsPerState = Math.floor(stepsMax / windows / startStates.length);
  let steps = 0;
  let fromPrevious = -1;
  let toPrevious = -1;
  for (let round = 0; round < windows && stepsPerState > 0; round += 1) {
    // The window reaches back, and forward past the stuck ops, by the same number of invokes.
    const reach = REFUTE_BACK_OPS << round;
    const from = invokes[Math.max(0, at - reach)]!;
    const to = after + reach < invokes.length ? invokes[after + reach]! : Number.MAX_SAFE_INTEGER;
    if (from === fromPrevious && to === toPrevious) break;
    fromPrevious = from;
    toPrevious = to;
    const window = relaxedWindow(active.part.ops, from, to);
    if (process.env.DEBUG_REFUTE) console.error("refute", from, to, "ops", window.length, "required", window.filter((o) => o.completeIndex !== null).length, "budget", stepsPerState, "furthest", search.furthest().ops.length);
    const verdict = refuteWindow(model, window, startStates, stepsPerState);
    steps += verdict.steps;
    if (verdict.refuted) {
      const ops = window.filter((op) => op.completeIndex !== null).map((op) => evidenceOp(op.source));
      const startStatesShown = startStates.map((state) => model.show(state));
      return { steps, window: { fromIndex: from, toIndex: to, ops, startStates: startStatesShown } };
    }
  }
  return { steps, window: null };
}

/** The model's reading of each op, grouped into the parts that are checked separately. */
export function partsOf(ops: readonly PairedOp[], model: Model, partition: boolean): { parts: Part[]; keyed: boolean } {
  const byKey = new Map<string, PartOp<PairedOp>[]>();
  for (const op of ops) {
    const prepared = model.prepare(op);
    if (prepared === null) continue;
    const completeIndex = op.type === 'info' ? null : op.completeIndex;
    // A pending read observed nothing and changed nothing: it cannot matter.
    if (completeIndex === null && prepared.readOnly) continue;
    const key = model.keyed ? (op.key ?? '') : '';
    let group = byKey.get(key);
    if (group === undefined) {
      group = [];
      byKey.set(key, group);
    }
    group.push({ source: op, input: prepared.input, readOnly: prepared.readOnly, reset: prepared.reset === true, invokeIndex: op.invokeIndex, completeIndex });
  }
  const keyed = model.keyed && (byKey.size > 1 || !byKey.has(''));
  if (partition || byKey.size <= 1) {
    return { parts: [...byKey].map(([key, group]) => ({ key: keyed ? key : null, ops: group })), keyed };
  }
  const all = [...byKey.values()].flat().sort((a, b) => a.invokeIndex - b.invokeIndex);
  return { parts: [{ key: null, ops: all }], keyed };
}

/** The search of one part; `keyNames` is set when a keyed history is searched as one part. */
function searchOf(part: Part, model: Model, keyNames: readonly string[] | null): PartSearch<PairedOp> {
  return new PartSearch(part.ops, (ordered) => {
    const inputs = ordered.map((op) => op.input);
    if (keyNames === null) return new ModelSpace(model, inputs);
    const keyNumber = new Map(keyNames.map((name, index) => [name, index]));
    const keyOf = Int32Array.from(ordered, (op) => keyNumber.get(op.source.key ?? '')!);
    return new ProductSpace(model, inputs, keyOf, keyNames);
  });
}

/** The keys of a part, in order of first appearance. */
function keyNamesOf(part: Part): string[] {
  return [...new Set(part.ops.map((op) => op.source.key ?? ''))];
}

/** Checks a history against a model. Throws MalformedHistoryError or the model's ModelInputError on bad input. */
export function checkHistory(history: History, model: Model, options: CheckOptions = {}): LinResult {
  const paired = pairOps(history);
  if (paired.problems.length > 0) throw new MalformedHistoryError(paired.problems);
  return checkOperations(paired.ops, model, options);
}

/** Checks operations already paired (pairOps) against a model. */
export function checkOperations(ops: readonly PairedOp[], model: Model, options: CheckOptions = {}): LinResult {
  const budgetSteps = options.budgetSteps ?? BUDGET_STEPS_DEFAULT;
  const memoryBytesMax = options.memoryBytesMax ?? MEMORY_BYTES_DEFAULT;
  assert(Number.isSafeInteger(budgetSteps) && budgetSteps > 0, 'the step budget is a positive integer');
  const { parts, keyed } = partsOf(ops, model, options.partition ?? true);
  const result: LinResult = { verdict: 'linearizable', model: model.name, ops: ops.length, parts: parts.length, steps: 0, configurations: 0 };
  const unpartitioned = keyed && parts.length === 1 && parts[0]!.key === null ? keyNamesOf(parts[0]!) : null;
  /** The parts still searching, in round-robin order; a finished part's tables are let go. */
  let active: ActivePart[] = parts.map((part) => ({
    part,
    search: searchOf(part, model, unpartitioned),
    startStates: unpartitioned === null && model.statesOf !== undefined ? model.statesOf(part.ops.map((op) => op.input)) : null,
    invokes: part.ops.map((op) => op.invokeIndex).sort((a, b) => a - b),
    refuteAt: REFUTE_AFTER_STEPS,
    round: 0,
  }));
  const linearizations: LinearizationEvidence['parts'] = [];
  let stepsLeft = budgetSteps;
  const stop = (verdict: LinVerdict, evidence: LinEvidence): LinResult => {
    result.verdict = verdict;
    result.evidence = evidence;
    for (const { search } of active) result.configurations += search.configurations;
    return result;
  };
  while (active.length > 0) {
    const stillActive: ActivePart[] = [];
    for (const entry of active) {
      const { part, search } = entry;
      const before = search.steps;
      const status = search.run(Math.min(SLICE_STEPS, stepsLeft));
      stepsLeft -= search.steps - before;
      result.steps += search.steps - before;
      if (status === SEARCH_NOT_LINEARIZABLE) return stop('not-linearizable', violationEvidence(model.name, part.key, search));
      if (status === SEARCH_LINEARIZABLE) {
        if (options.evidence === true) linearizations.push({ key: part.key, order: linearizationOf(search) });
        result.configurations += search.configurations;
        continue;
      }
      stillActive.push(entry);
      if (search.steps >= entry.refuteAt && stepsLeft > 0) {
        // At most as many steps as the search has taken, so refutations at most double the work.
        const attempt = refuteAround(model, entry, Math.min(entry.refuteAt, stepsLeft));
        stepsLeft -= attempt.steps;
        result.steps += attempt.steps;
        if (attempt.window !== null) return stop('not-linearizable', violationEvidence(model.name, part.key, search, attempt.window));
        entry.refuteAt *= 2;
        entry.round += 1;
      }
      let memoryBytes = 0;
      for (const other of active) memoryBytes += other.search.memoryBytes();
      const exhausted = stepsLeft <= 0 ? 'steps' : memoryBytes > memoryBytesMax ? 'memory' : null;
      if (exhausted !== null) {
        result.exhausted = exhausted;
        return stop('unknown', undecidedEvidence(model.name, part.key, exhausted, search));
      }
    }
    active = stillActive;
  }
  if (options.evidence === true) {
    linearizations.sort((a, b) => (a.order[0]?.invokeIndex ?? 0) - (b.order[0]?.invokeIndex ?? 0));
    result.evidence = { kind: 'linearization', model: model.name, parts: linearizations };
  }
  return result;
}

const VERDICT_OF: Record<LinVerdict, CheckerResult['verdict']> = {
  linearizable: 'valid',
  'not-linearizable': 'invalid',
  unknown: 'unknown',
};

/** One line on a result, for a person. */
export function summarize(result: LinResult): string {
  const evidence = result.evidence;
  const where = (key: string | null) => (key === null ? '' : ` on key ${JSON.stringify(key)}`);
  if (result.verdict === 'linearizable') {
    return `linearizable (${result.model}): ${result.ops} ops in ${result.parts} part${result.parts === 1 ? '' : 's'}, ${result.steps} steps`;
  }
  if (evidence?.kind === 'not-linearizable') {
    const stuck = evidence.stuck.slice(0, 3).map(describeOp).join('; ');
    const more = evidence.stuck.length > 3 ? `; and ${evidence.stuck.length - 3} more` : '';
    const window = evidence.window;
    const windowSaid =
      window === undefined ? '' : `; the ${window.ops.length} ops from #${window.fromIndex} to #${window.toIndex - 1} cannot be linearized from any state`;
    return `not linearizable (${result.model})${where(evidence.key)}: after ${evidence.prefix.length} ops (state ${evidence.stateAfterPrefix}), stuck on ${stuck}${more}${windowSaid}`;
  }
  const key = evidence?.kind === 'undecided' ? evidence.key : null;
  const budget = result.exhausted === 'memory' ? 'memory budget' : 'step budget';
  return `unknown (${result.model}): the ${budget} ran out after ${result.steps} steps${where(key)}`;
}

/** The result as a CheckerResult (checkers/verdict.ts), for systems that judge their histories with it. */
export function toCheckerResult(result: LinResult, checker = 'linearizable'): CheckerResult {
  const converted: CheckerResult = { checker, verdict: VERDICT_OF[result.verdict], summary: summarize(result) };
  if (result.evidence !== undefined) converted.evidence = result.evidence;
  return converted;
}
