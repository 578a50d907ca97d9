// Bounded staleness of a cache, judged against the store's commit history.
//
// The history's writes are the store's commits: each key has one writer whose values increase and
// the store applies that writer's commands in order, so a key's committed values increase and a
// value is its own version (absent is version 0). A write `ok` was committed at some instant in
// [invoke, complete]; a write `info` or never completed may have committed at any time after its
// invoke, or never.
//
// A read of version v over [invoke, complete] is valid iff v was the current committed version at
// some instant in [invoke - delta, complete]. It is certainly invalid when
//  - v was never written (no write of the key has value v), or
//  - v's write was invoked after the read completed (v cannot have been current yet), or
//  - some newer version w > v was acknowledged (`ok`) before invoke - delta: w committed by then,
//    and once w committed v was never current again.
// Anything else could have been current in the window, so it is valid: the check never flags a
// read a correct system could return. Store reads (`store-read`) are judged the same way with
// delta 0, which holds the store itself to linearizable reads of single values.
//
// Eventual freshness: after a writer's final `store-read` of a key returned s at time T, every
// cache read of that key invoked after T + `freshAfterNs` returns a version >= s.
import type { CheckerResult } from '../verdict.js';
import type { History } from '../../histories/schema.js';
import { pairOps, type PairedOp } from '../paired-ops.js';

export interface StalenessOptions {
  /** The allowed staleness in ns (0: every read as fresh as a linearizable one). */
  deltaNs: number;
  /** How long after a settled store read every cached copy must be at least as new. */
  freshAfterNs: number;
}

export interface StaleRead {
  key: string;
  /** History index of the read's completion. */
  index: number;
  value: number | null;
  why: 'never-written' | 'from-the-future' | 'stale' | 'not-fresh';
  /** For `stale` and `not-fresh`: the version that was current (acknowledged, or read from the store) and when. */
  current?: number;
  currentSinceNs?: number;
  readInvokeNs: number;
  readCompleteNs: number;
  node?: string;
}

interface Write {
  value: number;
  invokeNs: number;
  okAtNs: number | null;
}

const EXAMPLES_MAX = 10;

