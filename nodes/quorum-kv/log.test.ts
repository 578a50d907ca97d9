// The commit log: nothing is acknowledged before its fsync, a torn tail is cut and the rest
// recovered, a bad record before good ones keeps the replica down, and compaction keeps the state.
import { describe, expect, it } from 'vitest';
import type { Disk, TimerTag } from '../host.js';
import { CommitLog, encodeRecord, logFileName, parseLogFile, type LogRecord } from './log.js';
import { EMPTY_CONTEXT, EMPTY_OBJECT, writeVersion } from './versions.js';

/** A disk of plain byte arrays whose fsyncs complete when the test says. */
class TestDisk implements Disk {
  readonly files = new Map<string, Uint8Array>();
  readonly fsyncs: { name: string; tag: TimerTag }[] = [];
  read(name: string): Uint8Array | null {
    return this.files.get(name) ?? null;
  }
  write(name: string, data: Uint8Array): void {
    this.files.set(name, data.slice());
  }
  append(name: string, data: Uint8Array): void {
    const old = this.files.get(name) ?? new Uint8Array(0);
    const next = new Uint8Array(old.length + data.length);
    next.set(old);
    next.set(data, old.length);
    this.files.set(name, next);
  }
  truncate(name: string, sizeBytes: number): void {
    this.files.set(name, (this.files.get(name) ?? new Uint8Array(0)).slice(0, sizeBytes));
  }
  rename(from: string, to: string): void {
    this.files.set(to, this.files.get(from)!);
    this.files.delete(from);
  }
  delete(name: string): void {
    this.files.delete(name);
  }
  list(): string[] {
    return [...this.files.keys()].sort();
  }
  size(name: string): number {
    return this.files.get(name)?.length ?? 0;
  }
  fsync(name: string, tag: TimerTag): void {
    this.fsyncs.push({ name, tag });
  }
}

const object = writeVersion(EMPTY_OBJECT, EMPTY_CONTEXT, 'n1.1', 7, 42);
const record = (k: string): LogRecord => ({ t: 'obj', k, o: object });
const options = { compactBytes: 1 << 20, waitingMax: 4 };

describe('CommitLog', () => {
  it('acknowledges only after the fsync that covers the record, and not on a failed one', () => {
    const disk = new TestDisk();
    const log = new CommitLog(disk, options);
    expect(log.recover().kind).toBe('ok');
    const acked: string[] = [];
    log.append(record('a'));
    log.whenDurable(() => acked.push('a'));
    log.append(record('b'));
    log.whenDurable(() => acked.push('b'));
    expect(acked).toEqual([]);
    // The first fsync started before `b` was appended: it covers `a` only.
    const first = disk.fsyncs.shift()!;
    log.onFsync(first.tag, false);
    expect(acked).toEqual([]);
    log.retry();
    const again = disk.fsyncs.shift()!;
    log.onFsync(again.tag, true);
    expect(acked).toEqual(['a', 'b']);
  });

  it('refuses to queue past its limit', () => {
    const log = new CommitLog(new TestDisk(), { ...options, waitingMax: 1 });
    log.recover();
    log.append(record('a'));
    expect(log.whenDurable(() => {})).toBe(true);
    log.append(record('b'));
    expect(log.whenDurable(() => {})).toBe(false);
    expect(log.full()).toBe(true);
  });

  it('cuts a torn tail and recovers what came before it', () => {
    const good = encodeRecord(record('a'));
    const torn = encodeRecord(record('b')).slice(0, 10);
    const bytes = new Uint8Array(good.length + torn.length);
    bytes.set(good);
    bytes.set(torn, good.length);
    const disk = new TestDisk();
    disk.files.set(logFileName(1), bytes);
    const recovery = new CommitLog(disk, options).recover();
    expect(recovery.kind === 'ok' && recovery.records.map((r) => (r.t === 'obj' ? r.k : r.t))).toEqual(['a']);
    expect(disk.size(logFileName(1))).toBe(good.length);
  });

  it('stays down on a bad record followed by good ones', () => {
    const a = encodeRecord(record('a'));
    const b = encodeRecord(record('b'));
    const bytes = new Uint8Array(a.length + b.length);
    bytes.set(a);
    bytes.set(b, a.length);
    bytes[3] = bytes[3]! ^ 0x20;
    expect(parseLogFile(bytes).corrupt).toBe(true);
    const disk = new TestDisk();
    disk.files.set(logFileName(1), bytes);
    expect(new CommitLog(disk, options).recover().kind).toBe('corrupt');
  });

  it('compacts into a new generation and drops the old one only once that is durable', () => {
    const disk = new TestDisk();
    const log = new CommitLog(disk, { ...options, compactBytes: 1 });
    log.recover();
    log.append(record('a'));
    log.whenDurable(() => {});
    log.onFsync(disk.fsyncs.shift()!.tag, true);
    expect(log.compactIfLarge(() => [record('a')])).toBe(true);
    expect(disk.list()).toEqual([logFileName(1), logFileName(2)]);
    log.onFsync(disk.fsyncs.shift()!.tag, true);
    expect(disk.list()).toEqual([logFileName(2)]);
    const recovery = new CommitLog(disk, options).recover();
    expect(recovery.kind === 'ok' && recovery.records.length).toBe(1);
  });
});
