// One partition's replica log on the node's (simulated) disk: record batches stamped with the
// leader epoch that wrote them, in segment files that roll by size, an offset index from batch base
// offsets to byte positions (so a truncation cuts a file at the right byte), and the leader-epoch
// cache (epoch -> first offset) that truncation by epoch asks (KIP-101, KIP-279).
//
// A batch on disk is framed [u32 payload length][u32 CRC-32C of the payload][payload: JSON of
// `{b, e, r}`]. Recovery reads each segment, stops at the first bad frame: at the very end of the
// last segment it is a torn append (never acknowledged, as only fsynced offsets are ever reported)
// and is cut off; anywhere else it is corruption of data that may have been acknowledged, and the
// replica refuses to start. The decoded records are kept in memory too: fetches are served from
// there, the disk is for surviving a crash.
import type { Disk } from '../host.js';
import { crc32c } from './checksum.js';

/** One record as a replica holds it. */
export interface LogRecord {
  offset: number;
  /** The leader epoch of the leader that appended it. */
  epoch: number;
  key: number;
  value: number;
  /** The idempotent producer that sent it and its sequence number there; -1 when none. */
  producer: number;
  seq: number;
  /** The offset of the first record of the batch it was appended in (batches are never split). */
  batchBase: number;
}

/** Who sends a batch: an idempotent producer's id and the sequence number of its first record. */
export interface BatchProducer {
  id: number;
  firstSeq: number;
}

export const NO_PRODUCER: BatchProducer = Object.freeze({ id: -1, firstSeq: -1 });

/** A batch an idempotent producer appended: its sequence numbers and where it landed. */
interface ProducerBatch {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

/** Batches remembered per producer (Kafka keeps five: a producer has at most five in flight). */
export const PRODUCER_BATCHES_KEPT = 5;

export type SequenceCheck = { kind: 'new' } | { kind: 'duplicate'; baseOffset: number } | { kind: 'out-of-order'; lastSeq: number };

/** One entry of the leader-epoch cache: `epoch` wrote from `startOffset` on. */
export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

interface Segment {
  name: string;
  baseOffset: number;
  sizeBytes: number;
  /** Base offsets of the batches in this segment and their byte positions (the offset index). */
  batchOffsets: number[];
  batchPositions: number[];
}

interface BatchPayload {
  b: number;
  e: number;
  r: [number, number][];
  /** Producer id and first sequence number, for an idempotent producer's batch. */
  p?: number;
  s?: number;
}

const HEADER_BYTES = 8;
/** A frame longer than this is garbage, not a batch (a fetch is bounded far below). */
const FRAME_BYTES_MAX = 8 * 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type Recovery = { kind: 'ok'; tornBytes: number } | { kind: 'corrupt'; reason: string };

export class PartitionLog {
  private records: LogRecord[] = [];
  private segments: Segment[] = [];
  private epochs: EpochEntry[] = [];
  /** Files written since their last fsync started. */
  private readonly dirty = new Set<string>();
  /** Each idempotent producer's last batches: rebuilt from the log, so they survive restarts and failovers. */
  private producers = new Map<number, ProducerBatch[]>();

  constructor(
    private readonly disk: Disk,
    /** Folder of this partition's files, `broker/t-0`. */
    readonly dir: string,
    private readonly segmentBytes: number,
    /**
     * Whether producer sequence state comes from the log (recovery, fetched batches, truncation).
     * False only for the planted bug `broker.seq-not-persisted`: then it lives in the leader's memory.
     */
    private readonly sequencesFromLog = true,
  ) {
    assert(segmentBytes >= 1024, 'segmentBytes must be at least 1 KiB');
  }

  /** The log end offset: the offset the next record gets. */
  endOffset(): number {
    return this.records.length;
  }

  /** The epoch of the last record, or -1 when empty. */
  lastEpoch(): number {
    return this.records.length === 0 ? -1 : this.records[this.records.length - 1]!.epoch;
  }

  recordAt(offset: number): LogRecord | undefined {
    return this.records[offset];
  }

  /**
   * Records from `from` (inclusive) to `to` (exclusive), about `countMax` of them: a batch is never
   * split (the last one is completed past `countMax`, as Kafka returns a whole first batch).
   */
  slice(from: number, to: number, countMax: number): LogRecord[] {
    let end = Math.min(to, from + countMax);
    while (end < to && end > from && this.records[end]!.batchBase === this.records[end - 1]!.batchBase) end++;
    return this.records.slice(from, end);
  }

