// A shared append-only log: `append v` (an `ok` value that is a number is the offset it got) and
// `read` (an `ok` value is the whole log as a list). Keyed histories hold one log per key. Rules:
// - order: any two reads agree where both have entries (one is a prefix of the other), so there is
//   one order of entries every reader saw;
// - lost: an append acknowledged before a read was invoked is missing from it;
// - unexpected: a read holds a value no append invoked before the read completed;
// - duplicate: a value appears twice in one read although it was appended once;
// - offset: an acknowledged offset holds another value in a read long enough to show it.
import type { CheckerResult } from './verdict.js';
import type { History } from '../histories/schema.js';
import { pairOps, type PairedOp } from './paired-ops.js';
import { showValue } from './values.js';

const FINDINGS_MAX = 20;

export type LogFindingKind = 'order' | 'lost' | 'unexpected' | 'duplicate' | 'offset';

export interface LogFinding {
  kind: LogFindingKind;
  key: string | null;
  /** History index of the read's completion that shows it. */
  readIndex: number;
  what: string;
}

export interface LogEvidence {
  logs: number;
  appends: { ok: number; fail: number; info: number };
  readsOk: number;
  counts: Record<LogFindingKind, number>;
  findings: LogFinding[];
  problems: string[];
}

const idOf = (value: unknown): string => JSON.stringify(value) ?? 'undefined';

export function checkLog(history: History): CheckerResult {
  const { ops, problems } = pairOps(history);
  const groups = new Map<string | null, PairedOp[]>();
  for (const op of ops) {
    if (op.f !== 'append' && op.f !== 'read') continue;
    const key = op.key ?? null;
    groups.set(key, [...(groups.get(key) ?? []), op]);
  }
  const evidence: LogEvidence = {
    logs: groups.size,
    appends: { ok: 0, fail: 0, info: 0 },
    readsOk: 0,
    counts: { order: 0, lost: 0, unexpected: 0, duplicate: 0, offset: 0 },
    findings: [],
    problems: problems.map((problem) => problem.message),
  };
  const report = (finding: LogFinding) => {
    evidence.counts[finding.kind]++;
    if (evidence.findings.length < FINDINGS_MAX) evidence.findings.push(finding);
  };
  for (const [key, group] of groups) checkOne(key, group, evidence, report);
  const bad = Object.values(evidence.counts).reduce((sum, count) => sum + count, 0);
  const totals = `${evidence.appends.ok + evidence.appends.fail + evidence.appends.info} appends (${evidence.appends.ok} ok), ${evidence.readsOk} ok reads over ${evidence.logs} log${evidence.logs === 1 ? '' : 's'}`;
  if (bad > 0) {
    const kinds = (Object.entries(evidence.counts) as [LogFindingKind, number][]).filter(([, count]) => count > 0).map(([kind, count]) => `${count} ${kind}`);
    return { checker: 'log', verdict: 'invalid', summary: `log: ${kinds.join(', ')}; first: ${evidence.findings[0]!.what}; ${totals}`, evidence };
  }
  if (problems.length > 0) return { checker: 'log', verdict: 'unknown', summary: `log: malformed history: ${problems[0]!.message}`, evidence };
  return { checker: 'log', verdict: 'valid', summary: `log: one order, nothing lost or unexpected; ${totals}`, evidence };
}

function checkOne(key: string | null, group: PairedOp[], evidence: LogEvidence, report: (finding: LogFinding) => void): void {
  const appends = group.filter((op) => op.f === 'append');
  const reads = group.filter((op): op is PairedOp & { completeIndex: number } => op.f === 'read' && op.type === 'ok' && op.completeIndex !== null);
  const appendedTimes = new Map<string, number>();
  for (const op of appends) {
    evidence.appends[op.type]++;
    if (op.type !== 'fail') appendedTimes.set(idOf(op.invokeValue), (appendedTimes.get(idOf(op.invokeValue)) ?? 0) + 1);
  }
  evidence.readsOk += reads.length;
  /** The longest read so far: every read must agree with it where both have entries. */
  let longest: { entries: unknown[]; index: number } | null = null;
  for (const read of reads) {
    if (!Array.isArray(read.value)) {
      if (evidence.problems.length < FINDINGS_MAX) evidence.problems.push(`index ${read.completeIndex}: ok read value is not a list`);
      continue;
    }
    const entries = read.value as unknown[];
    if (longest !== null) {
      const shared = Math.min(longest.entries.length, entries.length);
      for (let offset = 0; offset < shared; offset++) {
        if (idOf(longest.entries[offset]) === idOf(entries[offset])) continue;
        report({ kind: 'order', key, readIndex: read.completeIndex, what: `reads at ${longest.index} and ${read.completeIndex} disagree at offset ${offset} (${showValue(longest.entries[offset])} vs ${showValue(entries[offset])})` });
        break;
      }
    }
    if (longest === null || entries.length > longest.entries.length) longest = { entries, index: read.completeIndex };
    const counts = new Map<string, number>();
    for (const entry of entries) counts.set(idOf(entry), (counts.get(idOf(entry)) ?? 0) + 1);
    for (const [id, count] of counts) {
      const invokedBefore = appends.filter((op) => op.type !== 'fail' && idOf(op.invokeValue) === id && op.invokeIndex < read.completeIndex).length;
      if (invokedBefore === 0) report({ kind: 'unexpected', key, readIndex: read.completeIndex, what: `read at ${read.completeIndex} holds ${id}, never appended before it` });
      else if (count > (appendedTimes.get(id) ?? 0)) report({ kind: 'duplicate', key, readIndex: read.completeIndex, what: `read at ${read.completeIndex} holds ${id} ${count} times, appended ${appendedTimes.get(id)}` });
    }
    for (const op of appends) {
      if (op.type !== 'ok' || op.completeIndex === null) continue;
      const id = idOf(op.invokeValue);
      if (op.completeIndex < read.invokeIndex && !counts.has(id)) report({ kind: 'lost', key, readIndex: read.completeIndex, what: `append of ${id} acknowledged at ${op.completeIndex} is missing from the read at ${read.completeIndex}` });
      if (typeof op.value === 'number' && Number.isSafeInteger(op.value) && op.value >= 0 && op.value < entries.length && idOf(entries[op.value]) !== id) {
        report({ kind: 'offset', key, readIndex: read.completeIndex, what: `append of ${id} got offset ${op.value}, but the read at ${read.completeIndex} holds ${showValue(entries[op.value])} there` });
      }
    }
  }
}
