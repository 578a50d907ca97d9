// The replica's commit log: every change to its data (a merged version, a hint kept or handed
// off, a new incarnation) is one appended record, and a replica acknowledges a write only once the
// record is fsynced (group commit: one fsync in flight covers everything appended before it).
//
// A record is one line: its checksum, a space, its JSON. Recovery replays the files in generation
// order. A bad line followed only by bad lines is a torn tail (the unsynced end of a crash) and is
// cut off; a bad line with good ones after it is corruption, and the replica stays down rather
// than serve from a log it cannot trust. Replaying data records merges them, so a record repeated
// in two generations (a compaction that crashed halfway) does no harm.
//
// Compaction: past `compactBytes` the log starts a new generation with a snapshot of the state;
// the older generations are deleted once the new one's first fsync has completed.
import { type Disk, type TimerTag } from '../host.js';
import { hash32 } from './hash.js';
import { asPaxosState, type PaxosState } from './paxos.js';
import { asVersionedObject, type VersionedObject } from './versions.js';

export type LogRecord =
  | { t: 'inc'; n: number }
  | { t: 'obj'; k: string; o: VersionedObject }
  | { t: 'hint'; to: string; k: string; o: VersionedObject }
  | { t: 'unhint'; to: string; k: string; d: number }
  /** A key's Paxos acceptor state, whole: the last record of a key is its state. */
  | { t: 'paxos'; k: string; s: PaxosState }
  /** A key's tombstones purged (the copy with digest `d`). */
  | { t: 'purge'; k: string; d: number };

export type Recovery = { kind: 'ok'; records: LogRecord[]; tornFiles: string[] } | { kind: 'corrupt'; reason: string };

export interface CommitLogOptions {
  compactBytes: number;
  /** Callbacks waiting for durability, at most; past it `whenDurable` refuses (the write is not taken). */
  waitingMax: number;
}

const PREFIX = 'qkv.';
const SUFFIX = '.log';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export function logFileName(generation: number): string {
  return `${PREFIX}${String(generation).padStart(8, '0')}${SUFFIX}`;
}

function generationOf(name: string): number | null {
  if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) return null;
  const number = Number(name.slice(PREFIX.length, -SUFFIX.length));
  return Number.isSafeInteger(number) && number > 0 ? number : null;
}

export function encodeRecord(record: LogRecord): Uint8Array {
  const json = JSON.stringify(record);
  return encoder.encode(`${hash32(json).toString(16)} ${json}\n`);
}

function decodeLine(line: string): LogRecord | null {
  const space = line.indexOf(' ');
  if (space <= 0) return null;
  const json = line.slice(space + 1);
  if (hash32(json).toString(16) !== line.slice(0, space)) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  return asLogRecord(value);
}

function asLogRecord(value: unknown): LogRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  if (r.t === 'inc') return typeof r.n === 'number' ? (r as LogRecord) : null;
  if (r.t === 'obj') return typeof r.k === 'string' && asVersionedObject(r.o) !== null ? (r as LogRecord) : null;
  if (r.t === 'hint') return typeof r.to === 'string' && typeof r.k === 'string' && asVersionedObject(r.o) !== null ? (r as LogRecord) : null;
  if (r.t === 'purge') return typeof r.k === 'string' && typeof r.d === 'number' ? (r as LogRecord) : null;
  if (r.t === 'paxos') return typeof r.k === 'string' && asPaxosState(r.s) !== null ? (r as LogRecord) : null;
  if (r.t === 'unhint') return typeof r.to === 'string' && typeof r.k === 'string' && typeof r.d === 'number' ? (r as LogRecord) : null;
  return null;
}

/** Parses one file's bytes: its records, and where a torn tail starts (null when none). */
export function parseLogFile(bytes: Uint8Array): { records: LogRecord[]; tornAtByte: number | null; corrupt: boolean } {
  const text = decoder.decode(bytes);
  const records: LogRecord[] = [];
  let offset = 0;
  let tornAtByte: number | null = null;
  let corrupt = false;
  while (offset < text.length) {
    const end = text.indexOf('\n', offset);
    const line = end < 0 ? text.slice(offset) : text.slice(offset, end);
    const record = end < 0 ? null : decodeLine(line);
    if (record === null) {
      if (tornAtByte === null) tornAtByte = encoder.encode(text.slice(0, offset)).length;
    } else if (tornAtByte !== null) {
      corrupt = true;
    } else {
      records.push(record);
    }
    offset = end < 0 ? text.length : end + 1;
  }
  return { records, tornAtByte, corrupt };
}

export class CommitLog {
  private generation = 0;
  private writtenSeq = 0;
  private durableSeq = 0;
  private fsyncInFlight: { seq: number; generation: number } | null = null;
  private fsyncFailed = false;
  /** Once this generation is durable, every older one may go. */
  private dropBelow: number | null = null;
  private bytesInGeneration = 0;
  private readonly waiting: { seq: number; then: () => void }[] = [];