  epochCache(): readonly EpochEntry[] {
    return this.epochs;
  }

  segmentCount(): number {
    return this.segments.length;
  }

  /** The newest epoch in the cache, or -1. */
  latestEpoch(): number {
    return this.epochs.length === 0 ? -1 : this.epochs[this.epochs.length - 1]!.epoch;
  }

  /**
   * A new leader epoch begins at the current end (a leader calls this on election, before any
   * record of the epoch exists, so the cache answers for it at once).
   */
  beginEpoch(epoch: number): void {
    // An epoch this replica led without writing a record (it was deposed at once) holds no offsets:
    // records of an older epoch fetched from the new leader replace it.
    while (this.epochs.length > 0 && this.epochs[this.epochs.length - 1]!.epoch > epoch && this.epochs[this.epochs.length - 1]!.startOffset === this.endOffset()) this.epochs.pop();
    assert(epoch >= this.latestEpoch(), `epoch ${epoch} begins after epoch ${this.latestEpoch()}: leader epochs only grow`);
    if (epoch === this.latestEpoch()) return;
    this.epochs.push({ epoch, startOffset: this.endOffset() });
  }

  /**
   * The answer to "where does my epoch end?" (OffsetsForLeaderEpoch): the largest epoch of ours at
   * or below `epoch`, and the offset where it ends (the next epoch's start, or our end). An epoch
   * below all of ours ends at 0 with epoch -1.
   */
  endOffsetForEpoch(epoch: number): EpochEntry & { endOffset: number } {
    let index = -1;
    for (let k = this.epochs.length - 1; k >= 0; k--) {
      if (this.epochs[k]!.epoch <= epoch) {
        index = k;
        break;
      }
    }
    if (index < 0) return { epoch: -1, startOffset: 0, endOffset: 0 };
    const next = this.epochs[index + 1];
    return { ...this.epochs[index]!, endOffset: next === undefined ? this.endOffset() : next.startOffset };
  }

  /** Appends one batch of (key, value) pairs stamped with `epoch`; returns its base offset. */
  append(epoch: number, pairs: readonly (readonly [number, number])[], producer: BatchProducer = NO_PRODUCER, noteProducer = true): number {
    assert(pairs.length > 0, 'an empty batch');
    const base = this.endOffset();
    this.beginEpoch(epoch);
    for (let k = 0; k < pairs.length; k++) {
      this.records.push({ offset: base + k, epoch, key: pairs[k]![0], value: pairs[k]![1], producer: producer.id, seq: producer.id < 0 ? -1 : producer.firstSeq + k, batchBase: base });
    }
    if (noteProducer) this.noteProducer(producer, pairs.length, base);
    this.writeBatch(base, epoch, pairs, producer);
    return base;
  }

  /** Appends fetched records (a follower), batched by epoch and producer; they must start at our end. */
  appendFetched(records: readonly LogRecord[]): void {
    forEachBatch(records, (first, batch) => {
      assert(first.offset === this.endOffset(), `fetched records start at ${first.offset}, the log ends at ${this.endOffset()}`);
      this.append(
        first.epoch,
        batch.map((record) => [record.key, record.value] as const),
        { id: first.producer, firstSeq: first.seq },
        this.sequencesFromLog,
      );
    });
  }

  /** Where a producer's batch of `count` records from `firstSeq` stands: new, a retry of one appended, or out of order. */
  checkSequence(producer: BatchProducer, count: number): SequenceCheck {
    const batches = this.producers.get(producer.id);
    // An unknown producer starts wherever it says (its state may have been cut away with old records).
    if (producer.id < 0 || batches === undefined || batches.length === 0) return { kind: 'new' };
    const lastSeq = producer.firstSeq + count - 1;
    const same = batches.find((batch) => batch.firstSeq === producer.firstSeq && batch.lastSeq === lastSeq);
    if (same !== undefined) return { kind: 'duplicate', baseOffset: same.baseOffset };
    const last = batches[batches.length - 1]!;
    if (producer.firstSeq === last.lastSeq + 1) return { kind: 'new' };
    return { kind: 'out-of-order', lastSeq: last.lastSeq };
  }

