// A node's simulated disk. Every file has volatile contents (what reads see) and durable contents
// (what survives a crash). Writes land in the volatile contents at once; an fsync snapshots the
// file when it is called and makes that snapshot durable when it completes, later, as an event.
// The disk outlives the process: a crash throws away the process and rebuilds the volatile view
// from the durable one, losing or tearing whatever was not synced.
//
// Simplifications, stated because nodes depend on them:
// - Creating a file and renaming one become durable only with a completed fsync of the file (for a
//   rename: of its new name). Until then a crash brings back the old names and contents.
// - Deleting is durable at once, as on a journaling file system that commits the unlink before
//   returning: a crash never brings a deleted file back.
// - A torn crash tears only files that grew by appends since their last sync (durable contents are
//   a prefix of the volatile ones): the survivor is the durable bytes plus a prefix of the unsynced
//   bytes, possibly ending in garbage bytes at the cut. A file rewritten in place falls back to its
//   durable contents. A crash while an fsync is in flight loses that fsync.
// - An fsync failure (fault) reports ok=false and leaves the snapshot unsynced; the data stays in
//   the volatile contents, so a later fsync may still succeed.
// - Deleting a missing file is a no-op; truncate, rename, fsync and size of a missing file throw
//   DiskError('ENOENT').
import { DiskError, type Disk, type TimerTag } from '../nodes/host.js';
import { assert, isCount } from './assert.js';
import { latencyProblem, sampleLatencyNs, type LatencyDistribution, type SimRandom } from './random.js';

export interface DiskConfig {
  fsyncLatency: LatencyDistribution;
  /** Total bytes of all files; a write beyond throws ENOSPC. */
  capacityBytes: number;
  filesMax: number;
  /** A torn write may end in up to this many garbage bytes. */
  tearGarbageBytesMax: number;
  /** The unit a read corruption hits: one byte of one block of this size is flipped. */
  blockBytes: number;
}

export const DISK_CONFIG_DEFAULT: DiskConfig = {
  fsyncLatency: { kind: 'uniform', minNs: 200_000, maxNs: 2_000_000 },
  capacityBytes: 256 * 1024 * 1024,
  filesMax: 4096,
  tearGarbageBytesMax: 16,
  blockBytes: 512,
};

export interface DiskFaults {
  /** Reads return a copy with one byte of one block flipped; stored bytes are untouched. */
  corruptReads: boolean;
  /** Fsyncs complete with ok=false and make nothing durable. */
  fsyncFail: boolean;
  /** Extra latency added to every fsync started while set. */
  stallNs: number;
  /** Writes, appends and growing truncates throw DiskError('ENOSPC'). */
  full: boolean;
}

export const DISK_FAULTS_NONE: Readonly<DiskFaults> = { corruptReads: false, fsyncFail: false, stallNs: 0, full: false };

/** An fsync in flight: the snapshot it will make durable, when it completes with ok. */
export interface PendingFsync {
  readonly name: string;
  readonly data: Uint8Array;
  /** Disk-wide order of fsync calls and deletes: an older snapshot never overwrites a newer state. */
  readonly stamp: number;
  /** Old names of this file whose rename becomes durable with this fsync. */
  readonly renamedFrom: readonly string[];
  readonly tag: TimerTag;
  readonly ok: boolean;
}

export type CrashMode = 'lose' | 'tear';

export interface CrashReport {
  mode: CrashMode;
  /** Files whose contents after the crash differ from before it (lost or torn). */
  filesLost: number;
  filesTorn: number;
  bytesLost: number;
}

interface FileState {
  bytes: Uint8Array;
  length: number;
  /** Bytes [0, sharedUpTo) of `bytes` are referenced by a snapshot: copy before changing them. */
  sharedUpTo: number;
  renamedFrom: string[];
}

interface DurableFile {
  data: Uint8Array;
  stamp: number;
}

const FILE_BYTES_INITIAL = 256;

export class SimDisk implements Disk {
  private files = new Map<string, FileState>();
  private durable = new Map<string, DurableFile>();
  /** Stamp of the last delete per name, so an fsync called before it cannot resurrect the file. */
  private deletedAt = new Map<string, number>();
  private stamp = 0;
  private usedBytes = 0;
  faults: DiskFaults = { ...DISK_FAULTS_NONE };
  fsyncsStarted = 0;

