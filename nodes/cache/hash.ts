// A 32-bit string hash for ring positions and sketch rows: FNV-1a over UTF-16 code units, then the
// murmur3 finaliser so that keys differing in one character land far apart on the circle. Pure and
// the same on every host, so every client and server builds the same ring.

/** An unsigned 32-bit hash of `text`, optionally salted (a sketch row, a vnode index). */
export function hash32(text: string, salt = 0): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
