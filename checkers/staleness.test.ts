import { describe, expect, it } from 'vitest';
import type { History, HistoryRecord } from '../histories/schema.js';
import { measureStaleness, type StalenessEvidence } from './staleness.js';

type Timed = Omit<HistoryRecord, 'index'>;
const MS = 1_000_000;

function history(records: Timed[]): History {
  return records.map((record, index) => ({ ...record, index }));
}

function op(process: number, f: 'read' | 'write', invokeMs: number, completeMs: number, value: number | null, key = 'k0'): Timed[] {
  return [
    { process, type: 'invoke', f, value: f === 'read' ? null : value, key, time: invokeMs * MS },
    { process, type: 'ok', f, value, key, time: completeMs * MS },
  ];
}

function sorted(records: Timed[]): Timed[] {
  return [...records].sort((a, b) => a.time! - b.time!);
}

const evidence = (result: ReturnType<typeof measureStaleness>): StalenessEvidence => result.evidence as StalenessEvidence;

describe('measureStaleness', () => {
  it('measures a read that returned the older value 30 ms after the newer write was acknowledged', () => {
    const result = measureStaleness(history(sorted([...op(0, 'write', 0, 10, 1), ...op(0, 'write', 20, 30, 2), ...op(1, 'read', 60, 61, 1)])));
    expect(result.verdict).toBe('valid');
    expect(evidence(result).stale).toBe(1);
    expect(evidence(result).ageMs?.p50).toBe(30);
    expect(evidence(result).visibility).toEqual([{ upToMs: 50, reads: 1, freshFraction: 0 }]);
  });

  it('does not count a read of a concurrent write as stale, nor a fresh one', () => {
    // Write 1 overlaps write 2, so reading 1 after both were acknowledged is not certainly stale.
    const result = measureStaleness(history(sorted([...op(0, 'write', 0, 25, 1), ...op(1, 'write', 20, 30, 2), ...op(2, 'read', 40, 41, 1), ...op(2, 'read', 42, 43, 2)])));
    expect(evidence(result).readsJudged).toBe(2);
    expect(evidence(result).stale).toBe(0);
  });

  it('counts a read of absent after an acknowledged write as stale', () => {
    const result = measureStaleness(history(sorted([...op(0, 'write', 0, 10, 1), ...op(1, 'read', 11, 12, null)])));
    expect(evidence(result).stale).toBe(1);
  });
});
