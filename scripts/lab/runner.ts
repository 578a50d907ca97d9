// The scenario runner: one run of a system under a scenario and a seed, from building the World to
// the verdicts. A run has a safety phase (the fault schedule plays) and a liveness phase (everything
// healed; the system must make progress). Pure in (code, scenario, seed): no wall time here, the
// commands measure that. The system is handed in: nothing here knows which systems exist.
import type { FaultAction, NodeId } from '../../nodes/host.js';
import { NS_PER_MS } from '../../nodes/host.js';
import type { HistoryRecord } from '../../histories/schema.js';
import { isProgress, worstVerdict, type CheckerResult, type Verdict } from '../../checkers/verdict.js';
import { pluginFaultCatalog, type CheckContext, type Inspector, type SystemPlugin, type TraceEvent, type WorkloadParams } from '../../workloads/system.js';
import { World } from '../../sim/index.js';
import { explicitScenario } from './explicit.js';
import { Nemesis, type FaultRecord } from '../../faults/nemesis.js';
import { nodeIds, parseScenario, ScenarioError, SHARED_WORKLOAD_FIELDS, type ExplicitScenario, type ScenarioInput } from './scenario.js';
import { WorldPort, worldNetworkConfig, worldDiskConfig } from './world-adapter.js';

export interface RunOptions {
  /** The system to run: its name must be the scenario's `system`. */
  plugin: SystemPlugin;
  /** Trace events kept in memory (the fingerprint covers all of them). */
  traceLimit?: number;
  /** Name of the scenario's source in error messages. */
  source?: string;
  /** Sees every trace event as it happens, with the live cluster (explain samples node statuses). Must change nothing. */
  observe?: (event: TraceEvent, inspector: Inspector) => void;
}

/** One fault action as the store keeps it: true time, `kind.phase`, fields. */
export type FaultRow = FaultAction;

export interface RunResult {
  seed: number;
  /** The explicit scenario: replaying it with `seed` gives this very run. */
  scenario: ExplicitScenario;
  /** The worst checker verdict. */
  verdict: Verdict;
  checkers: CheckerResult[];
  /** Names of the invalid checkers, sorted and joined with `+`; null when nothing is invalid. */
  violation: string | null;
  history: HistoryRecord[];
  trace: TraceEvent[];
  faultRows: FaultRow[];
  /** Fault events that started (skipped ones are in the rows, not counted). */
  faultEvents: number;
  /** Operations invoked. */
  ops: number;
  /** Events the World handled. */
  events: number;
  simMs: number;
  fingerprint: string;
  /** True time of the heal that started the liveness phase. */
  healedAtNs: number | null;
}

export const DEFAULT_TRACE_LIMIT = 200_000;

/** The invalid checkers of a result as one stable word, the "kind" a shrink must keep. */
export function violationOf(checkers: readonly CheckerResult[]): string | null {
  const invalid = checkers.filter((result) => result.verdict === 'invalid').map((result) => result.checker);
  if (invalid.length === 0) return null;
  return [...new Set(invalid)].sort().join('+');
}

function faultRow(record: FaultRecord): FaultRow {
  return { time: record.timeNs, kind: `${record.kind}.${record.phase}`, fields: record.fields };
}

