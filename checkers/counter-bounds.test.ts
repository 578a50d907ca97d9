// The counter checker: final reads explained by the acknowledged deltas plus some subset of the
// indefinite ones, and agreeing once converged; `fail` adds never count.
import { describe, expect, it } from 'vitest';
import type { History, HistoryRecord } from '../histories/schema.js';
import { checkCounter, subsetSums, type CounterEvidence } from './counter-bounds.js';

type Draft = Omit<HistoryRecord, 'index'>;

function history(drafts: Draft[]): History {
  return drafts.map((draft, index) => ({ ...draft, index }));
}

function add(process: number, delta: number, type: 'ok' | 'fail' | 'info', key = 'k0'): Draft[] {
  return [
    { process, type: 'invoke', f: 'add', value: delta, key },
    { process, type, f: 'add', value: delta, key },
  ];
}

function finalRead(process: number, value: number, key = 'k0', time?: number): Draft[] {
  return [
    { process, type: 'invoke', f: 'final-read', value: 'all', key, ...(time === undefined ? {} : { time }) },
    { process, type: 'ok', f: 'final-read', value, key },
  ];
}

describe('checkCounter', () => {
  it('lists the sums of every subset of the indefinite deltas', () => {
    expect([...subsetSums([2, 3])!].sort((a, b) => a - b)).toEqual([0, 2, 3, 5]);
    expect([...subsetSums([-1, 4])!].sort((a, b) => a - b)).toEqual([-1, 0, 3, 4]);
  });

  it('accepts the acknowledged sum plus some indefinite adds, and ignores failed adds', () => {
    const h = history([...add(0, 3, 'ok'), ...add(1, 2, 'info'), ...add(2, 4, 'info'), ...add(3, 7, 'fail'), ...finalRead(5, 7), ...finalRead(6, 7)]);
    expect(checkCounter(h).verdict).toBe('valid');
  });

  it('refuses a read no subset explains, even inside the range of the indefinite adds', () => {
    // 3 acknowledged; indefinite 2 and 4: 3, 5, 7, 9 are possible; 4 is in range but no subset gives it.
    const h = history([...add(0, 3, 'ok'), ...add(1, 2, 'info'), ...add(2, 4, 'info'), ...finalRead(5, 4)]);
    const result = checkCounter(h);
    expect(result.verdict).toBe('invalid');
    expect((result.evidence as CounterEvidence).outOfRange[0]).toMatchObject({ got: 4, acknowledged: 3, lowest: 3, highest: 9 });
    // A lost acknowledged add (and a failed one counted) are refused too.
    expect(checkCounter(history([...add(0, 3, 'ok'), ...add(1, 1, 'ok'), ...finalRead(5, 3)])).verdict).toBe('invalid');
    expect(checkCounter(history([...add(0, 3, 'ok'), ...add(1, 1, 'fail'), ...finalRead(5, 4)])).verdict).toBe('invalid');
  });

  it('refuses converged final reads that disagree, but not reads before convergence', () => {
    const h = history([...add(0, 3, 'ok'), ...add(1, 2, 'info'), ...finalRead(5, 3, 'k0', 100), ...finalRead(6, 5, 'k0', 200)]);
    expect(checkCounter(h, { convergedByNs: 50 }).verdict).toBe('invalid');
    expect(checkCounter(h, { convergedByNs: 150 }).verdict).toBe('valid');
  });

  it('calls a negative delta in a g-counter malformed, and an unread counter unknown', () => {
    expect(checkCounter(history([...add(0, -1, 'ok'), ...finalRead(5, -1)]), { grow: true }).verdict).toBe('unknown');
    expect(checkCounter(history([...add(0, -1, 'ok'), ...finalRead(5, -1)])).verdict).toBe('valid');
    expect(checkCounter(history([...add(0, 2, 'ok')])).verdict).toBe('unknown');
  });
});
