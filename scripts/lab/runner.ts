// The scenario runner: one run of a system under a scenario and a seed, from building the World to
// the verdicts. A run has a safety phase (the fault schedule plays) and a liveness phase (everything
// healed; the system must make progress). Pure in (code, scenario, seed): no wall time here, the
// commands measure that. The system is handed in: nothing here knows which systems exist.
import type { ClientHost, FaultAction, Host, NodeId, ProcessFactory } from '../../nodes/host.js';
import { NS_PER_MS } from '../../nodes/host.js';
import type { HistoryRecord } from '../../histories/schema.js';
import { isProgress, worstVerdict, type CheckerResult, type Verdict } from '../../checkers/verdict.js';
import { pluginFaultCatalog, type CheckContext, type Inspector, type SystemPlugin, type TraceEvent, type WorkloadParams } from '../../workloads/system.js';
import { World } from '../../sim/index.js';
import { explicitPlan, type ScheduleCap } from './explicit.js';
import { Nemesis, type FaultRecord, type QuietWindow } from '../../faults/nemesis.js';
import { faultWindows } from '../../faults/schedule.js';
import { nodeIds, parseScenario, ScenarioError, SHARED_WORKLOAD_FIELDS, type ExplicitScenario, type ScenarioInput } from './scenario.js';
import { WorldPort, worldNetworkConfig, worldDiskConfig } from './world-adapter.js';

export interface RunOptions {
  /** The system to run: its name must be the scenario's `system`. */
  plugin: SystemPlugin;
  /** Trace events kept in memory (the fingerprint covers all of them). */
  traceLimit?: number;
  /** Name of the scenario's source in error messages. */
  source?: string;
  /**
   * Streams every trace event to the sink in chunks of TRACE_CHUNK_EVENTS (in order, the last chunk
   * when the run ends) instead of holding the trace: the result's `trace` is then empty. The
   * fingerprint is the same either way (it never depended on what is kept).
   */
  traceSink?: TraceSink;
  /** Sees every trace event as it happens, with the live cluster (explain samples node statuses). Must change nothing. */
  observe?: (event: TraceEvent, inspector: Inspector) => void;
  /** Called every `progressEveryMs` of simulated time (and once at the end) with the run so far. */
  onProgress?: (progress: RunProgress) => void;
  /** Simulated ms between progress calls and violation checks (default PROGRESS_EVERY_MS_DEFAULT). */
  progressEveryMs?: number;
  /**
   * Ends the run at the first progress point where the invariant monitor or a handler assertion
   * has already failed: the run becomes a cut at that instant (its explicit scenario records
   * `stopAtMs`, so the capsule replays the very prefix), judged for safety like any cut.
   */
  stopOnViolation?: boolean;
}

/** Where a streamed trace goes (histories/trace-spool.ts writes one to a file beside the store). */
export interface TraceSink {
  write(events: readonly TraceEvent[]): void;
}

/**
 * Trace events per chunk handed to a TraceSink. Small on purpose: a chunk's events live until it is
 * written, and a large one outlives the young generation, so old space (and RSS) grows with it: a
 * 20-minute Raft soak peaked at 346 MB with 8,192 events a chunk, 248 MB with 1,024, 239 MB with 256.
 */
export const TRACE_CHUNK_EVENTS = 256;
export const PROGRESS_EVERY_MS_DEFAULT = 10_000;

/** A run so far, for a progress line. */
export interface RunProgress {
  simMs: number;
  /** Where the run ends (its cut, or safety plus liveness). */
  endMs: number;
  events: number;
  ops: number;
  faults: number;
  /** True once the progress call is the last one. */
  done: boolean;
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
  /** The cap the drawn schedule ran under (null for a schedule written event by event). */
  schedule?: ScheduleCap;
  /** Repeating phases' quiet windows before the last heal, each judged for progress (empty without phases). */
  quietWindows?: QuietWindow[];
  /** When stopOnViolation cut the run: the simulated ms it stopped at. */
  stoppedAtMs?: number | null;
  /** Trace events streamed to the sink (0 without one). */
  traceStreamed?: number;
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
  const { explicit, cap } = explicitPlan(parsed, seed, plugin, source);
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
  const sim = simulate(explicit, seed, plugin, clients, endNs, options);
  const { history, faultRows, faultEvents, cut, stopNs, quietWindows } = sim;
  const judgedWindows = cut ? quietWindows.filter((window) => window.endNs <= stopNs) : quietWindows;
  const context: CheckContext = {
    nodes,
    // A cut run never finished its liveness phase: there is no window in which to judge progress.
    healedAtNs: faultEvents > 0 && !cut ? sim.healedAtNs : null,
    endNs: sim.nowNs,
    params: plugin.params,
    workload: params,
    faults: faultRows,
  };
  if (judgedWindows.length > 0) context.quietWindows = judgedWindows;
  let checkers: CheckerResult[] = [...workload.check(history, context)];
  if (sim.monitorResult !== null) checkers.push(sim.monitorResult);
  checkers.push(assertionsResult(sim.failures));
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
    trace: sim.trace,
    faultRows,
    faultEvents,
    ops: history.filter((record) => record.type === 'invoke').length,
    events: sim.events,
    simMs: Math.round(sim.nowNs / NS_PER_MS),
    fingerprint: sim.fingerprint,
    healedAtNs: sim.healedAtNs,
    schedule: cap,
    quietWindows,
    stoppedAtMs: sim.stoppedAtMs,
    traceStreamed: sim.traceStreamed,
  };
}

