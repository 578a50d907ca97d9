// Merging shard stores: a merge that misses seeds is incomplete and says so with its exit code, so a
// CI job that forgot a shard cannot pass.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../histories/store.js';
import { EXIT } from '../cli/command.js';
import { campaignTags } from '../commands/fuzz.js';
import { cli } from '../commands/testing/failing-raft.js';
import { mergeExitCode, mergeLines, mergeStores } from './merge.js';

const dir = mkdtempSync(join(tmpdir(), 'crucible-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A shard store holding the campaign's seeds `index, index + count, ...` of 100..105. */
function shard(index: number, count: number, invalidSeed: number | null = null): string {
  const path = join(dir, `shard-${index}-of-${count}-${invalidSeed ?? 'none'}.db`);
  const store = RunStore.open(path);
  try {
    for (let seed = 100 + index; seed < 106; seed += count) {
      const verdict = seed === invalidSeed ? 'invalid' : 'valid';
      store.saveRun({ system: 'raft', seed, scenario: {}, verdict, checkers: [{ checker: 'linearizable', verdict, summary: 's' }], fingerprint: `fp${seed}`, ops: 1, events: 1, faults: 0, tags: campaignTags('camp', 100, 6, { index, count }) });
    }
  } finally {
    store.close();
  }
  return path;
}

describe('fuzz merge', () => {
  it('exits 3 and says so when seeds are missing, 0 only when the campaign is whole', () => {
    const first = shard(0, 2);
    const second = shard(1, 2);
    const partial = mergeStores([first], join(dir, 'partial.db'));
    expect(partial.campaigns[0]).toMatchObject({ seeds: 6, covered: 3, missing: 3, missingSample: [101, 103, 105] });
    expect(mergeExitCode(partial)).toBe(EXIT.UNKNOWN);
    expect(mergeLines(partial).at(-1)).toBe('incomplete: 3 seeds missing, so the campaign cannot be called valid (exit 3)');
    const whole = mergeStores([first, second], join(dir, 'whole.db'));
    expect(whole.campaigns[0]).toMatchObject({ covered: 6, missing: 0 });
    expect(mergeExitCode(whole)).toBe(EXIT.OK);
    expect(mergeLines(whole).some((line) => line.startsWith('incomplete'))).toBe(false);
  });

  it('a violation outranks missing seeds', () => {
    const result = mergeStores([shard(0, 2, 102)], join(dir, 'violation.db'));
    expect(result.campaigns[0]).toMatchObject({ invalid: 1, missing: 3 });
    expect(mergeExitCode(result)).toBe(EXIT.VIOLATION);
  });

  it('the command exits non-zero for an incomplete merge', async () => {
    const result = await cli('fuzz', 'merge', shard(1, 2), '--store', join(dir, 'cli.db'));
    expect(result.code).toBe(EXIT.UNKNOWN);
    expect(result.out.some((line) => line.includes('missing 3 seeds: 100 102 104'))).toBe(true);
    expect(existsSync(join(dir, 'cli.db'))).toBe(true);
  });
});
