// LFU with decay: each key's count is its accesses (insert and hits), every one halved at each
// decay point (every `decayEveryAccesses` accesses of the whole cache), so popularity from long ago
// fades and a once-hot key cannot squat forever. The victim has the smallest count; among equal
// counts, the one accessed least recently. Counts are binary fractions and halving is exact.
import type { EvictionPolicy } from './policy.js';

interface Counted {
  count: number;
  /** The access clock at the key's last access, for the tie-break. */
  lastAccess: number;
}

export class LfuPolicy implements EvictionPolicy {
  readonly name = 'lfu';
  private readonly keys = new Map<string, Counted>();
  private accesses = 0;

  constructor(readonly decayEveryAccesses = 1_000) {
    if (!(Number.isSafeInteger(decayEveryAccesses) && decayEveryAccesses >= 1)) throw new Error('lfu: decayEveryAccesses must be a positive integer');
  }

  insert(key: string): void {
    this.access(key, { count: 0, lastAccess: 0 });
  }

  touch(key: string): void {
    const counted = this.keys.get(key);
    if (counted !== undefined) this.access(key, counted);
  }

  remove(key: string): void {
    this.keys.delete(key);
  }

  victim(): string | null {
    let best: string | null = null;
    let bestCounted: Counted | null = null;
    for (const [key, counted] of this.keys) {
      if (bestCounted === null || counted.count < bestCounted.count || (counted.count === bestCounted.count && counted.lastAccess < bestCounted.lastAccess)) {
        best = key;
        bestCounted = counted;
      }
    }
    return best;
  }

  size(): number {
    return this.keys.size;
  }

  private access(key: string, counted: Counted): void {
    this.accesses += 1;
    counted.count += 1;
    counted.lastAccess = this.accesses;
    this.keys.set(key, counted);
    if (this.accesses % this.decayEveryAccesses === 0) for (const each of this.keys.values()) each.count /= 2;
  }
}
