// A small non-cryptographic hash (FNV-1a, 32 bits) used to chain applied commands, so replicas can
// be compared by one number per index instead of by their whole history.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Folds `text` into `seed` (FNV-1a over UTF-16 code units). */
export function hashString(seed: number, text: string): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/** Folds an integer into `seed` (its 7 low bytes, little end first). */
export function hashNumber(seed: number, value: number): number {
  let hash = seed >>> 0;
  if (value >>> 0 === value) {
    // Fast path for the usual case, a 32-bit unsigned value: the same bytes without divisions
    // (its upper three bytes are zero).
    hash = Math.imul(hash ^ (value & 0xff), FNV_PRIME);
    hash = Math.imul(hash ^ ((value >>> 8) & 0xff), FNV_PRIME);
    hash = Math.imul(hash ^ ((value >>> 16) & 0xff), FNV_PRIME);
    hash = Math.imul(hash ^ (value >>> 24), FNV_PRIME);
    hash = Math.imul(hash, FNV_PRIME);
    hash = Math.imul(hash, FNV_PRIME);
    hash = Math.imul(hash, FNV_PRIME);
    return hash >>> 0;
  }
  let rest = value;
  for (let i = 0; i < 7; i++) {
    hash ^= rest & 0xff;
    hash = Math.imul(hash, FNV_PRIME);
    rest = Math.floor(rest / 256);
  }
  return hash >>> 0;
}

export const HASH_SEED = FNV_OFFSET;
