// `maelstrom test`: a Maelstrom node binary, run as `nodeCount` child processes, through one of
// Maelstrom's workloads in real time. Phases, on one clock (ns since the test's epoch):
// 1. start the processes and give each `init` (it must answer `init_ok` within `initTimeoutMs`);
//    then the workload's setup (broadcast's `topology`);
// 2. the clients invoke until `timeLimitMs`, each bound to one node, while the nemesis plays the
//    drawn schedule of network faults (partitions heal at three quarters of the time limit);
// 3. heal, wait `recoveryMs` for the nodes to converge, then one final read per node where the
//    workload judges final reads;
// 4. stop the nodes, judge the history with the workload's checkers and the protocol checker.
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { NodeId } from '../../nodes/host.js';
import type { HistoryRecord } from '../../histories/schema.js';
import { type CheckerResult, type Verdict, worstVerdict } from '../../checkers/verdict.js';
import { faultCatalog } from '../../faults/catalog.js';
import type { FaultEvent } from '../../faults/kind.js';
import { Nemesis } from '../../faults/nemesis.js';
import { DEFAULT_INTENSITY } from '../../faults/schedule.js';
import { outcomeOf, type Body } from '../../workloads/maelstrom/protocol.js';
import { anomaliesOf } from '../../workloads/maelstrom/anomalies.js';
import { createService, isServiceId, type MaelstromService } from '../../workloads/maelstrom/services.js';
import type { MaelstromOp, MaelstromWorkload, WorkloadOptions } from '../../workloads/maelstrom/workloads.js';
import { clusterSchedule, faultAction, RealTimeScheduler } from '../cluster/real-nemesis.js';
import { historyFingerprint } from '../cluster/test-run.js';
import { HistoryRecorder } from '../tcp/client-host.js';
import { createRandom } from '../tcp/random.js';
import { MaelstromNetwork, type NetworkStats } from './network.js';
import { NodeProcess } from './node-process.js';
import { RpcEndpoint } from './rpc.js';
import { MaelstromWorld } from './world.js';

/** The fault groups a Maelstrom test may ask for: the network's (see world.ts). */
export const NEMESIS_GROUPS = ['partition', 'network'] as const;
/** How often the services do their background work (lww-kv's gossip). */
const SERVICE_TICK_MS = 20;
/** The harness's own endpoint: init, topology and final reads come from it. */
const HARNESS = 'c0';
/** Problems kept from the whole run; the first says what went wrong. */
const PROBLEMS_MAX = 100;
/** Process numbers of final reads start here, far from the clients'. */
const FINAL_READ_PROCESS_BASE = 1_000_000;

export interface MaelstromTestOptions {
  workload: MaelstromWorkload;
  command: string;
  args: readonly string[];
  nodeCount: number;
  timeLimitMs: number;
  /** Client requests per second, over all clients. */
  rate: number;
  /** Clients; each is bound to one node, round robin. */
  concurrency: number;
  latencyMs: number;
  /** Fault kind names (network kinds only), expanded from `--nemesis`. */
  nemesis: readonly string[];
  /** Mean fault starts per second of the fault window. */
  faultRate: number;
  seed: number;
  timeoutMs: number;
  initTimeoutMs: number;
  recoveryMs: number;
  workloadOptions: WorkloadOptions;
  /** Each node's stderr goes to `<logDir>/<id>.log` when given. */
  logDir?: string;
  log: (line: string) => void;
}

export interface MaelstromTestResult {
  workload: string;
  verdict: Verdict;
  violation: string | null;
  /** What went wrong, named (`lost`, `stale-read`, ...): empty when nothing did. */
  anomalies: string[];
  checkers: CheckerResult[];
  history: HistoryRecord[];
  faults: { time: number; kind: string; fields: Record<string, unknown> }[];
  schedule: FaultEvent[];
  stats: NetworkStats & { ops: number; outcomes: { ok: number; fail: number; info: number }; serverMessagesPerOp: number };
  problems: string[];
  fingerprint: string;
  wallMs: number;
}

