// Writes the WAL and tracks durability: a pipeline of persistence requests, each written to the
// volatile file at once and made durable by a (group) fsync. The node holds every message that
// depends on durability until `durableSeq` covers the request it followed.
//
// Failure handling, chosen deliberately:
// - fsync fails (EIO reported as ok=false): nothing is acknowledged; the fsync is retried at the
//   next tick. The data is still in the file's volatile contents, so a later fsync covers it.
// - the disk is full (ENOSPC on write/append): the request waits in a bounded queue, in order, and
//   is retried at the next tick; nothing behind it is acknowledged meanwhile. Raft stays safe (an
//   unacknowledging follower is just slow; a leader that cannot persist does not count itself).
import { DiskError, type Disk, type NodeId } from '../host.js';
import { assert, fail } from './assert.js';
import type { HardState } from './types.js';
import { encodeRecords, walFileName, type WalRecord } from './wal.js';

/** Bytes of requests queued behind a full disk, at most. */
export const QUEUED_BYTES_MAX = 64 * 1024 * 1024;

export interface LogPosition {
  index: number;
  term: number;
}

type Op = { kind: 'append'; seq: number; bytes: Uint8Array } | { kind: 'rewrite'; seq: number; gen: number; bytes: Uint8Array };

export class WalWriter {
  /** Persistence requests made so far (each gets the next number). */
  private requestedSeq = 0;
  /** Requests written to the volatile file. */
  private writtenSeq = 0;
  /** Requests known durable. */
  durableSeq = 0;
  private queued: Op[] = [];
  private queuedBytes = 0;
  private fsyncInFlight: { seq: number; file: string } | null = null;
  private fsyncFailed = false;
  /** The log's last position (and hard state or commit, if written) after each request. */
  private positions: { seq: number; position: LogPosition; commit: number | null; hs: HardState | null }[] = [];
  /** Term and vote of the newest durable hard state. */
  durableTerm: number;
  durableVote: NodeId | null;
  /** The commit index of the newest durable hard state (what a restart would come back with). */
  durableCommit: number;
  /** Older generations to delete once the current one is durable, and the request that made it. */
  private obsolete: string[] = [];
  private generationSeq = 0;
  fsyncFailures = 0;
  diskFullRetries = 0;

  constructor(
    private readonly disk: Disk,
    public gen: number,
    obsolete: readonly string[],
    durable: HardState,
  ) {
    this.obsolete = [...obsolete];
    this.durableCommit = durable.commit;
    this.durableTerm = durable.term;
    this.durableVote = durable.vote;
  }

  private fileName = '';
  private fileGen = -1;

  /** The current generation's file name (formatted once per generation). */
  get file(): string {
    if (this.fileGen !== this.gen) {
      this.fileName = walFileName(this.gen);
      this.fileGen = this.gen;
    }
    return this.fileName;
  }

  /** The request that makes what recovery read back durable (0: none). */
  private recoverySeq = 0;

  /**
   * Recovery read the current file back and keeps it (torn tail already cut): its bytes may be in
   * the page cache only. Fsyncs it as a request of its own, so messages that depend on durability
   * wait for it like for any write, and the log position and hard state read back become durable
   * only when it completes. Call once, right after construction.
   */
  syncRecovered(position: LogPosition, hs: HardState): number {
    assert(this.requestedSeq === 0, 'syncRecovered before any other request');
    const seq = ++this.requestedSeq;
    this.positions.push({ seq, position, commit: hs.commit, hs });
    this.writtenSeq = seq;
    this.recoverySeq = seq;
    this.flush();
    return seq;
  }

  /** True until the recovery fsync completed: what is on disk is not known durable yet. */
  recovering(): boolean {
    return this.durableSeq < this.recoverySeq;
  }

  /** The number of the latest request; messages sent after it wait until it is durable. */
  latestSeq(): number {
    return this.requestedSeq;
  }

  /** True while requests wait behind a full disk. */
  busy(): boolean {
    return this.queued.length > 0;
  }

  append(records: readonly WalRecord[], position: LogPosition): number {
    const seq = ++this.requestedSeq;
    this.enqueue({ kind: 'append', seq, bytes: encodeRecords(records) }, position, records);
    return seq;
  }

  /** Starts a new generation holding `records` (a base record first). */
  rewrite(records: readonly WalRecord[], position: LogPosition): number {
    assert(records[0]?.t === 'base', 'a new generation starts with a base record');
    const seq = ++this.requestedSeq;
    const gen = this.gen + 1 + this.queued.filter((op) => op.kind === 'rewrite').length;
    this.enqueue({ kind: 'rewrite', seq, gen, bytes: encodeRecords(records) }, position, records);
    return seq;
  }