/** What a simulation leaves for the checkers: plain data, so the World can go before they run. */
interface Simulated {
  history: HistoryRecord[];
  trace: TraceEvent[];
  fingerprint: string;
  events: number;
  nowNs: number;
  failures: readonly { time: number; node: NodeId; message: string }[];
  /** The invariant monitor's verdict, taken when the run ended. */
  monitorResult: CheckerResult | null;
  faultRows: FaultRow[];
  faultEvents: number;
  healedAtNs: number | null;
  /** Where the run ended, and whether that is before its end (a cut or a stop on violation). */
  stopNs: number;
  cut: boolean;
  stoppedAtMs: number | null;
  traceStreamed: number;
  quietWindows: QuietWindow[];
}

/**
 * Builds the World and plays the run. Its own function so that the World, the nemesis and the
 * monitor are unreachable once it returns: a soak's checkers then run without the cluster's memory.
 * A stop on violation records its cut in `explicit.stopAtMs`.
 */
function simulate(explicit: ExplicitScenario, seed: number, plugin: SystemPlugin, clients: { id: NodeId; factory: ProcessFactory<ClientHost> }[], endNs: number, options: RunOptions): Simulated {
  const nodes = nodeIds(explicit.nodes);
  const safetyEndNs = explicit.durationMs * NS_PER_MS;
  const bugAtNs = explicit.bugAtMs === undefined || explicit.bug === null ? 0 : explicit.bugAtMs * NS_PER_MS;
  // The world is made below; the late bug reads its true time only once the run runs.
  let clock: () => number = () => 0;
  // Knobs set away from their defaults build the node with them (validated in explicit.ts).
  const node = explicit.knobs !== undefined && plugin.nodeWithKnobs !== undefined ? plugin.nodeWithKnobs(explicit.knobs) : plugin.node;
  const world = new World({
    seed,
    nodes,
    node: bugAtNs > 0 ? lateBugs(node, bugAtNs, () => clock()) : node,
    clients,
    bugs: explicit.bug === null ? [] : [explicit.bug],
    faultPoints: explicit.faultPoints ?? { enabled: false, numerator: 0, denominator: 1 },
    network: worldNetworkConfig(explicit.network),
    disk: worldDiskConfig(explicit.disk),
    clock: { offsetNsMax: explicit.clocks.offsetMsMax * NS_PER_MS, driftPpmMax: explicit.clocks.driftPpmMax },
    traceLimit: options.traceSink !== undefined ? 0 : (options.traceLimit ?? DEFAULT_TRACE_LIMIT),
  });
  clock = () => world.nowNs();
  const spool = options.traceSink === undefined ? null : new TraceChunker(options.traceSink);
  if (spool !== null) world.observe((event) => spool.push(event));
  const monitor = plugin.invariants?.() ?? null;
  if (monitor !== null) world.observe((event) => monitor.onTrace(event, world));
  const observe = options.observe;
  if (observe !== undefined) world.observe((event) => observe(event, world));
  const port = new WorldPort(world, explicit.network);
  const nemesis = new Nemesis(port, pluginFaultCatalog(plugin), (timeNs, action) => world.at(timeNs, () => action()));
  const quietWindows = quietWindowsOf(explicit);
  nemesis.plan(explicit.faults, safetyEndNs, explicit.livenessFaults ?? [], quietWindows);
  world.start();
  // A cut (stopAtMs) ends the run early with every parameter, pacing included, left as it was.
  let stopNs = explicit.stopAtMs === undefined ? endNs : Math.min(endNs, explicit.stopAtMs * NS_PER_MS);
  // Run in slices for progress and early stops: runUntil(a) then runUntil(b) handles exactly the
  // events runUntil(b) would, so slicing changes nothing in the run.
  const everyMs = options.progressEveryMs ?? PROGRESS_EVERY_MS_DEFAULT;
  if (!(Number.isSafeInteger(everyMs) && everyMs > 0)) throw new Error(`progressEveryMs must be a positive whole number of ms, got ${everyMs}`);
  const everyNs = everyMs * NS_PER_MS;
  const sliced = options.onProgress !== undefined || options.stopOnViolation === true;
  let stoppedAtMs: number | null = null;
  let opsSoFar = 0;
  let recordsSeen = 0;
  const progress = (done: boolean): void => {
    if (options.onProgress === undefined) return;
    const records = world.history();
    for (; recordsSeen < records.length; recordsSeen++) if (records[recordsSeen]!.type === 'invoke') opsSoFar++;
    options.onProgress({ simMs: Math.round(world.nowNs() / NS_PER_MS), endMs: Math.round(stopNs / NS_PER_MS), events: world.stats().events, ops: opsSoFar, faults: nemesis.startedCount(), done });
  };
  if (!sliced) world.runUntil(stopNs);
  else {
    for (let atNs = Math.min(stopNs, everyNs); ; atNs = Math.min(stopNs, atNs + everyNs)) {
      world.runUntil(atNs);
      if (options.stopOnViolation === true && atNs < stopNs && violatedSoFar(monitor, world.failures())) {
        stopNs = atNs;
        stoppedAtMs = atNs / NS_PER_MS;
        explicit.stopAtMs = stoppedAtMs;
      }
      if (atNs >= stopNs) break;
      progress(false);
    }
  }
  const cut = stopNs < endNs;
  spool?.flush();
  progress(true);

  const history = world.history() as HistoryRecord[];
  const faultEvents = nemesis.startedCount();
  const faultRows = nemesis.records.map(faultRow);
  return {
    history,
    trace: world.trace() as TraceEvent[],
    fingerprint: world.fingerprint(),
    events: world.stats().events,
    nowNs: world.nowNs(),
    failures: world.failures(),
    monitorResult: monitor === null ? null : monitor.result(),
    faultRows,
    faultEvents,
    healedAtNs: nemesis.healedAt(),
    stopNs,
    cut,
    stoppedAtMs,
    traceStreamed: spool?.count ?? 0,
    quietWindows,
  };
}

