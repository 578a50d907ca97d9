// Hot keys at their owner: gets are counted in a count-min sketch that halves every window; a key
// whose estimate reaches the threshold becomes hot and gets `replicas` extra nodes (the next ones
// clockwise on the ring), which the owner names in its replies so clients spread their reads.
// A key stays hot for the rest of the owner's incarnation: the owner must keep invalidating every
// replica a client may still read from, so it never forgets one. The hot set is bounded.
import type { NodeId } from '../host.js';
import type { CacheRing } from './ring.js';
import { CountMinSketch } from './sketch.js';

export interface HotKeyOptions {
  /** Gets within a window (as the sketch estimates them) that make a key hot. */
  threshold: number;
  /** Extra nodes a hot key is copied to. */
  replicas: number;
  /** Hot keys at most; past that no key becomes hot. */
  keysMax: number;
}

export class HotKeys {
  private readonly sketch = new CountMinSketch();
  private readonly hot = new Map<string, NodeId[]>();

  constructor(private readonly options: HotKeyOptions) {}

  /** Counts a get of `key`; returns its replicas when this get made it hot, else null. */
  count(key: string, ring: CacheRing): NodeId[] | null {
    const estimate = this.sketch.add(key);
    if (this.hot.has(key) || estimate < this.options.threshold || this.hot.size >= this.options.keysMax) return null;
    const replicas = ring.successors(key, 1 + this.options.replicas).slice(1);
    if (replicas.length === 0) return null;
    this.hot.set(key, replicas);
    return replicas;
  }

  /** The key's replicas, empty when it is not hot. */
  replicasOf(key: string): readonly NodeId[] {
    return this.hot.get(key) ?? [];
  }

  /** One window has passed. */
  decay(): void {
    this.sketch.decay();
  }
}

/**
 * At a replica: the newest version the owner said was written, per key, so a copy pushed before
 * that write and delivered after its invalidation is refused. Bounded: the oldest floor goes first,
 * and a key without a floor takes no copy older than what it holds.
 */
export class ReplicaFloors {
  private readonly floors = new Map<string, number>();

  constructor(private readonly max = 1024) {}

  raise(key: string, version: number): void {
    const floor = Math.max(version, this.floors.get(key) ?? 0);
    this.floors.delete(key);
    this.floors.set(key, floor);
    if (this.floors.size > this.max) this.floors.delete(this.floors.keys().next().value!);
  }

  admits(key: string, version: number): boolean {
    return version >= (this.floors.get(key) ?? 0);
  }

  /** Forgets every floor (used when the node restarts empty). */
  clear(): void {
    this.floors.clear();
  }
}
