import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiskError } from '../nodes/host.js';
import { DISK_CONFIG_DEFAULT, SimDisk, type PendingFsync } from './disk.js';
import { SimRandom } from './random.js';

function makeDisk(seed = 1, config = DISK_CONFIG_DEFAULT): { disk: SimDisk; pending: PendingFsync[]; delays: number[] } {
  const pending: PendingFsync[] = [];
  const delays: number[] = [];
  const disk = new SimDisk(config, SimRandom.stream(seed, 'disk/test'), (fsync, delayNs) => {
    pending.push(fsync);
    delays.push(delayNs);
  });
  return { disk, pending, delays };
}

const bytes = (...values: number[]) => Uint8Array.from(values);
const list = (data: Uint8Array | null) => (data === null ? null : [...data]);

type Op =
  | { op: 'write'; name: string; data: number[] }
  | { op: 'append'; name: string; data: number[] }
  | { op: 'truncate'; name: string; size: number }
  | { op: 'fsync'; name: string; fail: boolean }
  | { op: 'complete'; which: number }
  | { op: 'delete'; name: string }
  | { op: 'crash'; mode: 'lose' | 'tear' };

const nameArb = fc.constantFrom('a', 'b', 'c');
const dataArb = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 24, size: 'max' });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('write' as const), name: nameArb, data: dataArb }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('append' as const), name: nameArb, data: dataArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), name: nameArb, size: fc.integer({ min: 0, max: 30 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('fsync' as const), name: nameArb, fail: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('complete' as const), which: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), name: nameArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('crash' as const), mode: fc.constantFrom('lose' as const, 'tear' as const) }) },
);

/** The disk's contract as a dumb model: volatile files, durable files, fsync snapshots in flight. */
class Model {
  volatile = new Map<string, number[]>();
  durable = new Map<string, { data: number[]; order: number }>();
  pending: { name: string; data: number[]; order: number; ok: boolean }[] = [];
  deletedAt = new Map<string, number>();
  order = 0;
}

function startsWith(data: readonly number[], prefix: readonly number[]): boolean {
  return prefix.length <= data.length && prefix.every((value, index) => data[index] === value);
}

