// Lowe's memo of the configurations the search has reached: (set of linearized ops, model state).
// A configuration reached again leads nowhere new, so the search skips it.
//
// The linearized set is split in two. The completed ops (those that must be linearized) are the
// key: their set is hashed incrementally by the search (Zobrist) and stored exactly, as the span of
// its bitset between the first word that is not full and the last word that is not empty (ops are
// numbered by completion, so that span is short). The pending ops (`info`, which may be linearized
// or not) are stored beside the key: a configuration that has finished without success, with
// pending set P, also rules out every configuration with the same key and a pending set that
// contains P, since linearizing more pending ops only takes options away.
//
// Everything is in typed arrays: entries are numbered, chained per hash bucket, and their bitset
// words live in one arena.
import { assert } from './assert.js';
import { Int32Pool } from './int32-pool.js';

/** A hard limit on entries; the memory budget normally stops the search long before. */
export const CACHE_ENTRIES_MAX = 1 << 30;

export class ConfigCache {
  private keyHash: Int32Array;
  private checkHash: Int32Array;
  private stateOf: Int32Array;
  private chain: Int32Array;
  private requiredAt: Int32Array;
  private requiredFrom: Int32Array;
  private requiredWords: Int32Array;
  private pendingAt: Int32Array;
  private pendingFrom: Int32Array;
  private pendingWords: Int32Array;
  private finishedFlags: Int32Array;
  private buckets: Int32Array;
  private arena: Int32Array;
  private arenaUsed = 0;
  private count = 0;

  /** The first tables come from `pool` (a small part never grows them); growth allocates its own. */
  constructor(pool: Int32Pool = new Int32Pool(), entriesLog2 = 6) {
    const entries = 1 << entriesLog2;
    this.keyHash = pool.take(entries);
    this.checkHash = pool.take(entries);
    this.stateOf = pool.take(entries);
    this.chain = pool.take(entries);
    this.requiredAt = pool.take(entries);
    this.requiredFrom = pool.take(entries);
    this.requiredWords = pool.take(entries);
    this.pendingAt = pool.take(entries);
    this.pendingFrom = pool.take(entries);
    this.pendingWords = pool.take(entries);
    this.finishedFlags = pool.take(entries);
    this.buckets = pool.filled(entries, -1);
    this.arena = pool.take(entries * 4);
  }

  get size(): number {
    return this.count;
  }

  memoryBytes(): number {
    return this.keyHash.length * 41 + this.buckets.byteLength + this.arena.byteLength;
  }

  /** Marks a configuration as explored without success. */
  finish(entry: number): void {
    this.finishedFlags[entry] = 1;
  }

  /**
   * Records a configuration about to be explored and returns its entry number, or returns -1 when
   * a finished configuration with the same key covers it. `required` words outside
   * [requiredLo, requiredHi) are all ones below and all zeros above; `pending` words outside
   * [pendingLo, pendingHi) are zero.
   */
  visit(
    hashA: number,
    hashB: number,
    state: number,
    required: Int32Array,
    requiredLo: number,
    requiredHi: number,
    pending: Int32Array,
    pendingLo: number,
    pendingHi: number,
  ): number {
    let key = hashA ^ Math.imul(state + 1, 0x9e3779b1);
    key ^= key >>> 15;
    key = Math.imul(key, 0x2c1b3c6d);
    key ^= key >>> 12;
    const arena = this.arena;
    const requiredLength = requiredHi - requiredLo;
    for (let entry = this.buckets[key & (this.buckets.length - 1)]!; entry >= 0; entry = this.chain[entry]!) {
      if (this.keyHash[entry] !== key || this.checkHash[entry] !== hashB || this.stateOf[entry] !== state) continue;
      if (this.requiredFrom[entry] !== requiredLo || this.requiredWords[entry] !== requiredLength) continue;
      let at = this.requiredAt[entry]!;
      let same = true;
      for (let word = requiredLo; word < requiredHi; word += 1, at += 1) {
        if (arena[at] !== required[word]) {
          same = false;
          break;
        }
      }
      if (!same) continue;
      // The same completed ops and state: covered if this entry finished with fewer pending ops,
      // or if it is this very configuration (reached again through reusable ops while in progress).
      at = this.pendingAt[entry]!;
      const from = this.pendingFrom[entry]!;
      const to = from + this.pendingWords[entry]!;
      let subset = true;
      for (let word = from; word < to; word += 1, at += 1) {
        if ((arena[at]! & ~pending[word]!) !== 0) {
          subset = false;
          break;
        }
      }
      if (!subset) continue;
      if (this.finishedFlags[entry] === 1 || (from === pendingLo && to === pendingHi && this.samePending(entry, pending, pendingLo, pendingHi))) return -1;
    }
    return this.add(key, hashB, state, required, requiredLo, requiredHi, pending, pendingLo, pendingHi);
  }

