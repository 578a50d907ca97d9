// Why a run failed, in words a person checks in a minute: which fault events were necessary (each
// one taken out by replay, the violation gone without it: measured, not guessed), the chain of
// messages that carried the failure from the first necessary fault to the violating step (each hop
// with the nodes' statuses as the system reports them), and the node and message at fault.
//
// Everything here replays the run in this process: the same scenario and seed give the same trace,
// so a second pass can sample the statuses at exactly the chain's events. Nothing names a system:
// statuses are the plugin's own fields, messages are named by their `type`.
import { NS_PER_MS, type NodeId, type NodeStatus, type TraceEvent } from '../../nodes/host.js';
import { UsageError } from '../cli/command.js';
import type { HistoryRecord } from '../../histories/schema.js';
import type { SystemPlugin } from '../../workloads/system.js';
import { runScenario, type RunResult } from './runner.js';
import type { ExplicitScenario, ScenarioInput } from './scenario.js';

/** One fault event of the schedule and whether the violation needs it. */
export interface FaultNeed {
  index: number;
  /** The event as the scenario has it. */
  event: ExplicitScenario['faults'][number];
  necessary: boolean;
  /** What the run without it gave: `valid`, or the violation it still had. */
  without: string;
}

/** Where the violation showed: a node (or client) at a true time, and what revealed it. */
export interface ViolationPoint {
  timeNs: number;
  node: NodeId | null;
  what: string;
}

/** One message of the chain: sent by `from` at `sentNs`, delivered to `to` at `deliveredNs`. */
export interface Hop {
  from: NodeId;
  to: NodeId;
  type: string;
  sentNs: number;
  deliveredNs: number;
  /** Statuses at the send (sender) and at the delivery (receiver), as the plugin reports them. */
  fromStatus: NodeStatus | null;
  toStatus: NodeStatus | null;
}

export interface Explanation {
  violation: string;
  summary: string;
  point: ViolationPoint | null;
  faults: FaultNeed[];
  /** The chain in time order, ending at the violation; empty when no message led to it. */
  chain: Hop[];
  /** The chain was cut at this many hops (the earliest ones left out). */
  chainCut: boolean;
  /** The node and message at fault, in one sentence. */
  atFault: string | null;
}

/** Hops shown at most: a chain longer than this is cut at its oldest end. */
const CHAIN_HOPS_MAX = 40;

/** The violation's place, read from the first invalid checker's evidence (shapes known to the lab's checkers). */
export function violationPoint(result: RunResult): ViolationPoint | null {
  for (const checker of result.checkers) {
    if (checker.verdict !== 'invalid') continue;
    const evidence = checker.evidence as Record<string, unknown> | undefined;
    // An invariant monitor's violations carry their time and node.
    const violations = evidence?.violations;
    if (Array.isArray(violations) && violations.length > 0) {
      const first = violations[0] as { time?: unknown; node?: unknown; invariant?: unknown; message?: unknown };
      if (typeof first.time === 'number') {
        return { timeNs: first.time, node: typeof first.node === 'string' ? first.node : null, what: `${checker.checker}: ${String(first.invariant ?? '')} ${String(first.message ?? '')}`.trim() };
      }
    }
    // A history checker's ops: the stuck op of a linearizability violation, or any op it names.
    const op = firstOp(evidence);
    if (op !== null) {
      const record = result.history[op.completeIndex ?? op.invokeIndex];
      if (record?.time !== undefined) return { timeNs: record.time, node: clientOf(record), what: `${checker.checker}: ${describeRecord(record)}` };
    }
    return null;
  }
  return null;
}

interface OpRef {
  invokeIndex: number;
  completeIndex: number | null;
}

function firstOp(evidence: Record<string, unknown> | undefined): OpRef | null {
  if (evidence === undefined || evidence === null) return null;
  for (const field of ['stuck', 'ops', 'stalled', 'stalls']) {
    const list = evidence[field];
    if (!Array.isArray(list) || list.length === 0) continue;
    const item = list[0] as Record<string, unknown>;
    if (typeof item.invokeIndex === 'number') return { invokeIndex: item.invokeIndex, completeIndex: typeof item.completeIndex === 'number' ? item.completeIndex : null };
    if (typeof item.index === 'number') return { invokeIndex: item.index, completeIndex: null };
  }
  return null;
}

/** Client processes are `c<process>` on the network (scripts/lab/runner.ts names them so). */
function clientOf(record: HistoryRecord): NodeId {
  return `c${record.process}`;
}

function describeRecord(record: HistoryRecord): string {
  return `p${record.process} ${record.f}${record.key === undefined ? '' : ` ${record.key}`} ${record.type} ${JSON.stringify(record.value)}${record.node === undefined ? '' : ` via ${record.node}`}`;
}

/**
 * Replays the run without each fault event in turn: an event is necessary when the violation
 * (the same checkers invalid) goes away without it.
 */
