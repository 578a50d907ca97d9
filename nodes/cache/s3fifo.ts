// S3-FIFO (Yang et al., SOSP'23): three FIFO queues. New keys enter a small queue S (a tenth of
// the keys); a key evicted from S that was hit while there moves to the main queue M, one that was
// not leaves the cache and is remembered in a ghost queue G; a key that comes back while in G goes
// straight to M. M is a FIFO with a 2-bit hit counter per key: at M's head a key with hits left is
// reinserted at the tail with one hit fewer, one without is evicted. One-hit wonders thus leave
// quickly from S, and no hit ever moves a key (no list surgery on the read path).
//
// Queues are Maps in insertion order; `victim()` may move keys between them (that is how the
// algorithm finds its victim) but never drops one: the store removes the victim it is given.
import type { EvictionPolicy } from './policy.js';

const HITS_MAX = 3;

export class S3FifoPolicy implements EvictionPolicy {
  readonly name = 's3fifo';
  /** key -> hits since it entered its queue (0..3). */
  private readonly small = new Map<string, number>();
  private readonly main = new Map<string, number>();
  private readonly ghost = new Map<string, true>();
  /** The victim named last, and the queue it was named from (a removal from S feeds the ghost). */
  private named: { key: string; fromSmall: boolean } | null = null;

  constructor(
    /** The small queue's share of the keys held, in percent. */
    readonly smallPercent = 10,
    /** Ghost entries kept at most, as a multiple of the keys held (at least this many). */
    readonly ghostMin = 64,
  ) {}

  insert(key: string): void {
    if (this.ghost.delete(key)) this.main.set(key, 0);
    else this.small.set(key, 0);
  }

  touch(key: string): void {
    const inSmall = this.small.get(key);
    if (inSmall !== undefined) this.small.set(key, Math.min(HITS_MAX, inSmall + 1));
    const inMain = this.main.get(key);
    if (inMain !== undefined) this.main.set(key, Math.min(HITS_MAX, inMain + 1));
  }

  remove(key: string): void {
    const fromSmall = this.small.delete(key);
    const fromMain = this.main.delete(key);
    if (fromSmall && this.named?.key === key && this.named.fromSmall) this.remember(key);
    if (fromSmall || fromMain) this.named = null;
  }

  victim(): string | null {
    const held = this.small.size + this.main.size;
    if (held === 0) return null;
    // Bounded: each step either names a victim or lowers a hit counter / moves a key from S to M.
    for (let step = 0; step < 8 * held + 8; step++) {
      const smallTooBig = this.small.size > 0 && (this.small.size * 100 > this.smallPercent * held || this.main.size === 0);
      if (smallTooBig) {
        const [key, hits] = this.small.entries().next().value as [string, number];
        if (hits > 0) {
          this.small.delete(key);
          this.main.set(key, 0);
          continue;
        }
        this.named = { key, fromSmall: true };
        return key;
      }
      const [key, hits] = this.main.entries().next().value as [string, number];
      if (hits > 0) {
        this.main.delete(key);
        this.main.set(key, hits - 1);
        continue;
      }
      this.named = { key, fromSmall: false };
      return key;
    }
    throw new Error('s3fifo: no victim found within the step bound');
  }

  size(): number {
    return this.small.size + this.main.size;
  }

  private remember(key: string): void {
    this.ghost.set(key, true);
    const ghostMax = Math.max(this.ghostMin, this.size());
    while (this.ghost.size > ghostMax) this.ghost.delete(this.ghost.keys().next().value!);
  }
}
