// Splitting a campaign's seeds across machines: shard i of n takes every n-th seed starting at the
// i-th, so shards get the same mix of early and late seeds and their union is exactly the campaign.
import { UsageError } from '../cli/command.js';

export interface Shard {
  index: number;
  count: number;
}

/** Shards at most: a CI matrix or an indexed Job is far smaller; the bound catches typos. */
export const SHARDS_MAX = 100_000;

/** Parses `i/n` (0 <= i < n). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (match === null) throw new UsageError(`--shard ${text}: expected i/n, e.g. 0/4 (shard i of n, counting from 0)`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > SHARDS_MAX) throw new UsageError(`--shard ${text}: n must be between 1 and ${SHARDS_MAX}`);
  if (index >= count) throw new UsageError(`--shard ${text}: i must be below n (shards are numbered 0 to ${count - 1})`);
  return { index, count };
}

/** The seeds of one shard of the campaign [seedStart, seedStart + runs), in increasing order. */
export function shardSeeds(seedStart: number, runs: number, shard: Shard = { index: 0, count: 1 }): number[] {
  if (!(Number.isSafeInteger(seedStart) && seedStart >= 0)) throw new Error(`bad seedStart ${seedStart}`);
  if (!(Number.isSafeInteger(runs) && runs >= 0)) throw new Error(`bad runs ${runs}`);
  if (!Number.isSafeInteger(seedStart + runs)) throw new UsageError(`--seed-start ${seedStart} with --runs ${runs} goes past the largest safe integer`);
  const seeds: number[] = [];
  for (let offset = shard.index; offset < runs; offset += shard.count) seeds.push(seedStart + offset);
  return seeds;
}
