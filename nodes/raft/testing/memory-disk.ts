// An in-memory Disk for the interaction tests: volatile and durable contents per file, fsyncs that
// complete only when the script says so (`deliver-fsyncs`), crashes that lose or tear what was not
// synced, corrupted reads and a full disk on demand. Deterministic: no randomness at all.
import { DiskError, type Disk, type TimerTag } from '../../host.js';

interface FileState {
  data: Uint8Array;
  /** What survives a crash; null when the file was never synced. */
  durable: Uint8Array | null;
}

export interface PendingFsync {
  name: string;
  tag: TimerTag;
  snapshot: Uint8Array;
}

export class MemoryDisk implements Disk {
  private files = new Map<string, FileState>();
  pending: PendingFsync[] = [];
  corruptReads = false;
  full = false;
  private readCount = 0;

  read(name: string): Uint8Array | null {
    const file = this.files.get(name);
    if (file === undefined) return null;
    const copy = file.data.slice();
    if (this.corruptReads && copy.length > 0) {
      // A different byte each read, as a flaky device would do.
      this.readCount++;
      const at = (this.readCount * 7919) % copy.length;
      copy[at] = copy[at]! ^ 0x5a;
    }
    return copy;
  }

  write(name: string, data: Uint8Array): void {
    this.checkSpace(name);
    const old = this.files.get(name);
    this.files.set(name, { data: data.slice(), durable: old?.durable ?? null });
  }

  append(name: string, data: Uint8Array): void {
    this.checkSpace(name);
    const file = this.files.get(name) ?? { data: new Uint8Array(0), durable: null };
    const grown = new Uint8Array(file.data.length + data.length);
    grown.set(file.data);
    grown.set(data, file.data.length);
    this.files.set(name, { data: grown, durable: file.durable });
  }

  truncate(name: string, sizeBytes: number): void {
    const file = this.existing(name);
    file.data = file.data.slice(0, sizeBytes);
  }

  rename(from: string, to: string): void {
    const file = this.existing(from);
    this.files.delete(from);
    this.files.set(to, file);
  }

  delete(name: string): void {
    this.files.delete(name);
  }

  list(): string[] {
    return [...this.files.keys()].sort();
  }

  size(name: string): number {
    return this.existing(name).data.length;
  }

  fsync(name: string, tag: TimerTag): void {
    const file = this.existing(name);
    this.pending.push({ name, tag, snapshot: file.data.slice() });
  }

  /** Completes the pending fsyncs in order; returns them for the caller to report. */
  completeFsyncs(): PendingFsync[] {
    const done = this.pending;
    this.pending = [];
    for (const fsync of done) {
      const file = this.files.get(fsync.name);
      if (file !== undefined) file.durable = fsync.snapshot;
    }
    return done;
  }

  /** Fails the pending fsyncs (nothing becomes durable). */
  failFsyncs(): PendingFsync[] {
    const done = this.pending;
    this.pending = [];
    return done;
  }

  /**
   * The process crashed: every file falls back to its durable contents. With `tearBytes`, a file
   * that grew by appends keeps that many of its unsynced bytes, the last of them garbage (unless
   * `clean`: a cut at a record boundary keeps them intact). Kept bytes stay unsynced: the next
   * crash loses them unless an fsync came first.
   */
  crash(tearBytes = 0, clean = false): void {
    this.pending = [];
    for (const [name, file] of [...this.files]) {
      if (file.durable === null) {
        this.files.delete(name);
        continue;
      }
      const durable = file.durable;
      let survivor = durable;
      const unsynced = file.data.length - durable.length;
      if (tearBytes > 0 && unsynced > 0 && startsWith(file.data, durable)) {
        const kept = Math.min(tearBytes, unsynced);
        survivor = file.data.slice(0, durable.length + kept);
        if (!clean) survivor[survivor.length - 1] = survivor[survivor.length - 1]! ^ 0xff;
      }
      this.files.set(name, { data: survivor.slice(), durable });
    }
  }

  private existing(name: string): FileState {
    const file = this.files.get(name);
    if (file === undefined) throw new DiskError('ENOENT', `no file "${name}"`);
    return file;
  }

  private checkSpace(name: string): void {
    if (this.full) throw new DiskError('ENOSPC', `disk full writing "${name}"`);
  }
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}
