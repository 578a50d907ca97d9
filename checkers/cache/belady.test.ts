import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { beladyHits } from './belady.js';

/** Every eviction choice tried: the true optimum of a short trace, by exhaustive search. */
function bruteForceHits(trace: readonly string[], slots: number, at = 0, cached: readonly string[] = []): number {
  if (at === trace.length) return 0;
  const key = trace[at]!;
  if (cached.includes(key)) return 1 + bruteForceHits(trace, slots, at + 1, cached);
  if (cached.length < slots) return bruteForceHits(trace, slots, at + 1, [...cached, key]);
  let best = 0;
  for (const victim of cached) best = Math.max(best, bruteForceHits(trace, slots, at + 1, [...cached.filter((k) => k !== victim), key]));
  return best;
}

describe("Belady's optimum", () => {
  it('equals the exhaustive optimum on short traces', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 11 }), fc.integer({ min: 1, max: 3 }), (trace, slots) => {
        expect(beladyHits(trace, slots)).toBe(bruteForceHits(trace, slots));
      }),
      { numRuns: 150, seed: 5 },
    );
  });

  it('hits everything after the first use when every key fits', () => {
    expect(beladyHits(['a', 'b', 'a', 'b', 'c', 'a'], 3)).toBe(3);
  });
});
