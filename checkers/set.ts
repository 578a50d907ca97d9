// The set checker: a grow-only set of elements, ops `add` (value: the element) and `read` (value:
// the elements present). Histories may be keyed (one independent set per key); a record without a
// key belongs to the one unkeyed set.
//
// Every `ok` read is judged, not only the last, and a read need not be atomic (ours reads one key
// per element over a stretch of time): each rule below holds for any read whose parts all happen
// between its invoke and its completion.
// - lost: an add acknowledged `ok` before the read was invoked is missing from it;
// - unexpected: the read has an element no add had invoked before the read completed;
// - failed-present: the read has an element whose every add ended `fail` (certainly not done);
// - stale: an element seen by a read that completed before this one was invoked is missing.
// An `info` add may or may not be present; one that is counts as recovered.
import type { CheckerResult } from './verdict.js';
import type { History } from '../histories/schema.js';
import { pairOps, type PairedOp } from './paired-ops.js';

export interface SetFinding {
  key: string | null;
  element: unknown;
  /** History index of the read's completion that shows the problem. */
  readIndex: number;
  /** The ok add's completion (lost) or the earlier read's completion (stale) it contradicts. */
  sinceIndex?: number;
}

export interface SetEvidence {
  keys: number;
  adds: { ok: number; fail: number; info: number };
  readsOk: number;
  /** Info adds found present in some read. */
  recovered: number;
  counts: { lost: number; unexpected: number; failedPresent: number; stale: number };
  /** The first `FINDINGS_MAX` of each kind, in history order. */
  lost: SetFinding[];
  unexpected: SetFinding[];
  failedPresent: SetFinding[];
  stale: SetFinding[];
  /** Keys with adds that may have happened but no `ok` read to judge them by. */
  unread: (string | null)[];
  /** Malformed history lines, if any. */
  problems: string[];
}

const FINDINGS_MAX = 20;

interface ElementState {
  element: unknown;
  firstInvokeIndex: number;
  /** The earliest completion of an `ok` add, or Infinity. */
  okIndex: number;
  /** Every add of this element ended `fail`. */
  allFail: boolean;
  anyInfo: boolean;
}

export function checkSet(history: History): CheckerResult {
  const { ops, problems } = pairOps(history);
  const groups = new Map<string | null, PairedOp[]>();
  for (const op of ops) {
    if (op.f !== 'add' && op.f !== 'read') continue;
    const key = op.key ?? null;
    let group = groups.get(key);
    if (group === undefined) {
      group = [];
      groups.set(key, group);
    }
    group.push(op);
  }
  const evidence: SetEvidence = {
    keys: groups.size,
    adds: { ok: 0, fail: 0, info: 0 },
    readsOk: 0,
    recovered: 0,
    counts: { lost: 0, unexpected: 0, failedPresent: 0, stale: 0 },
    lost: [],
    unexpected: [],
    failedPresent: [],
    stale: [],
    unread: [],
    problems: problems.map((problem) => problem.message),
  };
  for (const [key, group] of groups) checkGroup(key, group, evidence);

  const { lost, unexpected, failedPresent, stale } = evidence.counts;
  const violations = lost + unexpected + failedPresent + stale;
  const totals =
    `${evidence.adds.ok + evidence.adds.fail + evidence.adds.info} adds ` +
    `(${evidence.adds.ok} ok, ${evidence.adds.fail} fail, ${evidence.adds.info} info), ` +
    `${evidence.readsOk} ok reads over ${evidence.keys} key${evidence.keys === 1 ? '' : 's'}`;
  if (violations > 0) {
    return {
      checker: 'set',
      verdict: 'invalid',
      summary: `set: ${lost} lost, ${unexpected} unexpected, ${stale} stale, ${failedPresent} failed-but-present elements; ${totals}`,
      evidence,
    };
  }
  if (evidence.unread.length > 0 || problems.length > 0) {
    const why =
      evidence.unread.length > 0
        ? `no ok read for ${evidence.unread.length} key${evidence.unread.length === 1 ? '' : 's'} with adds`
        : `malformed history: ${problems[0]!.message}`;
    return { checker: 'set', verdict: 'unknown', summary: `set: cannot judge, ${why}; ${totals}`, evidence };
  }
  return { checker: 'set', verdict: 'valid', summary: `set: nothing lost or unexpected; ${evidence.recovered} info adds recovered; ${totals}`, evidence };
}

