// The partition log on the simulator's disk: segments roll by size, recovery reads back exactly
// what was fsynced (a torn tail cut, corruption in the middle refused), truncation cuts inside a
// batch and the epoch cache answers OffsetsForLeaderEpoch, producer sequences come back from the log.
import { describe, expect, it } from 'vitest';
import { DISK_CONFIG_DEFAULT, SimDisk, type PendingFsync } from '../../sim/disk.js';
import { SimRandom } from '../../sim/random.js';
import { PartitionLog } from '../../nodes/broker/index.js';

function setup(): { disk: SimDisk; pending: PendingFsync[]; syncAll: () => void } {
  const pending: PendingFsync[] = [];
  const disk = new SimDisk(DISK_CONFIG_DEFAULT, SimRandom.stream(1, 'disk/test'), (fsync) => pending.push(fsync));
  const syncAll = () => {
    for (const name of disk.list()) disk.fsync(name, name);
    for (const fsync of pending.splice(0)) disk.complete(fsync);
  };
  return { disk, pending, syncAll };
}

const pairs = (from: number, count: number): [number, number][] => Array.from({ length: count }, (_, k) => [0, from + k]);

function reopen(disk: SimDisk): PartitionLog {
  const log = new PartitionLog(disk, 'broker/t-0', 1024);
  expect(log.recover((name) => disk.read(name))).toMatchObject({ kind: 'ok' });
  return log;
}

describe('the partition log', () => {
  it('rolls segments by size and recovers every fsynced record with its epoch', () => {
    const { disk, syncAll } = setup();
    const log = new PartitionLog(disk, 'broker/t-0', 1024);
    for (let k = 0; k < 60; k++) log.append(k < 30 ? 1 : 3, pairs(k * 4, 4));
    syncAll();
    expect(log.segmentCount()).toBeGreaterThan(3);
    disk.crash('lose');
    const back = reopen(disk);
    expect(back.endOffset()).toBe(240);
    expect(back.recordAt(239)).toMatchObject({ offset: 239, epoch: 3, value: 239 });
    expect(back.epochCache()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 120 },
    ]);
  });

  it('loses only the unsynced tail in a crash, and cuts a torn batch', () => {
    const { disk, syncAll } = setup();
    const log = new PartitionLog(disk, 'broker/t-0', 64 * 1024);
    log.append(1, pairs(0, 5));
    syncAll();
    log.append(1, pairs(5, 5));
    disk.crash('tear');
    const back = reopen(disk);
    // The torn batch is cut whole: never part of a batch.
    expect([5, 10]).toContain(back.endOffset());
    expect(back.recordAt(4)?.value).toBe(4);
  });

  it('refuses to recover a log whose middle is corrupted', () => {
    const { disk, syncAll } = setup();
    const log = new PartitionLog(disk, 'broker/t-0', 64 * 1024);
    for (let k = 0; k < 4; k++) log.append(1, pairs(k * 3, 3));
    syncAll();
    const name = disk.list()[0]!;
    const bytes = disk.read(name)!.slice();
    bytes[12] = bytes[12]! ^ 0xff; // inside the first batch's payload
    disk.write(name, bytes);
    const back = new PartitionLog(disk, 'broker/t-0', 64 * 1024);
    expect(back.recover((file) => disk.read(file))).toMatchObject({ kind: 'corrupt' });
  });

  it('truncates inside a batch and across segments, on disk too', () => {
    const { disk, syncAll } = setup();
    const log = new PartitionLog(disk, 'broker/t-0', 1024);
    for (let k = 0; k < 40; k++) log.append(k < 20 ? 1 : 2, pairs(k * 4, 4));
    syncAll();
    log.truncateTo(42); // inside the batch [40, 44) of epoch 1
    expect(log.endOffset()).toBe(42);
    expect(log.epochCache()).toEqual([{ epoch: 1, startOffset: 0 }]);
    log.append(5, pairs(1000, 3));
    syncAll();
    disk.crash('lose');
    const back = reopen(disk);
    expect(back.endOffset()).toBe(45);
    expect(back.recordAt(41)).toMatchObject({ epoch: 1, value: 41 });
    expect(back.recordAt(42)).toMatchObject({ epoch: 5, value: 1000 });
    expect(back.epochCache()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 5, startOffset: 42 },
    ]);
  });

  it('answers where an epoch ends, for truncation by epoch', () => {
    const { disk } = setup();
    const log = new PartitionLog(disk, 'broker/t-0', 64 * 1024);
    log.append(1, pairs(0, 3));
    log.append(4, pairs(3, 2));
    log.beginEpoch(6);
    expect(log.endOffsetForEpoch(1)).toMatchObject({ epoch: 1, endOffset: 3 });
    // Epochs 2 and 3 never wrote here: the largest at or below is 1, which ends at 3.
    expect(log.endOffsetForEpoch(3)).toMatchObject({ epoch: 1, endOffset: 3 });
    expect(log.endOffsetForEpoch(4)).toMatchObject({ epoch: 4, endOffset: 5 });
    expect(log.endOffsetForEpoch(9)).toMatchObject({ epoch: 6, endOffset: 5 });
    expect(log.endOffsetForEpoch(0)).toMatchObject({ epoch: -1, endOffset: 0 });
    // Epoch 6 wrote nothing: records of epoch 5 fetched from a newer leader replace it...
    log.append(5, pairs(5, 1));
    expect(log.endOffsetForEpoch(9)).toMatchObject({ epoch: 5, endOffset: 6 });
    // ...but an epoch below one that holds records is a broken invariant.
    expect(() => log.append(2, pairs(6, 1))).toThrow(/leader epochs only grow/);
  });

  it('recognises a producer retry after a restart, and refuses a sequence gap', () => {
    const { disk, syncAll } = setup();
    const log = new PartitionLog(disk, 'broker/t-0', 64 * 1024);
    log.append(1, pairs(0, 2), { id: 7, firstSeq: 0 });
    log.append(1, pairs(2, 3), { id: 7, firstSeq: 2 });
    syncAll();
    disk.crash('lose');
    const back = reopen(disk);
    expect(back.checkSequence({ id: 7, firstSeq: 2 }, 3)).toEqual({ kind: 'duplicate', baseOffset: 2 });
    expect(back.checkSequence({ id: 7, firstSeq: 5 }, 1)).toEqual({ kind: 'new' });
    expect(back.checkSequence({ id: 7, firstSeq: 9 }, 1)).toEqual({ kind: 'out-of-order', lastSeq: 4 });
    // Without sequences from the log (the planted bug), the restart forgets them.
    const forgetful = new PartitionLog(disk, 'broker/t-0', 64 * 1024, false);
    forgetful.recover((name) => disk.read(name));
    expect(forgetful.checkSequence({ id: 7, firstSeq: 2 }, 3)).toEqual({ kind: 'new' });
  });
});
