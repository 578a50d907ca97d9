// `cluster test`: the system's own workload against a live cluster, faults from outside, the
// history recorded with real timestamps and judged by the same checkers as a simulated run.
//
// Phases, on one clock (ns since the test's epoch): the clients invoke until `durationMs`; the
// faults of the plan fall in the middle of that window and have all healed before its last
// quarter, which is the liveness phase (progress is required). Then the clients finish their
// last operations (or time out), the cluster is stopped, and the history is checked.
import { createHash } from 'node:crypto';
import type { NodeId } from '../../nodes/host.js';
import type { HistoryRecord } from '../../histories/schema.js';
import type { FaultEvent, TraceEventRow } from '../../histories/store.js';
import { type CheckerResult, type Verdict, worstVerdict } from '../../checkers/verdict.js';
import type { CheckContext, SystemPlugin, WorkloadParams } from '../../workloads/system.js';
import { HistoryRecorder, TcpClientHost } from '../tcp/client-host.js';
import type { LogFn } from '../tcp/connection.js';
import { type ClusterDriver, waitForLeader } from './driver.js';
import { ClusterNemesis } from './nemesis.js';
import { readClusterTrace } from './node-traces.js';
import { type ClusterFaultKind, FAULT_WINDOW_END, type PlannedFault, planFaults } from './plan.js';

export interface ClusterTestOptions {
  system: SystemPlugin;
  workload: string;
  nodes: readonly NodeId[];
  durationMs: number;
  faults: readonly ClusterFaultKind[];
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
  /** How long to wait for a first leader before the clients start. */
  leaderWaitMs?: number;
}

export interface ClusterTestResult {
  verdict: Verdict;
  checkers: CheckerResult[];
  violation: string | null;
  history: HistoryRecord[];
  faults: FaultEvent[];
  trace: TraceEventRow[];
  plan: PlannedFault[];
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

export async function runClusterTest(options: ClusterTestOptions): Promise<ClusterTestResult> {
  const wallStarted = Date.now();
  const { system, driver } = options;
  const workload = system.workloads[options.workload];
  if (workload === undefined) throw new Error(`system ${system.name} has no workload ${options.workload}`);
  const plan = planFaults({ seed: options.seed, nodes: options.nodes, kinds: options.faults, durationMs: options.durationMs });
  const problems: string[] = [];
  const hostLog: LogFn = options.hostLog ?? (() => undefined);
  let recorder: HistoryRecorder | null = null;
  let nemesis: ClusterNemesis | null = null;
  const clients: TcpClientHost[] = [];
  try {
    options.log(`bringing up ${options.nodes.length} ${system.name} nodes`);
    await driver.start();
    const leader = await waitForLeader(driver, options.leaderWaitMs ?? 15_000);
    options.log(leader === null ? 'no leader reported; starting the workload anyway' : `leader ${leader}; starting ${options.clients} clients`);

    recorder = new HistoryRecorder(process.hrtime.bigint());
    const params: WorkloadParams = {
      nodes: options.nodes,
      clients: options.clients,
      opsMax: options.opsMax,
      opsPerSecond: options.opsPerSecond,
      timeoutNs: options.timeoutMs * 1e6,
      stopInvokingAtNs: options.durationMs * 1e6,
      options: { keys: options.keys },
    };
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
    for (const client of clients) client.start();
    const clock = recorder;
    nemesis = new ClusterNemesis({ driver, plan, nowNs: () => clock.nowNs(), startByMs: options.durationMs * FAULT_WINDOW_END, log: options.log });
    const nemesisDone = nemesis.run();

    // Clients stop invoking at the duration; their last op then completes or times out.
    const deadlineMs = options.durationMs + 2 * options.timeoutMs + 5_000;
    while (done.size < clients.length && clock.nowNs() / 1e6 < deadlineMs && clients.some((client) => client.runtime.failed === null && !client.isDone)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await nemesisDone;
    await nemesis.healAll();
  } finally {
    for (const client of clients) client.stop();
    await driver.stop();
  }
  problems.push(...driver.problems());
  const history = recorder.records;
  const endNs = recorder.nowNs();
  const healedAtNs = nemesis.healedAtNs;
  const trace = options.traceFiles ? await readClusterTrace(options.traceFiles, recorder.epochNs, endNs, TRACE_EVENTS_MAX) : [];

  const context: CheckContext = { nodes: options.nodes, healedAtNs, endNs, params: system.params };
  const checkers = [...workload.check(history, context), clusterChecker(problems, nemesis.errors, recorder.overflowed)];
  const verdict = worstVerdict(checkers.map((result) => result.verdict));
  const invalid = [...new Set(checkers.filter((result) => result.verdict === 'invalid').map((result) => result.checker))].sort();
  return {
    verdict,
    checkers,
    violation: invalid.length > 0 ? invalid.join('+') : null,
    history,
    faults: nemesis.events,
    trace,
    plan,
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
