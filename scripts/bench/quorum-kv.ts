// The quorum-kv benchmark: the CAP and PACELC trade-off of the per-request consistency levels,
// measured on the real node in the simulator, not asserted. All times are simulated.
//
// Per level (`strong`: CP ABD, R = W = quorum; `serial`: writes and cas through Paxos per key,
// reads by ABD; `session`: AP majorities, last writer wins, a session token; `eventual`: AP,
// R = W = 1, last writer wins):
// - `quorum-kv.<level>.latency-p50` / `-p99` (ms): of the ok ops of a run without faults;
// - `quorum-kv.<level>.available-minority` / `-majority` (fraction): of the ops invoked while
//   n1 and n2 are cut off from n3..n5, whose last attempt went to a node on that side, the share
//   that ended ok;
// - `quorum-kv.<level>.t-visibility-p50` / `-p99` / `-p999` (ms) and `.stale-fraction`: how long
//   after a newer write's acknowledgement the stale reads of the fault-free run were invoked
//   (checkers/staleness.ts), beside `quorum-kv.<level>.pbs-p50` / `-p99` / `-p999` and
//   `.pbs-stale-fraction`, the PBS model's (not for `serial`: see `Level.staleness`) (workloads/quorum-kv/pbs.ts) for the same N, R, W and
//   the simulator's latency and fsync distributions;
// - `quorum-kv.speed` (x): simulated seconds per wall second, 5 nodes, 1,000 ops/s, every fault
//   kind on (the figure to compare with `raft.speed`), `quorum-kv.speed-cpu` per CPU second, and
//   `quorum-kv.speed-ops`, the ops per simulated second that run actually completed.
// One run per figure, after one uncounted warm-up run for the speed: the machine is shared.
import { parseScenario, type Scenario } from '../lab/scenario.js';
import { runScenario, type RunResult } from '../lab/runner.js';
import { findSystem } from '../../workloads/registry.js';
import type { SystemPlugin } from '../../workloads/system.js';
import { pairOps, type PairedOp } from '../../checkers/paired-ops.js';
import { measureStaleness, type StalenessEvidence } from '../../checkers/staleness.js';
import { SimRandom } from '../../sim/random.js';
import { pbsModel } from '../../workloads/quorum-kv/pbs.js';
import type { BenchResult } from './index.js';

interface Level {
  name: string;
  workload: string;
  r: number;
  w: number;
  /**
   * Whether the staleness measure reads this level's history: it models reads and writes only, and
   * a cas changes the value without being a write of it, so `serial` (linearizable with its cas,
   * as its checker says) would show staleness that is not there.
   */
  staleness: boolean;
}

const N = 3;
const LEVELS: readonly Level[] = [
  { name: 'strong', workload: 'lin-kv', r: 2, w: 2, staleness: true },
  { name: 'serial', workload: 'lin-kv-cas', r: 2, w: 2, staleness: false },
  { name: 'session', workload: 'session', r: 2, w: 2, staleness: true },
  { name: 'eventual', workload: 'staleness', r: 1, w: 1, staleness: true },
];
const SEED = 1;
const DURATION_MS = 5_000;
const PARTITION = { atMs: 500, side: ['n1', 'n2'], durationMs: 4_000 };
/** The simulator's defaults (sim/network.ts, sim/disk.ts), which the runs below leave as they are. */
const MESSAGE_NS = { min: 1_000_000, max: 5_000_000 };
const FSYNC_NS = { min: 200_000, max: 2_000_000 };
const PBS_TRIALS = 100_000;
const SPEED_OPS_PER_SECOND = 1_000;
const SPEED_DURATION_MS = 10_000;

function scenarioOf(workload: string, faults: unknown, overrides: Record<string, unknown> = {}): Scenario {
  return parseScenario(
    { system: 'quorum-kv', nodes: 5, workload: { name: workload, clients: 10, opsMax: 1_000, opsPerSecond: 200, keys: 4, ...overrides }, durationMs: DURATION_MS, livenessMs: 1_000, faults },
    `bench quorum-kv ${workload}`,
  );
}

function quantileMs(sortedNs: readonly number[], p: number): number {
  if (sortedNs.length === 0) return 0;
  return Number((sortedNs[Math.min(sortedNs.length - 1, Math.ceil(p * sortedNs.length) - 1)]! / 1e6).toFixed(2));
}

function latencies(ops: readonly PairedOp[]): number[] {
  const values: number[] = [];
  for (const op of ops) if (op.type === 'ok' && op.invokeTime !== undefined && op.completeTime !== undefined) values.push(op.completeTime - op.invokeTime);
  return values.sort((a, b) => a - b);
}

function availability(result: RunResult): { minority: number; majority: number } {
  const { ops } = pairOps(result.history);
  const fromNs = PARTITION.atMs * 1e6;
  const toNs = (PARTITION.atMs + PARTITION.durationMs) * 1e6;
  const sides = { minority: { ok: 0, all: 0 }, majority: { ok: 0, all: 0 } };
  for (const op of ops) {
    if (op.invokeTime === undefined || op.invokeTime < fromNs || op.invokeTime >= toNs || op.node === undefined) continue;
    const side = PARTITION.side.includes(op.node) ? sides.minority : sides.majority;
    side.all += 1;
    if (op.type === 'ok') side.ok += 1;
  }
  const share = (side: { ok: number; all: number }): number => (side.all === 0 ? 0 : Number((side.ok / side.all).toFixed(3)));
  return { minority: share(sides.minority), majority: share(sides.majority) };
}

