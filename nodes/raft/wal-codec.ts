// The binary payload of a WAL record (the framing, length and CRC-32, is wal.ts's job).
//
// Every node writes a record per batch of entries, so the encoding is on the hot path of every
// simulated run: fields are written one by one into a reused scratch buffer, with no JSON text and
// no intermediate objects. Layout (little endian; `uint` is an unsigned LEB128 varint of a safe
// integer, `str` is a uint byte length then UTF-8, `num` is a float64):
//
//   record  = u8 type, then by type:
//     1 base: uint gen, hardState, u8 hasSnap, [snapshot]
//     2 hs:   hardState
//     3 ent:  u8 hasCommit, [uint commit], uint count, entry*count
//   hardState = uint term, u8 hasVote, [str vote], uint commit
//   snapshot  = uint index, uint term, config, uint chain, str data
//   config    = uint n, str*n (voters), uint n, str*n (outgoing), uint n, str*n (learners)
//   entry     = uint index, uint term, u8 kind, then by kind:
//     0 noop; 1 kv: str client, uint seq, u8 f (0 read, 1 write, 2 cas), str key, value; 2 config
//   value     = u8 0 (null) | u8 1, num | u8 2, num, num (cas) | u8 3, micro-ops (txn) | u8 4, str
//             | u8 5, scalar, scalar (a cas with a string or an absent side)
//   scalar    = u8 0 (null) | u8 1, num | u8 4, str
import { assert, RaftAssertionError } from './assert.js';
import type { ConfigState, Entry, EntryData, HardState, KvFunction, KvOp, KvValue, Snapshot, TxnMicroOp } from './types.js';

export type WalRecord =
  | { t: 'base'; gen: number; snap: Snapshot | null; hs: HardState }
  | { t: 'hs'; hs: HardState }
  | { t: 'ent'; e: Entry[]; c?: number };

const TYPE_BASE = 1;
const TYPE_HS = 2;
const TYPE_ENT = 3;
const KIND_NOOP = 0;
const KIND_KV = 1;
const KIND_CONFIG = 2;
const FUNCTIONS: readonly KvFunction[] = ['read', 'write', 'cas', 'txn'];
/** Micro-op names of a txn entry, by their byte (new kinds go at the end: old WALs keep their meaning). */
const MICRO_OPS: readonly TxnMicroOp[0][] = ['append', 'r', 'w'];
/** Micro-ops in one txn entry, and elements in one read list, a decoder accepts. */
const TXN_OPS_DECODE_MAX = 1024;
/** A varint of a safe integer takes at most 8 bytes (7 bits each, 2^56 > 2^53). */
const VARINT_BYTES_MAX = 8;
/** Entries in one record, at most (a batch is bounded far below this by the core). */
export const RECORD_ENTRIES_MAX = 1 << 20;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Appends fields to a growable byte buffer. One instance is reused for every record, so encoding a
 * batch allocates nothing but the buffer's occasional growth.
 */
export class ByteWriter {
  bytes: Uint8Array;
  private view: DataView;
  at = 0;

  constructor(capacityBytes: number) {
    this.bytes = new Uint8Array(capacityBytes);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Makes room for `count` more bytes, keeping what was written. */
  reserve(count: number): void {
    if (this.at + count <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (this.at + count > size) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.at));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  u8(value: number): void {
    this.reserve(1);
    this.bytes[this.at++] = value;
  }

  uint(value: number): void {
    // Hot path: the message is built only on failure.
    if (!(Number.isSafeInteger(value) && value >= 0)) throw new RaftAssertionError(`raft assertion failed: WAL field ${value} is not a non-negative safe integer`);
    this.reserve(VARINT_BYTES_MAX);
    const bytes = this.bytes;
    let at = this.at;
    let rest = value;
    // Bit operations are exact below 2^31; above, divide (values up to 2^53 stay exact).
    while (rest >= 0x80000000) {
      bytes[at++] = (rest % 128) | 0x80;
      rest = Math.floor(rest / 128);
    }
    while (rest > 0x7f) {
      bytes[at++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    bytes[at++] = rest;
    this.at = at;
  }

  num(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.at, value, true);
    this.at += 8;
  }

  str(text: string): void {
    const length = text.length;
    // ASCII (ids, keys) is copied code unit by code unit; anything else goes through the encoder.
    this.reserve(VARINT_BYTES_MAX + length * 3);
    let ascii = length < 128;
    if (ascii) {
      const bytes = this.bytes;
      const start = this.at + 1;
      for (let i = 0; i < length; i++) {
        const unit = text.charCodeAt(i);
        if (unit >= 0x80) {
          ascii = false;
          break;
        }
        bytes[start + i] = unit;
      }
      if (ascii) {
        bytes[this.at] = length;
        this.at = start + length;
        return;
      }
    }
    const encoded = encoder.encode(text);
    this.uint(encoded.length);
    this.reserve(encoded.length);
    this.bytes.set(encoded, this.at);
    this.at += encoded.length;
  }
}

/** Reads fields back; any overrun or malformed field throws (the frame is then called bad). */
export class ByteReader {
  private readonly view: DataView;
  at: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.at = start;
  }

  private need(count: number): void {
    if (this.at + count > this.end) throw new Error('WAL payload cut short');
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.at++]!;
  }