describe('simulated disk', () => {
  it('a crash loses exactly the unsynced writes, or tears them; synced data always survives', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.array(opArb, { minLength: 5, maxLength: 80, size: 'max' }), (seed, ops) => {
        const { disk, pending } = makeDisk(seed);
        const model = new Model();
        const garbageMax = DISK_CONFIG_DEFAULT.tearGarbageBytesMax;
        for (const step of ops) {
          switch (step.op) {
            case 'write':
              disk.write(step.name, Uint8Array.from(step.data));
              model.volatile.set(step.name, [...step.data]);
              break;
            case 'append':
              disk.append(step.name, Uint8Array.from(step.data));
              model.volatile.set(step.name, [...(model.volatile.get(step.name) ?? []), ...step.data]);
              break;
            case 'truncate': {
              const current = model.volatile.get(step.name);
              if (current === undefined) {
                expect(() => disk.truncate(step.name, step.size)).toThrow(DiskError);
                break;
              }
              disk.truncate(step.name, step.size);
              const next = current.slice(0, step.size);
              while (next.length < step.size) next.push(0);
              model.volatile.set(step.name, next);
              break;
            }
            case 'fsync': {
              const current = model.volatile.get(step.name);
              disk.faults.fsyncFail = step.fail;
              if (current === undefined) {
                expect(() => disk.fsync(step.name, 0)).toThrow(DiskError);
                break;
              }
              disk.fsync(step.name, model.order);
              model.pending.push({ name: step.name, data: [...current], order: ++model.order, ok: !step.fail });
              break;
            }
            case 'complete': {
              if (model.pending.length === 0) break;
              // Completions may come in any order: an older snapshot never overwrites a newer state.
              const index = step.which % model.pending.length;
              const [fsync] = pending.splice(index, 1);
              const [expected] = model.pending.splice(index, 1);
              expect(fsync!.ok).toBe(expected!.ok);
              disk.complete(fsync!);
              const newest = Math.max(model.durable.get(expected!.name)?.order ?? -1, model.deletedAt.get(expected!.name) ?? -1);
              if (expected!.ok && expected!.order > newest) model.durable.set(expected!.name, { data: expected!.data, order: expected!.order });
              break;
            }
            case 'delete':
              disk.delete(step.name);
              model.volatile.delete(step.name);
              model.durable.delete(step.name);
              model.deletedAt.set(step.name, ++model.order);
              break;
            case 'crash': {
              const report = disk.crash(step.mode);
              expect(report.mode).toBe(step.mode);
              // In-flight fsyncs die with the process.
              pending.length = 0;
              model.pending = [];
              const after = new Map<string, number[]>();
              for (const [name, durable] of model.durable) {
                const survivor = [...disk.read(name)!];
                const before = model.volatile.get(name);
                // Synced bytes always survive.
                expect(startsWith(survivor, durable.data)).toBe(true);
                if (step.mode === 'lose' || before === undefined || !startsWith(before, durable.data)) {
                  expect(survivor).toEqual(durable.data);
                } else {
                  // Torn: durable ++ a prefix of the unsynced bytes, garbage only at the cut.
                  expect(survivor.length).toBeLessThanOrEqual(before.length);
                  let firstDifference = durable.data.length;
                  while (firstDifference < survivor.length && survivor[firstDifference] === before[firstDifference]) firstDifference++;
                  expect(survivor.length - firstDifference).toBeLessThanOrEqual(garbageMax);
                }
                after.set(name, survivor);
              }
              model.volatile = after;
              break;
            }
          }
          disk.faults.fsyncFail = false;
          // After every step: reads see the volatile contents, the durable view matches the model.
          const actual = JSON.stringify({
            names: disk.list(),
            files: ['a', 'b', 'c'].map((name) => [list(disk.read(name)), list(disk.durableContents(name))]),
            used: disk.bytesUsed(),
          });
          const expected = JSON.stringify({
            names: [...model.volatile.keys()].sort(),
            files: ['a', 'b', 'c'].map((name) => [model.volatile.get(name) ?? null, model.durable.get(name)?.data ?? null]),
            used: [...model.volatile.values()].reduce((sum, data) => sum + data.length, 0),
          });
          // One comparison per step keeps the property fast; the diff shows when it fails.
          if (actual !== expected) expect(JSON.parse(actual)).toEqual(JSON.parse(expected));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a failed fsync leaves the data unsynced: a crash loses it, a later fsync can still make it durable', () => {
    const { disk, pending } = makeDisk();
    disk.append('wal', bytes(1, 2, 3));
    disk.faults.fsyncFail = true;
    disk.fsync('wal', 'first');
    disk.complete(pending.shift()!);
    expect(disk.durableContents('wal')).toBeNull();
    disk.faults.fsyncFail = false;
    disk.fsync('wal', 'second');
    const second = pending.shift()!;
    expect(second.ok).toBe(true);
    disk.complete(second);
    expect(list(disk.durableContents('wal'))).toEqual([1, 2, 3]);
    disk.append('wal', bytes(4));
    disk.faults.fsyncFail = true;
    disk.fsync('wal', 'third');
    disk.complete(pending.shift()!);
    disk.crash('lose');
    expect(list(disk.read('wal'))).toEqual([1, 2, 3]);
  });

  it('a rename is durable only after an fsync of the new name', () => {
    const { disk, pending } = makeDisk();
    disk.write('snap.tmp', bytes(9, 9));
    disk.fsync('snap.tmp', 1);
    disk.complete(pending.shift()!);
    disk.write('snap', bytes(1));
    disk.fsync('snap', 2);
    disk.complete(pending.shift()!);
    disk.rename('snap.tmp', 'snap');
    expect(disk.list()).toEqual(['snap']);
    expect(list(disk.read('snap'))).toEqual([9, 9]);
    disk.crash('lose');
    // Not synced: the old names and contents come back.
    expect(disk.list()).toEqual(['snap', 'snap.tmp']);
    expect(list(disk.read('snap'))).toEqual([1]);
    disk.rename('snap.tmp', 'snap');
    disk.fsync('snap', 3);
    disk.complete(pending.shift()!);
    disk.crash('lose');
    expect(disk.list()).toEqual(['snap']);
    expect(list(disk.read('snap'))).toEqual([9, 9]);
  });

  it('corrupted reads flip one byte of the copy while the fault lasts; stored bytes stay', () => {
    const { disk } = makeDisk(3);
    const data = Uint8Array.from({ length: 2000 }, (_, index) => index % 251);
    disk.write('log', data);
    disk.faults.corruptReads = true;
    for (let i = 0; i < 20; i++) {
      const read = disk.read('log')!;
      const differing = [...read].filter((value, index) => value !== data[index]).length;
      expect(differing).toBe(1);
    }
    disk.faults.corruptReads = false;
    expect(list(disk.read('log'))).toEqual([...data]);
  });

  it('a full disk throws ENOSPC on writes and keeps the contents; capacity is a limit too', () => {
    const { disk } = makeDisk(1, { ...DISK_CONFIG_DEFAULT, capacityBytes: 10 });
    disk.append('f', bytes(1, 2));
    disk.faults.full = true;
    expect(() => disk.append('f', bytes(3))).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    expect(() => disk.write('g', bytes(3))).toThrow(DiskError);
    disk.truncate('f', 1);
    expect(list(disk.read('f'))).toEqual([1]);
    disk.faults.full = false;
    disk.append('f', bytes(2, 3, 4, 5, 6, 7, 8, 9, 10));
    expect(() => disk.append('f', bytes(11))).toThrow(/disk full/);
    expect(disk.size('f')).toBe(10);
  });

  it('a stall adds its latency to fsyncs; missing files throw ENOENT', () => {
    const { disk, delays } = makeDisk(1, { ...DISK_CONFIG_DEFAULT, fsyncLatency: { kind: 'constant', ns: 1000 } });
    disk.write('f', bytes(1));
    disk.fsync('f', 1);
    disk.faults.stallNs = 50_000;
    disk.fsync('f', 2);
    expect(delays).toEqual([1000, 51_000]);
    expect(() => disk.fsync('missing', 1)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => disk.size('missing')).toThrow(DiskError);
    expect(() => disk.delete('missing')).not.toThrow();
    expect(disk.read('missing')).toBeNull();
  });

  it('a reader holding an earlier read or snapshot never sees later writes', () => {
    const { disk, pending } = makeDisk();
    disk.append('f', bytes(1, 2, 3, 4));
    const early = disk.read('f')!;
    disk.fsync('f', 1);
    disk.truncate('f', 2);
    disk.append('f', bytes(7, 7));
    expect([...early]).toEqual([1, 2, 3, 4]);
    disk.complete(pending.shift()!);
    expect(list(disk.durableContents('f'))).toEqual([1, 2, 3, 4]);
    expect(list(disk.read('f'))).toEqual([1, 2, 7, 7]);
  });
});
