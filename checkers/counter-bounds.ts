// The counter checker (Maelstrom's g-counter and pn-counter semantics): every final read of a key
// must equal the sum of the acknowledged deltas plus the deltas of some subset of the indefinite
// adds (`info`: they may or may not have happened); a `fail` add certainly did not. Final reads
// invoked after `convergedByNs` must also agree with each other: once the replicas converged every
// read of all of them returns the same sum. For a g-counter (`grow`) a negative delta is itself a
// malformed history.
//
// History shape (workloads/quorum-kv/siblings-client.ts with a counter flavour): `add` with the
// delta as its value, `read` and `final-read` completing `ok` with the counter's value.
import type { CheckerResult } from './verdict.js';
import type { History } from '../histories/schema.js';
import { pairOps, type PairedOp } from './paired-ops.js';
import { opsByKey } from './siblings.js';
import { subsetSums } from './counter-sum.js';

export interface CounterOptions {
  convergedByNs?: number;
  /** A g-counter: only deltas >= 0. */
  grow?: boolean;
}

export interface CounterFinding {
  key: string;
  readIndex: number;
  got: number;
  /** The acknowledged sum and the range the indefinite adds could move it over. */
  acknowledged: number;
  lowest: number;
  highest: number;
}

export interface CounterEvidence {
  keys: number;
  adds: { ok: number; fail: number; info: number };
  finalReads: number;
  outOfRange: CounterFinding[];
  disagreeing: { key: string; values: number[] }[];
  unread: string[];
  problems: string[];
}

const FINDINGS_MAX = 20;

/** Every sum of a subset of `deltas`, or null past SUMS_MAX distinct sums (then bounds judge): one rule for both counter checkers. */
export { subsetSums } from './counter-sum.js';

export function checkCounter(history: History, options: CounterOptions = {}): CheckerResult {
  const { ops, problems } = pairOps(history);
  const evidence: CounterEvidence = { keys: 0, adds: { ok: 0, fail: 0, info: 0 }, finalReads: 0, outOfRange: [], disagreeing: [], unread: [], problems: problems.map((p) => p.message) };
  const byKey = opsByKey(ops);
  evidence.keys = byKey.size;
  for (const [key, keyOps] of byKey) checkKey(key, keyOps, options, evidence);
  const totals = `${evidence.adds.ok + evidence.adds.fail + evidence.adds.info} adds (${evidence.adds.ok} ok, ${evidence.adds.info} indefinite), ${evidence.finalReads} final reads of ${evidence.keys} keys`;
  // A history this checker cannot read is not judged on the part it could.
  if (evidence.problems.length > 0) return { checker: 'counter', verdict: 'unknown', summary: `counter: cannot judge, malformed history: ${evidence.problems[0]}; ${totals}`, evidence };
  if (evidence.outOfRange.length + evidence.disagreeing.length > 0) {
    const first = evidence.outOfRange[0];
    const why = first !== undefined ? `first: ${first.key} read ${first.got}, but the acknowledged adds sum to ${first.acknowledged} and the indefinite ones allow only ${first.lowest}..${first.highest}` : `final reads of ${evidence.disagreeing[0]!.key} disagree: ${evidence.disagreeing[0]!.values.join(', ')}`;
    return { checker: 'counter', verdict: 'invalid', summary: `counter: ${evidence.outOfRange.length} final read(s) no subset of the indefinite adds explains, ${evidence.disagreeing.length} key(s) whose converged reads disagree (${why}); ${totals}`, evidence };
  }
  if (evidence.unread.length > 0) {
    return { checker: 'counter', verdict: 'unknown', summary: `counter: cannot judge, no ok final read for ${evidence.unread.length} key(s) with acknowledged adds; ${totals}`, evidence };
  }
  return { checker: 'counter', verdict: 'valid', summary: `counter: every final read is the acknowledged sum plus some indefinite adds, and they agree; ${totals}`, evidence };
}

function checkKey(key: string, ops: readonly PairedOp[], options: CounterOptions, evidence: CounterEvidence): void {
  let acknowledged = 0;
  const indefinite: number[] = [];
  const finals: PairedOp[] = [];
  for (const op of ops) {
    if (op.f === 'add') {
      const delta = op.invokeValue;
      if (typeof delta !== 'number' || !Number.isSafeInteger(delta) || (options.grow === true && delta < 0)) {
        if (evidence.problems.length < FINDINGS_MAX) evidence.problems.push(`index ${op.invokeIndex}: add delta ${String(delta)} is not ${options.grow === true ? 'a non-negative' : 'an'} integer`);
        continue;
      }
      evidence.adds[op.type] += 1;
      if (op.type === 'ok') acknowledged += delta;
      else if (op.type === 'info') indefinite.push(delta);
    } else if (op.f === 'final-read' && op.type === 'ok') {
      if (typeof op.value !== 'number') {
        if (evidence.problems.length < FINDINGS_MAX) evidence.problems.push(`index ${op.completeIndex}: final read value is not a number`);
        continue;
      }
      finals.push(op);
    }
  }
  evidence.finalReads += finals.length;
  if (finals.length === 0) {
    if (evidence.adds.ok > 0) evidence.unread.push(key);
    return;
  }
  const sums = subsetSums(indefinite);
  const lowest = acknowledged + indefinite.filter((d) => d < 0).reduce((a, b) => a + b, 0);
  const highest = acknowledged + indefinite.filter((d) => d > 0).reduce((a, b) => a + b, 0);
  for (const read of finals) {
    const got = read.value as number;
    const explained = sums === null ? got >= lowest && got <= highest : sums.has(got - acknowledged);
    if (!explained && evidence.outOfRange.length < FINDINGS_MAX) evidence.outOfRange.push({ key, readIndex: read.completeIndex!, got, acknowledged, lowest, highest });
  }
  const converged = finals.filter((read) => options.convergedByNs === undefined || (read.invokeTime !== undefined && read.invokeTime >= options.convergedByNs));
  const values = [...new Set(converged.map((read) => read.value as number))];
  if (values.length > 1 && evidence.disagreeing.length < FINDINGS_MAX) evidence.disagreeing.push({ key, values: values.sort((a, b) => a - b) });
}
