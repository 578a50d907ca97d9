// `cluster test`: the system's own workload against a live cluster, the same nemesis as a simulated
// run (faults/nemesis.ts playing a schedule drawn by faults/schedule.ts over the system's catalog)
// against a World made of the real processes and their proxies (real-world.ts), the history
// recorded with real timestamps and judged by the same checkers, fault actions included.
//
// Phases, on one clock (ns since the test's epoch): the clients invoke until `durationMs`; the
// faults fall in the middle of that window and are healed at three quarters of it, which starts
// the liveness phase (progress is required). Then the clients finish their last operations (or
// time out), every real action the nemesis queued has run, the cluster is stopped, and the history
// is checked.
import { createHash } from 'node:crypto';
import type { FaultAction, NodeId } from '../../nodes/host.js';
import type { HistoryRecord } from '../../histories/schema.js';
import type { TraceEventRow } from '../../histories/store.js';
import { type CheckerResult, type Verdict, worstVerdict } from '../../checkers/verdict.js';
import { Nemesis } from '../../faults/nemesis.js';
import type { FaultEvent } from '../../faults/kind.js';
import type { Intensity } from '../../faults/schedule.js';
import { type CheckContext, type SystemPlugin, type WorkloadParams, pluginFaultCatalog, workloadOptions } from '../../workloads/system.js';
import { HistoryRecorder, TcpClientHost } from '../tcp/client-host.js';
import type { LogFn } from '../tcp/connection.js';
import { type ClusterDriver, waitForReady } from './driver.js';
import { readClusterTrace } from './node-traces.js';
import { RealTimeScheduler, clusterSchedule, faultAction, realCatalog } from './real-nemesis.js';
import { RealWorld } from './real-world.js';

export interface ClusterTestOptions {
  system: SystemPlugin;
  workload: string;
  nodes: readonly NodeId[];
  durationMs: number;
  /** Fault kind names, expanded from `--faults` by the system's catalog. */
  faults: readonly string[];
  /** How hard the drawn faults hit (default: the simulator's default intensity). */
  intensity?: Intensity;
  seed: number;
  bugs: readonly string[];
  clients: number;
  opsPerSecond: number;
  keys: number;
  timeoutMs: number;
  opsMax: number;
  /** Brings up (or attaches to) the cluster. */
  driver: ClusterDriver;
  /** Trace files of the nodes, read back into the run's trace when present. */
  traceFiles?: Readonly<Record<NodeId, string>>;
  /** Progress lines for a person (never stdout in --json mode). */
  log: (line: string) => void;
  /** Connection-level events of the clients. */
  hostLog?: LogFn;
  /** How long to wait for the system to say it is ready (`clusterReady`) before the clients start. */
  readyWaitMs?: number;
}

export interface ClusterTestResult {
  verdict: Verdict;
  checkers: CheckerResult[];
  violation: string | null;
  history: HistoryRecord[];
  /** What the nemesis did, as a simulated run records it (`<kind>.start|stop|skip`, `heal.start`). */
  faults: FaultAction[];
  trace: TraceEventRow[];
  /** The drawn schedule the nemesis played. */
  schedule: FaultEvent[];
  /** Kinds of the catalog a real cluster cannot apply (their events are recorded as skips). */
  unreal: string[];
  /** Kinds asked for that are never drawn on this cluster (no spare nodes to add). */
  undrawable: string[];
  /** Operations invoked. */
  ops: number;
  /** Node trace events read back. */
  events: number;
  /** Length of the test on its own clock. */
  durationMs: number;
  wallMs: number;
  healedAtNs: number | null;
  endNs: number;
  fingerprint: string;
  problems: string[];
}

/** Node trace events kept per run. */
export const TRACE_EVENTS_MAX = 200_000;

