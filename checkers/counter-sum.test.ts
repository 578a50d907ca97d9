import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { History, HistoryRecord } from '../histories/schema.js';
import { checkCounter, subsetSums, SUMS_MAX, type CounterEvidence } from './counter-sum.js';

type Draft = Omit<HistoryRecord, 'index'>;

function history(drafts: Draft[]): History {
  return drafts.map((draft, index) => ({ ...draft, index }));
}

function add(process: number, delta: number, type: 'ok' | 'fail' | 'info'): Draft[] {
  return [
    { process, type: 'invoke', f: 'add', value: delta },
    { process, type, f: 'add', value: delta },
  ];
}

function read(process: number, value: number): Draft[] {
  return [
    { process, type: 'invoke', f: 'read', value: null },
    { process, type: 'ok', f: 'read', value },
  ];
}

describe('checkCounter', () => {
  it('passes a read of the acknowledged sum, and one that also counts some of the info adds', () => {
    const adds = [...add(0, 3, 'ok'), ...add(1, 4, 'ok'), ...add(2, 10, 'info'), ...add(3, 20, 'info'), ...add(4, 100, 'fail')];
    for (const value of [7, 17, 27, 37]) expect(checkCounter(history([...adds, ...read(5, value)])).verdict, `read ${value}`).toBe('valid');
  });

  it('fails a read that misses an acknowledged add, counts a failed one, or lies between subset sums', () => {
    const adds = [...add(0, 3, 'ok'), ...add(1, 4, 'ok'), ...add(2, 10, 'info'), ...add(3, 100, 'fail')];
    for (const value of [3, 107, 12]) {
      const result = checkCounter(history([...adds, ...read(5, value)]), 'g-counter');
      expect(result.verdict, `read ${value}`).toBe('invalid');
      expect(result.checker).toBe('g-counter');
      expect((result.evidence as CounterEvidence).wrong[0]).toMatchObject({ value, certain: 7, lowest: 7, highest: 17 });
    }
  });

  it('lets a read concurrent with an ok add show it or not, and ignores adds invoked after the read completed', () => {
    const drafts: Draft[] = [
      { process: 0, type: 'invoke', f: 'add', value: 5 },
      { process: 1, type: 'invoke', f: 'read', value: null },
      { process: 0, type: 'ok', f: 'add', value: 5 },
      { process: 1, type: 'ok', f: 'read', value: 0 },
      ...add(2, 9, 'info'),
    ];
    expect(checkCounter(history(drafts)).verdict).toBe('valid');
    const late = [...drafts.slice(0, 3), { process: 1, type: 'ok' as const, f: 'read', value: 9 }, ...add(2, 9, 'info')];
    expect(checkCounter(history(late)).verdict).toBe('invalid');
  });

  it('handles negative deltas (pn-counter)', () => {
    const adds = [...add(0, 5, 'ok'), ...add(1, -2, 'ok'), ...add(2, -3, 'info')];
    expect(checkCounter(history([...adds, ...read(3, 3)])).verdict).toBe('valid');
    expect(checkCounter(history([...adds, ...read(3, 0)])).verdict).toBe('valid');
    expect(checkCounter(history([...adds, ...read(3, 5)])).verdict).toBe('invalid');
  });

  it('is unknown without a read, and on a non-integer read', () => {
    expect(checkCounter(history(add(0, 1, 'ok'))).verdict).toBe('unknown');
    const result = checkCounter(history([...add(0, 1, 'ok'), { process: 1, type: 'invoke', f: 'read', value: null }, { process: 1, type: 'ok', f: 'read', value: 'one' }]));
    expect(result.verdict).toBe('unknown');
    expect(result.summary).toMatch(/non-integer/);
  });

  it('falls back to bounds past SUMS_MAX distinct subset sums, and says so', () => {
    // Powers of two give 2^n distinct sums: 17 of them pass 100 000.
    const deltas = Array.from({ length: 17 }, (_, i) => 2 ** i);
    expect(subsetSums(deltas.slice(0, 10))!.size).toBe(1024);
    expect(subsetSums(deltas)).toBeNull();
    expect(2 ** 17).toBeGreaterThan(SUMS_MAX);
    const result = checkCounter(history([...deltas.flatMap((delta, i) => add(i, delta, 'info')), ...read(99, 12_345)]));
    expect(result.verdict).toBe('valid');
    expect((result.evidence as CounterEvidence).boundsOnly).toBe(1);
  });

  it('agrees with brute force over every subset of the info adds', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 8 }), fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 6 }), fc.integer({ min: -40, max: 40 }), (ok, info, value) => {
        let possible = false;
        for (let mask = 0; mask < 1 << info.length; mask += 1) {
          const sum = ok.reduce((a, b) => a + b, 0) + info.reduce((a, b, i) => (mask & (1 << i) ? a + b : a), 0);
          if (sum === value) possible = true;
        }
        const drafts = [...ok.flatMap((delta, i) => add(i, delta, 'ok')), ...info.flatMap((delta, i) => add(100 + i, delta, 'info')), ...read(999, value)];
        expect(checkCounter(history(drafts)).verdict).toBe(possible ? 'valid' : 'invalid');
      }),
      { seed: 17, numRuns: 300 },
    );
  });
});
