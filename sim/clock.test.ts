import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NodeClock } from './clock.js';

describe('node clocks', () => {
  it('stay within the configured offset and drift of true time, and never read negative', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.array(fc.integer({ min: 0, max: 1e12 }), { minLength: 1, maxLength: 30 }),
        (offsetNs, driftPpm, times) => {
          const clock = new NodeClock(offsetNs, driftPpm);
          for (const t of [...times].sort((a, b) => a - b)) {
            const now = clock.now(t);
            expect(Number.isSafeInteger(now)).toBe(true);
            expect(now).toBeGreaterThanOrEqual(0);
            const unclamped = t + offsetNs + (t * driftPpm) / 1e6;
            // Within one nanosecond of the ideal line (floor and float rounding), or clamped at 0.
            expect(Math.abs(now - Math.max(0, unclamped))).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('jumps move now() forward and back; a negative reading clamps to 0', () => {
    const clock = new NodeClock();
    expect(clock.now(1000)).toBe(1000);
    clock.jump(1000, 500);
    expect(clock.now(1000)).toBe(1500);
    expect(clock.now(2000)).toBe(2500);
    clock.jump(2000, -2400);
    expect(clock.now(2000)).toBe(100);
    clock.jump(2000, -1000);
    expect(clock.raw(2000)).toBe(-900);
    expect(clock.now(2000)).toBe(0);
    expect(clock.now(3000)).toBe(100);
  });

  it('offset sets the reading relative to true time; drift changes the rate from then on', () => {
    const clock = new NodeClock();
    clock.setOffset(1_000_000, -200);
    expect(clock.now(1_000_000)).toBe(999_800);
    clock.setDrift(1_000_000, 100_000);
    expect(clock.now(2_000_000)).toBe(999_800 + 1_100_000);
    expect(clock.driftPpm).toBe(100_000);
  });

  it('timers measure node-clock durations: a fast clock fires them sooner in true time, never early on its own clock', () => {
    fc.assert(
      fc.property(fc.integer({ min: -400_000, max: 400_000 }), fc.integer({ min: 0, max: 1e10 }), fc.integer({ min: 0, max: 1e9 }), (ppm, start, delay) => {
        const clock = new NodeClock(0, 0);
        clock.setDrift(start, ppm);
        const trueDelay = clock.trueDelayNs(delay);
        // On the node's own clock at least `delay` has passed when the timer fires.
        expect(clock.raw(start + trueDelay) - clock.raw(start)).toBeGreaterThanOrEqual(delay - 1e-3);
        expect(clock.now(start + trueDelay) - clock.now(start)).toBeGreaterThanOrEqual(delay - 1);
        if (ppm > 0) expect(trueDelay).toBeLessThanOrEqual(delay);
        if (ppm < 0) expect(trueDelay).toBeGreaterThanOrEqual(delay);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects nonsense', () => {
    const clock = new NodeClock();
    expect(() => clock.trueDelayNs(-1)).toThrow();
    expect(() => clock.trueDelayNs(Number.NaN)).toThrow();
    expect(() => clock.setDrift(0, 2_000_000)).toThrow();
  });
});