/** The test could not start: a missing binary, a node that exits or never answers init. */
export class MaelstromStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MaelstromStartError';
  }
}

/** Where `command` is found the way spawn finds it, or null. */
export function findExecutable(command: string, path = process.env.PATH ?? ''): string | null {
  const runnable = (file: string): boolean => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (command.includes('/')) return runnable(command) ? command : null;
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, command);
    if (runnable(file)) return file;
  }
  return null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1]?.slice(0, 200) ?? '';
}

export async function runMaelstromTest(options: MaelstromTestOptions): Promise<MaelstromTestResult> {
  const wallStarted = Date.now();
  const { workload } = options;
  if (findExecutable(options.command) === null) {
    const path = options.command.includes('/');
    if (path && existsSync(options.command)) throw new MaelstromStartError(`--bin ${options.command}: not executable; chmod +x it, or run it through its interpreter (--bin node ${options.command})`);
    throw new MaelstromStartError(`--bin ${options.command}: no such executable${path ? '' : ' on PATH'}; give the path to the node binary`);
  }
  const nodes: NodeId[] = Array.from({ length: options.nodeCount }, (_, index) => `n${index + 1}`);
  if (options.logDir !== undefined) mkdirSync(options.logDir, { recursive: true });
  const recorder = new HistoryRecorder(process.hrtime.bigint());
  const problems: string[] = [];
  const note = (text: string): void => {
    if (problems.length < PROBLEMS_MAX) problems.push(text);
  };
  const services = new Map<string, MaelstromService>();
  const endpoints = new Map<string, RpcEndpoint>();
  const processes = new Map<NodeId, NodeProcess>();

  const network = new MaelstromNetwork({
    nodes,
    random: createRandom(options.seed, 'maelstrom/network'),
    latencyMs: options.latencyMs,
    deliver(envelope) {
      const node = processes.get(envelope.dest);
      if (node !== undefined) {
        node.send(envelope);
        return true;
      }
      const endpoint = endpoints.get(envelope.dest);
      if (endpoint !== undefined) {
        endpoint.receive(envelope);
        return true;
      }
      if (isServiceId(envelope.dest)) {
        let service = services.get(envelope.dest);
        if (service === undefined) {
          service = createService(envelope.dest, createRandom(options.seed, `maelstrom/service/${envelope.dest}`));
          services.set(envelope.dest, service);
        }
        // A reply to a reply is not sent: a service answers requests only.
        if (envelope.body.in_reply_to === undefined) network.send({ src: envelope.dest, dest: envelope.src, body: service.handle(envelope.src, envelope.body, recorder.nowNs() / 1e6) });
        return true;
      }
      return false;
    },
  });
  const endpoint = (id: string): RpcEndpoint => {
    const made = new RpcEndpoint(
      id,
      (envelope) => network.send(envelope),
      (stray) => note(`${stray.src} sent ${id} a ${stray.body.type} that answers no request of ${id} (in_reply_to ${String(stray.body.in_reply_to)})`),
    );
    endpoints.set(id, made);
    return made;
  };
  const harness = endpoint(HARNESS);
  const serviceTimer = setInterval(() => {
    for (const service of services.values()) service.tick(recorder.nowNs() / 1e6);
  }, SERVICE_TICK_MS);

  const world = new MaelstromWorld(network, nodes, () => recorder.nowNs());
  const catalog = faultCatalog();
  const { events, safetyEndMs } = clusterSchedule({
    catalog,
    kinds: options.nemesis,
    nodes,
    durationMs: options.timeLimitMs,
    seed: options.seed,
    intensity: { ...DEFAULT_INTENSITY, ratePerSecond: options.faultRate },
  });
  const scheduler = new RealTimeScheduler(() => recorder.nowNs());
  const nemesis = new Nemesis(world, catalog, scheduler.at);
  const clientEndpoints: RpcEndpoint[] = [];
  try {
    for (const id of nodes) {
      processes.set(
        id,
        new NodeProcess({
          id,
          command: options.command,
          args: options.args,
          logFile: options.logDir === undefined ? undefined : join(options.logDir, `${id}.log`),
          onEnvelope: (envelope) => network.send(envelope),
        }),
      );
    }
    await initNodes(processes, nodes, harness, options);
    options.log(`${nodes.length} nodes answered init`);
    if (workload.setup !== undefined) {
      const replies = await Promise.all(workload.setup(nodes, options.workloadOptions).map(({ dest, body }) => harness.call(dest, body, options.timeoutMs)));
      const missing = replies.filter((reply) => reply === null || reply.type === 'error').length;
      if (missing > 0) note(`${missing} nodes did not acknowledge the workload's setup (${workload.setup(nodes, options.workloadOptions)[0]?.body.type})`);
    }

    if (events.length > 0) options.log(`nemesis: ${events.length} faults drawn from seed ${options.seed}: ${events.map((event) => `${event.kind}@${event.atMs}ms`).join(', ')}`);
    const startNs = recorder.nowNs();
    nemesis.plan(events.map((event) => ({ ...event, atMs: event.atMs + Math.round(startNs / 1e6) })), safetyEndMs * 1e6 + startNs);
    const stopAtNs = startNs + options.timeLimitMs * 1e6;
    const clientRuns: Promise<void>[] = [];
    for (let index = 0; index < options.concurrency; index += 1) {
      const client = endpoint(`c${index + 1}`);
      clientEndpoints.push(client);
      clientRuns.push(runClient(client, index, nodes[index % nodes.length]!, stopAtNs, recorder, note, options));
    }
    await Promise.all(clientRuns);
    nemesis.healAll();
    if (workload.finalRead !== undefined) {
      options.log(`healed; waiting ${options.recoveryMs} ms, then a final read on each node`);
      await sleep(options.recoveryMs);
      const finalRead = workload.finalRead;
      await Promise.all(nodes.map((node, index) => invoke(harness, node, FINAL_READ_PROCESS_BASE + index, finalRead, recorder, note, options)));
    }
  } finally {
    scheduler.stop();
    world.stop();
    clearInterval(serviceTimer);
    for (const client of [harness, ...clientEndpoints]) client.close();
    await Promise.all([...processes.values()].map((node) => node.stop()));
    network.stop();
  }
  for (const node of processes.values()) {
    if (node.exitedByItself !== null) note(`${node.id} exited by itself during the test (${node.exitedByItself})${lastLine(node.logTail) === '' ? '' : `: ${lastLine(node.logTail)}`}`);
    for (const problem of node.problems) note(problem);
    if (node.problemCount > node.problems.length) note(`${node.id}: ${node.problemCount - node.problems.length} more protocol problems`);
  }
  const history = recorder.records;
  const ops = history.filter((record) => record.type === 'invoke').length;
  const faults = nemesis.records.map(faultAction);
  const errors = [...world.errors, ...scheduler.errors];
  const checkers = [...workload.check(history), protocolChecker(problems, errors, recorder.overflowed)];
  const verdict = worstVerdict(checkers.map((result) => result.verdict));
  const invalid = [...new Set(checkers.filter((result) => result.verdict === 'invalid').map((result) => result.checker))].sort();
  return {
    workload: workload.name,
    verdict,
    violation: invalid.length > 0 ? invalid.join('+') : null,
    anomalies: anomaliesOf(checkers),
    checkers,
    history,
    faults,
    schedule: events,
    stats: { ...network.stats, ops, outcomes: outcomesOf(history), serverMessagesPerOp: ops === 0 ? 0 : Math.round((network.stats.serverMessages / ops) * 100) / 100 },
    problems,
    fingerprint: historyFingerprint(history),
    wallMs: Date.now() - wallStarted,
  };
}

