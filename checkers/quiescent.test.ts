import { describe, expect, it } from 'vitest';
import type { History, OpType } from '../histories/schema.js';
import { readEtcdLog } from '../histories/porcupine.js';
import { checkHistory } from './linearizability.js';
import { casRegisterAbsent } from './models/cas-register.js';
import { partsOf } from './linearizability.js';
import { pairOps } from './paired-ops.js';
import { splitAtQuiescence, SPLIT_OPS_MIN } from './quiescent.js';
import { generateEtcdLog } from './testing/etcd-log.js';

type Row = [process: number, type: OpType, f: string, value: unknown];

function history(rows: Row[]): History {
  return rows.map(([process, type, f, value], index) => ({ index, process, type, f, value, key: 'k' }));
}

/** `count` sequential ops by one process: write v, read v, with fresh values from `from`. */
function sequential(count: number, from: number, process = 1): Row[] {
  const rows: Row[] = [];
  for (let at = 0; at < count; at += 2) {
    const value = from + at;
    rows.push([process, 'invoke', 'write', value], [process, 'ok', 'write', value], [process, 'invoke', 'read', null], [process, 'ok', 'read', value]);
  }
  return rows;
}

function split(rows: Row[]) {
  const { parts } = partsOf(pairOps(history(rows)).ops, casRegisterAbsent, true);
  return splitAtQuiescence(parts[0]!.ops, casRegisterAbsent);
}

describe('splitAtQuiescence', () => {
  it('cuts before each write that no other op overlaps, and nowhere an op is pending', () => {
    const rows: Row[] = [
      ...sequential(4, 10),
      // Two concurrent writes: no cut before either.
      [1, 'invoke', 'write', 20],
      [2, 'invoke', 'write', 21],
      [1, 'ok', 'write', 20],
      [2, 'ok', 'write', 21],
      ...sequential(2, 30),
    ];
    const { segments } = split(rows);
    expect(segments.map((segment) => segment.map((op) => op.source.invokeValue ?? op.source.value))).toEqual([[10, 10], [12, 12, 20, 21], [30, 30]]);
  });

  it('resolves an observed info write at its first observer and confines a never-observed one to its segment', () => {
    const rows: Row[] = [
      [1, 'invoke', 'write', 5],
      [1, 'info', 'write', 5],
      [2, 'invoke', 'write', 6],
      [2, 'info', 'write', 6],
      [3, 'invoke', 'read', null],
      [3, 'ok', 'read', 5],
      ...sequential(2, 40),
    ];
    const result = split(rows);
    expect(result).toMatchObject({ resolved: 1, confined: 1 });
    // The write of 5 now completes just before the read that saw it; the write of 6 no longer spans the cut.
    const write5 = result.segments[0]!.find((op) => op.source.invokeValue === 5)!;
    const read5 = result.segments[0]!.find((op) => op.source.f === 'read')!;
    expect(write5.completeIndex).toBe(read5.completeIndex! - 1);
    expect(result.segments.length).toBe(2);
    expect(result.segments[0]!.some((op) => op.source.invokeValue === 6 && op.completeIndex === null)).toBe(true);
  });

  it('resolves nothing when a value is written twice: an observer could not tell which write it saw', () => {
    const rows: Row[] = [[1, 'invoke', 'write', 5], [1, 'info', 'write', 5], [2, 'invoke', 'write', 5], [2, 'ok', 'write', 5], ...sequential(2, 40)];
    const result = split(rows);
    expect(result).toMatchObject({ resolved: 0, confined: 0, segments: [expect.any(Array)] });
  });
});

describe('checking long histories split at quiescent points', () => {
  it('gives the verdict of the unsplit search on long generated etcd logs, valid and planted violations', () => {
    for (const [seed, violation] of [[1, 'none'], [2, 'stale-read'], [3, 'impossible-read']] as const) {
      const log = generateEtcdLog({ seed, clients: 4, ops: SPLIT_OPS_MIN + 800, timeoutPercent: 2, valuesMax: 1_000_000_000, violation });
      const records = readEtcdLog(log.text);
      const whole = checkHistory(records, casRegisterAbsent, { split: false });
      const parts = checkHistory(records, casRegisterAbsent);
      expect(parts.verdict).toBe(log.linearizable ? 'linearizable' : 'not-linearizable');
      expect(parts.verdict).toBe(whole.verdict);
      // It was split (its speed is measured in `bench --suite soak`, not here).
      if (parts.verdict === 'linearizable') expect(parts.split!.segments).toBeGreaterThan(2);
    }
  });

  it('searches a refuted segment again with the ones before it, where a confined info op explains it', () => {
    // A write of 99 times out and is never read; later a compare against 2 fails, which needs the
    // value to be something other than 2 after 2 was written: only the lost write of 99 taking
    // effect late explains it. The split confines that write to its segment; the refuted segment is
    // then searched together with the one before it, where the write is.
    const rows: Row[] = [
      ...sequential(SPLIT_OPS_MIN + 100, 1_000),
      [2, 'invoke', 'write', 99],
      [2, 'info', 'write', 99],
      [1, 'invoke', 'write', 2],
      [1, 'ok', 'write', 2],
      [1, 'invoke', 'cas', [2, 3]],
      [1, 'fail', 'cas', [2, 3]],
      ...sequential(200, 100_000),
    ];
    const result = checkHistory(history(rows), casRegisterAbsent);
    expect(result.verdict).toBe('linearizable');
    expect(result.split!.mergedBack).toBe(1);
    // Without the lost write, the failed compare is a violation the split finds on its own.
    const without = rows.filter((row) => row[3] !== 99);
    const refuted = checkHistory(history(without), casRegisterAbsent);
    expect(refuted.verdict).toBe('not-linearizable');
    expect(refuted.split!.confined).toBe(0);
    expect(refuted.split!.mergedBack).toBe(0);
    expect(refuted.evidence).toMatchObject({ kind: 'not-linearizable', stuck: [{ f: 'cas', outcome: 'fail' }] });
  });
});
