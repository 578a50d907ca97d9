// Staleness measured, not judged: for a register history of partial quorums (R + W <= N, last
// writer wins), how often, and how long after a newer write was acknowledged, a read still returned
// an older value. This is the t-visibility of Bailis et al., "Probabilistically Bounded Staleness
// for Practical Partial Quorums": the probability that a read started t ms after a write's
// acknowledgement sees that write or a newer one.
//
// A read is *stale* when some write on its key was acknowledged before the read was invoked and was
// itself invoked after the write of the value the read returned had completed (or the read returned
// "absent"): that write is certainly newer. Its *age* is the read's invoke time minus the earliest
// acknowledgement among such writes. Concurrent writes never make a read stale, so every stale read
// counted here is one a linearizable store could not have returned.
//
// The verdict is always `valid` (or `unknown` for a history it cannot read): the mode measured does
// not promise fresh reads, so old values are its documented behaviour, reported as figures.
import type { CheckerResult } from './verdict.js';
import type { History } from '../histories/schema.js';
import { pairOps, type PairedOp } from './paired-ops.js';

/** Upper edges of the age buckets, in ms; the last bucket is open. */
export const AGE_BUCKETS_MS: readonly number[] = [1, 5, 10, 50, 100, 500, 1_000];

export interface StalenessEvidence {
  readsOk: number;
  /** Reads after at least one acknowledged write of their key: the ones that could be stale. */
  readsJudged: number;
  stale: number;
  /** Age percentiles of the stale reads in ms (null when none were stale). */
  ageMs: { p50: number; p99: number; p999: number; max: number } | null;
  /** t-visibility: per bucket of time since the newest acknowledged write, the fraction fresh. */
  visibility: { upToMs: number | null; reads: number; freshFraction: number }[];
  problems: string[];
}

const NS_PER_MS = 1_000_000;

function percentile(sorted: readonly number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

export function measureStaleness(history: History): CheckerResult {
  const { ops, problems } = pairOps(history);
  const evidence: StalenessEvidence = { readsOk: 0, readsJudged: 0, stale: 0, ageMs: null, visibility: [], problems: problems.map((p) => p.message) };
  const byKey = new Map<string, PairedOp[]>();
  for (const op of ops) {
    if (op.key === undefined || (op.f !== 'read' && op.f !== 'write')) continue;
    let list = byKey.get(op.key);
    if (list === undefined) byKey.set(op.key, (list = []));
    list.push(op);
  }
  if (ops.some((op) => op.invokeTime === undefined)) {
    return { checker: 'staleness', verdict: 'unknown', summary: 'staleness: the history has no times; nothing measured', evidence };
  }
  const ages: number[] = [];
  const buckets = AGE_BUCKETS_MS.map(() => ({ reads: 0, fresh: 0 }));
  const open = { reads: 0, fresh: 0 };
  for (const keyOps of byKey.values()) {
    const writes = keyOps.filter((op) => op.f === 'write' && op.type === 'ok' && op.completeTime !== undefined);
    const writeOf = new Map<number, PairedOp>();
    for (const op of keyOps) if (op.f === 'write' && typeof op.invokeValue === 'number') writeOf.set(op.invokeValue, op);
    for (const read of keyOps) {
      if (read.f !== 'read' || read.type !== 'ok') continue;
      evidence.readsOk += 1;
      const invoke = read.invokeTime!;
      const before = writes.filter((w) => w.completeTime! < invoke);
      if (before.length === 0) continue;
      evidence.readsJudged += 1;
      const source = typeof read.value === 'number' ? writeOf.get(read.value) : undefined;
      // Writes certainly newer than the value read: invoked after its write completed.
      const sourceDone = source === undefined ? -1 : (source.completeTime ?? Infinity);
      const newer = before.filter((w) => w.invokeTime! > sourceDone);
      const newestAckNs = Math.max(...before.map((w) => w.completeTime!));
      const sinceMs = (invoke - newestAckNs) / NS_PER_MS;
      const bucketIndex = AGE_BUCKETS_MS.findIndex((edge) => sinceMs <= edge);
      const bucket = bucketIndex < 0 ? open : buckets[bucketIndex]!;
      bucket.reads += 1;
      if (newer.length === 0) {
        bucket.fresh += 1;
        continue;
      }
      evidence.stale += 1;
      ages.push((invoke - Math.min(...newer.map((w) => w.completeTime!))) / NS_PER_MS);
    }
  }
  ages.sort((a, b) => a - b);
  if (ages.length > 0) evidence.ageMs = { p50: percentile(ages, 0.5), p99: percentile(ages, 0.99), p999: percentile(ages, 0.999), max: ages[ages.length - 1]! };
  evidence.visibility = [...AGE_BUCKETS_MS.map((edge, i) => ({ upToMs: edge as number | null, ...buckets[i]! })), { upToMs: null, ...open }]
    .filter((bucket) => bucket.reads > 0)
    .map((bucket) => ({ upToMs: bucket.upToMs, reads: bucket.reads, freshFraction: bucket.fresh / bucket.reads }));
  const ageText = evidence.ageMs === null ? 'none stale' : `stale ages p50 ${evidence.ageMs.p50.toFixed(1)} ms, p99 ${evidence.ageMs.p99.toFixed(1)} ms, max ${evidence.ageMs.max.toFixed(1)} ms`;
  return {
    checker: 'staleness',
    verdict: 'valid',
    summary: `staleness (measured, not a claim of this mode): ${evidence.stale} of ${evidence.readsJudged} reads returned a value older than an acknowledged write; ${ageText}`,
    evidence,
  };
}
