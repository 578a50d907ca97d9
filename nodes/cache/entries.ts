// The entries of one cache node, byte-accounted: every entry costs a fixed overhead plus its key and
// value, the running total never exceeds the capacity (the store evicts the policy's victims until
// a new entry fits), and an entry larger than the whole capacity is never admitted.
import type { EvictionPolicy } from './policy.js';

export interface CacheEntry {
  /** The store's value; null caches "absent" (a negative entry with a short TTL). */
  value: number | null;
  /** The store version it reflects: values are versions, absent is version 0. */
  version: number;
  sizeBytes: number;
  /** On the node's monotonic clock (or, under the planted TTL bug, its wall clock). */
  expiresAtNs: number;
  /** Which fill put it here (`<incarnation>.<n>`), for the TTL monitor and the viewer. */
  fill: string;
  /** A copy of a hot key held for its owner (served to clients the owner sent here). */
  replica?: boolean;
}

/** Bookkeeping a real cache pays per entry (pointers, expiry, version), on top of key and value. */
export const ENTRY_OVERHEAD_BYTES = 32;

/** What an entry for `key` holding `value` costs. */
export function entrySizeBytes(key: string, value: number | null): number {
  return ENTRY_OVERHEAD_BYTES + key.length + (value === null ? 0 : String(value).length);
}

export interface EntryStoreBugs {
  /** `cache.evict-accounting`: replacing an entry subtracts the old size but never adds the new one. */
  evictAccounting: boolean;
}

export class EntryStore {
  private readonly entries = new Map<string, CacheEntry>();
  private usedBytes = 0;

  constructor(
    readonly capacityBytes: number,
    private readonly policy: EvictionPolicy,
    private readonly bugs: EntryStoreBugs = { evictAccounting: false },
    /** Told of each eviction (not of deletes or expiries), for the trace. */
    private readonly onEvict: (key: string, entry: CacheEntry) => void = () => {},
  ) {
    assert(Number.isSafeInteger(capacityBytes) && capacityBytes > 0, 'capacityBytes must be a positive integer');
  }

  /** The entry, without counting a hit. */
  peek(key: string): CacheEntry | undefined {
    return this.entries.get(key);
  }

  /** A hit: the policy hears of it. */
  touch(key: string): void {
    if (this.entries.has(key)) this.policy.touch(key);
  }

  /** Puts an entry in, evicting victims until the total fits. False when it can never fit. */
  put(key: string, entry: CacheEntry): boolean {
    assert(entry.sizeBytes === entrySizeBytes(key, entry.value), 'an entry costs what entrySizeBytes says');
    if (entry.sizeBytes > this.capacityBytes) return false;
    const old = this.entries.get(key);
    if (old !== undefined) {
      // The planted bug forgets to count the replacement's bytes.
      this.usedBytes += (this.bugs.evictAccounting ? 0 : entry.sizeBytes) - old.sizeBytes;
      this.entries.set(key, entry);
      this.policy.touch(key);
    } else {
      this.usedBytes += entry.sizeBytes;
      this.entries.set(key, entry);
      this.policy.insert(key);
    }
    this.evictUntilFits();
    return true;
  }

  delete(key: string): boolean {
    const old = this.entries.get(key);
    if (old === undefined) return false;
    this.entries.delete(key);
    this.usedBytes -= old.sizeBytes;
    this.policy.remove(key);
    return true;
  }

  /** The running total the store believes in. */
  bytesUsed(): number {
    return this.usedBytes;
  }

  /** The sum of the entries' sizes, recomputed: what the monitor compares with the capacity. */
  trueBytes(): number {
    let total = 0;
    for (const [key, entry] of this.entries) total += entrySizeBytes(key, entry.value);
    return total;
  }

  size(): number {
    return this.entries.size;
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Entries whose expiry is at or before `nowNs`, at most `limit` of them (for the active sweep). */
  expired(nowNs: number, limit: number): string[] {
    const found: string[] = [];
    for (const [key, entry] of this.entries) {
      if (found.length >= limit) break;
      if (entry.expiresAtNs <= nowNs) found.push(key);
    }
    return found;
  }

  /**
   * Evicts the policy's victims until the total fits. The entry just put in may be one of them: a
   * policy may refuse to keep a newcomer (LFU evicts a new key whose count is the lowest).
   */
  private evictUntilFits(): void {
    // Bounded: every round removes one entry, and there are finitely many.
    while (this.usedBytes > this.capacityBytes) {
      const victim = this.policy.victim();
      assert(victim !== null && this.entries.has(victim), 'over capacity with no victim the store holds');
      const entry = this.entries.get(victim)!;
      this.delete(victim);
      this.onEvict(victim, entry);
    }
    assert(this.policy.size() === this.entries.size, 'the policy holds exactly the stored keys');
  }
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`cache entries: ${message}`);
}