  private noteProducer(producer: BatchProducer, count: number, baseOffset: number): void {
    if (producer.id < 0) return;
    let batches = this.producers.get(producer.id);
    if (batches === undefined) this.producers.set(producer.id, (batches = []));
    batches.push({ firstSeq: producer.firstSeq, lastSeq: producer.firstSeq + count - 1, baseOffset });
    if (batches.length > PRODUCER_BATCHES_KEPT) batches.shift();
  }

  /** Producer state from the records (after recovery or truncation). */
  private rebuildProducers(): void {
    this.producers = new Map();
    forEachBatch(this.records, (first, batch) => this.noteProducer({ id: first.producer, firstSeq: first.seq }, batch.length, first.offset));
  }

  /** Removes every record at `offset` and above, on disk too; the epoch cache follows. */
  truncateTo(offset: number): void {
    assert(offset >= 0, 'truncation below 0');
    if (offset >= this.endOffset()) return;
    this.records.length = offset;
    this.epochs = this.epochs.filter((entry) => entry.startOffset < offset);
    if (this.sequencesFromLog) this.rebuildProducers();
    while (this.segments.length > 1 && this.segments[this.segments.length - 1]!.baseOffset >= offset) {
      const segment = this.segments.pop()!;
      this.disk.delete(segment.name);
      this.dirty.delete(segment.name);
    }
    const segment = this.segments[this.segments.length - 1]!;
    // The batch holding `offset`: the file is cut where it starts, and its kept head written back.
    let batch = Math.max(0, segment.batchOffsets.length - 1);
    while (batch > 0 && segment.batchOffsets[batch]! > offset) batch--;
    const headFrom = segment.batchOffsets[batch] ?? offset;
    const position = segment.batchPositions[batch] ?? 0;
    segment.batchOffsets.length = batch;
    segment.batchPositions.length = batch;
    this.disk.truncate(segment.name, position);
    segment.sizeBytes = position;
    this.dirty.add(segment.name);
    forEachBatch(this.records.slice(headFrom, offset), (first, batch) => {
      this.writeBatch(first.offset, first.epoch, batch.map((record) => [record.key, record.value] as const), { id: first.producer, firstSeq: first.seq });
    });
  }

  /** The files written since the last call (to fsync), cleared. */
  takeDirty(): string[] {
    const files = [...this.dirty].filter((name) => this.segments.some((segment) => segment.name === name));
    this.dirty.clear();
    return files;
  }

  /** Marks a file to be synced again (its fsync failed). */
  markDirty(name: string): void {
    this.dirty.add(name);
  }

  /** Reads the segments back after a (re)start. `read` returns a file's bytes (read twice by the caller). */
  recover(read: (name: string) => Uint8Array | null): Recovery {
    this.records = [];
    this.segments = [];
    this.epochs = [];
    const prefix = `${this.dir}/`;
    const names = this.disk.list().filter((name) => name.startsWith(prefix) && name.endsWith('.log'));
    let tornBytes = 0;
    for (let k = 0; k < names.length; k++) {
      const name = names[k]!;
      const baseOffset = Number(name.slice(prefix.length, -'.log'.length));
      const bytes = read(name);
      if (bytes === null || !Number.isSafeInteger(baseOffset)) return { kind: 'corrupt', reason: `${name}: unreadable segment name or file` };
      if (baseOffset !== this.endOffset()) {
        // A segment past a gap is what a truncation deleted, back after a crash: never acknowledged.
        for (const later of names.slice(k)) this.disk.delete(later);
        break;
      }
      const segment: Segment = { name, baseOffset, sizeBytes: 0, batchOffsets: [], batchPositions: [] };
      this.segments.push(segment);
      // What was read back may be only in the page cache (a torn crash keeps unsynced bytes): it
      // counts as durable only after an fsync of our own.
      this.dirty.add(name);
      let at = 0;
      while (at < bytes.length) {
        const frame = readFrame(bytes, at);
        if (frame === null || frame.payload.b !== this.endOffset() || frame.payload.e < this.lastEpoch()) {
          const last = k === names.length - 1;
          if (!last || !tailIsGarbage(bytes, at)) return { kind: 'corrupt', reason: `${name}: bad batch at byte ${at} followed by good data` };
          tornBytes = bytes.length - at;
          this.disk.truncate(name, at);
          this.dirty.add(name);
          break;
        }
        segment.batchOffsets.push(frame.payload.b);
        segment.batchPositions.push(at);
        this.beginEpoch(frame.payload.e);
        const producer = frame.payload.p ?? -1;
        const firstSeq = frame.payload.s ?? -1;
        const batchBase = frame.payload.b;
        frame.payload.r.forEach(([key, value], k) => this.records.push({ offset: this.records.length, epoch: frame.payload.e, key, value, producer, seq: producer < 0 ? -1 : firstSeq + k, batchBase }));
        at = frame.end;
      }
      segment.sizeBytes = at;
    }
    if (this.sequencesFromLog) this.rebuildProducers();
    return { kind: 'ok', tornBytes };
  }