/** Runs `scenario` (explicit or not) with `seed`. Throws ScenarioError when it is invalid or does not fit the system. */
export function runScenario(scenario: ScenarioInput | ExplicitScenario, seed: number, options: RunOptions): RunResult {
  const source = options.source ?? 'scenario';
  // Validated again even when it came from a file or a shrink: a run never starts on a bad scenario.
  const parsed = parseScenario(scenario, source);
  const plugin = options.plugin;
  const explicit = explicitScenario(parsed, seed, plugin, source);
  const nodes: NodeId[] = nodeIds(explicit.nodes);
  const safetyEndNs = explicit.durationMs * NS_PER_MS;
  const endNs = safetyEndNs + explicit.livenessMs * NS_PER_MS;
  const workload = plugin.workloads[explicit.workload.name]!;
  const timeoutNs = explicit.workload.timeoutMs * NS_PER_MS;
  const params: WorkloadParams = {
    nodes,
    clients: explicit.workload.clients,
    opsMax: explicit.workload.opsMax,
    opsPerSecond: explicit.workload.opsPerSecond,
    timeoutNs,
    // Clients keep invoking into the liveness phase (that is where progress is judged) and stop a
    // timeout before the end, so their last ops can complete.
    stopInvokingAtNs: Math.max(0, endNs - timeoutNs),
    options: Object.fromEntries(Object.entries(explicit.workload).filter(([field]) => !SHARED_WORKLOAD_FIELDS.includes(field))),
  };
  const clients = Array.from({ length: params.clients }, (_, index) => ({ id: `c${index}`, factory: workload.client(params, index) }));
  const world = new World({
    seed,
    nodes,
    // Knobs set away from their defaults build the node with them (validated in explicit.ts).
    node: explicit.knobs !== undefined && plugin.nodeWithKnobs !== undefined ? plugin.nodeWithKnobs(explicit.knobs) : plugin.node,
    clients,
    bugs: explicit.bug === null ? [] : [explicit.bug],
    faultPoints: explicit.faultPoints ?? { enabled: false, numerator: 0, denominator: 1 },
    network: worldNetworkConfig(explicit.network),
    disk: worldDiskConfig(explicit.disk),
    clock: { offsetNsMax: explicit.clocks.offsetMsMax * NS_PER_MS, driftPpmMax: explicit.clocks.driftPpmMax },
    traceLimit: options.traceLimit ?? DEFAULT_TRACE_LIMIT,
  });
  const monitor = plugin.invariants?.() ?? null;
  if (monitor !== null) world.observe((event) => monitor.onTrace(event, world));
  const observe = options.observe;
  if (observe !== undefined) world.observe((event) => observe(event, world));
  const port = new WorldPort(world, explicit.network);
  const nemesis = new Nemesis(port, pluginFaultCatalog(plugin), (timeNs, action) => world.at(timeNs, () => action()));
  nemesis.plan(explicit.faults, safetyEndNs, explicit.livenessFaults ?? []);
  world.start();
  // A cut (stopAtMs) ends the run early with every parameter, pacing included, left as it was.
  const stopNs = explicit.stopAtMs === undefined ? endNs : Math.min(endNs, explicit.stopAtMs * NS_PER_MS);
  const cut = stopNs < endNs;
  world.runUntil(stopNs);

  const history = world.history() as HistoryRecord[];
  const faultEvents = nemesis.startedCount();
  const faultRows = nemesis.records.map(faultRow);
  const context: CheckContext = {
    nodes,
    // A cut run never finished its liveness phase: there is no window in which to judge progress.
    healedAtNs: faultEvents > 0 && !cut ? nemesis.healedAt() : null,
    endNs: world.nowNs(),
    params: plugin.params,
    workload: params,
    faults: faultRows,
  };
  let checkers: CheckerResult[] = [...workload.check(history, context)];
  if (monitor !== null) checkers.push(monitor.result());
  checkers.push(assertionsResult(world.failures()));
  // Names are judged against every checker of the run, before a cut drops the progress ones.
  const produced = [...new Set(checkers.map((result) => result.checker))];
  // A cut run stopped before its liveness phase could finish: progress is not judged there.
  if (cut) checkers = checkers.filter((result) => !isProgress(result));
  if (explicit.checkers !== undefined) {
    // A name no checker of this run answers to would keep nothing of it and report valid: refuse.
    const unknown = explicit.checkers.filter((name) => !produced.includes(name));
    if (unknown.length > 0) {
      throw new ScenarioError(`scenario: checkers: ${unknown.map((name) => JSON.stringify(name)).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a checker of this run (its checkers: ${produced.join(', ')})`);
    }
    const keep = new Set(explicit.checkers);
    checkers = checkers.filter((result) => keep.has(result.checker));
  }
  return {
    seed,
    scenario: explicit,
    verdict: worstVerdict(checkers.map((result) => result.verdict)),
    checkers,
    violation: violationOf(checkers),
    history,
    trace: world.trace() as TraceEvent[],
    faultRows,
    faultEvents,
    ops: history.filter((record) => record.type === 'invoke').length,
    events: world.stats().events,
    simMs: Math.round(world.nowNs() / NS_PER_MS),
    fingerprint: world.fingerprint(),
    healedAtNs: nemesis.healedAt(),
  };
}

/**
 * A node that lets a full disk's ENOSPC escape its handler stops, as etcd and TigerBeetle do on an
 * unwritable disk: fail-stop is safe (the other checkers judge what the crash did to the cluster,
 * and the heal restarts it), so it is not counted as an assertion failure.
 */
export const FAIL_STOP_PREFIXES: readonly string[] = ['DiskError: disk full'];

function isFailStop(message: string): boolean {
  return FAIL_STOP_PREFIXES.some((prefix) => message.startsWith(prefix));
}

/** Exceptions thrown by handlers are assertion failures of the system: always a violation. */
function assertionsResult(failures: readonly { time: number; node: NodeId; message: string }[]): CheckerResult {
  const stops = failures.filter((failure) => isFailStop(failure.message)).length;
  const real = failures.filter((failure) => !isFailStop(failure.message));
  const note = stops === 0 ? '' : ` (${stops} fail-stop crash${stops === 1 ? '' : 'es'} on a full disk, allowed)`;
  if (real.length === 0) return { checker: 'assertions', verdict: 'valid', summary: `no handler threw${note}` };
  const first = real[0]!;
  return {
    checker: 'assertions',
    verdict: 'invalid',
    summary: `${real.length} handler failure${real.length === 1 ? '' : 's'}; first at ${Math.round(first.time / NS_PER_MS)} ms on ${first.node}: ${first.message}${note}`,
    evidence: real.slice(0, 20),
  };
}
