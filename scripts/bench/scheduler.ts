// The scheduler benchmark: three scheduler nodes (job store on the embedded Raft KV), one submitter,
// four worker clients of three lanes, no faults, through the scenario runner as `crucible run`
// does. The size is modest on purpose: the store keeps jobs in a few shard documents, each change
// rewriting one shard, so its cost grows with the jobs held (see workloads/scheduler/README.md).
//
// Results:
// - `scheduler.decisions` (decisions/s): the scheduler's committed decisions (acknowledged
//   submissions, grants, completions) per wall second of simulation;
// - `scheduler.dispatch-p50`, `scheduler.dispatch-p99` (ms, simulated): from a job's acknowledged
//   submission to its first grant, queueing included;
// - `scheduler.acquire-p50`, `scheduler.acquire-p99` (ms, simulated): a worker's successful acquire;
// - `scheduler.speed` (x): simulated seconds per wall second.
// A warm-up run comes first, so the figures are of compiled code. Every measured run must be valid.
import { parseScenario } from '../lab/scenario.js';
import { runScenario } from '../lab/runner.js';
import { findSystem } from '../../workloads/registry.js';
import { schedulerEvents } from '../../checkers/scheduler/index.js';
import type { BenchResult } from './index.js';

const SEEDS = [1, 2];
const WARM_UP_SEEDS = [1_000];
const JOBS = 300;
const DURATION_MS = 20_000;

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

export async function runSuite(): Promise<BenchResult[]> {
  const plugin = findSystem('scheduler');
  if (plugin === undefined) throw new Error('bench scheduler: the scheduler system is not registered in workloads/registry.ts');
  const scenario = parseScenario(
    { system: 'scheduler', nodes: 3, workload: { name: 'jobs', clients: 6, opsMax: JOBS, jobs: JOBS, lanes: 3, tenants: 30 }, durationMs: DURATION_MS, livenessMs: 6_000, faults: [] },
    'bench scheduler',
  );
  for (const seed of WARM_UP_SEEDS) runScenario(scenario, seed, { plugin, traceLimit: 1_000 });
  let wallMs = 0;
  let simMs = 0;
  let decisions = 0;
  const dispatchMs: number[] = [];
  const acquireMs: number[] = [];
  for (const seed of SEEDS) {
    const started = performance.now();
    const result = runScenario(scenario, seed, { plugin, traceLimit: 1_000 });
    wallMs += performance.now() - started;
    simMs += result.simMs;
    const invalid = result.checkers.filter((checker) => checker.verdict === 'invalid');
    if (invalid.length > 0) throw new Error(`bench scheduler: seed ${seed} is not valid: ${invalid.map((checker) => checker.summary).join('; ')}`);
    const events = schedulerEvents(result.history);
    decisions += events.submitted.size + events.grants.length + events.completed.size;
    const firstGrant = new Map<string, number>();
    for (const grant of events.grants) if (!firstGrant.has(grant.job) || grant.okNs < firstGrant.get(grant.job)!) firstGrant.set(grant.job, grant.okNs);
    for (const [job, ackNs] of events.submitted) {
      const grantNs = firstGrant.get(job);
      if (grantNs !== undefined) dispatchMs.push(Math.max(0, grantNs - ackNs) / 1e6);
    }
    for (const grant of events.grants) acquireMs.push((grant.okNs - grant.invokeNs) / 1e6);
  }
  if (dispatchMs.length < (SEEDS.length * JOBS) / 2) throw new Error(`bench scheduler: only ${dispatchMs.length} jobs dispatched over ${SEEDS.length} runs`);
  dispatchMs.sort((a, b) => a - b);
  acquireMs.sort((a, b) => a - b);
  const round = (value: number): number => Number(value.toFixed(1));
  return [
    { name: 'scheduler.decisions', value: Math.round(decisions / (wallMs / 1000)), unit: 'decisions/s' },
    { name: 'scheduler.dispatch-p50', value: round(percentile(dispatchMs, 0.5)), unit: 'ms' },
    { name: 'scheduler.dispatch-p99', value: round(percentile(dispatchMs, 0.99)), unit: 'ms' },
    { name: 'scheduler.acquire-p50', value: round(percentile(acquireMs, 0.5)), unit: 'ms' },
    { name: 'scheduler.acquire-p99', value: round(percentile(acquireMs, 0.99)), unit: 'ms' },
    { name: 'scheduler.speed', value: round(simMs / wallMs), unit: 'x' },
  ];
}
