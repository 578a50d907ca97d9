// The `Disk` of nodes/host.ts over a real directory, with real fsync.
//
// Writes go through the OS page cache at once (a read sees them) and become durable only when
// fsync(2) returns: exactly the contract the simulated disk models. Reads, writes and appends are
// synchronous (they only touch the page cache); fsync runs on libuv's thread pool and completes as
// `onFsync(tag, ok)`. When names were created, renamed or deleted since the last fsync, the
// directory is fsynced first, so a rename is durable once an fsync of its target completes.
import fs from 'node:fs';
import path from 'node:path';
import { view } from './bytes.js';
import { DiskError, type Disk, type TimerTag } from '../../nodes/host.js';

/** Open file descriptors kept for appends and fsyncs; the least recently opened is closed beyond. */
const OPEN_FILES_MAX = 64;
/** Not a file name `encodeName` can produce (it escapes a leading dot), and `list()` skips directories. */
const TRASH_DIRECTORY = '.trash';
/** Fsyncs in flight at once; a node that asks for more is broken. */
const FSYNCS_IN_FLIGHT_MAX = 4_096;

export type FsyncDone = (tag: TimerTag, ok: boolean) => void;

interface OpenFile {
  fd: number;
  sizeBytes: number;
  /** Fsyncs in flight on this descriptor; it is closed only when none are. */
  syncing: number;
  forgotten: boolean;
}

/**
 * File names map one to one onto flat files in the directory: characters outside a safe set are
 * escaped as `%XX`, so a node may use any name (even `a/b` or `..`) without leaving its directory.
 */
export function encodeName(name: string): string {
  if (name.length === 0) throw new Error('disk: empty file name');
  let out = '';
  for (let i = 0; i < name.length; i += 1) {
    const ch = name[i]!;
    const safe = /[A-Za-z0-9_-]/.test(ch) || (ch === '.' && i > 0);
    out += safe ? ch : Buffer.from(ch, 'utf8').reduce((text, byte) => `${text}%${byte.toString(16).toUpperCase().padStart(2, '0')}`, '');
  }
  return out;
}