  constructor(
    readonly config: DiskConfig,
    private readonly random: SimRandom,
    /** Called for every fsync started; the World turns it into a completion event. */
    private readonly schedule: (pending: PendingFsync, delayNs: number) => void,
  ) {
    const problem = latencyProblem(config.fsyncLatency);
    assert(problem === null, `disk fsyncLatency: ${problem}`);
    assert(isCount(config.capacityBytes) && isCount(config.filesMax) && config.blockBytes > 0, 'disk: bad limits');
  }

  read(name: string): Uint8Array | null {
    const file = this.files.get(name);
    if (file === undefined) return null;
    const copy = file.bytes.slice(0, file.length);
    if (this.faults.corruptReads && copy.length > 0) {
      const blocks = Math.ceil(copy.length / this.config.blockBytes);
      const blockStart = this.random.int(blocks) * this.config.blockBytes;
      const blockLength = Math.min(this.config.blockBytes, copy.length - blockStart);
      const position = blockStart + this.random.int(blockLength);
      copy[position] = copy[position]! ^ this.random.range(1, 255);
    }
    return copy;
  }

  write(name: string, data: Uint8Array): void {
    const old = this.files.get(name);
    this.reserve(data.length - (old?.length ?? 0), old === undefined, name);
    const bytes = new Uint8Array(Math.max(FILE_BYTES_INITIAL, data.length));
    bytes.set(data);
    this.files.set(name, { bytes, length: data.length, sharedUpTo: 0, renamedFrom: old?.renamedFrom ?? [] });
  }

  append(name: string, data: Uint8Array): void {
    let file = this.files.get(name);
    this.reserve(data.length, file === undefined, name);
    if (file === undefined) {
      file = { bytes: new Uint8Array(Math.max(FILE_BYTES_INITIAL, data.length)), length: 0, sharedUpTo: 0, renamedFrom: [] };
      this.files.set(name, file);
    }
    this.makeWritable(file, file.length, file.length + data.length);
    file.bytes.set(data, file.length);
    file.length += data.length;
  }

  truncate(name: string, sizeBytes: number): void {
    assert(isCount(sizeBytes), `truncate: size must be a non-negative integer, got ${sizeBytes}`);
    const file = this.existing(name, 'truncate');
    if (sizeBytes > file.length) {
      this.reserve(sizeBytes - file.length, false, name);
      this.makeWritable(file, file.length, sizeBytes);
      file.bytes.fill(0, file.length, sizeBytes);
    } else {
      this.usedBytes -= file.length - sizeBytes;
    }
    file.length = sizeBytes;
  }

  rename(from: string, to: string): void {
    const file = this.existing(from, 'rename');
    if (from === to) return;
    const replaced = this.files.get(to);
    if (replaced !== undefined) this.usedBytes -= replaced.length;
    this.files.delete(from);
    file.renamedFrom.push(from);
    this.files.set(to, file);
  }

  delete(name: string): void {
    const file = this.files.get(name);
    if (file === undefined) return;
    this.usedBytes -= file.length;
    this.files.delete(name);
    this.durable.delete(name);
    this.deletedAt.set(name, ++this.stamp);
  }

  list(): string[] {
    return [...this.files.keys()].sort();
  }

  size(name: string): number {
    return this.existing(name, 'size').length;
  }

  fsync(name: string, tag: TimerTag): void {
    const file = this.existing(name, 'fsync');
    if (file.length > file.sharedUpTo) file.sharedUpTo = file.length;
    const pending: PendingFsync = {
      name,
      data: file.bytes.subarray(0, file.length),
      stamp: ++this.stamp,
      renamedFrom: [...file.renamedFrom],
      tag,
      ok: !this.faults.fsyncFail,
    };
    this.fsyncsStarted++;
    this.schedule(pending, sampleLatencyNs(this.config.fsyncLatency, this.random) + this.faults.stallNs);
  }

  /** The fsync finished on the device: with ok, its snapshot becomes durable (unless superseded). */
  complete(pending: PendingFsync): void {
    if (!pending.ok) return;
    if (pending.stamp > this.lastStamp(pending.name)) {
      this.durable.set(pending.name, { data: pending.data, stamp: pending.stamp });
    }
    for (const from of pending.renamedFrom) {
      if (from !== pending.name && pending.stamp > this.lastStamp(from)) {
        this.durable.delete(from);
        this.deletedAt.set(from, pending.stamp);
      }
    }
    const file = this.files.get(pending.name);
    if (file !== undefined && pending.renamedFrom.length > 0) {
      file.renamedFrom = file.renamedFrom.filter((from) => !pending.renamedFrom.includes(from));
    }
  }

