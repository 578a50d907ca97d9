// The linearizability checker: is there an order of the history's operations, legal for the model,
// in which each op takes effect at one instant between its invoke and its completion? Jepsen's
// semantics: a `fail` op never happened; an `info` op (or an invoke never completed) may have
// happened at any time after its invoke, or never.
//
// A keyed model's history is split by key (P-compositionality) and the parts race: smallest first,
// in rounds where each part's slice of steps doubles, stopping at the first part that is not
// linearizable. So an invalid history costs about what its easiest refutable part costs (at most
// twice, over the rounds, plus the valid parts that finish before it), and a hard key cannot hide
// an easy refutation on another. At most ACTIVE_PARTS_MAX parts are in progress at once; a part's
// search is built on its first turn and let go when it finishes, so only those hold tables. A
// small part, or one whose ops barely overlap, first gets a quick search without the read pruning,
// whose tables cost more to build than such a part takes to search (quickSearch). A step
// budget and a memory budget end the search in `unknown`, never a hang; both count our own work,
// not the clock, so a verdict is the same on every machine.
import type { History, HistoryRecord } from '../histories/schema.js';
import { assert } from './assert.js';
import {
  evidenceOp,
  linearizationOf,
  undecidedEvidence,
  violationEvidence,
  type LinEvidence,
  type LinearizationEvidence,
  type WindowEvidence,
} from './evidence.js';
import type { Model } from './model.js';
import { OpPairer, type PairedOp, type PairingProblemCode } from './paired-ops.js';
import { PartSearch, SEARCH_LINEARIZABLE, SEARCH_NOT_LINEARIZABLE, type PartOp } from './part-search.js';
import { ProductSpace } from './product-space.js';
import { ModelSpace } from './state-space.js';
import { Int32Pool } from './int32-pool.js';
import { refuteAround } from './local-refutation.js';
import { splitAtQuiescence, SPLIT_OPS_MIN } from './quiescent.js';

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
  /**
   * Split each part longer than SPLIT_OPS_MIN ops at quiescent points (quiescent.ts; default true,
   * for models with `valueFlow`). A refutation of a split that left ops out is confirmed unsplit.
   */
  split?: boolean;
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
  /**
   * Present when long parts were split at quiescent points: into how many segments, info ops
   * resolved, never-observed ones confined to their segment, and refuted segments searched again
   * together with the segments before them (`mergedBack`), until explained or refuted exactly.
   */
  split?: { segments: number; resolved: number; confined: number; mergedBack: number };
  evidence?: LinEvidence;
}

/** About a minute of search on one core; a history that needs more is reported as unknown. */
export const BUDGET_STEPS_DEFAULT = 200_000_000;
export const MEMORY_BYTES_DEFAULT = 1024 * 1024 * 1024;
/**
 * A part's slice in the first round, per op (plus SLICE_OPS_EXTRA): a valid part of an easy history
 * takes one to four steps per op, so most parts finish in their first slice. Slices double each round.
 */
export const SLICE_STEPS_PER_OP = 4;
const SLICE_OPS_EXTRA = 16;
/** The largest slice, so a long race still takes turns. */
const SLICE_STEPS_MAX = 1 << 24;
/**
 * Parts in progress at once; the next one starts when one finishes. Enough for a race among the
 * parts that do not finish in their first slice, few enough that their tables stay small.
 */
export const ACTIVE_PARTS_MAX = 64;
/**
 * Parts of at most this many ops get a quick search first (quickSearch): for them the read pruning
 * costs more to build than it saves. Larger parts of a concurrent history need the pruning.
 */
const QUICK_OPS_MAX = 32;
/** And so do parts whose ops overlap fewer than this many others on average: they need little pruning. */
const QUICK_OVERLAP_MAX = 0.25;
/** A part's quick search (quickSearch) takes at most this many steps per op (plus SLICE_OPS_EXTRA). */
const QUICK_STEPS_PER_OP = 2;
/** About the ints of search tables a small part needs per op, to size the pool's first chunk. */
const TABLE_INTS_PER_OP = 128;
/**
 * A part whose search has taken this many steps gets a window around its furthest point refuted on
 * its own (local-refutation.ts); then again each time its steps double, with a window twice as long.
 */
