import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { burstDelayNs } from './bursts.js';

/** The obviously right twin: step 1 ns at a time, counting only ns inside a window. */
function slowDelay(elapsed: number, gap: number, every: number, length: number): number {
  let t = elapsed;
  let left = gap;
  while (left > 0) {
    if (t % every < length) left -= 1;
    t += 1;
  }
  return Math.max(1, t - elapsed);
}

describe('burst arrivals', () => {
  it('is the gap itself without bursts', () => {
    expect(burstDelayNs(123, 456, 0, 0)).toBe(456);
  });

  it('skips the time between windows', () => {
    // Windows [0, 10), [100, 110): 15 ns of burst time from 5 ends 10 ns into the second window.
    expect(burstDelayNs(5, 15, 100, 10)).toBe(105);
    // Starting between windows, the gap begins at the next window.
    expect(burstDelayNs(50, 3, 100, 10)).toBe(53);
  });

  it('agrees with stepping one nanosecond at a time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), (elapsed, gap, every, lengthRaw) => {
        const length = Math.min(every, lengthRaw);
        expect(burstDelayNs(elapsed, gap, every, length)).toBe(slowDelay(elapsed, gap, every, length));
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
