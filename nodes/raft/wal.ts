// The write-ahead log on the node's (simulated) disk.
//
// Layout: one or more files `wal-<generation>`; only the newest generation is live. A file starts
// with a `base` record (the snapshot, if any, and the hard state at creation) followed by `hs`
// (hard state) and `ent` (a batch of entries; its first index says where the log is cut; it may
// carry the commit index, `c`, to save a hard-state record per batch) records.
// Compaction and snapshot installation write a new generation from memory; the older files are
// deleted only once the new one is durable, so a crash in between recovers from the older one.
// (No rename: the simulated disk makes a rename durable only with an fsync of the new name, and
// generations avoid depending on that.)
//
// Every record is framed as [u32 length][u32 CRC-32 of the payload][payload: the binary encoding of
// wal-codec.ts]. On recovery a bad record at the very end of the newest file is a torn write (a
// crash cut an append that was never acknowledged): the file is truncated there. A bad record
// followed by a good one is corruption of data that may have been acknowledged: the node refuses to
// start and says where.
import { assert, fail } from './assert.js';
import { crc32 } from './crc32.js';
import type { Entry, HardState, Snapshot } from './types.js';
import { ByteWriter, readRecord, writeRecord, type WalRecord } from './wal-codec.js';

export type { WalRecord } from './wal-codec.js';

export const WAL_PREFIX = 'wal-';
const HEADER_BYTES = 8;
/** A record larger than this is garbage, not data (snapshots of our small KV are far smaller). */
export const RECORD_BYTES_MAX = 256 * 1024 * 1024;

export function walFileName(gen: number): string {
  assert(Number.isSafeInteger(gen) && gen >= 1, 'generation is a positive integer');
  return `${WAL_PREFIX}${String(gen).padStart(10, '0')}`;
}

export function walGeneration(name: string): number | null {
  if (!name.startsWith(WAL_PREFIX)) return null;
  const digits = name.slice(WAL_PREFIX.length);
  if (!/^[0-9]{10}$/.test(digits)) return null;
  return Number(digits);
}

/** Scratch space for encoding (grown as needed), so a batch costs no allocation but its bytes. */
const scratch = new ByteWriter(64 * 1024);

/**
 * Frames records into one byte array (one disk append per batch). The result is a view of a scratch
 * buffer, valid until the next call: write it at once, or copy it.
 */
export function encodeRecords(records: readonly WalRecord[]): Uint8Array {
  scratch.at = 0;
  for (let k = 0; k < records.length; k++) {
    const start = scratch.at;
    scratch.reserve(HEADER_BYTES);
    scratch.at = start + HEADER_BYTES;
    writeRecord(scratch, records[k]!);
    const bytes = scratch.bytes;
    const written = scratch.at - start - HEADER_BYTES;
    if (written > RECORD_BYTES_MAX) fail(`WAL record of ${written} bytes exceeds the limit`);
    writeUint32(bytes, start, written);
    writeUint32(bytes, start + 4, crc32(bytes, start + HEADER_BYTES, scratch.at));
  }
  return scratch.bytes.subarray(0, scratch.at);
}

function writeUint32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = (value >>> 16) & 0xff;
  bytes[at + 3] = (value >>> 24) & 0xff;
}

export interface ParsedFile {
  records: WalRecord[];
  /** Bytes of well-formed records from the start. */
  validBytes: number;
  /** null: the whole file is well formed. torn: a bad tail only. corrupt: a bad record before good ones. */
  problem: null | { kind: 'torn' | 'corrupt'; offset: number; reason: string };
}

/** Reads the frames of one file; stops at the first bad one and classifies it. */
export function parseFile(bytes: Uint8Array): ParsedFile {
  const records: WalRecord[] = [];
  let at = 0;
  while (at < bytes.length) {
    const frame = readFrame(bytes, at);
    if (frame.kind === 'ok') {
      records.push(frame.record);
      at = frame.next;
      continue;
    }
    // A bad frame. If any well-formed frame follows it, it is not a torn tail.
    const corrupt = frame.kind === 'bad' && frame.next <= bytes.length && followedByGoodFrame(bytes, frame.next);
    return { records, validBytes: at, problem: { kind: corrupt ? 'corrupt' : 'torn', offset: at, reason: frame.reason } };
  }
  return { records, validBytes: at, problem: null };
}

type Frame = { kind: 'ok'; record: WalRecord; next: number } | { kind: 'short' | 'bad'; next: number; reason: string };

