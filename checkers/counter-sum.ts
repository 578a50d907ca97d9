// The counter checker: ops `add` (value: the delta, an integer) and `read` (value: the counter).
// A read must show the acknowledged adds and any subset of the ones that may have happened:
// its value is Σ(certain deltas) + Σ(some subset of possible deltas), where
// - certain: an `ok` add completed before the read was invoked;
// - possible: an `info` add, or an `ok` add concurrent with the read (invoked before the read
//   completed, completed after it was invoked); a `fail` add certainly did not happen.
// That is a linearizable counter's rule. An eventually consistent counter (Maelstrom's g-counter and
// pn-counter) promises it only of reads taken once every add has completed and the cluster has
// healed and converged: the workload hands this checker those final reads alone.
//
// The sums reachable from the possible deltas are enumerated exactly up to `SUMS_MAX` distinct
// values; past that the check falls back to the interval between the sum of the negative and the
// sum of the positive possible deltas, and says so.
import type { CheckerResult } from './verdict.js';
import type { History } from '../histories/schema.js';
import { pairOps, type PairedOp } from './paired-ops.js';

/** Distinct subset sums enumerated before falling back to bounds. */
export const SUMS_MAX = 100_000;
const FINDINGS_MAX = 20;

export interface CounterFinding {
  /** History index of the read's completion. */
  readIndex: number;
  node: string | undefined;
  value: number;
  /** What the read could have shown: certain sum plus the range of possible sums. */
  certain: number;
  lowest: number;
  highest: number;
}

export interface CounterEvidence {
  adds: { ok: number; fail: number; info: number };
  readsOk: number;
  /** Reads judged by bounds alone (too many possible deltas to enumerate). */
  boundsOnly: number;
  wrong: CounterFinding[];
  wrongCount: number;
  problems: string[];
}

/** The subset sums of `deltas`, or null past SUMS_MAX distinct sums. */
export function subsetSums(deltas: readonly number[]): Set<number> | null {
  let sums = new Set<number>([0]);
  for (const delta of deltas) {
    if (delta === 0) continue;
    const next = new Set(sums);
    for (const sum of sums) next.add(sum + delta);
    if (next.size > SUMS_MAX) return null;
    sums = next;
  }
  return sums;
}

function isCompletedBefore(add: PairedOp, read: PairedOp): boolean {
  return add.completeIndex !== null && add.completeIndex < read.invokeIndex;
}

export function checkCounter(history: History, name = 'counter'): CheckerResult {
  const { ops, problems } = pairOps(history);
  const evidence: CounterEvidence = { adds: { ok: 0, fail: 0, info: 0 }, readsOk: 0, boundsOnly: 0, wrong: [], wrongCount: 0, problems: problems.map((problem) => problem.message) };
  const adds: PairedOp[] = [];
  const reads: PairedOp[] = [];
  for (const op of ops) {
    if (op.f === 'add') {
      if (!Number.isSafeInteger(op.invokeValue)) {
        evidence.problems.push(`index ${op.invokeIndex}: add of a non-integer delta ${JSON.stringify(op.invokeValue)}`);
        continue;
      }
      evidence.adds[op.type] += 1;
      if (op.type !== 'fail') adds.push(op);
    } else if (op.f === 'read' && op.type === 'ok') {
      if (!Number.isSafeInteger(op.value)) {
        evidence.problems.push(`index ${op.completeIndex}: ok read of a non-integer ${JSON.stringify(op.value)}`);
        continue;
      }
      reads.push(op);
    }
  }
  evidence.readsOk = reads.length;
  for (const read of reads) {
    let certain = 0;
    const possible: number[] = [];
    for (const add of adds) {
      if (add.invokeIndex > (read.completeIndex ?? Number.MAX_SAFE_INTEGER)) continue;
      const delta = add.invokeValue as number;
      if (add.type === 'ok' && isCompletedBefore(add, read)) certain += delta;
      else possible.push(delta);
    }
    const lowest = certain + possible.reduce((sum, delta) => sum + Math.min(0, delta), 0);
    const highest = certain + possible.reduce((sum, delta) => sum + Math.max(0, delta), 0);
    const value = read.value as number;
    const sums = subsetSums(possible);
    if (sums === null) evidence.boundsOnly += 1;
    const fits = sums === null ? value >= lowest && value <= highest : sums.has(value - certain);
    if (fits) continue;
    evidence.wrongCount += 1;
    if (evidence.wrong.length < FINDINGS_MAX) evidence.wrong.push({ readIndex: read.completeIndex!, node: read.node, value, certain, lowest, highest });
  }
  const totals = `${adds.length + evidence.adds.fail} adds (${evidence.adds.ok} ok, ${evidence.adds.fail} fail, ${evidence.adds.info} info), ${reads.length} ok reads`;
  if (evidence.wrongCount > 0) {
    const first = evidence.wrong[0]!;
    return {
      checker: name,
      verdict: 'invalid',
      summary: `${name}: ${evidence.wrongCount} reads show a value no set of adds sums to (first: ${first.value}${first.node === undefined ? '' : ` on ${first.node}`}, expected ${first.lowest === first.highest ? first.lowest : `${first.lowest}..${first.highest}`}); ${totals}`,
      evidence,
    };
  }
  if (evidence.problems.length > 0) return { checker: name, verdict: 'unknown', summary: `${name}: cannot judge, malformed history: ${evidence.problems[0]}; ${totals}`, evidence };
  if (reads.length === 0) return { checker: name, verdict: 'unknown', summary: `${name}: no ok read to judge; ${totals}`, evidence };
  const bounds = evidence.boundsOnly > 0 ? ` (${evidence.boundsOnly} judged by bounds only)` : '';
  return { checker: name, verdict: 'valid', summary: `${name}: every read is the sum of the acknowledged adds and some of the uncertain ones${bounds}; ${totals}`, evidence };
}
