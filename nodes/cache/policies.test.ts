// Each eviction policy against an obviously right twin: the same rules written as plainly as they
// read (arrays, full recounts from the access log), driven through the byte-accounted store by
// random traces; the evictions must be the same keys in the same order, and bytes never over capacity.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EntryStore, entrySizeBytes, type CacheEntry } from './entries.js';
import { LfuPolicy } from './lfu.js';
import { S3FifoPolicy } from './s3fifo.js';
import type { EvictionPolicy } from './policy.js';

function entry(key: string, value: number): CacheEntry {
  return { value, version: value, sizeBytes: entrySizeBytes(key, value), expiresAtNs: 1e15, fill: 'f' };
}

/** A reference model: told of gets and puts, answers which keys a put evicted. */
interface Reference {
  get(key: string): boolean;
  put(key: string): string[];
}

/** LFU with decay by definition: a key's count is the sum over its accesses since insertion of 1/2^(decay points since). */
class ReferenceLfu implements Reference {
  private readonly log: string[] = [];
  /** key -> position in the log where its current stay began. */
  private readonly since = new Map<string, number>();
  constructor(
    private readonly slots: number,
    private readonly decayEvery: number,
  ) {}
  get(key: string): boolean {
    if (!this.since.has(key)) return false;
    this.log.push(key);
    return true;
  }
  put(key: string): string[] {
    if (this.since.has(key)) {
      this.log.push(key);
      return [];
    }
    this.since.set(key, this.log.length);
    this.log.push(key);
    const evicted: string[] = [];
    while (this.since.size > this.slots) {
      const scored = [...this.since.keys()].map((k) => ({ k, ...this.score(k) }));
      scored.sort((a, b) => a.count - b.count || a.last - b.last);
      evicted.push(scored[0]!.k);
      this.since.delete(scored[0]!.k);
    }
    return evicted;
  }
  private score(key: string): { count: number; last: number } {
    let count = 0;
    let last = -1;
    const total = this.log.length;
    for (let i = this.since.get(key)!; i < total; i++) {
      if (this.log[i] !== key) continue;
      // Decay points after access number i + 1 (1-based), up to the latest access.
      const decays = Math.floor(total / this.decayEvery) - Math.floor((i + 1) / this.decayEvery) + ((i + 1) % this.decayEvery === 0 ? 1 : 0);
      count += 1 / 2 ** decays;
      last = i;
    }
    return { count, last };
  }
}

/** S3-FIFO written with arrays, step by step as the paper's pseudocode reads. */
class ReferenceS3Fifo implements Reference {
  private small: { key: string; hits: number }[] = [];
  private main: { key: string; hits: number }[] = [];
  private ghost: string[] = [];
  constructor(
    private readonly slots: number,
    private readonly ghostMin: number,
  ) {}
  get(key: string): boolean {
    const item = this.small.find((i) => i.key === key) ?? this.main.find((i) => i.key === key);
    if (item === undefined) return false;
    item.hits = Math.min(3, item.hits + 1);
    return true;
  }
  put(key: string): string[] {
    if (this.get(key)) return [];
    const inGhost = this.ghost.indexOf(key);
    if (inGhost >= 0) {
      this.ghost.splice(inGhost, 1);
      this.main.push({ key, hits: 0 });
    } else this.small.push({ key, hits: 0 });
    const evicted: string[] = [];
    while (this.small.length + this.main.length > this.slots) evicted.push(this.evictOne());
    return evicted;
  }
  private evictOne(): string {
    for (;;) {
      const held = this.small.length + this.main.length;
      if (this.small.length > 0 && (this.small.length * 100 > 10 * held || this.main.length === 0)) {
        const head = this.small.shift()!;
        if (head.hits > 0) this.main.push({ key: head.key, hits: 0 });
        else {
          this.ghost.push(head.key);
          while (this.ghost.length > Math.max(this.ghostMin, this.small.length + this.main.length)) this.ghost.shift();
          return head.key;
        }
        continue;
      }
      const head = this.main.shift()!;
      if (head.hits > 0) this.main.push({ key: head.key, hits: head.hits - 1 });
      else return head.key;
    }
  }
}

// Mostly gets, over a few more keys than the largest cache, so keys are hit, aged and evicted.
const trace = fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }).map((roll) => roll < 6), fc.integer({ min: 0, max: 40 })), { maxLength: 400 });

function agree(makePolicy: () => EvictionPolicy, makeReference: (slots: number) => Reference): void {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 30 }), trace, (slots, ops) => {
      // Every key name and value has the same length, so `slots` entries fit exactly.
      const size = entrySizeBytes('k00', 100);
      const evicted: string[] = [];
      const store = new EntryStore(slots * size, makePolicy(), undefined, (key) => evicted.push(key));
      const reference = makeReference(slots);
      for (const [isGet, k] of ops) {
        const key = `k${String(k).padStart(2, '0')}`;
        if (isGet) {
          const present = store.peek(key) !== undefined;
          if (present) store.touch(key);
          expect(reference.get(key)).toBe(present);
        } else if (store.peek(key) !== undefined) {
          store.touch(key);
          expect(reference.get(key)).toBe(true);
        } else {
          evicted.length = 0;
          store.put(key, entry(key, 100));
          expect(evicted).toEqual(reference.put(key));
        }
        expect(store.trueBytes()).toBeLessThanOrEqual(slots * size);
      }
    }),
    { numRuns: 200, seed: 11 },
  );
}

describe('eviction policies against their reference models', () => {
  it('LFU with decay evicts the least decayed count, the least recent among equals', () => {
    agree(() => new LfuPolicy(7), (slots) => new ReferenceLfu(slots, 7));
  });

  it('S3-FIFO moves hit keys from S to M, evicts one-hit wonders from S into the ghost, and readmits ghosts to M', () => {
    agree(() => new S3FifoPolicy(10, 4), (slots) => new ReferenceS3Fifo(slots, 4));
  });

  it('S3-FIFO keeps a key hit twice over a scan of one-hit keys that LRU would lose', () => {
    const size = entrySizeBytes('k00', 100);
    const store = new EntryStore(4 * size, new S3FifoPolicy(), undefined);
    store.put('k00', entry('k00', 100));
    store.touch('k00');
    for (let i = 1; i <= 12; i++) store.put(`k${String(i).padStart(2, '0')}`, entry(`k${String(i).padStart(2, '0')}`, 100));
    expect(store.peek('k00')).toBeDefined();
  });
});