/** A digest of the recorded history: not a replay key (a real run does not replay), an identity. */
export function historyFingerprint(history: readonly HistoryRecord[]): string {
  const hash = createHash('sha256');
  for (const record of history) hash.update(`${JSON.stringify(record)}\n`);
  return hash.digest('hex').slice(0, 16);
}

/** Problems of the cluster itself (a node that died by itself, a client that threw) as a checker. */
export function clusterChecker(problems: readonly string[], nemesisErrors: readonly string[], overflowed: boolean): CheckerResult {
  if (problems.length > 0) {
    return { checker: 'cluster', verdict: 'invalid', summary: `${problems.length} process failures: ${problems[0]}`, evidence: { problems, nemesisErrors } };
  }
  if (nemesisErrors.length > 0 || overflowed) {
    const what = overflowed ? 'the history overflowed its limit' : `a fault could not be carried out: ${nemesisErrors[0]}`;
    return { checker: 'cluster', verdict: 'unknown', summary: what, evidence: { nemesisErrors } };
  }
  return { checker: 'cluster', verdict: 'valid', summary: 'every node and client stayed up except when the nemesis stopped it' };
}

/**
 * The fault actions with each end (a stop, the heal) at the time its real actions were done rather
 * than asked for, in time order: a restarted node is not back when the nemesis asks for it, and the
 * liveness checks demand progress from a fault's end. Starts keep the time they were asked for,
 * which counts a fault as begun a little early (the lenient side).
 */
export function settledFaults(actions: readonly FaultAction[], world: Pick<RealWorld, 'settledAt'>): FaultAction[] {
  const settled = actions.map((action, order) => {
    if (!(action.kind.endsWith('.stop') || action.kind === 'heal.start')) return { action, order };
    const time = world.settledAt(action.time);
    if (time === null) throw new Error(`cluster test: ${action.kind} was judged before its real actions were done`);
    return { action: { ...action, time }, order };
  });
  settled.sort((a, b) => a.action.time - b.action.time || a.order - b.order);
  return settled.map((entry) => entry.action);
}

