// The liveness checker: once the last fault has healed, the system must complete an op `ok` within
// a bound. A safety checker cannot see a cluster that stopped answering (an empty history is
// linearizable); this one can.
//
// The window is [healedAtNs, healedAtNs + boundNs] in the history's true time; with no faults it
// starts at 0, so a cluster that never starts serving fails too. An op that completes `ok` inside
// the window is progress, whenever it was invoked. The verdict is `unknown`, not `invalid`, when the
// history cannot show either way: no times, the run ended before the window did, or no op was in
// flight during the window.
import type { CheckerResult } from './verdict.js';
import type { History } from '../histories/schema.js';
import { pairOps, type PairedOp } from './paired-ops.js';

export interface LivenessOptions {
  /** True time the last fault healed, or null when the run had no faults. */
  healedAtNs: number | null;
  /** True time the run ended. */
  endNs: number;
  /** How long after the heal the first `ok` may take. */
  boundNs: number;
  /**
   * Stretches of true time in which the system must keep making progress (for a consensus system:
   * while a majority of its nodes is untouched by faults), sorted and disjoint. Absent: none.
   */
  healthy?: readonly { startNs: number; endNs: number }[];
  /** In a healthy stretch, how long an op may wait before some op completes `ok`. */
  stallBoundNs?: number;
  /**
   * Ops (by `f`) whose `fail` is the system's own answer, like a cas whose compare failed: such a
   * `fail` is progress as an `ok` is (after the heal and in healthy stretches). Other fails may be
   * mere refusals.
   */
  answeredFails?: readonly string[];
  /**
   * Earlier heals, each opening a quiet window (repeating phases: faults, heal, faults): sorted,
   * disjoint, before `healedAtNs`. Each is judged as the last heal is: an op must complete `ok`
   * within `boundNs` of its start. Absent: only the last heal is judged.
   */
  quietWindows?: readonly { startNs: number; endNs: number }[];
}

/** One quiet window's judgment. */
export interface QuietWindowEvidence {
  startNs: number;
  endNs: number;
  /** Completion time of the first `ok` within the bound of the window's start, or null. */
  firstOkNs: number | null;
  /** Ops in flight within the bound of the window's start. */
  inFlight: number;
}

/** An op invoked in a healthy stretch that saw no op complete `ok` for longer than the bound. */
export interface Stall {
  /** History index of the op's invoke. */
  index: number;
  process: number;
  f: string;
  invokeTime: number;
  /** Until the next `ok` completion, or the end of the stretch when none came in it. */
  waitedNs: number;
  stretch: [number, number];
}

export interface StalledOp {
  index: number;
  process: number;
  f: string;
  key?: string;
  type: 'fail' | 'info';
  invokeTime?: number;
  completeTime?: number;
  node?: string;
}

export interface LivenessEvidence {
  windowStartNs: number;
  windowEndNs: number;
  /** The first `ok` completion in the window, if any. */
  firstOk: { index: number; time: number; afterHealNs: number } | null;
  /** Ops in flight at some point of the window. */
  inFlight: number;
  /** Ops that ended `fail` or `info` in the window, or never ended: the first `STALLED_MAX`. */
  stalled: StalledOp[];
  stalledCount: number;
  /** Healthy stretches judged, and the stalls found in them (the first `STALLED_MAX`). */
  healthyStretches: number;
  stalls: Stall[];
  stallCount: number;
  /** Present when quiet windows were judged (LivenessOptions.quietWindows). */
  quietWindows?: QuietWindowEvidence[];
}

const STALLED_MAX = 20;

/** Judges progress; the result is marked a progress property (checkers/verdict.ts). */
export function checkLiveness(history: History, options: LivenessOptions): CheckerResult {
  return { ...judgeLiveness(history, options), property: 'progress' };
}

