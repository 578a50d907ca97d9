// The fuzz benchmark: how a Raft campaign (every fault kind, as `crucible fuzz --system raft` runs
// it) scales from one worker to two, set beside what this machine allows.
//
// Results:
// - `fuzz.w1`, `fuzz.w2` (runs/s): one campaign of SEEDS seeds with one worker, then with two; each
//   run stored in a scratch run store, as the command does;
// - `fuzz.scaling` (x): w2 / w1, the median over the rounds (each round measures both back to back,
//   so a change in the machine's speed between rounds does not skew a ratio);
// - `fuzz.ceiling` (x): the same seeds split in two halves, run at once by two one-worker campaigns
//   (as `--shard 0/2` and `--shard 1/2` would be), against one worker over all of them: what two
//   cores give this workload with nothing shared but the hardware. Simulation is heavy on memory,
//   and two cores sharing caches and memory bandwidth run it below 2x; the pool is as good as it
//   can be when `fuzz.scaling` reaches `fuzz.ceiling`;
// - `fuzz.efficiency` (%): scaling / ceiling.
// Worker start-up is counted, as a user of `crucible fuzz` sees it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TRACE_LIMIT } from '../lab/runner.js';
import { RunStore } from '../../histories/store.js';
import { runCampaign, type CampaignOutcome } from '../fuzz/campaign.js';
import type { CampaignConfig } from '../fuzz/executor.js';
import { saveResult } from '../lab/persist.js';
import { scenarioFromFlags } from '../lab/scenario-args.js';
import type { BenchResult } from './index.js';

const SEEDS = 1000;
const ROUNDS = 2;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function campaign(config: CampaignConfig, store: RunStore, workers: number, seedStart: number, count = SEEDS): Promise<CampaignOutcome> {
  const seeds = Array.from({ length: count }, (_, index) => seedStart + index);
  const outcome = await runCampaign(
    { config, seeds, workers, keepGoing: true, shrink: false, shrinkMax: 0, timeLimitMs: null },
    {
      seed(done) {
        if (done.result.verdict !== 'valid') throw new Error(`bench fuzz: seed ${done.seed} is ${done.result.verdict}: ${done.result.violation}`);
        saveResult(store, done.result, { wallMs: done.wallMs, repro: `crucible run --system raft --faults all --seed ${done.seed}` });
      },
      shrunk() {},
      error(seed, _task, message) {
        throw new Error(`bench fuzz: seed ${seed}: ${message}`);
      },
    },
  );
  if (outcome.runs !== count || outcome.errors > 0) throw new Error(`bench fuzz: ${outcome.runs} of ${count} runs finished, ${outcome.errors} errors`);
  return outcome;
}

const runsPerSec = (outcome: CampaignOutcome) => outcome.runs / (outcome.wallMs / 1000);

export async function runSuite(): Promise<BenchResult[]> {
  const config: CampaignConfig = { scenario: scenarioFromFlags({ system: 'raft', faults: ['all'] }), pluginPath: null, shrinkRunsMax: 0, traceLimit: DEFAULT_TRACE_LIMIT };
  const dir = mkdtempSync(join(tmpdir(), 'crucible-bench-fuzz-'));
  const store = RunStore.open(join(dir, 'runs.db'));
  const w1: number[] = [];
  const w2: number[] = [];
  const scaling: number[] = [];
  const ceiling: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Each round runs fresh seeds, so no campaign replays one the machine just ran.
      const seedStart = round * SEEDS;
      const one = runsPerSec(await campaign(config, store, 1, seedStart));
      const two = runsPerSec(await campaign(config, store, 2, seedStart));
      const half = SEEDS >> 1;
      const pair = await Promise.all([campaign(config, store, 1, seedStart, half), campaign(config, store, 1, seedStart + half, SEEDS - half)]);
      const pairMs = Math.max(pair[0].wallMs, pair[1].wallMs);
      w1.push(one);
      w2.push(two);
      scaling.push(two / one);
      ceiling.push(SEEDS / (pairMs / 1000) / one);
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const scale = median(scaling);
  const limit = median(ceiling);
  return [
    { name: 'fuzz.w1', value: Math.round(median(w1) * 10) / 10, unit: 'runs/s' },
    { name: 'fuzz.w2', value: Math.round(median(w2) * 10) / 10, unit: 'runs/s' },
    { name: 'fuzz.scaling', value: Math.round(scale * 100) / 100, unit: 'x' },
    { name: 'fuzz.ceiling', value: Math.round(limit * 100) / 100, unit: 'x' },
    { name: 'fuzz.efficiency', value: Math.round((scale / limit) * 100), unit: '%' },
  ];
}
