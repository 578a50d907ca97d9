import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TokenBucket } from './rate-limit.js';

const S = 1_000_000_000;

describe('the origin token bucket', () => {
  it('allows a burst, then the rate', () => {
    const bucket = new TokenBucket(10, 3);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(S / 10)).toBe(true);
    expect(bucket.take(S / 10)).toBe(false);
  });

  it('never grants more than burst + rate * elapsed over any run of requests', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: S / 20 }), { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 10 }), (gaps, rate, burst) => {
        const bucket = new TokenBucket(rate, burst);
        let now = 0;
        let granted = 0;
        for (const gap of gaps) {
          now += gap;
          if (bucket.take(now)) granted += 1;
        }
        expect(granted).toBeLessThanOrEqual(burst + (rate * now) / S + 1e-9);
      }),
      { numRuns: 200, seed: 9 },
    );
  });
});