export async function runClusterTest(options: ClusterTestOptions): Promise<ClusterTestResult> {
  const wallStarted = Date.now();
  const { system, driver } = options;
  const workload = system.workloads[options.workload];
  if (workload === undefined) throw new Error(`system ${system.name} has no workload ${options.workload}`);
  const real = realCatalog(pluginFaultCatalog(system));
  const { events, safetyEndMs, undrawable } = clusterSchedule({
    catalog: real.catalog,
    kinds: options.faults,
    nodes: options.nodes,
    durationMs: options.durationMs,
    seed: options.seed,
    intensity: options.intensity,
  });
  const unrealChosen = real.unreal.filter((name) => options.faults.includes(name));
  if (unrealChosen.length > 0) options.log(`cannot apply for real: ${unrealChosen.join(', ')} (their events are recorded as skips)`);
  if (undrawable.length > 0) options.log(`never drawn on this cluster: ${undrawable.join(', ')} (a real cluster has no spare nodes to add)`);
  const tooSmall = options.faults.filter((name) => !real.catalog.applicable([name], options.nodes.length).includes(name));
  if (tooSmall.length > 0) options.log(`never drawn on ${options.nodes.length} nodes: ${tooSmall.join(', ')}`);
  if (options.faults.includes('crash')) options.log('crash is SIGKILL: the machine does not crash, so what a node wrote survives even unsynced (mode tear acts as lose)');
  const params: WorkloadParams = {
    nodes: options.nodes,
    clients: options.clients,
    opsMax: options.opsMax,
    opsPerSecond: options.opsPerSecond,
    timeoutNs: options.timeoutMs * 1e6,
    stopInvokingAtNs: options.durationMs * 1e6,
    // `--keys` is the one workload option the command line gives; a workload that takes none gets none.
    options: workloadOptions(workload, { keys: options.keys }),
  };
  const problems: string[] = [];
  const hostLog: LogFn = options.hostLog ?? (() => undefined);
  let recorder: HistoryRecorder | null = null;
  let world: RealWorld | null = null;
  let nemesis: Nemesis | null = null;
  let scheduler: RealTimeScheduler | null = null;
  const clients: TcpClientHost[] = [];
  try {
    options.log(`bringing up ${options.nodes.length} ${system.name} nodes`);
    await driver.start();
    const { ready, statuses } = await waitForReady(driver, system, options.readyWaitMs ?? 15_000);
    if (ready) options.log(`${system.name} is ready; ${events.length} faults drawn; starting ${options.clients} clients`);
    else options.log(`${system.name} did not say it is ready (${JSON.stringify(statuses)}); starting the workload anyway`);

    recorder = new HistoryRecorder(process.hrtime.bigint());
    const clock = recorder;
    const done = new Set<NodeId>();
    for (let index = 0; index < options.clients; index += 1) {
      const client = new TcpClientHost({
        id: `c${index}`,
        nodes: driver.clientAddresses(),
        secret: driver.secret,
        seed: options.seed,
        recorder,
        factory: workload.client(params, index),
        trace: () => undefined,
        hostLog,
        onFailure: (id, message) => problems.push(`client ${id} threw: ${message.split('\n')[0]}`),
        onDone: (id) => done.add(id),
      });
      clients.push(client);
    }
    const realWorld = new RealWorld({ driver, nowNs: () => clock.nowNs(), log: options.log });
    world = realWorld;
    await realWorld.start();
    for (const client of clients) client.start();
    scheduler = new RealTimeScheduler(() => clock.nowNs());
    nemesis = new Nemesis(realWorld, real.catalog, scheduler.at);
    const safetyEndNs = safetyEndMs * 1e6;
    nemesis.plan(events, safetyEndNs);

    // Clients stop invoking at the duration; their last op then completes or times out.
    const deadlineMs = options.durationMs + 2 * options.timeoutMs + 5_000;
    while (done.size < clients.length && clock.nowNs() / 1e6 < deadlineMs && clients.some((client) => client.runtime.failed === null && !client.isDone)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The clients may all be done before the heal (an op budget spent early): heal now, then wait
    // for every real action, so nothing is still being done to the cluster when it is judged.
    nemesis.healAll();
    await realWorld.drain();
  } finally {
    scheduler?.stop();
    await world?.stop();
    for (const client of clients) client.stop();
    await driver.stop();
  }
  problems.push(...driver.problems());
  const history = recorder.records;
  const endNs = recorder.nowNs();
  const faults = settledFaults(nemesis.records.map(faultAction), world);
  const heal = faults.find((action) => action.kind === 'heal.start');
  const healedAtNs = nemesis.startedCount() > 0 && heal !== undefined ? heal.time : null;
  const trace = options.traceFiles ? await readClusterTrace(options.traceFiles, recorder.epochNs, endNs, TRACE_EVENTS_MAX) : [];

  const context: CheckContext = {
    nodes: options.nodes,
    healedAtNs,
    endNs,
    params: system.params,
    workload: params,
    faults,
  };
  const errors = [...world.errors, ...scheduler.errors];
  const checkers = [...workload.check(history, context), clusterChecker(problems, errors, recorder.overflowed)];
  const verdict = worstVerdict(checkers.map((result) => result.verdict));
  const invalid = [...new Set(checkers.filter((result) => result.verdict === 'invalid').map((result) => result.checker))].sort();
  return {
    verdict,
    checkers,
    violation: invalid.length > 0 ? invalid.join('+') : null,
    history,
    faults,
    trace,
    schedule: events,
    unreal: unrealChosen,
    undrawable,
    ops: history.filter((record) => record.type === 'invoke').length,
    events: trace.length,
    durationMs: Math.round(endNs / 1e6),
    wallMs: Date.now() - wallStarted,
    healedAtNs,
    endNs,
    fingerprint: historyFingerprint(history),
    problems,
  };
}