function checkGroup(key: string | null, group: PairedOp[], evidence: SetEvidence): void {
  const elements = new Map<string, ElementState>();
  const reads: PairedOp[] = [];
  for (const op of group) {
    if (op.f === 'read') {
      if (op.type !== 'ok') continue;
      if (!Array.isArray(op.value)) {
        if (evidence.problems.length < FINDINGS_MAX) evidence.problems.push(`index ${op.completeIndex}: ok read value is not a list`);
        continue;
      }
      reads.push(op);
      continue;
    }
    evidence.adds[op.type] += 1;
    const id = elementId(op.invokeValue);
    const state = elements.get(id);
    if (state === undefined) {
      elements.set(id, {
        element: op.invokeValue,
        firstInvokeIndex: op.invokeIndex,
        okIndex: op.type === 'ok' ? (op.completeIndex as number) : Infinity,
        allFail: op.type === 'fail',
        anyInfo: op.type === 'info',
      });
    } else {
      if (op.type === 'ok') state.okIndex = Math.min(state.okIndex, op.completeIndex as number);
      state.allFail = state.allFail && op.type === 'fail';
      state.anyInfo = state.anyInfo || op.type === 'info';
    }
  }
  evidence.readsOk += reads.length;
  const mayExist = [...elements.values()].some((state) => !state.allFail);
  if (reads.length === 0) {
    if (mayExist) evidence.unread.push(key);
    return;
  }

  const byCompletion = [...reads].sort((a, b) => (a.completeIndex as number) - (b.completeIndex as number));
  /** Elements seen by reads completed before the read being judged was invoked, with where. */
  const established = new Map<string, { sinceIndex: number; element: unknown }>();
  let completedUpTo = 0;
  const reported = { lost: new Set<string>(), stale: new Set<string>(), unexpected: new Set<string>(), failedPresent: new Set<string>() };
  const recovered = new Set<string>();
  const report = (kind: keyof typeof reported, id: string, finding: SetFinding) => {
    if (reported[kind].has(id)) return;
    reported[kind].add(id);
    evidence.counts[kind] += 1;
    if (evidence[kind].length < FINDINGS_MAX) evidence[kind].push(finding);
  };

  for (const read of reads) {
    const readIndex = read.completeIndex as number;
    while (completedUpTo < byCompletion.length && (byCompletion[completedUpTo]!.completeIndex as number) < read.invokeIndex) {
      const earlier = byCompletion[completedUpTo]!;
      for (const element of earlier.value as unknown[]) {
        const id = elementId(element);
        if (!established.has(id)) established.set(id, { sinceIndex: earlier.completeIndex as number, element });
      }
      completedUpTo += 1;
    }
    const present = new Map<string, unknown>();
    for (const element of read.value as unknown[]) present.set(elementId(element), element);

    for (const [id, state] of elements) {
      if (state.okIndex < read.invokeIndex && !present.has(id)) {
        report('lost', id, { key, element: state.element, readIndex, sinceIndex: state.okIndex });
      }
    }
    for (const [id, seen] of established) {
      if (present.has(id) || reported.lost.has(id)) continue;
      report('stale', id, { key, element: seen.element, readIndex, sinceIndex: seen.sinceIndex });
    }
    for (const [id, element] of present) {
      const state = elements.get(id);
      if (state === undefined || state.firstInvokeIndex > readIndex) {
        report('unexpected', id, { key, element, readIndex });
      } else if (state.allFail) {
        report('failedPresent', id, { key, element: state.element, readIndex });
      } else if (state.anyInfo && state.okIndex === Infinity) {
        recovered.add(id);
      }
    }
  }
  evidence.recovered += recovered.size;
}

/** Elements are compared by their JSON text, so `3` and `"3"` are different elements. */
function elementId(element: unknown): string {
  return JSON.stringify(element) ?? 'undefined';
}
