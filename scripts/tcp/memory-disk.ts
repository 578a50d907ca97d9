// A `Disk` in memory for processes that keep nothing (workload clients under the TCP client host):
// everything is durable at once and fsync completes on the next turn of the event loop.
import { DiskError, type Disk, type TimerTag } from '../../nodes/host.js';

/** Total bytes a client may keep; clients are not meant to store anything. */
const BYTES_MAX = 64 * 1024 * 1024;

export class MemoryDisk implements Disk {
  private readonly files = new Map<string, Uint8Array>();
  private totalBytes = 0;

  constructor(private readonly onFsync: (tag: TimerTag, ok: boolean) => void) {}

  read(name: string): Uint8Array | null {
    return this.files.get(name) ?? null;
  }

  write(name: string, data: Uint8Array): void {
    this.put(name, data.slice());
  }

  append(name: string, data: Uint8Array): void {
    const old = this.files.get(name) ?? new Uint8Array(0);
    const next = new Uint8Array(old.length + data.length);
    next.set(old, 0);
    next.set(data, old.length);
    this.put(name, next);
  }

  truncate(name: string, sizeBytes: number): void {
    const old = this.need(name);
    const next = new Uint8Array(sizeBytes);
    next.set(old.subarray(0, Math.min(sizeBytes, old.length)));
    this.put(name, next);
  }

  rename(from: string, to: string): void {
    const data = this.need(from);
    this.delete(from);
    this.put(to, data);
  }

  delete(name: string): void {
    const old = this.need(name);
    this.totalBytes -= old.length;
    this.files.delete(name);
  }

  list(): string[] {
    return [...this.files.keys()].sort();
  }

  size(name: string): number {
    return this.need(name).length;
  }

  fsync(name: string, tag: TimerTag): void {
    this.need(name);
    setImmediate(() => this.onFsync(tag, true));
  }

  private need(name: string): Uint8Array {
    const data = this.files.get(name);
    if (data === undefined) throw new DiskError('ENOENT', `${name}: no such file`);
    return data;
  }

  private put(name: string, data: Uint8Array): void {
    const old = this.files.get(name);
    const total = this.totalBytes - (old?.length ?? 0) + data.length;
    if (total > BYTES_MAX) throw new DiskError('ENOSPC', `memory disk over ${BYTES_MAX} bytes`);
    this.totalBytes = total;
    this.files.set(name, data);
  }
}
