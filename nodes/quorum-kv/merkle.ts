// The anti-entropy hash tree (Dynamo section 4.7, Riak's active anti-entropy), two levels: a key
// falls in one of `LEAVES` buckets by its hash; a leaf is the hash of its keys' digests in key
// order; the root is the hash of the leaves. Two replicas compare roots, then leaves, and exchange
// only the keys of the buckets that differ.
//
// A tree covers the keys two replicas share (both are primaries of the key), so each pair builds
// its own from the per-key digests the replica keeps current on every write (versions.ts `digest`).
// With the few thousand keys of a simulated run that costs less than keeping a tree per pair.
import { combine32, hash32 } from './hash.js';

export const LEAVES = 16;

export function bucketOf(key: string): number {
  return hash32(key, 0x5bd1e995) % LEAVES;
}

/** The leaves of the tree over `digests` (key -> digest). Keys need not be sorted. */
export function leavesOf(digests: ReadonlyMap<string, number>): number[] {
  const perBucket: { key: string; digest: number }[][] = Array.from({ length: LEAVES }, () => []);
  for (const [key, digest] of digests) perBucket[bucketOf(key)]!.push({ key, digest });
  return perBucket.map((entries) => {
    entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return combine32(entries.map((entry) => entry.digest));
  });
}

export function rootOf(leaves: readonly number[]): number {
  return combine32(leaves);
}

/** The buckets whose leaves differ. */
export function differingBuckets(mine: readonly number[], theirs: readonly number[]): number[] {
  const buckets: number[] = [];
  for (let i = 0; i < LEAVES; i++) if (mine[i] !== theirs[i]) buckets.push(i);
  return buckets;
}