  private samePending(entry: number, pending: Int32Array, pendingLo: number, pendingHi: number): boolean {
    const arena = this.arena;
    for (let word = pendingLo, at = this.pendingAt[entry]!; word < pendingHi; word += 1, at += 1) {
      if (arena[at] !== pending[word]) return false;
    }
    return true;
  }

  private add(
    key: number,
    hashB: number,
    state: number,
    required: Int32Array,
    requiredLo: number,
    requiredHi: number,
    pending: Int32Array,
    pendingLo: number,
    pendingHi: number,
  ): number {
    if (this.count === this.keyHash.length) this.growEntries();
    const words = requiredHi - requiredLo + (pendingHi - pendingLo);
    if (this.arenaUsed + words > this.arena.length) this.growArena(words);
    const entry = this.count;
    this.count += 1;
    this.keyHash[entry] = key;
    this.checkHash[entry] = hashB;
    this.stateOf[entry] = state;
    this.finishedFlags[entry] = 0;
    this.requiredAt[entry] = this.arenaUsed;
    this.requiredFrom[entry] = requiredLo;
    this.requiredWords[entry] = requiredHi - requiredLo;
    this.arena.set(required.subarray(requiredLo, requiredHi), this.arenaUsed);
    this.arenaUsed += requiredHi - requiredLo;
    this.pendingAt[entry] = this.arenaUsed;
    this.pendingFrom[entry] = pendingLo;
    this.pendingWords[entry] = pendingHi - pendingLo;
    if (pendingHi > pendingLo) this.arena.set(pending.subarray(pendingLo, pendingHi), this.arenaUsed);
    this.arenaUsed += pendingHi - pendingLo;
    const bucket = key & (this.buckets.length - 1);
    this.chain[entry] = this.buckets[bucket]!;
    this.buckets[bucket] = entry;
    return entry;
  }

  private growEntries(): void {
    const entries = this.keyHash.length * 2;
    assert(entries <= CACHE_ENTRIES_MAX, `configuration cache grows past ${CACHE_ENTRIES_MAX} entries`);
    const grow = (array: Int32Array): Int32Array => {
      const bigger = new Int32Array(entries);
      bigger.set(array);
      return bigger;
    };
    this.keyHash = grow(this.keyHash);
    this.checkHash = grow(this.checkHash);
    this.stateOf = grow(this.stateOf);
    this.chain = grow(this.chain);
    this.requiredAt = grow(this.requiredAt);
    this.requiredFrom = grow(this.requiredFrom);
    this.requiredWords = grow(this.requiredWords);
    this.pendingAt = grow(this.pendingAt);
    this.pendingFrom = grow(this.pendingFrom);
    this.pendingWords = grow(this.pendingWords);
    this.finishedFlags = grow(this.finishedFlags);
    // One bucket per entry keeps chains short; rebuild them for the new mask.
    this.buckets = new Int32Array(entries).fill(-1);
    const mask = entries - 1;
    for (let entry = 0; entry < this.count; entry += 1) {
      const bucket = this.keyHash[entry]! & mask;
      this.chain[entry] = this.buckets[bucket]!;
      this.buckets[bucket] = entry;
    }
  }

  private growArena(words: number): void {
    let length = this.arena.length * 2;
    while (length < this.arenaUsed + words) length *= 2;
    const arena = new Int32Array(length);
    arena.set(this.arena.subarray(0, this.arenaUsed));
    this.arena = arena;
  }
}
