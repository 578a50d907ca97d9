import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EntryStore, entrySizeBytes, type CacheEntry } from './entries.js';
import { LruPolicy } from './policy.js';

function entry(key: string, value: number | null): CacheEntry {
  return { value, version: value ?? 0, sizeBytes: entrySizeBytes(key, value), expiresAtNs: 1e12, fill: 'f' };
}

/** The obviously right LRU: an array of keys, most recent last, and a byte sum recomputed each time. */
class ReferenceLru {
  readonly order: { key: string; value: number | null }[] = [];
  constructor(private readonly capacityBytes: number) {}
  bytes(): number {
    return this.order.reduce((sum, item) => sum + entrySizeBytes(item.key, item.value), 0);
  }
  get(key: string): boolean {
    const at = this.order.findIndex((item) => item.key === key);
    if (at < 0) return false;
    this.order.push(...this.order.splice(at, 1));
    return true;
  }
  put(key: string, value: number | null): string[] {
    if (entrySizeBytes(key, value) > this.capacityBytes) return [];
    const at = this.order.findIndex((item) => item.key === key);
    if (at >= 0) this.order.splice(at, 1);
    this.order.push({ key, value });
    const evicted: string[] = [];
    while (this.bytes() > this.capacityBytes) evicted.push(this.order.shift()!.key);
    return evicted;
  }
}

describe('the byte-accounted entry store (LRU)', () => {
  it('evicts the least recently used entry when bytes run short', () => {
    const evicted: string[] = [];
    const store = new EntryStore(3 * entrySizeBytes('k1', 1), new LruPolicy(), undefined, (key) => evicted.push(key));
    store.put('k1', entry('k1', 1));
    store.put('k2', entry('k2', 2));
    store.put('k3', entry('k3', 3));
    store.touch('k1');
    store.put('k4', entry('k4', 4));
    expect(evicted).toEqual(['k2']);
    expect(store.bytesUsed()).toBe(store.trueBytes());
  });

  it('never admits an entry larger than the whole capacity', () => {
    const store = new EntryStore(10, new LruPolicy());
    expect(store.put('k', entry('k', 1))).toBe(false);
    expect(store.size()).toBe(0);
  });

  it('matches the reference model, victims in its order, and never exceeds capacity', () => {
    const op = fc.oneof(fc.tuple(fc.constant('get' as const), fc.integer({ min: 0, max: 9 }), fc.constant(0)), fc.tuple(fc.constant('put' as const), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 100_000 })));
    fc.assert(
      fc.property(fc.integer({ min: 40, max: 400 }), fc.array(op, { maxLength: 200 }), (capacityBytes, ops) => {
        const evicted: string[] = [];
        const store = new EntryStore(capacityBytes, new LruPolicy(), undefined, (key) => evicted.push(key));
        const reference = new ReferenceLru(capacityBytes);
        for (const [kind, k, value] of ops) {
          const key = `k${k}`;
          if (kind === 'get') {
            const present = store.peek(key) !== undefined;
            store.touch(key);
            expect(reference.get(key)).toBe(present);
          } else {
            evicted.length = 0;
            const stored = value === 0 ? null : value;
            store.put(key, entry(key, stored));
            expect(evicted).toEqual(reference.put(key, stored));
          }
          expect(store.trueBytes()).toBeLessThanOrEqual(capacityBytes);
          expect(store.bytesUsed()).toBe(store.trueBytes());
          expect([...store.keys()].sort()).toEqual(reference.order.map((item) => item.key).sort());
        }
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it('with the planted accounting bug, replacements go uncounted and the true bytes pass the capacity', () => {
    const size = entrySizeBytes('k1', 10);
    const store = new EntryStore(2 * size, new LruPolicy(), { evictAccounting: true });
    store.put('k1', entry('k1', 10));
    store.put('k2', entry('k2', 20));
    store.put('k1', entry('k1', 11));
    store.put('k3', entry('k3', 30));
    expect(store.trueBytes()).toBeGreaterThan(2 * size);
  });
});
