// Session guarantees of a register history, per client process: read-your-writes (after its write
// of v was acknowledged, a process's later reads of that key never return absent or one of its own
// older values) and monotonic writes (a process's later write never loses to its earlier one, which
// the same reads show). Another process's value is never judged: under last-writer-wins a
// concurrent write may win. Values are unique per run, so a value names the write that made it.
import type { CheckerResult } from './verdict.js';
import type { History } from '../histories/schema.js';
import { pairOps } from './paired-ops.js';

export interface SessionFinding {
  process: number;
  key: string;
  /** The read's completion index. */
  readIndex: number;
  /** What it returned, and the process's own newer acknowledged write it should have seen. */
  got: number | null;
  expected: number;
}

const FINDINGS_MAX = 20;

export function checkSessions(history: History): CheckerResult {
  const { ops, problems } = pairOps(history);
  const findings: SessionFinding[] = [];
  let violations = 0;
  let readsJudged = 0;
  /** Per (process, key): the process's own writes in invoke order, with their completion. */
  const own = new Map<string, { value: number; ok: boolean; completeIndex: number | null }[]>();
  for (const op of ops) {
    if (op.key === undefined) continue;
    const id = `${op.process}\u0000${op.key}`;
    if (op.f === 'write' && typeof op.invokeValue === 'number') {
      let list = own.get(id);
      if (list === undefined) own.set(id, (list = []));
      list.push({ value: op.invokeValue, ok: op.type === 'ok', completeIndex: op.completeIndex });
      continue;
    }
    if (op.f !== 'read' || op.type !== 'ok') continue;
    const writes = own.get(id) ?? [];
    const acked = writes.filter((w) => w.ok && w.completeIndex !== null && w.completeIndex < op.invokeIndex);
    if (acked.length === 0) continue;
    readsJudged += 1;
    const latest = acked[acked.length - 1]!;
    const value = typeof op.value === 'number' ? op.value : null;
    const position = value === null ? -1 : writes.findIndex((w) => w.value === value);
    const latestPosition = writes.indexOf(latest);
    // Absent, or one of this process's own writes older than its latest acknowledged one.
    if (value === null || (position >= 0 && position < latestPosition)) {
      violations += 1;
      if (findings.length < FINDINGS_MAX) findings.push({ process: op.process, key: op.key, readIndex: op.completeIndex!, got: value, expected: latest.value });
    }
  }
  const evidence = { readsJudged, violations, findings, problems: problems.map((p) => p.message) };
  if (violations > 0) {
    const first = findings[0]!;
    return {
      checker: 'session',
      verdict: 'invalid',
      summary: `session: ${violations} of ${readsJudged} reads missed their own process's newer write (first: process ${first.process} read ${first.got ?? 'absent'} on ${first.key} after writing ${first.expected})`,
      evidence,
    };
  }
  return { checker: 'session', verdict: 'valid', summary: `session: read-your-writes and monotonic writes held in ${readsJudged} reads`, evidence };
}
