// Unique ids: ops `generate` whose `ok` value is an id; no two `ok` ops may return the same id
// (Maelstrom's unique-ids workload, Jepsen's unique-ids checker). `fail` and `info` ops returned
// nothing. Ids compare by value (numbers, strings, lists, maps), so an id may be any JSON value.
import type { CheckerResult } from './verdict.js';
import type { History } from '../histories/schema.js';
import { pairOps } from './paired-ops.js';
import { showValue } from './values.js';

/** Duplicates listed at most (all are counted). */
const DUPLICATES_SHOWN_MAX = 20;

export interface UniqueIdsEvidence {
  generated: { ok: number; fail: number; info: number };
  /** Each id returned more than once, with the history indexes of the completions that returned it. */
  duplicates: { id: unknown; indexes: number[] }[];
  duplicateCount: number;
  problems: string[];
}

export function checkUniqueIds(history: History): CheckerResult {
  const { ops, problems } = pairOps(history);
  const seen = new Map<string, { id: unknown; indexes: number[] }>();
  const evidence: UniqueIdsEvidence = { generated: { ok: 0, fail: 0, info: 0 }, duplicates: [], duplicateCount: 0, problems: problems.map((problem) => problem.message) };
  for (const op of ops) {
    if (op.f !== 'generate') continue;
    evidence.generated[op.type]++;
    if (op.type !== 'ok') continue;
    const id = JSON.stringify(op.value) ?? 'undefined';
    const entry = seen.get(id);
    if (entry === undefined) seen.set(id, { id: op.value, indexes: [op.completeIndex!] });
    else entry.indexes.push(op.completeIndex!);
  }
  for (const entry of seen.values()) {
    if (entry.indexes.length < 2) continue;
    evidence.duplicateCount++;
    if (evidence.duplicates.length < DUPLICATES_SHOWN_MAX) evidence.duplicates.push(entry);
  }
  const totals = `${evidence.generated.ok} ids generated ok (${evidence.generated.fail} fail, ${evidence.generated.info} info)`;
  if (evidence.duplicateCount > 0) {
    const first = evidence.duplicates[0]!;
    return {
      checker: 'unique-ids',
      verdict: 'invalid',
      summary: `unique-ids: ${evidence.duplicateCount} id${evidence.duplicateCount === 1 ? '' : 's'} returned more than once (first: ${showValue(first.id)} at indexes ${first.indexes.join(', ')}); ${totals}`,
      evidence,
    };
  }
  if (problems.length > 0) return { checker: 'unique-ids', verdict: 'unknown', summary: `unique-ids: malformed history: ${problems[0]!.message}`, evidence };
  return { checker: 'unique-ids', verdict: 'valid', summary: `unique-ids: every id distinct; ${totals}`, evidence };
}
