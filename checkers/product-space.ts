// A keyed model checked without splitting by key: the state is the tuple of every key's state.
// This is what a checker without P-compositionality must search (Porcupine's "no partition" kv
// model), kept here as a stress case for state hashing. Tuples live in one typed array, their hash
// is updated from the one key an op changes, and transitions are memoised like single states.
import { assert } from './assert.js';
import type { Model } from './model.js';
import { MISSING, PairTable } from './pair-table.js';
import { ModelSpace, type StateSpace } from './state-space.js';

function keyHash(key: number, state: number): number {
  let h = Math.imul(key + 1, 0x9e3779b1) ^ Math.imul(state + 0x3c6ef372, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class ProductSpace implements StateSpace {
  readonly initial: number;
  readonly prunes: boolean;
  readonly enables: boolean;
  private readonly single: ModelSpace;
  private readonly width: number;
  /** Tuple `t` is `tuples[t * width .. (t + 1) * width)`: one sub-state number per key. */
  private tuples: Int32Array;
  private hashes: Int32Array;
  private count = 0;
  /** Open addressing: tuple number + 1, or 0 for an empty slot. */
  private slots = new Int32Array(1024);
  private readonly transitions = new PairTable(12);

  constructor(
    model: Model,
    inputs: readonly unknown[],
    /** The key number of each op, by the search's op number. */
    private readonly keyOf: Int32Array,
    private readonly keyNames: readonly string[],
  ) {
    assert(keyOf.length === inputs.length, 'one key per op');
    this.single = new ModelSpace(model, inputs);
    this.width = keyNames.length;
    this.tuples = new Int32Array(this.width * 256);
    this.hashes = new Int32Array(256);
    let hash = 0;
    for (let key = 0; key < this.width; key += 1) {
      this.tuples[key] = this.single.initial;
      hash ^= keyHash(key, this.single.initial);
    }
    this.hashes[0] = hash;
    this.count = 1;
    this.slots[hash & (this.slots.length - 1)] = 1;
    this.initial = 0;
    this.prunes = this.single.prunes;
    this.enables = this.single.enables;
  }

  mayEnable(op: number, read: number): boolean {
    return this.keyOf[op] === this.keyOf[read] && this.single.mayEnable(op, read);
  }

  enableKey(op: number): string | null {
    const key = this.single.enableKey(op);
    return key === null ? null : `${this.keyOf[op]}:${key}`;
  }

  canReach(tuple: number, read: number): boolean {
    return this.single.canReach(this.tuples[tuple * this.width + this.keyOf[read]!]!, read);
  }

  resetReaches(reset: number, read: number): boolean {
    // A reset of another key leaves the read's key as it was: it cannot help.
    return this.keyOf[reset] === this.keyOf[read] && this.single.resetReaches(reset, read);
  }

  next(tuple: number, op: number): number {
    const known = this.transitions.get(tuple, op);
    if (known !== MISSING) return known;
    const key = this.keyOf[op]!;
    const width = this.width;
    const before = this.tuples[tuple * width + key]!;
    const after = this.single.next(before, op);
    let result = -1;
    if (after === before) result = tuple;
    else if (after >= 0) result = this.intern(tuple, key, after, this.hashes[tuple]! ^ keyHash(key, before) ^ keyHash(key, after));
    this.transitions.add(tuple, op, result);
    return result;
  }

  show(tuple: number): string {
    const parts: string[] = [];
    for (let key = 0; key < this.width; key += 1) {
      parts.push(`${this.keyNames[key]}: ${this.single.show(this.tuples[tuple * this.width + key]!)}`);
    }
    return `{${parts.join(', ')}}`;
  }

  memoryBytes(): number {
    return this.single.memoryBytes() + this.transitions.memoryBytes() + this.tuples.byteLength + this.hashes.byteLength + this.slots.byteLength;
  }

  /** The tuple equal to `base` with `key` set to `state`, found or added. */
  private intern(base: number, key: number, state: number, hash: number): number {
    const width = this.width;
    const tuples = this.tuples;
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) break;
      const candidate = entry - 1;
      if (this.hashes[candidate] === hash && this.sameTuple(candidate, base, key, state)) return candidate;
      slot = (slot + 1) & mask;
    }
    const number = this.count;
    if ((number + 1) * width > tuples.length) this.growTuples();
    this.tuples.copyWithin(number * width, base * width, base * width + width);
    this.tuples[number * width + key] = state;
    this.hashes[number] = hash;
    this.slots[slot] = number + 1;
    this.count += 1;
    if (this.count * 2 > this.slots.length) this.rehash();
    return number;
  }

  private sameTuple(candidate: number, base: number, key: number, state: number): boolean {
    const width = this.width;
    const tuples = this.tuples;
    const c = candidate * width;
    const b = base * width;
    for (let index = 0; index < width; index += 1) {
      const expected = index === key ? state : tuples[b + index]!;
      if (tuples[c + index] !== expected) return false;
    }
    return true;
  }

  private growTuples(): void {
    const tuples = new Int32Array(this.tuples.length * 2);
    tuples.set(this.tuples);
    this.tuples = tuples;
    const hashes = new Int32Array(this.hashes.length * 2);
    hashes.set(this.hashes);
    this.hashes = hashes;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let number = 0; number < this.count; number += 1) {
      let slot = this.hashes[number]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = number + 1;
    }
    this.slots = slots;
  }
}
