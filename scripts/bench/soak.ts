// The soak benchmark: how checking time grows with the length of a run. Raft runs of 10 s to 1 h of
// simulated time (the default lin-kv workload, its clients never running out of ops), once with
// every fault kind on all the way through and once without faults; each history checked for
// linearizability as a run checks it (long parts split at quiescent points), and the shorter ones
// also unsplit, to show what the split saves.
//
// Results, per length L in SOAK_LENGTHS and mode M in {faults, quiet}:
// - `soak.M.L.ops` (ops): operations in the history;
// - `soak.M.L.check` (ms): wall time of the linearizability check;
// - `soak.M.L.check-per-op` (us/op): the same per op: flat from 10 s to 1 h is the goal;
// - `soak.M.L.simulate` (ms): wall time of the simulation, for scale;
// and for faults runs up to UNSPLIT_LENGTH_MAX: `soak.faults.L.check-unsplit-per-op` (us/op).
// The simulation dominates the suite's wall time: the 1-hour runs take a minute or two each.
import { performance } from 'node:perf_hooks';
import { checkHistory } from '../../checkers/linearizability.js';
import { models } from '../../checkers/models/index.js';
import { LIN_KV_BUDGET_STEPS, LIN_KV_MODEL } from '../../workloads/lin-kv.js';
import { findSystem } from '../../workloads/registry.js';
import { runScenario } from '../lab/runner.js';
import { SCENARIO_LIMITS } from '../lab/scenario.js';
import type { BenchResult } from './index.js';

/** Safety phases measured, by their stable result names. */
export const SOAK_LENGTHS: readonly { name: string; durationMs: number }[] = [
  { name: '10s', durationMs: 10_000 },
  { name: '1m', durationMs: 60_000 },
  { name: '5m', durationMs: 300_000 },
  { name: '20m', durationMs: 1_200_000 },
  { name: '1h', durationMs: 3_600_000 },
];
/** The unsplit search is timed up to this length (beyond, it takes minutes: what the split is for). */
const UNSPLIT_LENGTH_MAX_MS = 300_000;
const SEED = 1;

export async function runSuite(): Promise<BenchResult[]> {
  const raft = findSystem('raft');
  if (raft === undefined) throw new Error('bench soak: the raft system is not registered in workloads/registry.ts');
  const model = models[LIN_KV_MODEL];
  if (model === undefined) throw new Error(`bench soak: no model ${LIN_KV_MODEL}`);
  // The plugin with its workload's checks taken out, so the run is timed apart from the check.
  const workload = raft.workloads[raft.defaultWorkload]!;
  const unchecked = { ...raft, invariants: undefined, workloads: { ...raft.workloads, [raft.defaultWorkload]: { ...workload, check: () => [] } } };
  const results: BenchResult[] = [];
  for (const mode of ['faults', 'quiet'] as const) {
    for (const length of SOAK_LENGTHS) {
      const started = performance.now();
      const run = runScenario(
        { system: 'raft', durationMs: length.durationMs, workload: { opsMax: SCENARIO_LIMITS.opsMax }, faults: mode === 'faults' ? { kinds: ['all'] } : [] },
        SEED,
        { plugin: unchecked, traceLimit: 0 },
      );
      const simulateMs = performance.now() - started;
      const checkStarted = performance.now();
      const checked = checkHistory(run.history, model, { budgetSteps: LIN_KV_BUDGET_STEPS });
      const checkMs = performance.now() - checkStarted;
      if (checked.verdict !== 'linearizable') throw new Error(`bench soak: ${mode} ${length.name} is ${checked.verdict}: the correct Raft should pass`);
      const prefix = `soak.${mode}.${length.name}`;
      results.push(
        { name: `${prefix}.ops`, value: run.ops, unit: 'ops' },
        { name: `${prefix}.check`, value: Math.round(checkMs), unit: 'ms' },
        { name: `${prefix}.check-per-op`, value: round2((1000 * checkMs) / Math.max(1, run.ops)), unit: 'us/op' },
        { name: `${prefix}.simulate`, value: Math.round(simulateMs), unit: 'ms' },
      );
      if (mode === 'faults' && length.durationMs <= UNSPLIT_LENGTH_MAX_MS) {
        const unsplitStarted = performance.now();
        checkHistory(run.history, model, { budgetSteps: LIN_KV_BUDGET_STEPS, split: false });
        const unsplitMs = performance.now() - unsplitStarted;
        results.push({ name: `${prefix}.check-unsplit-per-op`, value: round2((1000 * unsplitMs) / Math.max(1, run.ops)), unit: 'us/op' });
      }
    }
  }
  return results;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