export function checkBoundedStaleness(history: History, options: StalenessOptions): CheckerResult {
  if (!(options.deltaNs >= 0) || !(options.freshAfterNs >= 0)) throw new Error('staleness: deltaNs and freshAfterNs must be non-negative');
  const { ops, problems } = pairOps(history);
  const malformed = problems.filter((problem) => problem.code === 'completion-without-invoke' || problem.code === 'f-mismatch');
  if (malformed.length > 0) {
    return { checker: 'staleness', verdict: 'unknown', summary: `staleness: cannot read the history: ${malformed[0]!.message}`, evidence: { problems: malformed.slice(0, EXAMPLES_MAX) } };
  }
  const byKey = new Map<string, PairedOp[]>();
  for (const op of ops) {
    if (op.key === undefined) continue;
    const list = byKey.get(op.key) ?? [];
    list.push(op);
    byKey.set(op.key, list);
  }
  const bad: StaleRead[] = [];
  let judged = 0;
  let freshJudged = 0;
  for (const [key, keyOps] of [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const writes = writesOf(keyOps);
    const acked = [...writes.values()].filter((write) => write.okAtNs !== null).sort((a, b) => a.value - b.value);
    // supersededAt[i]: the earliest acknowledgement among acked[i..], i.e. of any version >= acked[i].
    const supersededAt = new Array<number>(acked.length);
    for (let i = acked.length - 1; i >= 0; i--) supersededAt[i] = Math.min(acked[i]!.okAtNs!, i + 1 < acked.length ? supersededAt[i + 1]! : Infinity);
    for (const op of keyOps) {
      if ((op.f !== 'read' && op.f !== 'store-read') || op.type !== 'ok' || op.invokeTime === undefined || op.completeTime === undefined) continue;
      judged += 1;
      const value = typeof op.value === 'number' ? op.value : null;
      const deltaNs = op.f === 'store-read' ? 0 : options.deltaNs;
      const base = { key, index: op.completeIndex ?? op.invokeIndex, value, readInvokeNs: op.invokeTime, readCompleteNs: op.completeTime, ...(op.node === undefined ? {} : { node: op.node }) };
      if (value !== null) {
        const write = writes.get(value);
        if (write === undefined) {
          bad.push({ ...base, why: 'never-written' });
          continue;
        }
        if (write.invokeNs > op.completeTime) {
          bad.push({ ...base, why: 'from-the-future' });
          continue;
        }
      }
      const newer = firstAbove(acked, value ?? 0);
      if (newer < acked.length && supersededAt[newer]! < op.invokeTime - deltaNs) {
        const at = supersededAt[newer]!;
        const windowStartNs = op.invokeTime - deltaNs;
        const current = acked.slice(newer).filter((write) => write.okAtNs! < windowStartNs).at(-1)!;
        bad.push({ ...base, why: 'stale', current: current.value, currentSinceNs: at });
      }
    }
    // Eventual freshness after the writer's settled store read.
    const settled = keyOps.filter((op) => op.f === 'store-read' && op.type === 'ok' && op.completeTime !== undefined);
    for (const reference of settled) {
      const s = typeof reference.value === 'number' ? reference.value : 0;
      for (const op of keyOps) {
        if (op.f !== 'read' || op.type !== 'ok' || op.invokeTime === undefined || op.completeTime === undefined) continue;
        if (op.invokeTime <= reference.completeTime! + options.freshAfterNs) continue;
        freshJudged += 1;
        const value = typeof op.value === 'number' ? op.value : null;
        if ((value ?? 0) < s) {
          bad.push({ key, index: op.completeIndex ?? op.invokeIndex, value, why: 'not-fresh', current: s, currentSinceNs: reference.completeTime!, readInvokeNs: op.invokeTime, readCompleteNs: op.completeTime, ...(op.node === undefined ? {} : { node: op.node }) });
        }
      }
    }
  }
  const deltaMs = options.deltaNs / 1e6;
  const counts = { judged, freshJudged, stale: bad.filter((read) => read.why === 'stale').length, neverWritten: bad.filter((read) => read.why === 'never-written').length, future: bad.filter((read) => read.why === 'from-the-future').length, notFresh: bad.filter((read) => read.why === 'not-fresh').length };
  const evidence = { deltaMs, freshAfterMs: options.freshAfterNs / 1e6, ...counts, examples: bad.slice(0, EXAMPLES_MAX) };
  if (bad.length > 0) {
    const first = bad[0]!;
    const detail =
      first.why === 'stale' || first.why === 'not-fresh'
        ? `${first.key} read ${first.value ?? 'absent'} (index ${first.index}${first.node === undefined ? '' : `, from ${first.node}`}) though version ${first.current} was ${first.why === 'stale' ? 'acknowledged' : 'settled in the store'} at ${(first.currentSinceNs! / 1e6).toFixed(1)} ms, before the read began at ${(first.readInvokeNs / 1e6).toFixed(1)} ms`
        : `${first.key} read ${first.value} (index ${first.index}), ${first.why === 'never-written' ? 'a value never written' : 'before its write began'}`;
    return {
      checker: 'staleness',
      verdict: 'invalid',
      summary: `staleness (delta ${deltaMs} ms): ${counts.stale} stale, ${counts.notFresh} not fresh after settling, ${counts.neverWritten} never written, ${counts.future} from the future of ${judged} reads; first: ${detail}`,
      evidence,
    };
  }
  return { checker: 'staleness', verdict: 'valid', summary: `staleness (delta ${deltaMs} ms): ${judged} reads within the bound, ${freshJudged} judged fresh after the store settled`, evidence };
}

function writesOf(ops: readonly PairedOp[]): Map<number, Write> {
  const writes = new Map<number, Write>();
  for (const op of ops) {
    if (op.f !== 'write' || typeof op.invokeValue !== 'number' || op.invokeTime === undefined) continue;
    writes.set(op.invokeValue, { value: op.invokeValue, invokeNs: op.invokeTime, okAtNs: op.type === 'ok' && op.completeTime !== undefined ? op.completeTime : null });
  }
  return writes;
}

/** The first position in `sorted` (by value) whose value exceeds `value`. */
function firstAbove(sorted: readonly Write[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.value <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
