import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskError, type TimerTag } from '../../nodes/host.js';
import { RealDisk, decodeName, encodeName } from './disk.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-disk-'));
  dirs.push(dir);
  return dir;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | null) => (data === null ? null : new TextDecoder().decode(data));

describe('RealDisk', () => {
  it('reads what it wrote, appended, truncated and renamed, and lists names sorted', () => {
    const dir = tempDir();
    const disk = new RealDisk(dir, () => undefined);
    disk.write('wal', bytes('hello'));
    disk.append('wal', bytes(' world'));
    expect(text(disk.read('wal'))).toBe('hello world');
    expect(disk.size('wal')).toBe(11);
    disk.truncate('wal', 5);
    expect(text(disk.read('wal'))).toBe('hello');
    disk.append('snap.tmp', bytes('s1'));
    disk.rename('snap.tmp', 'snap');
    expect(disk.list()).toEqual(['snap', 'wal']);
    disk.write('wal', bytes('x'));
    expect(text(disk.read('wal'))).toBe('x');
    disk.delete('snap');
    expect(disk.read('snap')).toBeNull();
    // Deleting it again does nothing, as on the simulator's disk (a restarted node may repeat a delete).
    disk.delete('snap');
    expect(disk.list()).toEqual(['wal']);
    expect(() => disk.truncate('missing', 0)).toThrow(DiskError);
    disk.close();
    // Everything is in real files: a fresh disk over the directory sees it.
    expect(text(new RealDisk(dir, () => undefined).read('wal'))).toBe('x');
  });

  it('completes fsync as a callback with the tag, never synchronously', async () => {
    const done: [TimerTag, boolean][] = [];
    const disk = new RealDisk(tempDir(), (tag, ok) => done.push([tag, ok]));
    disk.append('wal', bytes('a'));
    disk.fsync('wal', 7);
    disk.fsync('wal', 'second');
    expect(done).toEqual([]);
    await new Promise<void>((resolve) => {
      const poll = () => (done.length === 2 ? resolve() : setTimeout(poll, 5));
      poll();
    });
    expect(done.map(([tag]) => tag).sort()).toEqual([7, 'second'].sort());
    expect(done.every(([, ok]) => ok)).toBe(true);
    expect(() => disk.fsync('missing', 1)).toThrow(DiskError);
    disk.close();
  });

  it('maps any name to one flat file inside its directory', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), (name) => {
        const file = encodeName(name);
        expect(file).not.toContain('/');
        expect(file.startsWith('.')).toBe(false);
        expect(decodeName(file)).toBe(name);
      }),
    );
    const dir = tempDir();
    const disk = new RealDisk(dir, () => undefined);
    disk.write('../escape', bytes('no'));
    disk.write('a/b', bytes('no'));
    expect(disk.list()).toEqual(['../escape', 'a/b']);
    expect(fs.readdirSync(path.dirname(dir)).includes('escape')).toBe(false);
    disk.close();
  });
});
