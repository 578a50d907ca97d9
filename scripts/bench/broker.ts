// The broker benchmark: 5 brokers, 3 partitions, replication factor 3, acks=all with
// min.insync.replicas 2, producers sending batches of up to 16 records, through the scenario
// runner exactly as `crucible run` does (the invariant monitor included), without faults so the
// figure is the simulator's sustained rate and not the faults' stalls.
//
// Results:
// - `broker.records` (records/s): records acknowledged per simulated second of the run;
// - `broker.speed` (x): simulated seconds per wall second of simulation;
// - `broker.speed-cpu` (x): the same per CPU second of this process;
// - `broker.check` (ms): wall time of the queue checker on one run's history.
// One uncounted warm-up run first, so the figures are of compiled code.
import { parseScenario } from '../lab/scenario.js';
import { runScenario } from '../lab/runner.js';
import { findSystem } from '../../workloads/registry.js';
import type { SystemPlugin, Workload } from '../../workloads/system.js';
import type { QueueEvidence } from '../../checkers/broker/queue.js';
import type { BenchResult } from './index.js';

const SEEDS = [1, 2];
const WARM_UP_SEEDS = [1_000];
const DURATION_MS = 10_000;
const LIVENESS_MS = 3_000;
const CLIENTS = 30;
const OPS_PER_SECOND = 3_000;

export async function runSuite(): Promise<BenchResult[]> {
  const broker = findSystem('broker');
  if (broker === undefined) throw new Error('bench broker: the broker system is not registered in workloads/registry.ts');
  const workload = broker.workloads.queue;
  if (workload === undefined) throw new Error('bench broker: the broker system has no queue workload');
  const unchecked: SystemPlugin = { ...broker, workloads: { ...broker.workloads, queue: { ...workload, check: () => [] } satisfies Workload } };
  const scenario = parseScenario(
    {
      system: 'broker',
      nodes: 5,
      workload: { name: 'queue', clients: CLIENTS, opsMax: (OPS_PER_SECOND * DURATION_MS) / 1000, opsPerSecond: OPS_PER_SECOND, timeoutMs: 1_000, sendPercent: 90, assignPercent: 0, valuesPerSendMax: 16, acks: 'all', finalPhaseMs: 1_000 },
      durationMs: DURATION_MS,
      livenessMs: LIVENESS_MS,
      faults: [],
    },
    'bench broker',
  );
  for (const seed of WARM_UP_SEEDS) runScenario(scenario, seed, { plugin: unchecked, traceLimit: 1_000 });
  const totals = { simulateMs: 0, simulateCpuMs: 0, checkMs: 0, simMs: 0 };
  let records = 0;
  for (const seed of SEEDS) {
    const run = timed(() => runScenario(scenario, seed, { plugin: unchecked, traceLimit: 1_000 }));
    const result = run.value;
    totals.simulateMs += run.wallMs;
    totals.simulateCpuMs += run.cpuMs;
    totals.simMs += result.simMs;
    const check = timed(() => workload.check(result.history, { nodes: [], healedAtNs: null, endNs: result.simMs * 1_000_000, params: broker.params }));
    totals.checkMs += check.wallMs;
    const verdicts = check.value;
    const invalid = [...verdicts, ...result.checkers].filter((verdict) => verdict.verdict !== 'valid');
    if (invalid.length > 0) throw new Error(`bench broker: seed ${seed} is not valid: ${invalid.map((verdict) => verdict.summary).join('; ')}`);
    records += (verdicts.find((verdict) => verdict.checker === 'queue')!.evidence as QueueEvidence).acknowledged;
  }
  if (records === 0) throw new Error('bench broker: no record was acknowledged');
  return [
    { name: 'broker.records', value: Math.round(records / (totals.simMs / 1000)), unit: 'records/s' },
    { name: 'broker.speed', value: Number((totals.simMs / totals.simulateMs).toFixed(1)), unit: 'x' },
    { name: 'broker.speed-cpu', value: Number((totals.simMs / totals.simulateCpuMs).toFixed(1)), unit: 'x' },
    { name: 'broker.check', value: Math.round(totals.checkMs / SEEDS.length), unit: 'ms' },
  ];
}

/** Runs `work`, with the wall and CPU time (this process, all threads) it took. */
function timed<T>(work: () => T): { value: T; wallMs: number; cpuMs: number } {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const value = work();
  const cpu = process.cpuUsage(cpuStarted);
  return { value, wallMs: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 };
}