export function necessaryFaults(scenario: ExplicitScenario, seed: number, plugin: SystemPlugin, violation: string): FaultNeed[] {
  return scenario.faults.map((event, index) => {
    const without = runScenario({ ...scenario, faults: scenario.faults.filter((_, k) => k !== index) } as ScenarioInput, seed, { plugin, traceLimit: 0 });
    return { index, event, necessary: without.violation !== violation, without: without.violation ?? without.verdict };
  });
}

interface Indexed {
  at: number;
  event: TraceEvent;
}

/**
 * The chain of messages into the violating step: from the point, the last message delivered to
 * its node before it; then, from that message's send, the last message delivered to the sender
 * before the send; and so on back to `fromNs` (the first necessary fault), the start, or a
 * client's request (the start of an op).
 */
export function messageChain(trace: readonly TraceEvent[], point: ViolationPoint, fromNs: number, servers: ReadonlySet<NodeId>): { hops: { send: Indexed; deliver: Indexed }[]; cut: boolean } {
  const sends = new Map<number, Indexed>();
  const deliversTo = new Map<NodeId, Indexed[]>();
  trace.forEach((event, at) => {
    const id = event.fields?.id;
    if (typeof id !== 'number') return;
    if (event.kind === 'msg.send') sends.set(id, { at, event });
    if (event.kind === 'msg.deliver' && typeof event.fields?.to === 'string') {
      const list = deliversTo.get(event.fields.to) ?? [];
      list.push({ at, event });
      deliversTo.set(event.fields.to, list);
    }
  });
  const hops: { send: Indexed; deliver: Indexed }[] = [];
  let node = point.node;
  let beforeAt = trace.length;
  let beforeNs = point.timeNs;
  const seen = new Set<number>();
  while (node !== null && hops.length < CHAIN_HOPS_MAX) {
    const list = deliversTo.get(node) ?? [];
    let deliver: Indexed | undefined;
    for (let k = list.length - 1; k >= 0; k--) {
      const item = list[k]!;
      if (item.at < beforeAt && item.event.time <= beforeNs) {
        deliver = item;
        break;
      }
    }
    if (deliver === undefined || deliver.event.time < fromNs || seen.has(deliver.at)) break;
    seen.add(deliver.at);
    const send = sends.get(deliver.event.fields!.id as number);
    if (send === undefined) break;
    hops.push({ send, deliver });
    node = typeof send.event.fields?.from === 'string' ? send.event.fields.from : null;
    // A client's request starts its op: what the client did before is another story.
    if (node !== null && !servers.has(node)) break;
    beforeAt = send.at;
    beforeNs = send.event.time;
  }
  return { hops: hops.reverse(), cut: hops.length >= CHAIN_HOPS_MAX };
}

/**
 * The node and message at fault. A violation a server showed (an invariant): that server, on the
 * last message it took. One a client saw (a wrong answer): the server that answered, on the
 * request it answered, and how many other servers it heard from in between (none: it answered on
 * its own, without a round trip).
 */
export function atFault(hops: readonly Hop[], point: ViolationPoint, servers: ReadonlySet<NodeId>, trace: readonly TraceEvent[]): string | null {
  const last = hops.at(-1);
  if (point.node === null) return null;
  if (last === undefined) return `${point.node}, with no message reaching it since the first necessary fault (${point.what})`;
  if (servers.has(point.node)) return `${point.node}, on ${last.from}'s ${last.type} delivered at ${ms(last.deliveredNs)} (${point.what})`;
  const request = hops.at(-2);
  if (request === undefined || request.to !== last.from || servers.has(request.from)) {
    return `${last.from}, whose ${last.type} reached ${last.to} at ${ms(last.deliveredNs)} (${point.what})`;
  }
  const heard = new Set<NodeId>();
  for (const event of trace) {
    if (event.time < request.deliveredNs || event.time > last.sentNs) continue;
    const from = event.fields?.from;
    if (event.kind === 'msg.deliver' && event.fields?.to === last.from && typeof from === 'string' && servers.has(from) && from !== last.from) heard.add(from);
  }
  const between = heard.size === 0 ? 'hearing from no other node in between: it answered on its own, without a round trip' : `having heard from ${[...heard].sort().join(', ')} in between`;
  return `${last.from} answered ${request.from}'s ${request.type} (delivered ${ms(request.deliveredNs)}) with ${last.type} at ${ms(last.sentNs)}, ${between} (${point.what})`;
}

function ms(ns: number): string {
  return `${(ns / 1e6).toFixed(1)} ms`;
}