function judgeLiveness(history: History, options: LivenessOptions): CheckerResult {
  if (!(options.boundNs > 0)) throw new Error('liveness: boundNs must be positive');
  const windowStartNs = options.healedAtNs ?? 0;
  const windowEndNs = windowStartNs + options.boundNs;
  const evidence: LivenessEvidence = {
    windowStartNs,
    windowEndNs,
    firstOk: null,
    inFlight: 0,
    stalled: [],
    stalledCount: 0,
    healthyStretches: options.healthy?.length ?? 0,
    stalls: [],
    stallCount: 0,
  };
  const ms = (ns: number) => `${Math.round(ns / 1e6)} ms`;
  const window = `[${ms(windowStartNs)}, ${ms(windowEndNs)}]`;

  if (history.some((record) => record.time === undefined)) {
    return { checker: 'liveness', verdict: 'unknown', summary: 'liveness: the history has no times', evidence };
  }
  const { ops } = pairOps(history);
  const answered = new Set(options.answeredFails ?? []);
  for (const op of ops) {
    const invokeTime = op.invokeTime as number;
    const completeTime = op.completeTime ?? Infinity;
    if (invokeTime > windowEndNs || completeTime < windowStartNs) continue;
    evidence.inFlight += 1;
    // The system's own answer (a cas whose compare failed) shows it serving as much as an ok does.
    if (op.type === 'ok' || (op.type === 'fail' && answered.has(op.f))) {
      // An ok after the window is progress too late; the op was still in flight in it.
      if (completeTime > windowEndNs) continue;
      if (evidence.firstOk === null || completeTime < evidence.firstOk.time) {
        evidence.firstOk = { index: op.completeIndex as number, time: completeTime, afterHealNs: completeTime - windowStartNs };
      }
      continue;
    }
    if (completeTime > windowEndNs && op.completeIndex !== null) continue;
    evidence.stalledCount += 1;
    if (evidence.stalled.length >= STALLED_MAX) continue;
    const stalled: StalledOp = { index: op.completeIndex ?? op.invokeIndex, process: op.process, f: op.f, type: op.type === 'fail' ? 'fail' : 'info', invokeTime };
    if (op.key !== undefined) stalled.key = op.key;
    if (op.completeTime !== undefined) stalled.completeTime = op.completeTime;
    if (op.node !== undefined) stalled.node = op.node;
    evidence.stalled.push(stalled);
  }

  findStalls(ops, options, evidence);
  const quiet = judgeQuietWindows(ops, options, evidence);
  const since = options.healedAtNs === null ? 'the start (no faults)' : 'the last heal';
  if (evidence.stallCount > 0) {
    const first = evidence.stalls[0]!;
    return {
      checker: 'liveness',
      verdict: 'invalid',
      summary:
        `liveness: no op completed ok for ${ms(first.waitedNs)} from ${ms(first.invokeTime)} while a majority was healthy ` +
        `(bound ${ms(options.stallBoundNs ?? options.boundNs)}); ${evidence.stallCount} ops stalled so`,
      evidence,
    };
  }
  if (quiet !== null) return quiet;
  if (evidence.firstOk !== null) {
    const quietNote = evidence.quietWindows === undefined ? '' : `; each of ${evidence.quietWindows.length} earlier quiet windows too`;
    return {
      checker: 'liveness',
      verdict: 'valid',
      summary: `liveness: first ok op ${ms(evidence.firstOk.afterHealNs)} after ${since} (bound ${ms(options.boundNs)})${quietNote}`,
      evidence,
    };
  }
  if (options.endNs < windowEndNs) {
    return { checker: 'liveness', verdict: 'unknown', summary: `liveness: the run ended before the window ${window} did; no ok op yet`, evidence };
  }
  if (evidence.inFlight === 0) {
    return { checker: 'liveness', verdict: 'unknown', summary: `liveness: no op was in flight in the window ${window}`, evidence };
  }
  return {
    checker: 'liveness',
    verdict: 'invalid',
    summary: `liveness: no op completed ok within ${ms(options.boundNs)} after ${since}; ${evidence.stalledCount} ops failed or timed out in ${window}`,
    evidence,
  };
}

/**
 * The quiet windows before the last heal: each must see an op complete `ok` within the bound of its
 * start, whenever that op was invoked. Returns the invalid (or, for a window too short to judge
 * with ops in flight and none ok, unknown) result of the first window that fails, or null when
 * every window showed progress (the last heal is then judged as before).
 */