export const REFUTE_AFTER_STEPS = 16384;

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
  /** Built on the part's first turn. */
  search: PartSearch<PairedOp> | null;
  /** Start states for window refutations (Model.statesOf), or null when the model has none. */
  startStates: unknown[] | null;
  /** The part's invoke indexes, sorted, to measure a window in ops. */
  invokes: readonly number[];
  refuteAt: number;
  round: number;
  /** Its tables' size when last measured, for the memory budget. */
  memoryBytes: number;
  /** Slices it has had: each is twice the one before. */
  turns: number;
  /** Whether its quick search (quickSearch) has had its turn. */
  quickDone: boolean;
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
function searchOf(part: Part, model: Model, keyNames: readonly string[] | null, pool: Int32Pool, pruning: boolean): PartSearch<PairedOp> {
  return new PartSearch(part.ops, (ordered, tables) => {
    const inputs = ordered.map((op) => op.input);
    if (keyNames === null) return new ModelSpace(model, inputs, model.init(), tables);
    const keyNumber = new Map(keyNames.map((name, index) => [name, index]));
    const keyOf = Int32Array.from(ordered, (op) => keyNumber.get(op.source.key ?? '')!);
    return new ProductSpace(model, inputs, keyOf, keyNames);
  }, pool, pruning);
}

/**
 * A part's first turn: a quick search without read pruning, whose tables cost little to build, for
 * at most QUICK_STEPS_PER_OP steps per op. Most parts of an easy history are linearizable and end
 * there. Otherwise the part gets its full search, from the start (so a violation's evidence is the
 * full search's), and the quick steps count as work done.
 */
function quickSearch(entry: ActivePart, model: Model, keyNames: readonly string[] | null, pool: Int32Pool, stepsMax: number): { linearizable: boolean; steps: number; search: PartSearch<PairedOp> } {
  const quick = searchOf(entry.part, model, keyNames, pool, false);
  const status = quick.run(Math.min(stepsMax, QUICK_STEPS_PER_OP * (entry.part.ops.length + SLICE_OPS_EXTRA)));
  return { linearizable: status === SEARCH_LINEARIZABLE, steps: quick.steps, search: quick };
}

/** The mean number of later ops invoked while a completed op of the part runs (ops are in invoke order). */
function overlapPerOp(part: Part): number {
  const ops = part.ops;
  let overlaps = 0;
  for (let at = 0; at < ops.length; at += 1) {
    const completeIndex = ops[at]!.completeIndex;
    if (completeIndex === null) continue;
    let lo = at + 1;
    let hi = ops.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ops[mid]!.invokeIndex < completeIndex) lo = mid + 1;
      else hi = mid;
    }
    overlaps += lo - at - 1;
  }
  return overlaps / Math.max(1, ops.length);
}

/** Builds a part's full search, with what its window refutations need. */
function startSearch(entry: ActivePart, model: Model, keyNames: readonly string[] | null, pool: Int32Pool): PartSearch<PairedOp> {
  const { part } = entry;
  const search = searchOf(part, model, keyNames, pool, true);
  entry.search = search;
  entry.startStates = keyNames === null && model.statesOf !== undefined ? model.statesOf(part.ops.map((op) => op.input)) : null;
  entry.invokes = part.ops.map((op) => op.invokeIndex).sort((a, b) => a - b);
  return search;
}

/** The keys of a part, in order of first appearance. */
function keyNamesOf(part: Part): string[] {
  return [...new Set(part.ops.map((op) => op.source.key ?? ''))];
}

/**
 * Pairing problems that leave a meaning: a process that invokes again while its op is outstanding,
 * or after an info, leaves that earlier op without a completion, which is what an info op is. Real
 * Jepsen logs have them (Porcupine's etcd parser reads them the same way); everything else is bad input.
 */
const TOLERATED_PROBLEMS: ReadonlySet<PairingProblemCode> = new Set(['invoke-while-outstanding', 'invoke-after-info']);

/** Checks a history against a model. Throws MalformedHistoryError or the model's ModelInputError on bad input. */
export function checkHistory(history: History, model: Model, options: CheckOptions = {}): LinResult {
  return checkRecords((take) => history.forEach(take), model, options);
}

/**
 * Checks the records that `feed` hands to `take`, in history order, without holding them: a
 * history streamed from a file (histories/stream.ts) is kept only as its paired ops.
 */