/** The whole explanation of a failing run (it must be invalid). Replays it 2 + (fault events) times. */
export function explainRun(scenario: ScenarioInput, seed: number, plugin: SystemPlugin, source = 'run'): Explanation {
  const result = runScenario(scenario, seed, { plugin, source });
  if (result.violation === null) throw new UsageError(`${source}: the run is ${result.verdict}, not invalid: there is no failure to explain`);
  const faults = necessaryFaults(result.scenario, seed, plugin, result.violation);
  const point = violationPoint(result);
  const firstNecessary = faults.find((need) => need.necessary);
  const fromNs = firstNecessary === undefined ? 0 : firstNecessary.event.atMs * NS_PER_MS;
  const base = { violation: result.violation, summary: summaryOf(result), point, faults };
  if (point === null) return { ...base, chain: [], chainCut: false, atFault: null };
  const servers = new Set(serverIds(result));
  const found = messageChain(result.trace, point, fromNs, servers);
  // A second pass samples each hop's statuses at its very events (the trace's positions match).
  const wanted = new Map<number, NodeId>();
  for (const hop of found.hops) {
    wanted.set(hop.send.at, hop.send.event.fields!.from as NodeId);
    wanted.set(hop.deliver.at, hop.deliver.event.fields!.to as NodeId);
  }
  const statuses = new Map<number, NodeStatus>();
  let at = -1;
  runScenario(result.scenario, seed, {
    plugin,
    source,
    traceLimit: 0,
    observe: (_event, inspector) => {
      at += 1;
      const node = wanted.get(at);
      if (node !== undefined && servers.has(node)) statuses.set(at, { ...inspector.status(node) });
    },
  });
  const chain: Hop[] = found.hops.map(({ send, deliver }) => ({
    from: send.event.fields!.from as NodeId,
    to: deliver.event.fields!.to as NodeId,
    type: typeof send.event.fields?.type === 'string' ? send.event.fields.type : 'message',
    sentNs: send.event.time,
    deliveredNs: deliver.event.time,
    fromStatus: statuses.get(send.at) ?? null,
    toStatus: statuses.get(deliver.at) ?? null,
  }));
  return { ...base, chain, chainCut: found.cut, atFault: atFault(chain, point, servers, result.trace) };
}

function serverIds(result: RunResult): NodeId[] {
  const ids = new Set<NodeId>();
  for (const event of result.trace) if (event.node !== null && event.kind === 'proc.start' && !/^c\d+$/.test(event.node)) ids.add(event.node);
  return [...ids];
}

function summaryOf(result: RunResult): string {
  return result.checkers.filter((checker) => checker.verdict === 'invalid').map((checker) => checker.summary).join('; ');
}

/** A status as one short text: its fields in their own order (`leader term 3`, `down: crashed`). */
export function statusText(status: NodeStatus | null): string {
  if (status === null) return '';
  if (status.down !== undefined) return `down (${status.down})`;
  return Object.entries(status)
    .filter(([field, value]) => value !== undefined && value !== null && field !== 'voters' && field !== 'outgoing')
    .map(([field, value]) => (field === 'role' ? String(value) : `${field} ${String(value)}`))
    .join(' ');
}

/** The explanation as lines for a terminal. */
export function explanationLines(explanation: Explanation): string[] {
  const lines = [`violation: ${explanation.violation}: ${explanation.summary}`];
  if (explanation.point !== null) lines.push(`shown at ${ms(explanation.point.timeNs)}${explanation.point.node === null ? '' : ` on ${explanation.point.node}`}: ${explanation.point.what}`);
  lines.push('', 'fault events (each replayed without it):');
  if (explanation.faults.length === 0) lines.push('  none: the failure needs no fault (the bug shows on a healthy cluster)');
  for (const need of explanation.faults) {
    const { atMs, kind, durationMs, ...rest } = need.event as { atMs: number; kind: string; durationMs?: number };
    const what = Object.entries(rest).map(([field, value]) => `${field}=${Array.isArray(value) ? value.join(',') : String(value)}`).join(' ');
    lines.push(`  #${need.index} ${kind} ${what} at ${atMs} ms${durationMs === undefined ? '' : ` for ${durationMs} ms`}: ${need.necessary ? `NECESSARY (without it: ${need.without})` : `not needed (without it still ${need.without})`}`);
  }
  lines.push('', explanation.chain.length === 0 ? 'no message chain leads to the violation' : `message chain to the violation${explanation.chainCut ? ` (the last ${explanation.chain.length} hops)` : ''}:`);
  for (const hop of explanation.chain) {
    const statuses = [hop.fromStatus === null ? '' : `${hop.from}: ${statusText(hop.fromStatus)}`, hop.toStatus === null ? '' : `${hop.to}: ${statusText(hop.toStatus)}`].filter((text) => text !== '').join(' · ');
    lines.push(`  ${ms(hop.sentNs).padStart(10)}  ${hop.from} → ${hop.to}  ${hop.type.padEnd(18)} ${statuses}`);
  }
  if (explanation.atFault !== null) lines.push('', `at fault: ${explanation.atFault}`);
  return lines;
}
