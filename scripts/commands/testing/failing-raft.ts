// A real failing Raft run for the view and report tests: `crucible run` with the planted
// raft.stale-local-read bug and partitions, trying seeds until one fails (a handful at most).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../crucible.js';
import { commands } from '../index.js';

export interface CliResult {
  code: number;
  out: string[];
  err: string[];
}

export async function cli(...argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, commands, { out: (text) => out.push(text), err: (text) => err.push(text), isTTY: false, env: {} });
  return { code, out, err };
}

export const BUG = 'raft.stale-local-read';
/** Seeds tried at most; with partitions on, this bug fails most seeds. */
const SEEDS_MAX = 12;

/** Makes a store in a temp dir holding one failing Raft run; returns the store path and run id. */
export async function failingRaftRun(): Promise<{ store: string; runId: number; seed: number }> {
  const store = join(mkdtempSync(join(tmpdir(), 'crucible-raft-view-')), 'runs.db');
  for (let seed = 1; seed <= SEEDS_MAX; seed++) {
    const result = await cli('run', '--system', 'raft', '--seed', String(seed), '--bug', BUG, '--faults', 'partition', '--store', store, '--json');
    const run = JSON.parse(result.out[0] ?? '{}') as { runId?: number; verdict?: string };
    if (result.code === 1 && run.verdict === 'invalid' && run.runId !== undefined) return { store, runId: run.runId, seed };
  }
  throw new Error(`no failing Raft run with --bug ${BUG} in seeds 1..${SEEDS_MAX}`);
}
