import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseShard, shardSeeds } from './shard.js';

describe('shards', () => {
  it('parses i/n and explains bad ones', () => {
    expect(parseShard('1/4')).toEqual({ index: 1, count: 4 });
    expect(() => parseShard('4/4')).toThrow(/i must be below n/);
    expect(() => parseShard('1-4')).toThrow(/expected i\/n/);
    expect(() => parseShard('0/0')).toThrow(/n must be between 1/);
  });

  it('splits a campaign into disjoint shards whose union is exactly its seeds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 12 }), (start, runs, count) => {
        const all = shardSeeds(start, runs);
        expect(all).toEqual(Array.from({ length: runs }, (_, i) => start + i));
        const seen: number[] = [];
        for (let index = 0; index < count; index++) seen.push(...shardSeeds(start, runs, { index, count }));
        expect(seen.length).toBe(runs);
        expect([...seen].sort((a, b) => a - b)).toEqual(all);
      }),
    );
  });

  it('gives shards of a 1,000-seed campaign equal shares', () => {
    expect(shardSeeds(0, 1000, { index: 0, count: 2 }).length).toBe(500);
    expect(shardSeeds(0, 1000, { index: 1, count: 2 })[0]).toBe(1);
  });
});