  uint(): number {
    let value = 0;
    let scale = 1;
    for (let k = 0; k < VARINT_BYTES_MAX; k++) {
      const byte = this.u8();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(value)) throw new Error('WAL varint out of range');
        return value;
      }
      scale *= 128;
    }
    throw new Error('WAL varint too long');
  }

  num(): number {
    this.need(8);
    const value = this.view.getFloat64(this.at, true);
    this.at += 8;
    return value;
  }

  str(): string {
    const length = this.uint();
    this.need(length);
    const text = decoder.decode(this.bytes.subarray(this.at, this.at + length));
    this.at += length;
    return text;
  }

  done(): boolean {
    return this.at === this.end;
  }
}

// ---------------------------------------------------------------- encoding

export function writeRecord(w: ByteWriter, record: WalRecord): void {
  switch (record.t) {
    case 'base':
      w.u8(TYPE_BASE);
      w.uint(record.gen);
      writeHardState(w, record.hs);
      if (record.snap === null) w.u8(0);
      else {
        w.u8(1);
        writeSnapshot(w, record.snap);
      }
      return;
    case 'hs':
      w.u8(TYPE_HS);
      writeHardState(w, record.hs);
      return;
    case 'ent': {
      w.u8(TYPE_ENT);
      if (record.c === undefined) w.u8(0);
      else {
        w.u8(1);
        w.uint(record.c);
      }
      const entries = record.e;
      assert(entries.length <= RECORD_ENTRIES_MAX, 'a WAL record holds at most RECORD_ENTRIES_MAX entries');
      w.uint(entries.length);
      for (let k = 0; k < entries.length; k++) writeEntry(w, entries[k]!);
      return;
    }
  }
}

function writeHardState(w: ByteWriter, hs: HardState): void {
  w.uint(hs.term);
  if (hs.vote === null) w.u8(0);
  else {
    w.u8(1);
    w.str(hs.vote);
  }
  w.uint(hs.commit);
}

function writeSnapshot(w: ByteWriter, snap: Snapshot): void {
  w.uint(snap.meta.index);
  w.uint(snap.meta.term);
  writeConfig(w, snap.meta.config);
  w.uint(snap.meta.chain);
  w.str(snap.data);
}

function writeIds(w: ByteWriter, ids: readonly string[]): void {
  w.uint(ids.length);
  for (const id of ids) w.str(id);
}

function writeConfig(w: ByteWriter, config: ConfigState): void {
  writeIds(w, config.voters);
  writeIds(w, config.outgoing);
  writeIds(w, config.learners);
}

function writeEntry(w: ByteWriter, entry: Entry): void {
  w.uint(entry.index);
  w.uint(entry.term);
  const data = entry.data;
  switch (data.kind) {
    case 'noop':
      w.u8(KIND_NOOP);
      return;
    case 'kv': {
      w.u8(KIND_KV);
      w.str(data.client);
      w.uint(data.seq);
      const f = FUNCTIONS.indexOf(data.op.f);
      assert(f >= 0, 'a WAL entry has a known kv function');
      w.u8(f);
      w.str(data.op.key);
      const value = data.op.value;
      if (value === null) w.u8(0);
      else if (typeof value === 'number') {
        w.u8(1);
        w.num(value);
      } else if (typeof value === 'string') {
        w.u8(4);
        w.str(value);
      } else if (data.op.f === 'txn') {
        w.u8(3);
        writeMicroOps(w, value as TxnMicroOp[]);
      } else {
        const [expected, next] = value as [KvValue | null, KvValue];
        // The all-number cas keeps its old tag, so every WAL written before strings reads the same.
        if (typeof expected === 'number' && typeof next === 'number') {
          w.u8(2);
          w.num(expected);
          w.num(next);
        } else {
          w.u8(5);
          writeScalar(w, expected);
          writeScalar(w, next);
        }
      }
      return;
    }
    case 'config':
      w.u8(KIND_CONFIG);
      writeConfig(w, data.config);
      return;
  }
}

function writeScalar(w: ByteWriter, value: KvValue | null): void {
  if (value === null) w.u8(0);
  else if (typeof value === 'number') {
    w.u8(1);
    w.num(value);
  } else {
    w.u8(4);
    w.str(value);
  }
}

function readScalar(r: ByteReader): KvValue | null {
  const tag = r.u8();
  if (tag === 0) return null;
  if (tag === 1) return r.num();
  if (tag === 4) return r.str();
  throw new Error('WAL entry has an unknown scalar tag');
}

