// Porcupine's key-value model, one key at a time: a string that starts empty; `get` returns it,
// `put v` replaces it, `append v` adds v at its end. Keyed, so each key is checked on its own.
//
// States carry a polynomial hash of their text, updated from the appended part alone, so a new
// state costs the length of what was appended, not of the whole string; a get compares hashes and
// lengths before it compares text.
import { ILLEGAL, ModelInputError, opValue, type Model, type PreparedOp } from '../model.js';
import type { PairedOp } from '../paired-ops.js';
import { mix32, showValue } from '../values.js';

const GET = 0;
const PUT = 1;
const APPEND = 2;
const BASE = 0x01000193;

interface KvState {
  text: string;
  /** Σ text[i] · BASE^(length-1-i), modulo 2^32. */
  hash: number;
}

interface KvInput {
  kind: number;
  value: string;
  /** The polynomial hash of `value`. */
  hash: number;
  /** BASE^value.length modulo 2^32, to shift a hash past `value`. */
  shift: number;
  /**
   * For a get, made on first use: the hash of each prefix of `value` (`prefixes[n]` is the hash of
   * its first n characters).
   */
  prefixes: Int32Array | null;
}

function input(kind: number, value: string): KvInput {
  let hash = 0;
  let shift = 1;
  for (let index = 0; index < value.length; index += 1) {
    hash = (Math.imul(hash, BASE) + value.charCodeAt(index)) | 0;
    shift = Math.imul(shift, BASE);
  }
  return { kind, value, hash, shift, prefixes: null };
}

function prefixHashes(get: KvInput): Int32Array {
  if (get.prefixes === null) {
    const prefixes = new Int32Array(get.value.length + 1);
    for (let index = 0; index < get.value.length; index += 1) prefixes[index + 1] = (Math.imul(prefixes[index]!, BASE) + get.value.charCodeAt(index)) | 0;
    get.prefixes = prefixes;
  }
  return get.prefixes;
}

function text(op: PairedOp, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new ModelInputError('kv', op.invokeIndex, `${op.f} needs a string value, got ${showValue(value)}`);
}

function prepare(op: PairedOp): PreparedOp<KvInput> | null {
  if (op.type === 'fail') return null;
  const value = opValue(op);
  switch (op.f) {
    case 'get':
      // A get that never answered observed nothing.
      if (op.type !== 'ok') return null;
      return { input: input(GET, value === null ? '' : text(op, value)), readOnly: true };
    case 'put':
      return { input: input(PUT, text(op, value)), readOnly: false, reset: true };
    case 'append':
      return { input: input(APPEND, text(op, value)), readOnly: false };
    default:
      throw new ModelInputError('kv', op.invokeIndex, `unknown f "${op.f}" (kv has get, put and append)`);
  }
}

export const kv: Model<KvState, KvInput> = {
  name: 'kv',
  summary: 'per key: get, put v, append v on a string that starts empty (Porcupine kv)',
  keyed: true,
  init: () => ({ text: '', hash: 0 }),
  prepare,
  step(state, op) {
    switch (op.kind) {
      case GET:
        return state.hash === op.hash && state.text.length === op.value.length && state.text === op.value ? state : ILLEGAL;
      case PUT:
        return { text: op.value, hash: op.hash };
      default:
        return { text: state.text + op.value, hash: (Math.imul(state.hash, op.shift) + op.hash) | 0 };
    }
  },
  hash: (state) => mix32(state.hash ^ Math.imul(state.text.length, 0x9e3779b1)),
  equal: (a, b) => a === b || (a.hash === b.hash && a.text === b.text),
  // Between puts the string only grows, so a get can still be answered only if the string is a
  // prefix of what it returned. Equal strings hash equal: a hash mismatch rules the prefix out.
  // The last put or append before a get must leave exactly its value: a put of it, or an append of one of its endings.
  mayEnable: (op, get) => (op.kind === PUT ? op.value === get.value : op.kind === APPEND && get.value.endsWith(op.value)),
  canReach: (from, get) => from.text.length <= get.value.length && prefixHashes(get)[from.text.length] === from.hash,
  show: (state) => JSON.stringify(state.text),
};
