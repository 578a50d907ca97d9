// The exit-code contract of DESIGN.md, code by code: 0 all checks valid, 1 a violation, 2 bad usage
// or bad input, 3 a checker could not decide. A system whose workload names its verdict makes each
// code reachable on purpose, through the real commands.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../crucible.js';
import { commands } from './index.js';
import { EXIT } from '../cli/command.js';

const dir = mkdtempSync(join(tmpdir(), 'crucible-exit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, 'runs.db');
const PLUGIN = ['--plugin', 'workloads/testing/verdict-plugin.ts'];

function scenario(verdict: string): string {
  const file = join(dir, `${verdict}.json`);
  writeFileSync(file, JSON.stringify({ system: 'verdicts', durationMs: 100, livenessMs: 100, workload: { name: verdict } }));
  return file;
}

async function exitOf(...argv: string[]): Promise<number> {
  return main(argv, commands, { out: () => {}, err: () => {}, isTTY: false, env: {} });
}

describe('exit codes', () => {
  it('are 0, 1 and 3 for a valid, invalid and undecided run, and the same on replay', async () => {
    expect(EXIT).toMatchObject({ OK: 0, VIOLATION: 1, USAGE: 2, UNKNOWN: 3 });
    for (const [verdict, code] of [['valid', 0], ['invalid', 1], ['unknown', 3]] as const) {
      expect(await exitOf('run', '--scenario', scenario(verdict), '--seed', '1', '--store', store, ...PLUGIN), verdict).toBe(code);
      expect(await exitOf('fuzz', '--scenario', scenario(verdict), '--runs', '2', '--workers', '1', '--store', store, ...PLUGIN), `fuzz ${verdict}`).toBe(code);
    }
  });

  it('is 2 for bad usage and bad input', async () => {
    expect(await exitOf('run', '--scenario', scenario('valid'), '--seed', 'one', '--store', store, ...PLUGIN)).toBe(2);
    expect(await exitOf('run', '--scenario', join(dir, 'missing.json'), '--seed', '1', '--store', store, ...PLUGIN)).toBe(2);
    expect(await exitOf('run', '--scenario', scenario('nope'), '--seed', '1', '--store', store, ...PLUGIN)).toBe(2);
    expect(await exitOf('nonsense')).toBe(2);
  });
});