/** Sends every node its init and waits for each init_ok; a node that exits or stays silent stops the test. */
async function initNodes(processes: Map<NodeId, NodeProcess>, nodes: readonly NodeId[], harness: RpcEndpoint, options: MaelstromTestOptions): Promise<void> {
  const answers = nodes.map(async (id) => {
    const node = processes.get(id)!;
    const reply = await Promise.race([harness.call(id, { type: 'init', node_id: id, node_ids: [...nodes] }, options.initTimeoutMs), exitOf(node)]);
    if (node.startError !== null) throw new MaelstromStartError(`--bin ${options.command}: cannot start it (${node.startError})`);
    if (reply === 'exited') {
      const why = lastLine(node.logTail);
      throw new MaelstromStartError(`node ${id} exited before answering init (${node.exited})${why === '' ? '' : `: ${why}`}`);
    }
    if (reply === null) throw new MaelstromStartError(`node ${id} never answered init within ${options.initTimeoutMs} ms; a Maelstrom node must reply init_ok on stdout (see --help)`);
    if (reply.type !== 'init_ok') throw new MaelstromStartError(`node ${id} answered init with ${JSON.stringify(reply.type)}; expected init_ok`);
  });
  await Promise.all(answers);
}

async function exitOf(node: NodeProcess): Promise<'exited'> {
  await node.whenExited;
  return 'exited';
}