  /**
   * The process crashed: volatile contents fall back to durable ones, lost or torn per `mode`;
   * without a mode, the disk's own stream chooses one for this crash.
   */
  crash(requested?: CrashMode): CrashReport {
    const mode: CrashMode = requested ?? (this.random.chance(1, 2) ? 'tear' : 'lose');
    const report: CrashReport = { mode, filesLost: 0, filesTorn: 0, bytesLost: 0 };
    const volatile = this.files;
    this.files = new Map();
    this.usedBytes = 0;
    for (const [name, file] of volatile) {
      const durable = this.durable.get(name);
      if (durable === undefined) {
        report.filesLost++;
        report.bytesLost += file.length;
        continue;
      }
      let survivor = durable.data;
      const unsynced = file.length - durable.data.length;
      if (mode === 'tear' && unsynced > 0 && startsWith(file.bytes, file.length, durable.data)) {
        const kept = this.random.int(unsynced + 1);
        if (kept > 0) {
          survivor = file.bytes.slice(0, durable.data.length + kept);
          if (this.random.chance(1, 2)) {
            const garbage = this.random.range(1, Math.min(kept, this.config.tearGarbageBytesMax));
            for (let i = survivor.length - garbage; i < survivor.length; i++) survivor[i] = this.random.int(256);
          }
          report.filesTorn++;
        }
      }
      if (!sameBytes(file.bytes, file.length, survivor)) {
        report.filesLost++;
        report.bytesLost += Math.max(0, file.length - survivor.length);
      }
      this.files.set(name, { bytes: survivor, length: survivor.length, sharedUpTo: survivor.length, renamedFrom: [] });
      this.usedBytes += survivor.length;
    }
    // Durable files missing from the volatile view were renamed away without a sync: they return.
    for (const [name, durable] of this.durable) {
      if (this.files.has(name)) continue;
      this.files.set(name, { bytes: durable.data, length: durable.data.length, sharedUpTo: durable.data.length, renamedFrom: [] });
      this.usedBytes += durable.data.length;
    }
    return report;
  }

  /** A fresh, empty disk (a node added anew to the cluster). */
  wipe(): void {
    this.files = new Map();
    this.durable = new Map();
    this.deletedAt = new Map();
    this.usedBytes = 0;
  }

  /** What a crash right now would keep of `name` in 'lose' mode (for tests and monitors). */
  durableContents(name: string): Uint8Array | null {
    return this.durable.get(name)?.data ?? null;
  }

  bytesUsed(): number {
    return this.usedBytes;
  }

  private lastStamp(name: string): number {
    return Math.max(this.durable.get(name)?.stamp ?? -1, this.deletedAt.get(name) ?? -1);
  }

  private existing(name: string, operation: string): FileState {
    const file = this.files.get(name);
    if (file === undefined) throw new DiskError('ENOENT', `${operation}: no file "${name}"`);
    return file;
  }

  /** Checks space for `growthBytes` more (and a new file), then counts them as used. */
  private reserve(growthBytes: number, creating: boolean, name: string): void {
    if (this.faults.full && growthBytes > 0) throw new DiskError('ENOSPC', `disk full (fault) writing "${name}"`);
    if (this.usedBytes + growthBytes > this.config.capacityBytes) {
      throw new DiskError('ENOSPC', `disk full: ${this.usedBytes} + ${growthBytes} bytes exceed ${this.config.capacityBytes}`);
    }
    if (creating && this.files.size >= this.config.filesMax) {
      throw new DiskError('ENOSPC', `disk full: more than ${this.config.filesMax} files`);
    }
    this.usedBytes += growthBytes;
  }

  /** Makes bytes [start, end) of `file` writable in place: grows or copies when a snapshot shares them. */
  private makeWritable(file: FileState, start: number, end: number): void {
    if (end <= file.bytes.length && start >= file.sharedUpTo) return;
    let capacity = Math.max(file.bytes.length, FILE_BYTES_INITIAL);
    while (capacity < end) capacity *= 2;
    const bytes = new Uint8Array(capacity);
    bytes.set(file.bytes.subarray(0, file.length));
    file.bytes = bytes;
    file.sharedUpTo = 0;
  }
}

function startsWith(bytes: Uint8Array, length: number, prefix: Uint8Array): boolean {
  if (prefix.length > length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function sameBytes(bytes: Uint8Array, length: number, other: Uint8Array): boolean {
  return length === other.length && startsWith(bytes, length, other);
}
