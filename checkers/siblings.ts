// The siblings checker, for an eventually consistent KV that keeps concurrent writes as siblings
// (Dynamo, Riak). It judges what that design promises, not linearizability:
//
// - lost: a write acknowledged `ok` whose value no write ever claimed to replace is missing from a
//   final read of all replicas. A sibling may go only when a write that saw it replaces it.
// - resurrected: a value replaced by a write acknowledged `ok` before the final read was invoked is
//   back in that final read. A replaced version must stay replaced.
// - unexpected: a final read holds a value no write ever tried.
// - a `delete` (its value: the sibling values its context replaces) is a write of a tombstone: what
//   it replaced must stay gone once it is acknowledged (no resurrection of a deleted key).
// - diverged: a final read of one replica (R = 1, after the settle time following the heal) differs
//   from the key's final read of all replicas: the replicas did not converge.
//
// History shape (workloads/quorum-kv/siblings-client.ts): `write` invokes with value `[v,
// replaced]`, `read` and `final-read` complete `ok` with the sorted sibling values, and a final
// read's invoke value says whether it read `all` replicas or `one`. Values are unique per run.
import type { CheckerResult } from './verdict.js';
import type { History } from '../histories/schema.js';
import { pairOps, type PairedOp } from './paired-ops.js';

export interface SiblingsOptions {
  /** Final reads of one replica invoked before this true time are not judged for convergence. */
  convergedByNs?: number;
}

export interface SiblingsFinding {
  key: string;
  value: number;
  /** History index of the final read's completion that shows it. */
  readIndex: number;
}

export interface SiblingsEvidence {
  keys: number;
  writes: { ok: number; fail: number; info: number };
  deletes: { ok: number; fail: number; info: number };
  finalReads: { all: number; one: number; judgedForConvergence: number };
  /** The most siblings one read returned. */
  siblingsMax: number;
  counts: { lost: number; resurrected: number; unexpected: number; diverged: number };
  lost: SiblingsFinding[];
  resurrected: SiblingsFinding[];
  unexpected: SiblingsFinding[];
  diverged: { key: string; readIndex: number; got: number[]; expected: number[] }[];
  /** Keys with acknowledged writes but no `ok` final read of all replicas. */
  unread: string[];
  problems: string[];
}

const FINDINGS_MAX = 20;

function isValues(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'number');
}

function writeParts(value: unknown): { value: number; replaced: number[] } | null {
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'number' || !isValues(value[1])) return null;
  return { value: value[0], replaced: value[1] };
}

function push<T>(list: T[], item: T): void {
  if (list.length < FINDINGS_MAX) list.push(item);
}

/** The ops per key, in history order (ops without a key are left out). */
export function opsByKey(ops: readonly PairedOp[]): Map<string, PairedOp[]> {
  const byKey = new Map<string, PairedOp[]>();
  for (const op of ops) {
    if (op.key === undefined) continue;
    let list = byKey.get(op.key);
    if (list === undefined) byKey.set(op.key, (list = []));
    list.push(op);
  }
  return byKey;
}

export function checkSiblings(history: History, options: SiblingsOptions = {}): CheckerResult {
  const { ops, problems } = pairOps(history);
  const evidence: SiblingsEvidence = {
    keys: 0,
    writes: { ok: 0, fail: 0, info: 0 },
    deletes: { ok: 0, fail: 0, info: 0 },
    finalReads: { all: 0, one: 0, judgedForConvergence: 0 },
    siblingsMax: 0,
    counts: { lost: 0, resurrected: 0, unexpected: 0, diverged: 0 },
    lost: [],
    resurrected: [],
    unexpected: [],
    diverged: [],
    unread: [],
    problems: problems.map((problem) => problem.message),
  };
  const byKey = opsByKey(ops);
  evidence.keys = byKey.size;
  for (const [key, keyOps] of byKey) checkKey(key, keyOps, options, evidence);
  const { lost, resurrected, unexpected, diverged } = evidence.counts;
  const deletes = evidence.deletes.ok + evidence.deletes.fail + evidence.deletes.info;
  const totals = `${evidence.writes.ok + evidence.writes.fail + evidence.writes.info} writes (${evidence.writes.ok} ok), ${deletes > 0 ? `${deletes} deletes (${evidence.deletes.ok} ok), ` : ''}${evidence.finalReads.all} final reads of all replicas and ${evidence.finalReads.one} of one, up to ${evidence.siblingsMax} siblings`;
  if (lost + resurrected + unexpected + diverged > 0) {
    return {
      checker: 'siblings',
      verdict: 'invalid',
      summary: `siblings: ${lost} lost, ${resurrected} resurrected, ${unexpected} unexpected, ${diverged} final reads of one replica not converged; ${totals}`,
      evidence,
    };
  }
  if (evidence.unread.length > 0 || evidence.problems.length > 0) {
    const why = evidence.unread.length > 0 ? `no ok final read of all replicas for ${evidence.unread.length} key(s) with acknowledged writes` : `malformed history: ${evidence.problems[0]}`;
    return { checker: 'siblings', verdict: 'unknown', summary: `siblings: cannot judge, ${why}; ${totals}`, evidence };
  }
  return { checker: 'siblings', verdict: 'valid', summary: `siblings: none lost, none resurrected, replicas converged; ${totals}`, evidence };
}

