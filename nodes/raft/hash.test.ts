import { describe, expect, it } from 'vitest';
import { HASH_SEED, hashNumber } from './hash.js';

/** The definition: FNV-1a over the value's 7 low bytes, little end first, by plain arithmetic. */
function byBytes(seed: number, value: number): number {
  let hash = seed >>> 0;
  let rest = value;
  for (let i = 0; i < 7; i++) {
    hash = Math.imul(hash ^ (rest & 0xff), 0x01000193) >>> 0;
    rest = Math.floor(rest / 256);
  }
  return hash;
}

describe('hashNumber', () => {
  it('folds the same 7 bytes on its fast path (32-bit values) as on its general path', () => {
    const values = [0, 1, 255, 256, 65_535, 2 ** 24, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -1, -300, 1.5, 987_654_321];
    for (const seed of [0, HASH_SEED, 0xdeadbeef]) {
      for (const value of values) expect(hashNumber(seed, value), `seed ${seed}, value ${value}`).toBe(byBytes(seed, value));
    }
  });
});
