// The raft benchmark: a 5-node cluster under 1,000 client ops per simulated second with every fault
// kind on, run through the scenario runner exactly as `crucible run` does.
//
// Results:
// - `raft.events` (events/s): World events handled per wall second of simulation;
// - `raft.speed` (x): simulated seconds per wall second of simulation (target: 50 or more);
// - `raft.speed-cpu` (x): the same per CPU second of this process, all its threads (other load does
//   not count; JIT and GC helper threads do);
// - `raft.check` (ms): wall time of the workload's checkers (linearizability per key, liveness) on
//   those runs' histories, per run, kept apart so a slow checker does not hide a fast simulation.
// Simulation time includes the invariant monitor and the nemesis, as in every fuzz run. Three
// uncounted warm-up runs come first, so the figures are of compiled code, as in a long fuzz campaign.
import { nodeIds, parseScenario } from '../lab/scenario.js';
import { runScenario } from '../lab/runner.js';
import { findSystem } from '../../workloads/registry.js';
import type { CheckContext, SystemPlugin, Workload } from '../../workloads/system.js';
import type { BenchResult } from './index.js';

const SEEDS = [1, 2, 3];
const DURATION_MS = 10_000;
const LIVENESS_MS = 2_000;
const OPS_PER_SECOND = 1_000;
/** A run before the measured ones, not counted: it lets the JIT compile the hot paths first. */
// Three warm-up runs: V8 is still optimising the node, the kernel and the monitor after one.
const WARM_UP_SEEDS = [1_000, 1_001, 1_002];

export async function runSuite(): Promise<BenchResult[]> {
  const raft = findSystem('raft');
  if (raft === undefined) throw new Error('bench raft: the raft system is not registered in workloads/registry.ts');
  const workloadName = raft.defaultWorkload;
  const workload = raft.workloads[workloadName]!;
  // The same plugin with its workload's checks taken out of the run, to time them on their own.
  const unchecked: SystemPlugin = { ...raft, workloads: { ...raft.workloads, [workloadName]: { ...workload, check: () => [] } satisfies Workload } };
  const scenario = parseScenario(
    {
      system: 'raft',
      nodes: 5,
      workload: {
        name: workloadName,
        clients: 40,
        opsMax: (OPS_PER_SECOND * (DURATION_MS + LIVENESS_MS)) / 1000,
        opsPerSecond: OPS_PER_SECOND,
        keys: 8,
        timeoutMs: 1_000,
      },
      durationMs: DURATION_MS,
      livenessMs: LIVENESS_MS,
      faults: { kinds: ['all'] },
    },
    'bench raft',
  );

  for (const seed of WARM_UP_SEEDS) runScenario(scenario, seed, { plugin: unchecked, traceLimit: 1_000 });
  let simulateMs = 0;
  let simulateCpuMs = 0;
  let checkMs = 0;
  let events = 0;
  let simMs = 0;
  let ops = 0;
  for (const seed of SEEDS) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const result = runScenario(scenario, seed, { plugin: unchecked, traceLimit: 1_000 });
    simulateMs += performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    simulateCpuMs += (cpu.user + cpu.system) / 1000;
    events += result.events;
    simMs += result.simMs;
    ops += result.ops;
    const context: CheckContext = { nodes: nodeIds(result.scenario.nodes), healedAtNs: result.healedAtNs, endNs: result.simMs * 1_000_000, params: raft.params };
    const checkStarted = performance.now();
    const verdicts = workload.check(result.history, context);
    checkMs += performance.now() - checkStarted;
    const invalid = [...verdicts, ...result.checkers].filter((verdict) => verdict.verdict === 'invalid');
    if (invalid.length > 0) throw new Error(`bench raft: seed ${seed} is not valid: ${invalid.map((verdict) => verdict.summary).join('; ')}`);
  }
  // Targets are stated per simulated run; ops are kept so a run that did nothing cannot look fast.
  if (ops < (SEEDS.length * OPS_PER_SECOND * DURATION_MS) / 2000) throw new Error(`bench raft: only ${ops} ops over ${SEEDS.length} runs`);
  return [
    { name: 'raft.events', value: Math.round(events / (simulateMs / 1000)), unit: 'events/s' },
    { name: 'raft.speed', value: Number((simMs / simulateMs).toFixed(1)), unit: 'x' },
    // The same per CPU second of this process (all its threads, so the JIT's and GC's helpers count):
    // steadier than wall time when other processes share the machine.
    { name: 'raft.speed-cpu', value: Number((simMs / simulateCpuMs).toFixed(1)), unit: 'x' },
    { name: 'raft.check', value: Math.round(checkMs / SEEDS.length), unit: 'ms' },
  ];
}