  private writeBatch(base: number, epoch: number, pairs: readonly (readonly [number, number])[], producer: BatchProducer): void {
    let segment = this.segments[this.segments.length - 1];
    if (segment === undefined || segment.sizeBytes >= this.segmentBytes) {
      segment = { name: `${this.dir}/${String(base).padStart(12, '0')}.log`, baseOffset: base, sizeBytes: 0, batchOffsets: [], batchPositions: [] };
      this.segments.push(segment);
    }
    const payload: BatchPayload = { b: base, e: epoch, r: pairs.map((pair) => [pair[0], pair[1]]) };
    if (producer.id >= 0) {
      payload.p = producer.id;
      payload.s = producer.firstSeq;
    }
    const frame = encodeFrame(payload);
    segment.batchOffsets.push(base);
    segment.batchPositions.push(segment.sizeBytes);
    this.disk.append(segment.name, frame);
    segment.sizeBytes += frame.length;
    this.dirty.add(segment.name);
  }
}

export function encodeFrame(payload: BatchPayload): Uint8Array {
  const body = encoder.encode(JSON.stringify(payload));
  const frame = new Uint8Array(HEADER_BYTES + body.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, body.length);
  view.setUint32(4, crc32c(body));
  frame.set(body, HEADER_BYTES);
  return frame;
}

/** Calls `visit` with each run of records that were appended as one batch. */
function forEachBatch(records: readonly LogRecord[], visit: (first: LogRecord, batch: LogRecord[]) => void): void {
  let start = 0;
  while (start < records.length) {
    const first = records[start]!;
    let end = start + 1;
    while (end < records.length && records[end]!.batchBase === first.batchBase) end++;
    visit(first, records.slice(start, end) as LogRecord[]);
    start = end;
  }
}

function readFrame(bytes: Uint8Array, at: number): { payload: BatchPayload; end: number } | null {
  if (at + HEADER_BYTES > bytes.length) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(at);
  if (length > FRAME_BYTES_MAX || at + HEADER_BYTES + length > bytes.length) return null;
  const body = bytes.subarray(at + HEADER_BYTES, at + HEADER_BYTES + length);
  if (crc32c(body) !== view.getUint32(at + 4)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(decoder.decode(body));
  } catch {
    return null;
  }
  if (!isBatch(payload)) return null;
  return { payload, end: at + HEADER_BYTES + length };
}

function isBatch(value: unknown): value is BatchPayload {
  const batch = value as Partial<BatchPayload> | null;
  return (
    typeof batch === 'object' &&
    batch !== null &&
    Number.isSafeInteger(batch.b) &&
    Number.isSafeInteger(batch.e) &&
    Array.isArray(batch.r) &&
    batch.r.length > 0 &&
    batch.r.every((pair) => Array.isArray(pair) && pair.length === 2 && Number.isSafeInteger(pair[0]) && Number.isSafeInteger(pair[1])) &&
    (batch.p === undefined || (Number.isSafeInteger(batch.p) && Number.isSafeInteger(batch.s)))
  );
}

/** True when no good frame starts anywhere after `at`: a torn tail, not corruption in the middle. */
function tailIsGarbage(bytes: Uint8Array, at: number): boolean {
  for (let k = at + 1; k + HEADER_BYTES <= bytes.length; k++) if (readFrame(bytes, k) !== null) return false;
  return true;
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`broker log assertion failed: ${message}`);
}
