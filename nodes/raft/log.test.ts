import { describe, expect, it } from 'vitest';
import { makeConfig } from './config.js';
import { RaftLog } from './log.js';
import type { Entry } from './types.js';

const CONFIG = makeConfig(['n1', 'n2', 'n3']);

function entries(from: number, terms: number[]): Entry[] {
  return terms.map((term, k) => ({ index: from + k, term, data: { kind: 'noop' } }));
}

describe('RaftLog', () => {
  it('appends, truncates a conflicting suffix and keeps stable/written marks below the cut', () => {
    const log = new RaftLog(CONFIG);
    log.append(entries(1, [1, 1, 2, 2]));
    log.stableTo(4, 2);
    expect(log.takeUnwritten().length).toBe(4);
    expect(log.maybeAppend(2, 1, entries(3, [3, 3, 3]))).toBe(5);
    expect(log.lastIndex()).toBe(5);
    expect(log.term(3)).toBe(3);
    expect(log.stableIndex).toBe(2);
    expect(log.takeUnwritten().map((e) => e.index)).toEqual([3, 4, 5]);
  });

  it('refuses an append whose previous entry does not match', () => {
    const log = new RaftLog(CONFIG);
    log.append(entries(1, [1, 1]));
    expect(log.maybeAppend(2, 2, entries(3, [2]))).toBeNull();
    expect(log.maybeAppend(5, 1, entries(6, [2]))).toBeNull();
    expect(log.lastIndex()).toBe(2);
  });

  it('never truncates committed entries', () => {
    const log = new RaftLog(CONFIG);
    log.append(entries(1, [1, 1, 1]));
    log.commitTo(2);
    expect(() => log.maybeAppend(1, 1, entries(2, [2]))).toThrow(/conflict at 2 with committed 2/);
  });

  it('findConflictByTerm skips whole terms', () => {
    const log = new RaftLog(CONFIG);
    log.append(entries(1, [1, 1, 2, 2, 2, 4, 4]));
    expect(log.findConflictByTerm(7, 3)).toBe(5);
    expect(log.findConflictByTerm(7, 1)).toBe(2);
    expect(log.findConflictByTerm(7, 0)).toBe(0);
  });

  it('compacts keeping the configuration and terms at the offset', () => {
    const log = new RaftLog(CONFIG);
    const next = makeConfig(['n1', 'n2', 'n3', 'n4']);
    log.append([...entries(1, [1, 1]), { index: 3, term: 1, data: { kind: 'config', config: next } }, ...entries(4, [2, 2])]);
    log.commitTo(5);
    log.stableTo(5, 2);
    log.appliedTo(5);
    expect(log.latestConfig()).toBe(next);
    log.compact(4, log.configAt(4));
    expect(log.term(4)).toBe(2);
    expect(log.term(3)).toBe(-1);
    expect(log.latestConfig()).toBe(next);
    expect(log.configAt(5)).toBe(next);
    expect(() => log.slice(3, 5, 10)).toThrow(/compacted/);
    expect(log.slice(5, 5, 10).map((e) => e.index)).toEqual([5]);
  });

  it('is up to date by last term, then by length', () => {
    const log = new RaftLog(CONFIG);
    log.append(entries(1, [1, 2, 2]));
    expect(log.isUpToDate(3, 2)).toBe(true);
    expect(log.isUpToDate(2, 2)).toBe(false);
    expect(log.isUpToDate(1, 3)).toBe(true);
    expect(log.isUpToDate(9, 1)).toBe(false);
  });
});