function judgeQuietWindows(ops: readonly PairedOp[], options: LivenessOptions, evidence: LivenessEvidence): CheckerResult | null {
  const windows = options.quietWindows;
  if (windows === undefined) return null;
  const ms = (ns: number) => `${Math.round(ns / 1e6)} ms`;
  const okTimes = ops
    .filter((op) => op.type === 'ok' && op.completeTime !== undefined)
    .map((op) => op.completeTime as number)
    .sort((a, b) => a - b);
  evidence.quietWindows = [];
  let failed: CheckerResult | null = null;
  for (const window of windows) {
    const boundEndNs = window.startNs + options.boundNs;
    const nextOk = okTimes[firstAtOrAfter(okTimes, window.startNs)];
    const firstOkNs = nextOk !== undefined && nextOk <= boundEndNs ? nextOk : null;
    let inFlight = 0;
    if (firstOkNs === null) {
      for (const op of ops) if ((op.invokeTime as number) <= boundEndNs && (op.completeTime ?? Infinity) >= window.startNs) inFlight += 1;
    }
    evidence.quietWindows.push({ startNs: window.startNs, endNs: window.endNs, firstOkNs, inFlight });
    if (firstOkNs !== null || inFlight === 0 || failed !== null) continue;
    const where = `the quiet window from ${ms(window.startNs)}`;
    failed =
      boundEndNs > window.endNs
        ? { checker: 'liveness', verdict: 'unknown', summary: `liveness: ${where} ended (${ms(window.endNs)}) before its bound ${ms(options.boundNs)} did; no ok op in it`, evidence }
        : { checker: 'liveness', verdict: 'invalid', summary: `liveness: no op completed ok within ${ms(options.boundNs)} of ${where} (${inFlight} ops in flight)`, evidence };
  }
  return failed;
}

/**
 * Every op invoked in a healthy stretch, early enough that the bound ends inside the stretch, must
 * see some op complete `ok` within the bound (or itself be answered, see `answeredFails`). A stretch that starts when faults touching a majority
 * end (the heal, say) first gives the system `boundNs` to recover, as the heal rule does.
 */
function findStalls(ops: readonly PairedOp[], options: LivenessOptions, evidence: LivenessEvidence): void {
  const stretches = options.healthy ?? [];
  if (stretches.length === 0) return;
  const stallBoundNs = options.stallBoundNs ?? options.boundNs;
  const answered = new Set(options.answeredFails ?? []);
  if (!(stallBoundNs > 0)) throw new Error('liveness: stallBoundNs must be positive');
  const okTimes = ops
    .filter((op) => (op.type === 'ok' || (op.type === 'fail' && answered.has(op.f))) && op.completeTime !== undefined)
    .map((op) => op.completeTime as number)
    .sort((a, b) => a - b);
  let stretchAt = 0;
  for (const op of ops) {
    const invokeTime = op.invokeTime as number;
    while (stretchAt < stretches.length && stretches[stretchAt]!.endNs < invokeTime) stretchAt += 1;
    const stretch = stretches[stretchAt];
    if (stretch === undefined) break;
    if (invokeTime < stretch.startNs) continue;
    const graceNs = stretch.startNs === 0 ? 0 : options.boundNs;
    if (invokeTime < stretch.startNs + graceNs || invokeTime + stallBoundNs > stretch.endNs) continue;
    const nextOk = okTimes[firstAtOrAfter(okTimes, invokeTime)];
    let answerNs = nextOk ?? Infinity;
    if (op.type === 'fail' && answered.has(op.f) && op.completeTime !== undefined) answerNs = Math.min(answerNs, op.completeTime);
    const waitedNs = Math.min(answerNs, stretch.endNs) - invokeTime;
    if (waitedNs <= stallBoundNs) continue;
    evidence.stallCount += 1;
    if (evidence.stalls.length < STALLED_MAX) {
      evidence.stalls.push({ index: op.invokeIndex, process: op.process, f: op.f, invokeTime, waitedNs, stretch: [stretch.startNs, stretch.endNs] });
    }
  }
}

/** The first position in sorted `times` holding a value >= `time` (times.length when none). */
function firstAtOrAfter(times: readonly number[], time: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle]! < time) low = middle + 1;
    else high = middle;
  }
  return low;
}
