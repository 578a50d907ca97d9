// Equality, hashing and display of the plain values histories carry (null, numbers, strings,
// booleans, arrays, objects), for the models' states and inputs.

/** A 32-bit finalizer (murmur3's): spreads the bits of an integer hash. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Combines a running hash with the next 32-bit word. */
export function combine32(h: number, word: number): number {
  return mix32((h ^ word) + 0x9e3779b9 + (h << 6) + (h >>> 2));
}

export function hashString(text: string): number {
  // FNV-1a over UTF-16 code units, then a finalizer so short strings spread.
  let h = 0x811c9dc5 | 0;
  for (let index = 0; index < text.length; index += 1) h = Math.imul(h ^ text.charCodeAt(index), 0x01000193);
  return mix32(h);
}

function hashNumber(value: number): number {
  if (Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) return mix32(value ^ 0x5bd1e995);
  return hashString(String(value));
}

export function hashValue(value: unknown): number {
  if (value === null || value === undefined) return 0x1b873593;
  switch (typeof value) {
    case 'number':
      return hashNumber(value);
    case 'string':
      return hashString(value) ^ 0x2f;
    case 'boolean':
      return value ? 0x6a09e667 : 0x3c6ef372;
    default:
      break;
  }
  if (Array.isArray(value)) {
    let h = 0x27d4eb2f ^ value.length;
    for (const item of value) h = combine32(h, hashValue(item));
    return h;
  }
  if (typeof value === 'object') {
    let h = 0x165667b1;
    for (const key of Object.keys(value as object).sort()) {
      h = combine32(h, hashString(key));
      h = combine32(h, hashValue((value as Record<string, unknown>)[key]));
    }
    return h;
  }
  return hashString(String(value));
}

/** Structural equality; null and undefined are the same "no value". */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined) return b === null || b === undefined;
  if (b === null || b === undefined || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index += 1) if (!sameValue(a[index], b[index])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keysA = Object.keys(a as object);
  const keysB = Object.keys(b as object);
  if (keysA.length !== keysB.length) return false;
  for (const key of keysA) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (!sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** A value for a person: JSON, with null as `nil` the way Jepsen prints it. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}
