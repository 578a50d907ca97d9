// Belady's offline optimum (MIN) for a cache of `slots` equal-sized entries: on a miss with the
// cache full, evict the key whose next use lies farthest in the future (never used again first).
// No online policy can hit more often on the same trace, so it is the ceiling the benchmark shows
// every policy against. Pure; O(accesses * slots).

/** Hits of the optimal policy on `trace` with room for `slots` keys. */
export function beladyHits(trace: readonly string[], slots: number): number {
  if (!(Number.isSafeInteger(slots) && slots >= 1)) throw new Error(`belady: slots must be a positive integer, got ${slots}`);
  const nextUse = new Array<number>(trace.length);
  const seen = new Map<string, number>();
  for (let i = trace.length - 1; i >= 0; i--) {
    nextUse[i] = seen.get(trace[i]!) ?? Infinity;
    seen.set(trace[i]!, i);
  }
  /** key -> the index of its next use, as of now. */
  const cached = new Map<string, number>();
  let hits = 0;
  for (let i = 0; i < trace.length; i++) {
    const key = trace[i]!;
    if (cached.has(key)) hits += 1;
    else if (cached.size >= slots) {
      let farthest: string | null = null;
      let farthestAt = -1;
      for (const [candidate, at] of cached) {
        if (at > farthestAt) {
          farthest = candidate;
          farthestAt = at;
        }
      }
      cached.delete(farthest!);
    }
    cached.set(key, nextUse[i]!);
  }
  return hits;
}
