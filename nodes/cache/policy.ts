// What an eviction policy is to the entry store: told of inserts, hits and removals, asked for the
// next victim when bytes run short. The store does the byte accounting; a policy only orders keys.
// LRU lives here; the other policies are files of their own (lfu.ts, s3fifo.ts).

export interface EvictionPolicy {
  readonly name: string;
  /** A key entered the cache (it was not present). */
  insert(key: string): void;
  /** A key was read while present. */
  touch(key: string): void;
  /** A key left the cache for any reason (eviction included). */
  remove(key: string): void;
  /**
   * The key to evict next, or null when the policy holds none. It does not remove the key (the
   * store does, through `remove`), though a policy may reorder its own queues to find it.
   */
  victim(): string | null;
  /** Keys held, for assertions. */
  size(): number;
}

/** Least recently used: a Map keeps insertion order, so re-inserting on a hit moves a key to the end. */
export class LruPolicy implements EvictionPolicy {
  readonly name = 'lru';
  private readonly order = new Map<string, true>();

  insert(key: string): void {
    this.order.delete(key);
    this.order.set(key, true);
  }

  touch(key: string): void {
    if (!this.order.has(key)) return;
    this.order.delete(key);
    this.order.set(key, true);
  }

  remove(key: string): void {
    this.order.delete(key);
  }

  victim(): string | null {
    for (const key of this.order.keys()) return key;
    return null;
  }

  size(): number {
    return this.order.size;
  }
}