function checkKey(key: string, ops: readonly PairedOp[], options: SiblingsOptions, evidence: SiblingsEvidence): void {
  const tried = new Set<number>();
  const acked: { value: number; completeIndex: number }[] = [];
  /** Values some write that may have happened replaced. */
  const maybeReplaced = new Set<number>();
  /** Value -> the earliest completion index of an ok write that replaced it. */
  const replacedByOk = new Map<number, number>();
  const finalAll: PairedOp[] = [];
  const finalOne: PairedOp[] = [];
  for (const op of ops) {
    if (op.f === 'delete') {
      if (!isValues(op.invokeValue)) {
        push(evidence.problems, `index ${op.invokeIndex}: delete value is not the list of replaced values`);
        continue;
      }
      evidence.deletes[op.type] += 1;
      if (op.type === 'fail') continue;
      for (const value of op.invokeValue) maybeReplaced.add(value);
      if (op.type === 'ok' && op.completeIndex !== null) {
        for (const value of op.invokeValue) replacedByOk.set(value, Math.min(replacedByOk.get(value) ?? Infinity, op.completeIndex));
      }
    } else if (op.f === 'write') {
      const parts = writeParts(op.invokeValue);
      if (parts === null) {
        push(evidence.problems, `index ${op.invokeIndex}: write value is not [value, replaced]`);
        continue;
      }
      evidence.writes[op.type] += 1;
      tried.add(parts.value);
      if (op.type === 'fail') continue;
      for (const value of parts.replaced) maybeReplaced.add(value);
      if (op.type === 'ok' && op.completeIndex !== null) {
        acked.push({ value: parts.value, completeIndex: op.completeIndex });
        for (const value of parts.replaced) replacedByOk.set(value, Math.min(replacedByOk.get(value) ?? Infinity, op.completeIndex));
      }
    } else if ((op.f === 'read' || op.f === 'final-read') && op.type === 'ok') {
      if (!isValues(op.value)) {
        push(evidence.problems, `index ${op.completeIndex}: ok read value is not a list of numbers`);
        continue;
      }
      evidence.siblingsMax = Math.max(evidence.siblingsMax, op.value.length);
      if (op.f === 'final-read') (op.invokeValue === 'all' ? finalAll : finalOne).push(op);
    }
  }
  evidence.finalReads.all += finalAll.length;
  evidence.finalReads.one += finalOne.length;
  if (finalAll.length === 0) {
    if (acked.length > 0) evidence.unread.push(key);
    return;
  }
  for (const read of finalAll) {
    const present = new Set(read.value as number[]);
    const readIndex = read.completeIndex!;
    for (const write of acked) {
      if (write.completeIndex < read.invokeIndex && !maybeReplaced.has(write.value) && !present.has(write.value)) {
        evidence.counts.lost += 1;
        push(evidence.lost, { key, value: write.value, readIndex });
      }
    }
    for (const value of present) {
      if (!tried.has(value)) {
        evidence.counts.unexpected += 1;
        push(evidence.unexpected, { key, value, readIndex });
      }
      const replacedAt = replacedByOk.get(value);
      if (replacedAt !== undefined && replacedAt < read.invokeIndex) {
        evidence.counts.resurrected += 1;
        push(evidence.resurrected, { key, value, readIndex });
      }
    }
  }
  // Convergence: every final read of one replica sees what the last final read of all saw.
  const truth = (finalAll[finalAll.length - 1]!.value as number[]).join(',');
  for (const read of finalOne) {
    if (options.convergedByNs !== undefined && (read.invokeTime === undefined || read.invokeTime < options.convergedByNs)) continue;
    evidence.finalReads.judgedForConvergence += 1;
    if ((read.value as number[]).join(',') !== truth) {
      evidence.counts.diverged += 1;
      push(evidence.diverged, { key, readIndex: read.completeIndex!, got: read.value as number[], expected: finalAll[finalAll.length - 1]!.value as number[] });
    }
  }
}
