import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../histories/schema.js';
import { quantile, writeStats } from './cluster.js';

function op(index: number, process: number, type: HistoryRecord['type'], f: string, time: number): HistoryRecord {
  return { index, process, type, f, value: null, time } as HistoryRecord;
}

describe('the cluster bench figures from a workload history', () => {
  it('counts acknowledged state changes completed inside the window, with their own latencies', () => {
    const history = [
      op(0, 1, 'invoke', 'write', 10),
      op(1, 2, 'invoke', 'read', 20),
      op(2, 1, 'ok', 'write', 110), // in the window: 100 ns
      op(3, 2, 'ok', 'read', 120), // a read: not a write
      op(4, 1, 'invoke', 'cas', 130),
      op(5, 1, 'ok', 'cas', 160), // a cas that took effect: 30 ns
      op(6, 3, 'invoke', 'write', 150),
      op(7, 3, 'info', 'write', 170), // timed out: not acknowledged
      op(8, 1, 'invoke', 'write', 190),
      op(9, 1, 'ok', 'write', 300), // after the window
    ];
    expect(writeStats(history, 100, 200)).toEqual({ writes: 2, latenciesNs: [100, 30], unacknowledged: 1 });
    expect(quantile([100, 30], 0.5)).toBe(30);
    expect(quantile([100, 30], 0.99)).toBe(100);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
