// The `Random` of nodes/host.ts for real processes: a seeded alea stream, so even a real node's
// random choices (election timeouts, client picks) come back from its seed.
import seedrandom from 'seedrandom';
import type { Random } from '../../nodes/host.js';

/** A stream named by (seed, name): two names never share numbers, one name always repeats them. */
export function createRandom(seed: number | string, name: string): Random {
  const prng = seedrandom.alea(`${seed}/${name}`);
  // 53 bits from two draws: integers up to 2^53 stay uniform.
  const float = (): number => prng.double();
  const int = (bound: number): number => {
    if (!Number.isSafeInteger(bound) || bound <= 0) throw new Error(`random.int: bound must be a positive safe integer: ${bound}`);
    return Math.floor(float() * bound);
  };
  return {
    int,
    range(min: number, max: number): number {
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
        throw new Error(`random.range: need safe integers min <= max: ${min}, ${max}`);
      }
      return min + int(max - min + 1);
    },
    chance(numerator: number, denominator: number): boolean {
      if (!(denominator > 0) || numerator < 0 || numerator > denominator) {
        throw new Error(`random.chance: need 0 <= numerator <= denominator, denominator > 0: ${numerator}/${denominator}`);
      }
      return int(denominator) < numerator;
    },
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('random.pick: empty array');
      return items[int(items.length)]!;
    },
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i -= 1) {
        const j = int(i + 1);
        const swap = items[i]!;
        items[i] = items[j]!;
        items[j] = swap;
      }
      return items;
    },
    float,
  };
}