/** The quiet windows of a scenario's repeating phases: from each fault window's end to the next one's start. */
export function quietWindowsOf(scenario: ExplicitScenario): QuietWindow[] {
  if (scenario.phases === undefined) return [];
  const windows = faultWindows(scenario.durationMs, scenario.phases);
  const quiet: QuietWindow[] = [];
  for (let index = 0; index < windows.length; index++) {
    const endMs = windows[index + 1]?.startMs ?? scenario.durationMs;
    // The last fault window's quiet stretch runs into the liveness phase: the final heal judges it.
    if (index + 1 < windows.length && windows[index]!.endMs < endMs) quiet.push({ startNs: windows[index]!.endMs * NS_PER_MS, endNs: endMs * NS_PER_MS });
  }
  return quiet;
}

/** Whether the monitor or a handler assertion has failed by now (what stopOnViolation stops on). */
function violatedSoFar(monitor: { result(): CheckerResult } | null, failures: readonly { message: string }[]): boolean {
  if (failures.some((failure) => !isFailStop(failure.message))) return true;
  return monitor !== null && monitor.result().verdict === 'invalid';
}

/**
 * The node factory with its planted bug switched on only from `fromNs` of true time: each host's
 * `bug(name)` answers false before then, so the node runs its correct code until the bug's moment.
 */
function lateBugs(factory: ProcessFactory<Host>, fromNs: number, nowNs: () => number): ProcessFactory<Host> {
  return (host) => {
    const late = Object.create(host) as Host;
    const bug = host.bug.bind(host);
    late.bug = (name) => nowNs() >= fromNs && bug(name);
    return factory(late);
  };
}

/** Gathers trace events into chunks for a sink, so a long run's trace is never held whole. */
class TraceChunker {
  private chunk: TraceEvent[] = [];
  count = 0;

  constructor(private readonly sink: TraceSink) {}

  push(event: TraceEvent): void {
    this.chunk.push(event);
    this.count++;
    if (this.chunk.length >= TRACE_CHUNK_EVENTS) this.flush();
  }

  flush(): void {
    if (this.chunk.length === 0) return;
    this.sink.write(this.chunk);
    this.chunk = [];
  }
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