  /** Generation the next rewrite would create (for the base record). */
  nextGeneration(): number {
    return this.gen + 1 + this.queued.filter((op) => op.kind === 'rewrite').length;
  }

  private enqueue(op: Op, position: LogPosition, records: readonly WalRecord[]): void {
    let commit: number | null = null;
    let hs: HardState | null = null;
    for (const record of records) {
      if (record.t === 'hs' || record.t === 'base') {
        commit = Math.max(commit ?? 0, record.hs.commit);
        hs = record.hs;
      } else if (record.c !== undefined) commit = Math.max(commit ?? 0, record.c);
    }
    this.positions.push({ seq: op.seq, position, commit, hs });
    // The bytes are a view of the encoder's scratch buffer: written now, or copied to wait.
    if (this.queued.length === 0 && this.write(op)) {
      this.writtenSeq = op.seq;
      this.flush();
      return;
    }
    const kept: Op = { ...op, bytes: op.bytes.slice() };
    this.queued.push(kept);
    this.queuedBytes += kept.bytes.length;
    if (!(this.queuedBytes <= QUEUED_BYTES_MAX)) fail(`WAL queue of ${this.queuedBytes} bytes behind a full disk exceeds the limit`);
    this.drain();
  }

  /** Performs one request on the disk; false when the disk is full. */
  private write(op: Op): boolean {
    try {
      if (op.kind === 'append') {
        this.disk.append(this.file, op.bytes);
      } else {
        this.disk.write(walFileName(op.gen), op.bytes);
        if (this.gen >= 1) this.obsolete.push(this.file);
        this.gen = op.gen;
        this.generationSeq = op.seq;
      }
      return true;
    } catch (error) {
      if (error instanceof DiskError && error.code === 'ENOSPC') {
        this.diskFullRetries++;
        return false;
      }
      throw error;
    }
  }

  /** Writes queued requests in order until one fails for lack of space. */
  private drain(): void {
    while (this.queued.length > 0) {
      const op = this.queued[0]!;
      if (!this.write(op)) return;
      this.queued.shift();
      this.queuedBytes -= op.bytes.length;
      this.writtenSeq = op.seq;
    }
    this.flush();
  }

  /** Starts an fsync covering everything written, unless one is in flight. */
  private flush(): void {
    if (this.fsyncInFlight !== null || this.fsyncFailed) return;
    if (this.writtenSeq <= this.durableSeq) return;
    this.fsyncInFlight = { seq: this.writtenSeq, file: this.file };
    this.disk.fsync(this.file, this.writtenSeq);
  }

  /**
   * An fsync finished. Returns the log position now durable (null when nothing new), for the core's
   * stableTo.
   */
  onFsync(tag: number, ok: boolean): LogPosition | null {
    const inFlight = this.fsyncInFlight;
    if (inFlight === null || inFlight.seq !== tag) return null;
    this.fsyncInFlight = null;
    if (!ok) {
      this.fsyncFailures++;
      this.fsyncFailed = true;
      return null;
    }
    this.durableSeq = Math.max(this.durableSeq, inFlight.seq);
    if (inFlight.file === this.file && inFlight.seq >= this.generationSeq && this.obsolete.length > 0) {
      // The current generation is durable: older ones are no longer needed for recovery.
      for (const name of this.obsolete) this.disk.delete(name);
      this.obsolete = [];
    }
    let durable: LogPosition | null = null;
    while (this.positions.length > 0 && this.positions[0]!.seq <= this.durableSeq) {
      const done = this.positions.shift()!;
      durable = done.position;
      if (done.commit !== null) {
        if (!(done.commit >= this.durableCommit)) fail(`durable commit moves back: ${this.durableCommit} -> ${done.commit}`);
        this.durableCommit = Math.max(this.durableCommit, done.commit);
      }
      if (done.hs !== null) {
        if (!(done.hs.term >= this.durableTerm)) fail(`durable term moves back: ${this.durableTerm} -> ${done.hs.term}`);
        this.durableTerm = done.hs.term;
        this.durableVote = done.hs.vote;
      }
    }
    this.flush();
    return durable;
  }

  /** At every tick: retry a failed fsync and requests waiting for space. */
  retry(): void {
    this.fsyncFailed = false;
    this.drain();
    this.flush();
  }
}
