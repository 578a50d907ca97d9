// An incremental, non-cryptographic 64-bit-ish hash of a run: two independent 32-bit lanes (an
// FNV-1a style lane and a MurmurHash2 style lane) fed word by word as events happen. Nothing is turned
// into a string on the way in: numbers are fed as their bits, strings as their UTF-16 code units.
// Same inputs in the same order give the same hex string, in any process on any platform.

const FNV_PRIME = 0x01000193;
const MURMUR_M = 0x5bd1e995;
const TWO_POW_32 = 4294967296;

/** Limits how deep `value()` follows nested arrays and objects; deeper parts are fed as a marker. */
export const FINGERPRINT_VALUE_DEPTH_MAX = 32;

const floatScratch = new Float64Array(1);
const floatWords = new Uint32Array(floatScratch.buffer);

// Type tags keep `1` and `"1"` and `[1]` apart in `value()`.
const TAG_UNDEFINED = 0x75;
const TAG_NULL = 0x6e;
const TAG_FALSE = 0x66;
const TAG_TRUE = 0x74;
const TAG_NUMBER = 0x64;
const TAG_STRING = 0x73;
const TAG_ARRAY = 0x61;
const TAG_OBJECT = 0x6f;
const TAG_BYTES = 0x62;
const TAG_DEEP = 0x7a;
const TAG_OTHER = 0x3f;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex8(word: number): string {
  return (word >>> 0).toString(16).padStart(8, '0');
}

export class Fingerprint {
  private laneA = 0x811c9dc5 | 0;
  private laneB = 0x9747b28c | 0;
  /** Words fed so far: part of the final digest so that a prefix never collides with the whole. */
  private words = 0;

  /** Feeds one 32-bit word (only the low 32 bits of `word` count). */
  word(word: number): void {
    this.laneA = Math.imul(this.laneA ^ word, FNV_PRIME);
    // A second, differently mixed lane (multiply by a Murmur constant, fold the high bits down), so
    // the two 32-bit lanes together behave like a 64-bit hash; both finish through fmix32 in hex().
    const b = Math.imul(this.laneB ^ word, MURMUR_M);
    this.laneB = b ^ (b >>> 15);
    this.words++;
  }

  /** Feeds a number exactly: a safe integer as two words, anything else as its IEEE-754 bits. */
  number(value: number): void {
    if (Number.isSafeInteger(value)) {
      const low = value >>> 0;
      this.word(low);
      this.word(Math.floor((value - low) / TWO_POW_32) | 0);
    } else {
      floatScratch[0] = value;
      this.word(floatWords[0]! ^ 0x7ff00000);
      this.word(floatWords[1]!);
    }
  }

  /** Feeds a non-negative safe integer below 2^53: the fast path for times, ids and counts. */
  count(value: number): void {
    const low = value >>> 0;
    this.word(low);
    this.word((value - low) / TWO_POW_32);
  }

  /**
   * Feeds one kernel event compactly: time (< 2^53), a small code (< 2^10), a 32-bit word of
   * endpoint indices, and an id (< 2^53, folded to one word).
   */
  event(timeNs: number, code: number, endpoints: number, id: number): void {
    const timeLow = timeNs >>> 0;
    this.word(timeLow);
    this.word((timeNs - timeLow) / TWO_POW_32 + code * 2097152);
    this.word(endpoints);
    const idLow = id >>> 0;
    this.word(idLow ^ Math.imul((id - idLow) / TWO_POW_32, 0x9e3779b1));
  }

  /** Feeds a string's length and code units. */
  string(text: string): void {
    const length = text.length;
    this.word(length);
    let i = 0;
    // Two code units per word halves the work for the long strings nodes log.
    for (; i + 1 < length; i += 2) this.word(text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16));
    if (i < length) this.word(text.charCodeAt(i));
  }

  /** Feeds a JSON-like value (and Uint8Array) structurally, keys in their own order. */
  value(value: unknown, depth = 0): void {
    if (value === undefined) return this.word(TAG_UNDEFINED);
    if (value === null) return this.word(TAG_NULL);
    switch (typeof value) {
      case 'boolean':
        return this.word(value ? TAG_TRUE : TAG_FALSE);
      case 'number':
        this.word(TAG_NUMBER);
        return this.number(value);
      case 'string':
        this.word(TAG_STRING);
        return this.string(value);
      case 'object':
        break;
      default:
        this.word(TAG_OTHER);
        return this.string(typeof value);
    }
    if (depth >= FINGERPRINT_VALUE_DEPTH_MAX) return this.word(TAG_DEEP);
    if (Array.isArray(value)) {
      this.word(TAG_ARRAY);
      this.word(value.length);
      for (const item of value) this.value(item, depth + 1);
      return;
    }
    if (value instanceof Uint8Array) {
      this.word(TAG_BYTES);
      this.word(value.length);
      for (let i = 0; i < value.length; i++) this.word(value[i]!);
      return;
    }
    this.word(TAG_OBJECT);
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    this.word(keys.length);
    for (const key of keys) {
      this.string(key);
      this.value(record[key], depth + 1);
    }
  }

  /** The digest so far, 16 hex digits. Does not change the state: feeding may go on. */
  hex(): string {
    const a = fmix32(this.laneA ^ this.words);
    const b = fmix32(this.laneB ^ Math.imul(this.words, 0x9e3779b1));
    return hex8(a ^ (b >>> 7)) + hex8(b);
  }
}

/** A 32-bit FNV-1a hash of a string's code units, for feeding short repeated strings as one word. */
export function hashString32(text: string): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return fmix32(hash ^ text.length);
}

/** A one-shot 64-bit-ish hash of a few strings and numbers, as hex (used to derive seeds). */
export function hashParts(parts: readonly (string | number)[]): string {
  const fingerprint = new Fingerprint();
  for (const part of parts) {
    if (typeof part === 'string') {
      fingerprint.word(TAG_STRING);
      fingerprint.string(part);
    } else {
      fingerprint.word(TAG_NUMBER);
      fingerprint.number(part);
    }
  }
  return fingerprint.hex();
}