function readFrame(bytes: Uint8Array, at: number): Frame {
  if (bytes.length - at < HEADER_BYTES) return { kind: 'short', next: bytes.length, reason: 'record header cut short' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(at, true);
  const sum = view.getUint32(at + 4, true);
  if (length > RECORD_BYTES_MAX) return { kind: 'short', next: bytes.length, reason: `record length ${length} is implausible` };
  const end = at + HEADER_BYTES + length;
  if (end > bytes.length) return { kind: 'short', next: bytes.length, reason: `record of ${length} bytes cut short` };
  if (crc32(bytes, at + HEADER_BYTES, end) !== sum) return { kind: 'bad', next: end, reason: 'checksum mismatch' };
  let record: WalRecord;
  try {
    record = readRecord(bytes, at + HEADER_BYTES, end);
  } catch {
    return { kind: 'bad', next: end, reason: 'checksum matches but the payload does not decode' };
  }
  return { kind: 'ok', record, next: end };
}

function followedByGoodFrame(bytes: Uint8Array, at: number): boolean {
  if (at >= bytes.length) return false;
  return readFrame(bytes, at).kind === 'ok';
}

/** The state a WAL file replays to. */
export interface WalState {
  gen: number;
  hardState: HardState;
  snapshot: Snapshot | null;
  entries: Entry[];
}

/** Replays one file's records (the first must be its base). Returns why not, when it cannot. */
export function replay(records: readonly WalRecord[]): WalState | string {
  const base = records[0];
  if (base === undefined || base.t !== 'base') return 'the file does not start with a base record';
  let hardState = base.hs;
  const snapshot = base.snap;
  const first = (snapshot?.meta.index ?? 0) + 1;
  const entries: Entry[] = [];
  for (let k = 1; k < records.length; k++) {
    const record = records[k]!;
    if (record.t === 'hs') {
      if (record.hs.term < hardState.term) return `record ${k}: term moves back from ${hardState.term} to ${record.hs.term}`;
      hardState = { ...record.hs, commit: Math.max(record.hs.commit, hardState.commit) };
    } else if (record.t === 'ent') {
      if (record.c !== undefined) {
        if (record.c < hardState.commit) return `record ${k}: commit moves back from ${hardState.commit} to ${record.c}`;
        hardState = { ...hardState, commit: record.c };
      }
      if (record.e.length === 0) continue;
      const at = record.e[0]!.index;
      const last = first + entries.length - 1;
      if (at < first || at > last + 1) return `record ${k}: entries start at ${at}, outside ${first}..${last + 1}`;
      entries.length = at - first;
      for (let j = 0; j < record.e.length; j++) {
        const entry = record.e[j]!;
        if (entry.index !== at + j) return `record ${k}: entries are not contiguous`;
        entries.push(entry);
      }
    } else {
      return `record ${k}: a second base record`;
    }
  }
  return { gen: base.gen, hardState, snapshot, entries };
}

export type Recovery =
  | { kind: 'fresh'; stale: string[] }
  | { kind: 'ok'; state: WalState; file: string; truncateTo: number | null; stale: string[]; torn: string | null }
  | { kind: 'corrupt'; reason: string };

/**
 * Chooses and replays the live generation from the files read off disk (name -> bytes). Pure: the
 * driver performs the truncation and deletions it returns.
 */
export function recover(files: ReadonlyMap<string, Uint8Array>): Recovery {
  const generations = [...files.keys()]
    .map((name) => ({ name, gen: walGeneration(name) }))
    .filter((f): f is { name: string; gen: number } => f.gen !== null)
    .sort((a, b) => b.gen - a.gen);
  if (generations.length === 0) return { kind: 'fresh', stale: [] };
  const skipped: string[] = [];
  for (const { name, gen } of generations) {
    const parsed = parseFile(files.get(name)!);
    if (parsed.problem?.kind === 'corrupt') {
      return { kind: 'corrupt', reason: `corrupt wal record at offset ${parsed.problem.offset} of ${name} (${parsed.problem.reason})` };
    }
    if (parsed.records.length === 0 || parsed.records[0]!.t !== 'base') {
      // A generation whose creation never became durable: fall back to the previous one.
      skipped.push(name);
      continue;
    }
    const state = replay(parsed.records);
    if (typeof state === 'string') return { kind: 'corrupt', reason: `${name}: ${state}` };
    if (state.gen !== gen) return { kind: 'corrupt', reason: `${name}: base record says generation ${state.gen}` };
    const stale = generations.filter((g) => g.gen < gen).map((g) => g.name);
    const torn = parsed.problem === null ? null : `${parsed.problem.reason} at offset ${parsed.problem.offset} of ${name}`;
    return { kind: 'ok', state, file: name, truncateTo: parsed.problem === null ? null : parsed.validBytes, stale: [...skipped, ...stale], torn };
  }
  return { kind: 'fresh', stale: skipped };
}
