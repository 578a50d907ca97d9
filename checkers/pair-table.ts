// A hash map from a pair of non-negative 32-bit integers to an integer, in typed arrays (open
// addressing, linear probing). The search memoises model transitions here: looking one up again
// allocates nothing.
import { assert } from './assert.js';
import type { Int32Pool } from './int32-pool.js';

/** `get` of a pair never set. */
export const MISSING = -2;

/** The table doubles past this load, so probe runs stay short. */
const LOAD_MAX = 0.5;
/** A hard limit on slots; past it the search is out of memory anyway. */
export const PAIR_TABLE_SLOTS_MAX = 1 << 28;

function slotOf(a: number, b: number, mask: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h & mask;
}

export class PairTable {
  private keysA: Int32Array;
  private keysB: Int32Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;

  /** The first tables come from `pool` when one is given; growth allocates its own. */
  constructor(slotsLog2 = 10, pool?: Int32Pool) {
    const slots = 1 << slotsLog2;
    this.keysA = pool === undefined ? new Int32Array(slots).fill(-1) : pool.filled(slots, -1);
    this.keysB = pool === undefined ? new Int32Array(slots) : pool.take(slots);
    this.values = pool === undefined ? new Int32Array(slots) : pool.take(slots);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  get(a: number, b: number): number {
    const keysA = this.keysA;
    const mask = this.mask;
    let slot = slotOf(a, b, mask);
    for (;;) {
      const key = keysA[slot]!;
      if (key === -1) return MISSING;
      if (key === a && this.keysB[slot] === b) return this.values[slot]!;
      slot = (slot + 1) & mask;
    }
  }

  /** Sets a pair that is not in the table yet. */
  add(a: number, b: number, value: number): void {
    assert(a >= 0 && b >= 0, 'pair table keys are non-negative');
    if (this.count + 1 > (this.mask + 1) * LOAD_MAX) this.grow();
    const mask = this.mask;
    let slot = slotOf(a, b, mask);
    while (this.keysA[slot] !== -1) {
      assert(!(this.keysA[slot] === a && this.keysB[slot] === b), 'pair table add of a pair already present');
      slot = (slot + 1) & mask;
    }
    this.keysA[slot] = a;
    this.keysB[slot] = b;
    this.values[slot] = value;
    this.count += 1;
  }

  memoryBytes(): number {
    return (this.mask + 1) * 12;
  }

  private grow(): void {
    const slots = (this.mask + 1) * 2;
    assert(slots <= PAIR_TABLE_SLOTS_MAX, `pair table grows past ${PAIR_TABLE_SLOTS_MAX} slots`);
    const { keysA, keysB, values } = this;
    this.keysA = new Int32Array(slots).fill(-1);
    this.keysB = new Int32Array(slots);
    this.values = new Int32Array(slots);
    this.mask = slots - 1;
    for (let slot = 0; slot < keysA.length; slot += 1) {
      const a = keysA[slot]!;
      if (a === -1) continue;
      let target = slotOf(a, keysB[slot]!, this.mask);
      while (this.keysA[target] !== -1) target = (target + 1) & this.mask;
      this.keysA[target] = a;
      this.keysB[target] = keysB[slot]!;
      this.values[target] = values[slot]!;
    }
  }
}
