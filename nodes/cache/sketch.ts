// A count-min sketch over a decaying window (Cormode and Muthukrishnan): `rows` rows of `width`
// counters, each key counted once per row at its own hash; the estimate is the row minimum, never
// below the true count and above it only by collisions. Halving every counter ages the window, so
// a key is hot for what it gets lately, not since the start.
import { hash32 } from './ring.js';

export class CountMinSketch {
  private readonly counters: Uint32Array;

  constructor(
    readonly rows = 4,
    readonly width = 256,
  ) {
    if (!(Number.isSafeInteger(rows) && rows >= 1 && Number.isSafeInteger(width) && width >= 1)) throw new Error('count-min sketch: rows and width must be positive integers');
    this.counters = new Uint32Array(rows * width);
  }

  /** Counts one occurrence of `key`; returns its estimate after. */
  add(key: string): number {
    let estimate = Infinity;
    for (let row = 0; row < this.rows; row++) {
      const at = row * this.width + (hash32(`${row}|${key}`) % this.width);
      // Saturates instead of wrapping, so a counter never reads small after a burst.
      if (this.counters[at]! < 0xffffffff) this.counters[at] = this.counters[at]! + 1;
      estimate = Math.min(estimate, this.counters[at]!);
    }
    return estimate;
  }

  estimate(key: string): number {
    let estimate = Infinity;
    for (let row = 0; row < this.rows; row++) estimate = Math.min(estimate, this.counters[row * this.width + (hash32(`${row}|${key}`) % this.width)]!);
    return estimate;
  }

  /** Halves every counter: the window's decay. */
  decay(): void {
    for (let i = 0; i < this.counters.length; i++) this.counters[i] = this.counters[i]! >>> 1;
  }
}