  constructor(
    private readonly disk: Disk,
    private readonly options: CommitLogOptions,
  ) {}

  /** Reads every generation (each twice: reads that differ mean the disk is corrupting them now). */
  recover(): Recovery {
    const names = this.disk
      .list()
      .filter((name) => generationOf(name) !== null)
      .sort();
    const records: LogRecord[] = [];
    const tornFiles: string[] = [];
    for (const name of names) {
      const first = this.disk.read(name);
      const second = this.disk.read(name);
      if (first === null || second === null) continue;
      if (!sameBytes(first, second)) return { kind: 'corrupt', reason: `reads of ${name} differ (the disk corrupts them); retrying` };
      const parsed = parseLogFile(first);
      if (parsed.corrupt) return { kind: 'corrupt', reason: `${name} has a bad record before good ones` };
      if (parsed.tornAtByte !== null) {
        this.disk.truncate(name, parsed.tornAtByte);
        tornFiles.push(name);
      }
      records.push(...parsed.records);
    }
    const last = names.length === 0 ? 0 : generationOf(names[names.length - 1]!)!;
    this.generation = last === 0 ? 1 : last;
    this.bytesInGeneration = names.length === 0 ? 0 : this.disk.size(logFileName(this.generation));
    return { kind: 'ok', records, tornFiles };
  }

  append(record: LogRecord): void {
    const bytes = encodeRecord(record);
    this.disk.append(logFileName(this.generation), bytes);
    this.bytesInGeneration += bytes.length;
    this.writtenSeq += 1;
  }

  /** Runs `then` once everything appended so far is durable; false (and nothing queued) when full. */
  whenDurable(then: () => void): boolean {
    if (this.writtenSeq === this.durableSeq) {
      then();
      return true;
    }
    if (this.waiting.length >= this.options.waitingMax) return false;
    this.waiting.push({ seq: this.writtenSeq, then });
    this.startFsync();
    return true;
  }

  /** True when a write must be refused because acknowledgements are backed up. */
  full(): boolean {
    return this.waiting.length >= this.options.waitingMax;
  }

  onFsync(tag: TimerTag, ok: boolean): void {
    const inFlight = this.fsyncInFlight;
    if (inFlight === null || tag !== fsyncTag(inFlight.generation, inFlight.seq)) return;
    this.fsyncInFlight = null;
    if (!ok) {
      // EIO: nothing is acknowledged. The bytes are still in the file's volatile contents, so a
      // later fsync (the node's next tick calls `retry`) covers them.
      this.fsyncFailed = true;
      return;
    }
    this.durableSeq = Math.max(this.durableSeq, inFlight.seq);
    if (this.dropBelow !== null && inFlight.generation >= this.dropBelow) {
      for (const name of this.disk.list()) {
        const generation = generationOf(name);
        if (generation !== null && generation < this.dropBelow) this.disk.delete(name);
      }
      this.dropBelow = null;
    }
    while (this.waiting.length > 0 && this.waiting[0]!.seq <= this.durableSeq) this.waiting.shift()!.then();
    if (this.waiting.length > 0) this.startFsync();
  }

  /** After a failed fsync: try again (called from the node's tick). */
  retry(): void {
    if (!this.fsyncFailed) return;
    this.fsyncFailed = false;
    if (this.waiting.length > 0 || this.dropBelow !== null) this.startFsync(true);
  }

  /** Starts a new generation holding `snapshot` when the current one is large and all is durable. */
  compactIfLarge(snapshot: () => LogRecord[]): boolean {
    if (this.bytesInGeneration < this.options.compactBytes) return false;
    if (this.fsyncInFlight !== null || this.fsyncFailed || this.writtenSeq !== this.durableSeq || this.dropBelow !== null) return false;
    this.generation += 1;
    const name = logFileName(this.generation);
    const parts = snapshot().map(encodeRecord);
    const size = parts.reduce((sum, part) => sum + part.length, 0);
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.length;
    }
    this.disk.write(name, bytes);
    this.bytesInGeneration = size;
    this.writtenSeq += 1;
    this.dropBelow = this.generation;
    this.startFsync(true);
    return true;
  }

  private startFsync(force = false): void {
    if (this.fsyncInFlight !== null || this.fsyncFailed) return;
    if (!force && this.writtenSeq === this.durableSeq) return;
    this.fsyncInFlight = { seq: this.writtenSeq, generation: this.generation };
    this.disk.fsync(logFileName(this.generation), fsyncTag(this.generation, this.writtenSeq));
  }
}

function fsyncTag(generation: number, seq: number): string {
  return `log:${generation}:${seq}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