async function invoke(
  endpoint: RpcEndpoint,
  node: NodeId,
  processId: number,
  op: MaelstromOp,
  recorder: HistoryRecorder,
  note: (problem: string) => void,
  options: MaelstromTestOptions,
): Promise<'ok' | 'fail' | 'info'> {
  const record = (type: 'invoke' | 'ok' | 'fail' | 'info', value: unknown): void =>
    recorder.record({ process: processId, type, f: op.f, value, ...(op.key === undefined ? {} : { key: op.key }), node });
  record('invoke', op.value);
  const reply: Body | null = await endpoint.call(node, op.body, options.timeoutMs);
  const completion = options.workload.complete(op, reply === null ? null : outcomeOf(op.body.type, reply));
  if (completion.malformed !== undefined) note(`${node} answered ${op.body.type} with a malformed reply: ${completion.malformed}`);
  record(completion.type, completion.value);
  return completion.type;
}

/** One client: requests paced as a Poisson process at its share of the rate, until the time limit. */
async function runClient(
  client: RpcEndpoint,
  index: number,
  node: NodeId,
  stopAtNs: number,
  recorder: HistoryRecorder,
  note: (problem: string) => void,
  options: MaelstromTestOptions,
): Promise<void> {
  const random = createRandom(options.seed, `maelstrom/client/${index}`);
  const meanGapMs = (1_000 * options.concurrency) / options.rate;
  // A process whose op ended unknown never invokes again (Jepsen's rule): the client takes a new one.
  let processId = index;
  for (let sequence = 0; ; sequence += 1) {
    await sleep(Math.max(1, Math.round(-meanGapMs * Math.log(1 - random.float()))));
    if (recorder.nowNs() >= stopAtNs) return;
    const op = options.workload.next(random, index, sequence, options.workloadOptions);
    const type = await invoke(client, node, processId, op, recorder, note, options);
    if (type === 'info') processId += options.concurrency;
  }
}

function outcomesOf(history: readonly HistoryRecord[]): { ok: number; fail: number; info: number } {
  const counts = { ok: 0, fail: 0, info: 0 };
  for (const record of history) if (record.type !== 'invoke') counts[record.type] += 1;
  return counts;
}

/** The node's side of the protocol, and faults the nemesis could not carry out, as a checker. */
export function protocolChecker(problems: readonly string[], nemesisErrors: readonly string[], overflowed: boolean): CheckerResult {
  if (problems.length > 0) return { checker: 'maelstrom-protocol', verdict: 'invalid', summary: `${problems.length} protocol problems: ${problems[0]}`, evidence: { problems, nemesisErrors } };
  if (nemesisErrors.length > 0 || overflowed) {
    return { checker: 'maelstrom-protocol', verdict: 'unknown', summary: overflowed ? 'the history overflowed its limit' : `a fault could not be carried out: ${nemesisErrors[0]}`, evidence: { nemesisErrors } };
  }
  return { checker: 'maelstrom-protocol', verdict: 'valid', summary: 'every message was a well-formed Maelstrom envelope from its own node' };
}
