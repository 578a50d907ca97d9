// The unique-ids checker: every id an `ok` op of `f` returned (its completion's value) is returned
// once only, across all processes and nodes. Ids may be any JSON value: two are the same id when
// they are structurally equal (objects compared without regard to key order).
import type { CheckerResult } from './verdict.js';
import type { History } from '../histories/schema.js';
import { pairOps } from './paired-ops.js';

const FINDINGS_MAX = 20;

export interface DuplicateId {
  id: unknown;
  /** History indexes of the completions that returned it. */
  indexes: number[];
}

export interface UniqueIdsEvidence {
  ok: number;
  fail: number;
  info: number;
  duplicates: DuplicateId[];
  duplicateCount: number;
  problems: string[];
}

/** JSON with object keys sorted, so structurally equal ids have one text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function checkUniqueIds(history: History, f = 'generate'): CheckerResult {
  const { ops, problems } = pairOps(history);
  const evidence: UniqueIdsEvidence = { ok: 0, fail: 0, info: 0, duplicates: [], duplicateCount: 0, problems: problems.map((problem) => problem.message) };
  const seen = new Map<string, DuplicateId>();
  for (const op of ops) {
    if (op.f !== f) continue;
    evidence[op.type] += 1;
    if (op.type !== 'ok') continue;
    if (op.value === null || op.value === undefined) {
      evidence.problems.push(`index ${op.completeIndex}: an ok ${f} without an id`);
      continue;
    }
    const text = canonicalJson(op.value);
    const entry = seen.get(text);
    if (entry === undefined) seen.set(text, { id: op.value, indexes: [op.completeIndex!] });
    else entry.indexes.push(op.completeIndex!);
  }
  for (const entry of seen.values()) {
    if (entry.indexes.length < 2) continue;
    evidence.duplicateCount += 1;
    if (evidence.duplicates.length < FINDINGS_MAX) evidence.duplicates.push(entry);
  }
  const totals = `${evidence.ok} ok, ${evidence.fail} fail, ${evidence.info} info ${f} ops`;
  if (evidence.duplicateCount > 0) {
    const first = evidence.duplicates[0]!;
    return {
      checker: 'unique-ids',
      verdict: 'invalid',
      summary: `unique-ids: ${evidence.duplicateCount} ids returned more than once (first: ${canonicalJson(first.id)}, ${first.indexes.length} times); ${totals}`,
      evidence,
    };
  }
  if (evidence.problems.length > 0) return { checker: 'unique-ids', verdict: 'unknown', summary: `unique-ids: cannot judge: ${evidence.problems[0]}; ${totals}`, evidence };
  if (evidence.ok === 0) return { checker: 'unique-ids', verdict: 'unknown', summary: `unique-ids: no ok ${f} to judge; ${totals}`, evidence };
  return { checker: 'unique-ids', verdict: 'valid', summary: `unique-ids: all ${seen.size} ids distinct; ${totals}`, evidence };
}
