// The product's first promise: the same code, scenario and seed give the same run, byte for byte,
// in any process. Two separate Node processes run the same seeds with every fault kind on and must
// print the same fingerprints; different seeds must give different fingerprints.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./testing/fingerprints.ts', import.meta.url));

function fingerprints(seedFirst: number, count: number): { seed: number; fingerprint: string; events: number }[] {
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, 'raft', String(seedFirst), String(count)], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { seed: number; fingerprint: string; events: number });
}

describe('determinism across processes', () => {
  it('gives the same fingerprints for the same seeds with every fault kind, and different ones per seed', () => {
    const first = fingerprints(100, 12);
    const second = fingerprints(100, 12);
    expect(first).toHaveLength(12);
    expect(second).toEqual(first);
    expect(first.every((run) => run.events > 1_000)).toBe(true);
    expect(new Set(first.map((run) => run.fingerprint)).size).toBe(first.length);
  });
});
