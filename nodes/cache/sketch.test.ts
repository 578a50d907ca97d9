import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CountMinSketch } from './sketch.js';

describe('the count-min sketch', () => {
  it('never estimates below the true count, and is exact when keys are few', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 500 }), (draws) => {
        const sketch = new CountMinSketch(4, 64);
        const truth = new Map<string, number>();
        for (const draw of draws) {
          sketch.add(`k${draw}`);
          truth.set(`k${draw}`, (truth.get(`k${draw}`) ?? 0) + 1);
        }
        for (const [key, count] of truth) expect(sketch.estimate(key)).toBeGreaterThanOrEqual(count);
      }),
      { numRuns: 100, seed: 2 },
    );
    const small = new CountMinSketch();
    for (let i = 0; i < 5; i++) small.add('hot');
    small.add('cold');
    expect(small.estimate('hot')).toBe(5);
    expect(small.estimate('cold')).toBe(1);
  });

  it('forgets by halves when it decays', () => {
    const sketch = new CountMinSketch();
    for (let i = 0; i < 9; i++) sketch.add('k');
    sketch.decay();
    expect(sketch.estimate('k')).toBe(4);
    sketch.decay();
    sketch.decay();
    sketch.decay();
    expect(sketch.estimate('k')).toBe(0);
  });
});