function writeMicroOps(w: ByteWriter, ops: readonly TxnMicroOp[]): void {
  w.uint(ops.length);
  for (const op of ops) {
    w.u8(MICRO_OPS.indexOf(op[0]));
    w.str(op[1]);
    const value = op[2];
    if (value === null) w.u8(0);
    else if (typeof value === 'number') {
      w.u8(1);
      w.num(value);
    } else {
      w.u8(2);
      w.uint(value.length);
      for (const item of value) w.num(item);
    }
  }
}

function readMicroOps(r: ByteReader): TxnMicroOp[] {
  const count = r.uint();
  if (count > TXN_OPS_DECODE_MAX) throw new Error('WAL txn entry has too many micro-ops');
  const ops: TxnMicroOp[] = [];
  for (let k = 0; k < count; k++) {
    const f = MICRO_OPS[r.u8()];
    if (f === undefined) throw new Error('WAL txn entry has an unknown micro-op');
    const key = r.str();
    const tag = r.u8();
    let value: null | number | number[];
    if (tag === 0) value = null;
    else if (tag === 1) value = r.num();
    else if (tag === 2) {
      const length = r.uint();
      if (length > TXN_OPS_DECODE_MAX) throw new Error('WAL txn entry has too long a list');
      value = [];
      for (let i = 0; i < length; i++) value.push(r.num());
    } else throw new Error('WAL txn entry has an unknown value tag');
    if (f === 'r') ops.push([f, key, value]);
    else if (typeof value === 'number') ops.push([f, key, value]);
    else throw new Error('WAL txn entry writes something that is not a number');
  }
  return ops;
}

// ---------------------------------------------------------------- decoding

/** The record in `bytes[start, end)`; throws when the payload is not a well-formed record. */
export function readRecord(bytes: Uint8Array, start: number, end: number): WalRecord {
  const r = new ByteReader(bytes, start, end);
  const type = r.u8();
  let record: WalRecord;
  if (type === TYPE_BASE) {
    const gen = r.uint();
    const hs = readHardState(r);
    const snap = readFlag(r) ? readSnapshot(r) : null;
    record = { t: 'base', gen, snap, hs };
  } else if (type === TYPE_HS) {
    record = { t: 'hs', hs: readHardState(r) };
  } else if (type === TYPE_ENT) {
    const c = readFlag(r) ? r.uint() : undefined;
    const count = r.uint();
    if (count > RECORD_ENTRIES_MAX) throw new Error('WAL record has too many entries');
    const e: Entry[] = [];
    for (let k = 0; k < count; k++) e.push(readEntry(r));
    record = c === undefined ? { t: 'ent', e } : { t: 'ent', e, c };
  } else {
    throw new Error(`unknown WAL record type ${type}`);
  }
  if (!r.done()) throw new Error('WAL record has trailing bytes');
  return record;
}

function readFlag(r: ByteReader): boolean {
  const flag = r.u8();
  if (flag > 1) throw new Error('WAL flag is neither 0 nor 1');
  return flag === 1;
}

function readHardState(r: ByteReader): HardState {
  const term = r.uint();
  const vote = readFlag(r) ? r.str() : null;
  const commit = r.uint();
  return { term, vote, commit };
}

function readSnapshot(r: ByteReader): Snapshot {
  const index = r.uint();
  const term = r.uint();
  const config = readConfig(r);
  const chain = r.uint();
  const data = r.str();
  return { meta: { index, term, config, chain }, data };
}

function readIds(r: ByteReader): string[] {
  const count = r.uint();
  if (count > RECORD_ENTRIES_MAX) throw new Error('WAL configuration is too large');
  const ids: string[] = [];
  for (let k = 0; k < count; k++) ids.push(r.str());
  return ids;
}

function readConfig(r: ByteReader): ConfigState {
  const voters = readIds(r);
  const outgoing = readIds(r);
  const learners = readIds(r);
  return { voters, outgoing, learners };
}

function readEntry(r: ByteReader): Entry {
  const index = r.uint();
  const term = r.uint();
  const kind = r.u8();
  let data: EntryData;
  if (kind === KIND_NOOP) data = { kind: 'noop' };
  else if (kind === KIND_KV) {
    const client = r.str();
    const seq = r.uint();
    const f = FUNCTIONS[r.u8()];
    if (f === undefined) throw new Error('WAL entry has an unknown kv function');
    const key = r.str();
    const tag = r.u8();
    let value: KvOp['value'];
    if (tag === 0) value = null;
    else if (tag === 1) value = r.num();
    else if (tag === 2) value = [r.num(), r.num()];
    else if (tag === 3 && f === 'txn') value = readMicroOps(r);
    else if (tag === 4) value = r.str();
    else if (tag === 5) {
      const expected = readScalar(r);
      const next = readScalar(r);
      if (next === null) throw new Error('WAL cas entry has no new value');
      value = [expected, next];
    }
    else throw new Error('WAL entry has an unknown value tag');
    data = { kind: 'kv', client, seq, op: { f, key, value } };
  } else if (kind === KIND_CONFIG) data = { kind: 'config', config: readConfig(r) };
  else throw new Error('WAL entry has an unknown kind');
  return { index, term, data };
}