export function checkRecords(feed: (take: (record: HistoryRecord) => void) => void, model: Model, options: CheckOptions = {}): LinResult {
  const pairer = new OpPairer();
  feed((record) => pairer.push(record));
  const paired = pairer.finish();
  const problems = paired.problems.filter((problem) => !TOLERATED_PROBLEMS.has(problem.code));
  if (problems.length > 0) throw new MalformedHistoryError(problems.map((problem) => problem.message));
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
  const places = new Map<Part, SegmentPlace>();
  const searched = unpartitioned === null && options.split !== false ? splitLongParts(parts, model, result, places) : parts;
  const pool = new Int32Pool(TABLE_INTS_PER_OP * ops.length);
  /** The parts not started yet, smallest first (a stable sort: ties keep the history's order). */
  const waiting: ActivePart[] = searched
    .map((part) => ({ part, search: null, startStates: null, invokes: [], refuteAt: REFUTE_AFTER_STEPS, round: 0, memoryBytes: 0, turns: 0, quickDone: false }))
    .sort((a, b) => a.part.ops.length - b.part.ops.length);
  let nextWaiting = 0;
  /** The parts in progress, at most ACTIVE_PARTS_MAX, so the tables held stay bounded. */
  let active: ActivePart[] = [];
  const linearizations: LinearizationEvidence['parts'] = [];
  let stepsLeft = budgetSteps;
  /** The tables of the parts in progress, as last measured after each one's slice. */
  let memoryBytes = 0;
  const stop = (verdict: LinVerdict, evidence: LinEvidence, unfinished: readonly ActivePart[]): LinResult => {
    result.verdict = verdict;
    result.evidence = evidence;
    for (const { search } of unfinished) result.configurations += search?.configurations ?? 0;
    return result;
  };
  while (active.length > 0 || nextWaiting < waiting.length) {
    while (active.length < ACTIVE_PARTS_MAX && nextWaiting < waiting.length) active.push(waiting[nextWaiting++]!);
    const stillActive: ActivePart[] = [];
    for (let turn = 0; turn < active.length; turn += 1) {
      const entry = active[turn]!;
      const { part } = entry;
      if (!entry.quickDone && (part.ops.length <= QUICK_OPS_MAX || overlapPerOp(part) < QUICK_OVERLAP_MAX)) {
        entry.quickDone = true;
        const quick = quickSearch(entry, model, unpartitioned, pool, stepsLeft);
        stepsLeft -= quick.steps;
        result.steps += quick.steps;
        if (quick.linearizable) {
          if (options.evidence === true) linearizations.push({ key: part.key, order: linearizationOf(quick.search) });
          result.configurations += quick.search.configurations;
          continue;
        }
        if (stepsLeft <= 0) {
          result.exhausted = 'steps';
          return stop('unknown', undecidedEvidence(model.name, part.key, 'steps', quick.search), [...stillActive, ...active.slice(turn)]);
        }
        // Not decided as linearizable: the full search starts now (for a refutation, its evidence).
      }
      const search = entry.search ?? startSearch(entry, model, unpartitioned, pool);
      const unfinished = () => [...stillActive, ...active.slice(turn)];
      const before = search.steps;
      const sliceSteps = Math.min(SLICE_STEPS_MAX, SLICE_STEPS_PER_OP * (part.ops.length + SLICE_OPS_EXTRA) * 2 ** Math.min(entry.turns, 24));
      entry.turns += 1;
      const status = search.run(Math.min(sliceSteps, stepsLeft));
      stepsLeft -= search.steps - before;
      result.steps += search.steps - before;
      let decided = status;
      let refutedBy = search;
      const place = places.get(part);
      if (status === SEARCH_NOT_LINEARIZABLE && place !== undefined && place.confined > 0) {
        // Maybe only a confined info op of an earlier segment explains it: search it with those.
        const merged = mergeBack(place, model, pool, stepsLeft);
        stepsLeft -= merged.steps;
        result.steps += merged.steps;
        result.split!.mergedBack += 1;
        if (merged.status === SEARCH_LINEARIZABLE) decided = SEARCH_LINEARIZABLE;
        else if (merged.status !== SEARCH_NOT_LINEARIZABLE) {
          result.exhausted = 'steps';
          return stop('unknown', undecidedEvidence(model.name, part.key, 'steps', merged.search), unfinished());
        } else refutedBy = merged.search;
      }
      if (decided === SEARCH_NOT_LINEARIZABLE) return stop('not-linearizable', violationEvidence(model.name, part.key, refutedBy), unfinished());
      if (decided === SEARCH_LINEARIZABLE) {
        if (options.evidence === true) linearizations.push({ key: part.key, order: linearizationOf(search) });
        result.configurations += search.configurations;
        memoryBytes -= entry.memoryBytes;
        entry.search = null;
        continue;
      }
      stillActive.push(entry);
      // A window refuted on its own is exact only where nothing was confined.
      if (search.steps >= entry.refuteAt && stepsLeft > 0 && (place === undefined || place.confined === 0)) {
        // At most as many steps as the search has taken, so refutations at most double the work.
        const attempt = refuteAround(model, search, part.ops, entry, Math.min(entry.refuteAt, stepsLeft));
        stepsLeft -= attempt.steps;
        result.steps += attempt.steps;
        if (attempt.window !== null) {
          const window: WindowEvidence = { ...attempt.window, ops: attempt.window.ops.map((op) => evidenceOp(op.source)) };
          return stop('not-linearizable', violationEvidence(model.name, part.key, search, window), unfinished());
        }
        entry.refuteAt *= 2;
        entry.round += 1;
      }
      const measured = search.memoryBytes();
      memoryBytes += measured - entry.memoryBytes;
      entry.memoryBytes = measured;
      const exhausted = stepsLeft <= 0 ? 'steps' : memoryBytes > memoryBytesMax ? 'memory' : null;
      if (exhausted !== null) {
        result.exhausted = exhausted;
        return stop('unknown', undecidedEvidence(model.name, part.key, exhausted, search), unfinished());
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

/**
 * Where a segment sits in its part, for searching it again together with the segments before it:
 * the part's segments, its own index, and the units (runs of segments searched as one) so far.
 */
interface SegmentPlace {
  key: string | null;
  segments: PartOp<PairedOp>[][];
  at: number;
  /** Info ops confined in the part: with none, a segment's refutation is exact. */
  confined: number;
  /** Per segment, the first and last segment of the unit it belongs to (shared by the part's places). */
  unitStart: number[];
  unitEnd: number[];
}

/**
 * A refuted segment searched again with the segments before it, 1, 2, 4, ... of them, each time
 * as one part, so info ops confined to those earlier segments may take effect in it. Linearizable:
 * the run of segments becomes one unit (its witness replaces theirs). Refuted with the part's first
 * segment included: exact, as nothing before could help. Whole units only, so units never overlap.
 */
function mergeBack(place: SegmentPlace, model: Model, pool: Int32Pool, stepsMax: number): { status: number; steps: number; search: PartSearch<PairedOp> } {
  let steps = 0;
  for (let span = 1; ; span *= 2) {
    const start = place.unitStart[Math.max(0, place.at - span)]!;
    const end = place.unitEnd[place.at]!;
    const ops = place.segments.slice(start, end + 1).flat();
    const search = searchOf({ key: place.key, ops }, model, null, pool, true);
    const status = search.run(Math.max(1, stepsMax - steps));
    steps += search.steps;
    if (status === SEARCH_LINEARIZABLE) {
      for (let at = start; at <= end; at++) {
        place.unitStart[at] = start;
        place.unitEnd[at] = end;
      }
    }
    if (status !== SEARCH_NOT_LINEARIZABLE || start === 0 || steps >= stepsMax) return { status, steps, search };
  }
}

/** The parts to search: each part longer than SPLIT_OPS_MIN split at its quiescent points, noted in `result`. */
function splitLongParts(parts: readonly Part[], model: Model, result: LinResult, places: Map<Part, SegmentPlace>): Part[] {
  if (model.valueFlow === undefined || parts.every((part) => part.ops.length <= SPLIT_OPS_MIN)) return [...parts];
  const split = { segments: 0, resolved: 0, confined: 0, mergedBack: 0 };
  const searched: Part[] = [];
  for (const part of parts) {
    if (part.ops.length <= SPLIT_OPS_MIN) {
      searched.push(part);
      split.segments++;
      continue;
    }
    const { segments, resolved, confined } = splitAtQuiescence(part.ops, model);
    const unitStart = segments.map((_, at) => at);
    const unitEnd = segments.map((_, at) => at);
    segments.forEach((ops, at) => {
      const segment: Part = { key: part.key, ops };
      places.set(segment, { key: part.key, segments, at, confined, unitStart, unitEnd });
      searched.push(segment);
    });
    split.segments += segments.length;
    split.resolved += resolved;
    split.confined += confined;
  }
  result.split = split;
  return searched;
}

/** The adapter to CheckerResult and the one-line summary live in lin-summary.ts; here for callers of checkHistory. */
export { summarize, toCheckerResult } from './lin-summary.js';
