// The TTL checker: values written with a TTL expire on time, judged by true time with an allowed
// clock skew. Each key is written once (workloads/quorum-kv/ttl-client.ts). A version's expiry is
// the coordinator's wall clock at the write (somewhere between the write's invoke and completion)
// plus the TTL, and a reader's wall clock decides whether it has passed; each clock may be off true
// time by `skewMs`, so true expiry lies in [invoke + ttl - 2 skew, complete + ttl + 2 skew].
//
// - late: an ok read invoked after the latest possible expiry returned the value;
// - early: an ok read that began after the write completed and ended before the earliest possible
//   expiry returned nothing (reads are linearizable here, so the write is visible until it expires).
import type { CheckerResult } from './verdict.js';
import type { History } from '../histories/schema.js';
import { pairOps, type PairedOp } from './paired-ops.js';

export interface TtlOptions {
  ttlMs: number;
  skewMs: number;
}

export interface TtlFinding {
  key: string;
  readIndex: number;
  kind: 'late' | 'early';
  /** ms from the write's completion to the read's invocation (late) or completion (early). */
  afterWriteMs: number;
}

export interface TtlEvidence {
  writes: number;
  readsJudged: number;
  late: number;
  early: number;
  findings: TtlFinding[];
  problems: string[];
}

const NS_PER_MS = 1_000_000;
const FINDINGS_MAX = 20;

export function checkTtl(history: History, options: TtlOptions): CheckerResult {
  const { ops, problems } = pairOps(history);
  const evidence: TtlEvidence = { writes: 0, readsJudged: 0, late: 0, early: 0, findings: [], problems: problems.map((p) => p.message) };
  const writes = new Map<string, PairedOp>();
  for (const op of ops) {
    if (op.f !== 'write' || op.key === undefined) continue;
    if (writes.has(op.key)) evidence.problems.push(`key ${op.key} is written twice; the TTL checker needs one write per key`);
    writes.set(op.key, op);
    evidence.writes += 1;
  }
  const slackNs = 2 * options.skewMs * NS_PER_MS;
  const ttlNs = options.ttlMs * NS_PER_MS;
  for (const read of ops) {
    if (read.f !== 'read' || read.type !== 'ok' || read.key === undefined || read.invokeTime === undefined || read.completeTime === undefined) continue;
    const write = writes.get(read.key);
    if (write === undefined || write.type === 'fail' || write.invokeTime === undefined) continue;
    const finding = (kind: 'late' | 'early', atNs: number): void => {
      evidence[kind] += 1;
      if (evidence.findings.length < FINDINGS_MAX) evidence.findings.push({ key: read.key!, readIndex: read.completeIndex!, kind, afterWriteMs: Math.round((atNs - (write.completeTime ?? write.invokeTime!)) / NS_PER_MS) });
    };
    if (read.value === write.invokeValue) {
      // An info write (timed out, fate unknown) may take effect as late as the read that saw it
      // began: its info record's time bounds nothing.
      const completedBy = write.type === 'ok' && write.completeTime !== undefined ? write.completeTime : read.invokeTime;
      evidence.readsJudged += 1;
      if (read.invokeTime > completedBy + ttlNs + slackNs) finding('late', read.invokeTime);
    } else if (read.value === null && write.type === 'ok' && write.completeTime !== undefined && read.invokeTime > write.completeTime) {
      evidence.readsJudged += 1;
      if (read.completeTime < write.invokeTime + ttlNs - slackNs) finding('early', read.completeTime);
    } else if (read.value !== null) {
      evidence.problems.push(`index ${read.completeIndex}: read of ${read.key} returned ${String(read.value)}, which its write did not write`);
    }
  }
  const totals = `${evidence.writes} writes with a ${options.ttlMs} ms TTL, ${evidence.readsJudged} reads judged, allowed skew ${options.skewMs} ms`;
  if (evidence.problems.length > 0) return { checker: 'ttl', verdict: 'unknown', summary: `ttl: cannot judge, ${evidence.problems[0]}; ${totals}`, evidence };
  if (evidence.late + evidence.early > 0) {
    return { checker: 'ttl', verdict: 'invalid', summary: `ttl: ${evidence.late} read(s) saw a value past its latest expiry, ${evidence.early} found one gone before its earliest expiry; ${totals}`, evidence };
  }
  return { checker: 'ttl', verdict: 'valid', summary: `ttl: every value expired within its TTL plus the allowed skew; ${totals}`, evidence };
}