export function decodeName(file: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < file.length; i += 1) {
    if (file[i] === '%') {
      bytes.push(parseInt(file.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(file[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function toDiskError(error: unknown, what: string): DiskError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DiskError('ENOSPC', `${what}: disk full`);
  if (code === 'ENOENT') return new DiskError('ENOENT', `${what}: no such file`);
  return new DiskError('EIO', `${what}: ${(error as Error).message}`);
}

export class RealDisk implements Disk {
  private readonly open = new Map<string, OpenFile>();
  private dirDirty = true;
  private fsyncsInFlight = 0;
  private closed = false;
  fsyncsDone = 0;

  private readonly trashDirectory: string;
  private trashed = 0;

  constructor(
    readonly directory: string,
    private readonly onFsync: FsyncDone,
  ) {
    fs.mkdirSync(directory, { recursive: true });
    // Deleted files wait here for their unlink; leftovers of a crash are removed in the background.
    this.trashDirectory = path.join(directory, TRASH_DIRECTORY);
    fs.rmSync(this.trashDirectory, { recursive: true, force: true });
    fs.mkdirSync(this.trashDirectory);
  }

  private pathOf(name: string): string {
    return path.join(this.directory, encodeName(name));
  }

  read(name: string): Uint8Array | null {
    const file = this.open.get(name);
    try {
      if (file !== undefined) {
        const data = new Uint8Array(file.sizeBytes);
        const got = fs.readSync(file.fd, data, 0, file.sizeBytes, 0);
        if (got !== file.sizeBytes) throw new Error(`short read of ${name}: ${got} of ${file.sizeBytes} bytes`);
        return data;
      }
      return view(fs.readFileSync(this.pathOf(name)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw toDiskError(error, `read ${name}`);
    }
  }

  write(name: string, data: Uint8Array): void {
    const file = this.fileFor(name, true);
    try {
      fs.ftruncateSync(file.fd, 0);
      file.sizeBytes = 0;
      this.writeAt(file, data, 0);
    } catch (error) {
      throw toDiskError(error, `write ${name}`);
    }
  }

  append(name: string, data: Uint8Array): void {
    const file = this.fileFor(name, true);
    try {
      this.writeAt(file, data, file.sizeBytes);
    } catch (error) {
      throw toDiskError(error, `append ${name}`);
    }
  }

  truncate(name: string, sizeBytes: number): void {
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0) throw new Error(`disk.truncate: bad size ${sizeBytes}`);
    const file = this.fileFor(name, false);
    try {
      fs.ftruncateSync(file.fd, sizeBytes);
      file.sizeBytes = sizeBytes;
    } catch (error) {
      throw toDiskError(error, `truncate ${name}`);
    }
  }

  rename(from: string, to: string): void {
    this.forget(from);
    this.forget(to);
    try {
      fs.renameSync(this.pathOf(from), this.pathOf(to));
    } catch (error) {
      throw toDiskError(error, `rename ${from} to ${to}`);
    }
    this.dirDirty = true;
  }

  /**
   * Removes the name at once (a rename into the trash directory, a cheap metadata change) and frees
   * the blocks later: unlinking a large file can take milliseconds (more with online discard), and
   * the node's handler must not wait for that.
   */
  delete(name: string): void {
    this.forget(name);
    this.trashed += 1;
    const trashPath = path.join(this.trashDirectory, `${this.trashed}-${encodeName(name)}`);
    try {
      fs.renameSync(this.pathOf(name), trashPath);
    } catch (error) {
      // Deleting a file that is not there does nothing, as on the simulator's disk: a node that
      // deleted a file, was killed before it knew, and deletes it again after its restart is fine.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw toDiskError(error, `delete ${name}`);
    }
    this.dirDirty = true;
    fs.unlink(trashPath, () => undefined);
  }

  list(): string[] {
    return fs
      .readdirSync(this.directory, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => decodeName(entry.name))
      .sort();
  }

  size(name: string): number {
    const file = this.open.get(name);
    if (file !== undefined) return file.sizeBytes;
    try {
      return fs.statSync(this.pathOf(name)).size;
    } catch (error) {
      throw toDiskError(error, `size ${name}`);
    }
  }

  fsync(name: string, tag: TimerTag): void {
    if (this.fsyncsInFlight >= FSYNCS_IN_FLIGHT_MAX) throw new Error(`disk: more than ${FSYNCS_IN_FLIGHT_MAX} fsyncs in flight`);
    const file = this.fileFor(name, false);
    const syncDirectory = this.dirDirty;
    this.dirDirty = false;
    this.fsyncsInFlight += 1;
    file.syncing += 1;
    const finish = (ok: boolean): void => {
      file.syncing -= 1;
      if (file.forgotten && file.syncing === 0) fs.close(file.fd, () => undefined);
      this.fsyncsInFlight -= 1;
      this.fsyncsDone += 1;
      if (!ok && syncDirectory) this.dirDirty = true;
      // After close (the process is stopping) no handler may run any more.
      if (!this.closed) this.onFsync(tag, ok);
    };
    const syncFile = (): void => fs.fsync(file.fd, (error) => finish(error === null));
    if (!syncDirectory) return syncFile();
    fs.open(this.directory, 'r', (openError, dirFd) => {
      if (openError) return finish(false);
      fs.fsync(dirFd, (syncError) => {
        fs.close(dirFd, () => (syncError ? finish(false) : syncFile()));
      });
    });
  }

  /** Closes every descriptor; pending fsync completions are swallowed. */
  close(): void {
    this.closed = true;
    for (const name of [...this.open.keys()]) this.forget(name);
  }

  private writeAt(file: OpenFile, data: Uint8Array, position: number): void {
    let done = 0;
    while (done < data.length) {
      done += fs.writeSync(file.fd, data, done, data.length - done, position + done);
    }
    file.sizeBytes = Math.max(file.sizeBytes, position + data.length);
  }

  private fileFor(name: string, create: boolean): OpenFile {
    const known = this.open.get(name);
    if (known !== undefined) return known;
    const filePath = this.pathOf(name);
    let fd: number;
    try {
      fd = fs.openSync(filePath, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw toDiskError(error, `open ${name}`);
      if (!create) throw new DiskError('ENOENT', `${name}: no such file`);
      try {
        fd = fs.openSync(filePath, 'w+');
      } catch (createError) {
        throw toDiskError(createError, `create ${name}`);
      }
      this.dirDirty = true;
    }
    if (this.open.size >= OPEN_FILES_MAX) {
      const oldest = this.open.keys().next().value as string;
      this.forget(oldest);
    }
    const file: OpenFile = { fd, sizeBytes: fs.fstatSync(fd).size, syncing: 0, forgotten: false };
    this.open.set(name, file);
    return file;
  }

  private forget(name: string): void {
    const file = this.open.get(name);
    if (file === undefined) return;
    this.open.delete(name);
    file.forgotten = true;
    // An fsync in flight still needs the descriptor: the last one to finish closes it.
    if (file.syncing === 0) fs.close(file.fd, () => undefined);
  }
}
