// Consumer-group checks over a queue history with `subscribe` and `commit` ops, pure:
//
// - nonmonotonic-commit: a partition's committed offset moved back: an acknowledged commit of key
//   k at offset o, invoked after another commit of k at a larger offset was acknowledged. (This
//   workload never resets offsets explicitly, so there is no allowed exception to state.)
// - shared-ownership: two members hold the same key in the same generation.
import type { History } from '../../histories/schema.js';
import type { CheckerResult } from '../verdict.js';

export interface GroupCase {
  key: number;
  explanation: string;
  ops: number[];
}

const CASES_KEPT = 8;

export function checkGroups(history: History): CheckerResult {
  const invoked = new Map<number, number>();
  /** Per key: the largest acknowledged commit so far, by completion order, with the op. */
  const acknowledged: { key: number; offset: number; invokeIndex: number; okIndex: number }[] = [];
  const owners = new Map<string, { member: string; op: number }>();
  const cases: { 'nonmonotonic-commit': GroupCase[]; 'shared-ownership': GroupCase[] } = { 'nonmonotonic-commit': [], 'shared-ownership': [] };
  const counts = { 'nonmonotonic-commit': 0, 'shared-ownership': 0 };
  let commits = 0;
  let subscribes = 0;
  const add = (kind: keyof typeof cases, found: GroupCase) => {
    counts[kind]++;
    if (cases[kind].length < CASES_KEPT) cases[kind].push(found);
  };
  for (const record of history) {
    if (record.type === 'invoke') {
      invoked.set(record.process, record.index);
      continue;
    }
    const invokeIndex = invoked.get(record.process) ?? record.index;
    if (record.type !== 'ok') continue;
    const value = record.value as { offsets?: Record<string, number>; generation?: number; keys?: number[]; member?: string } | null;
    if (record.f === 'commit') {
      if (typeof value?.offsets !== 'object' || value.offsets === null) return { checker: 'group-offsets', verdict: 'unknown', summary: `group-offsets: record ${record.index}: an ok commit needs {offsets: {key: offset}}` };
      commits++;
      for (const [name, offset] of Object.entries(value.offsets)) {
        const key = Number(name);
        // Commits acknowledged before this one was invoked: its offset must not be below theirs.
        const before = acknowledged.filter((entry) => entry.key === key && entry.okIndex < invokeIndex && entry.offset > offset);
        if (before.length > 0) {
          const worst = before.reduce((a, b) => (b.offset > a.offset ? b : a));
          add('nonmonotonic-commit', {
            key,
            explanation: `key ${key}: commit of offset ${offset} (op ${record.index}, generation ${value.generation ?? '?'}) acknowledged after the commit of offset ${worst.offset} (op ${worst.okIndex}) had been acknowledged`,
            ops: [worst.okIndex, record.index],
          });
        }
        acknowledged.push({ key, offset, invokeIndex, okIndex: record.index });
      }
    } else if (record.f === 'subscribe') {
      if (typeof value?.generation !== 'number' || !Array.isArray(value.keys) || typeof value.member !== 'string') {
        return { checker: 'group-offsets', verdict: 'unknown', summary: `group-offsets: record ${record.index}: an ok subscribe needs {member, generation, keys}` };
      }
      subscribes++;
      for (const key of value.keys) {
        const name = `${value.generation}:${key}`;
        const owner = owners.get(name);
        if (owner !== undefined && owner.member !== value.member) {
          add('shared-ownership', { key, explanation: `key ${key} is owned by ${owner.member} (op ${owner.op}) and ${value.member} (op ${record.index}) in generation ${value.generation}`, ops: [owner.op, record.index] });
        }
        owners.set(name, { member: value.member, op: record.index });
      }
    }
  }
  const broken = (Object.keys(counts) as (keyof typeof counts)[]).filter((kind) => counts[kind] > 0);
  const evidence = { counts, cases, commits, subscribes };
  if (broken.length === 0) return { checker: 'group-offsets', verdict: 'valid', summary: `group-offsets: ${commits} commits monotonic per key, ${subscribes} subscribes with one owner per key and generation`, evidence };
  const first = cases[broken[0]!][0]!;
  return { checker: 'group-offsets', verdict: 'invalid', summary: `group-offsets: ${broken.map((kind) => `${counts[kind]} ${kind}`).join(', ')}; first: ${first.explanation}`, evidence };
}
