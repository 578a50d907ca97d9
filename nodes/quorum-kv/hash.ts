// A 32-bit string hash with good avalanche (MurmurHash3's mixing steps over UTF-16 code units),
// used for ring positions and Merkle digests. Not cryptographic: the ring needs spread, the digests
// need "different objects almost never collide", and a collision only delays anti-entropy.

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Hashes `text`, starting from `seed` (so two hashes of one text can be independent). */
export function hash32(text: string, seed = 0): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= text.length;
  // The finaliser: every input bit reaches every output bit.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds a list of 32-bit digests into one, order-sensitive (callers sort what has no order). */
export function combine32(digests: readonly number[]): number {
  let text = '';
  for (const digest of digests) text += digest.toString(36) + ',';
  return hash32(text, 0x9747b28c);
}