function must(result: RunResult, what: string): RunResult {
  const invalid = result.checkers.filter((checker) => checker.verdict === 'invalid');
  if (invalid.length > 0) throw new Error(`bench quorum-kv: ${what} is not valid: ${invalid.map((checker) => checker.summary).join('; ')}`);
  return result;
}

export async function runSuite(): Promise<BenchResult[]> {
  const plugin: SystemPlugin | undefined = findSystem('quorum-kv');
  if (plugin === undefined) throw new Error('bench quorum-kv: the quorum-kv system is not registered in workloads/registry.ts');
  const results: BenchResult[] = [];
  const uniform = (range: { min: number; max: number }) => (random: { int(bound: number): number }) => range.min + random.int(range.max - range.min + 1);
  for (const level of LEVELS) {
    const prefix = `quorum-kv.${level.name}`;
    // One key, so reads often follow a fresh write closely: the case staleness is about.
    const calm = must(runScenario(scenarioOf(level.workload, [], { keys: 1 }), SEED, { plugin, traceLimit: 0 }), `${level.name} without faults`);
    const sorted = latencies(pairOps(calm.history).ops);
    results.push({ name: `${prefix}.latency-p50`, value: quantileMs(sorted, 0.5), unit: 'ms' }, { name: `${prefix}.latency-p99`, value: quantileMs(sorted, 0.99), unit: 'ms' });
    const partitioned = runScenario(scenarioOf(level.workload, [{ atMs: PARTITION.atMs, kind: 'partition-halves', side: PARTITION.side, durationMs: PARTITION.durationMs }]), SEED, { plugin, traceLimit: 0 });
    const sides = availability(must(partitioned, `${level.name} under a halves partition`));
    results.push({ name: `${prefix}.available-minority`, value: sides.minority, unit: 'fraction' }, { name: `${prefix}.available-majority`, value: sides.majority, unit: 'fraction' });
    if (!level.staleness) continue;
    const staleness = measureStaleness(calm.history).evidence as StalenessEvidence;
    const age = staleness.ageMs ?? { p50: 0, p99: 0, p999: 0 };
    results.push(
      { name: `${prefix}.t-visibility-p50`, value: age.p50, unit: 'ms' },
      { name: `${prefix}.t-visibility-p99`, value: age.p99, unit: 'ms' },
      { name: `${prefix}.t-visibility-p999`, value: age.p999, unit: 'ms' },
      { name: `${prefix}.stale-fraction`, value: staleness.readsJudged === 0 ? 0 : Number((staleness.stale / staleness.readsJudged).toFixed(4)), unit: 'fraction' },
    );
    const pbs = pbsModel({ n: N, r: level.r, w: level.w, trials: PBS_TRIALS, messageNs: uniform(MESSAGE_NS), replicaWriteNs: uniform(FSYNC_NS) }, SimRandom.stream(SEED, `pbs.${level.name}`));
    results.push(
      { name: `${prefix}.pbs-p50`, value: Number(pbs.windowMs.p50.toFixed(2)), unit: 'ms' },
      { name: `${prefix}.pbs-p99`, value: Number(pbs.windowMs.p99.toFixed(2)), unit: 'ms' },
      { name: `${prefix}.pbs-p999`, value: Number(pbs.windowMs.p999.toFixed(2)), unit: 'ms' },
      { name: `${prefix}.pbs-stale-fraction`, value: Number(pbs.staleAtCommit.toFixed(4)), unit: 'fraction' },
    );
  }
  const speed = scenarioOf('lin-kv', { kinds: ['all'] }, { clients: 40, opsMax: (SPEED_OPS_PER_SECOND * SPEED_DURATION_MS) / 1000, opsPerSecond: SPEED_OPS_PER_SECOND, keys: 8 });
  const fast = { ...speed, durationMs: SPEED_DURATION_MS };
  // The workload's checks are timed by other suites; here only the simulation counts.
  const unchecked: SystemPlugin = { ...plugin, workloads: { ...plugin.workloads, 'lin-kv': { ...plugin.workloads['lin-kv']!, check: () => [] } } };
  runScenario(fast, 1_000, { plugin: unchecked, traceLimit: 1_000 });
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const run = runScenario(fast, SEED, { plugin: unchecked, traceLimit: 1_000 });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  // Under every fault kind many ops end unavailable or uncertain and clients wait out timeouts, so
  // fewer than the offered load complete; a run that did almost nothing must still not look fast.
  if (run.ops < (SPEED_OPS_PER_SECOND * SPEED_DURATION_MS) / 4000) throw new Error(`bench quorum-kv: only ${run.ops} ops in the speed run`);
  results.push(
    { name: 'quorum-kv.speed', value: Number((run.simMs / wallMs).toFixed(1)), unit: 'x' },
    { name: 'quorum-kv.speed-cpu', value: Number((run.simMs / ((cpu.user + cpu.system) / 1000)).toFixed(1)), unit: 'x' },
    { name: 'quorum-kv.speed-ops', value: Math.round(run.ops / (run.simMs / 1000)), unit: 'ops/s' },
  );
  return results;
}
