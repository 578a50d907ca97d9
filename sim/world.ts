// The World: one simulated cluster, a pure function of its config (seed included).
//
// Every happening is an event in one queue ordered by (true time ns, scheduling order); one loop
// takes events off it and hands each to its target. Nothing else moves.
//
// Public API (stable; other folders code against it, re-exported by sim/index.ts):
//
//   new World(config: WorldConfig)
//   start()                               starts every process (servers in config order, then clients) at t=0;
//                                         only these first starts of servers get host.founding() = the members
//   runUntil(timeNs, stop?)               handles events with time <= timeNs, in order; then nowNs() = timeNs.
//                                         `stop()` is asked after every event; when true the run stops there.
//   runFor(durationNs, stop?)             runUntil(nowNs() + durationNs, stop)
//   step(): boolean                       handles one event; false when the queue is empty
//   nowNs()                               true (simulated) time
//   at(timeNs, action)                    a control event (nemesis), ordered with the rest
//   Faults (each records a trace event with node null and kind `fault.<name>`, feeding the fingerprint):
//     partition(spec) / heal()            connectivity shapes (sim/partition.ts); heal also unclogs every link
//     setLinkFaults(spec) / clearLinkFaults()   drop/dup/reorder odds and latency, all links or from/to
//     clog(from, to, untilNs)             the link holds its messages until untilNs, then releases them in order
//     crash(id, mode?) / restart(id)      mode 'lose' | 'tear'; without a mode the node's disk stream chooses
//     pause(id) / resume(id)
//     clockOffset(id, ns) / clockDrift(id, ppm) / clockJump(id, ns)
//     diskFault(id, { corruptReads?, fsyncFail?, stallNs?, full? })   given fields replace, absent ones stay
//     addNode(id) / removeNode(id)        server membership as peers() reports it (a re-added node gets a fresh disk)
//   inject(from, to, message)             a message from any sender (e.g. 'admin') through the network;
//                                         replies to an external sender are dropped (reason no-process)
//   Inspection: status(id), process(id), processState(id), nodes() (members, sorted n2 < n10),
//     endpoints(), clientsDone(), reaches(from, to), disk(id), clockNow(id)
//   observe(monitor)                      called with every trace event (fingerprint and trace are unaffected)
//   history(), trace(), fingerprint(), stats(), failures()
//
// Trace kinds (sim/trace.ts): msg.send / msg.deliver / msg.drop (fields from, to, id, type?, reason?),
// msg.hold (arrived at a paused process), timer.fire, disk.fsync, proc.start / proc.restart /
// proc.crash / proc.pause / proc.resume / proc.failure / proc.fault-point, client.done, fault.<name>
// (node null), and whatever nodes log() under their own kinds. The fingerprint covers every event
// and history record whether or not the trace keeps it (traceLimit keeps the first events only).
//
// Random streams, all derived from (seed, name): network, partition, disk/<id>, clock/<id>,
// node/<id> (a server's host.random), client/<id>, fault-point/<id>.
//
// Faults that do not apply (crash of a crashed node, resume of a running one) are recorded with
// `noop: true` and change nothing else, so a randomly drawn schedule never has to know the state.
// A handler that throws is recorded in failures() and the trace (`proc.failure`), and its process
// is crashed (mode 'lose'); the run goes on.
import { MESSAGE_BYTES_MAX } from '../nodes/host.js';
import type {
  ClientHost,
  ClientRecord,
  Host,
  Message,
  NodeId,
  NodeStatus,
  HistoryRecord,
  Process,
  ProcessFactory,
  TimerId,
  TimerTag,
  TraceFields,
} from '../nodes/host.js';
import { AssertionError, assert, isCount } from './assert.js';
import { CLOCK_CONFIG_DEFAULT, NodeClock, WALL_EPOCH_NS, type ClockConfig } from './clock.js';
import { DISK_CONFIG_DEFAULT, SimDisk, type CrashMode, type DiskConfig, type DiskFaults, type PendingFsync } from './disk.js';
import { Fingerprint, hashString32 } from './fingerprint.js';
import { jsonSizeBytes } from './message-size.js';
import { SimHost, type HostKernel } from './host.js';
import { DropReason, NETWORK_CONFIG_DEFAULT, Network, dropReasonName, type LinkFaultSpec, type NetworkConfig } from './network.js';
import { planPartition, type PartitionSpec } from './partition.js';
import { Endpoint, HOLD_MAX_DEFAULT, type EndpointRole } from './process.js';
import { EventKind, EventQueue, QUEUE_CAPACITY_MAX } from './queue.js';
import { SimRandom } from './random.js';
import { TraceCode, TraceKind, type TraceEvent } from './trace.js';

export interface WorldConfig {
  /** Root seed, a non-negative safe integer. Every random stream derives from it by name. */
  seed: number;
  /** Server ids, e.g. ['n1', 'n2', 'n3']. */
  nodes: NodeId[];
  node: ProcessFactory<Host>;
  clients?: { id: NodeId; factory: ProcessFactory<ClientHost> }[];
  /** Planted bugs switched on (host.bug(name)). */
  bugs?: readonly string[];
  /** host.faultPoint(name) answers true with numerator / denominator when enabled. */
  faultPoints?: { enabled: boolean; numerator: number; denominator: number };
  network?: Partial<NetworkConfig>;
  disk?: Partial<DiskConfig>;
  /** Initial clock offsets and drifts, drawn per node within these bounds. */
  clock?: Partial<ClockConfig>;
  /** Trace events kept in memory (the first ones); the fingerprint covers all. Default 200,000. */
  traceLimit?: number;
  /** Messages whose JSON is larger are dropped (`too-large`); default MESSAGE_BYTES_MAX, the TCP host's limit. */
  messageBytesMax?: number;
  /** Events held for one paused process; beyond, they are dropped. Default 100,000. */
  holdMax?: number;
  /** History records kept; a client recording beyond fails. Default 10,000,000. */
  historyLimit?: number;
  /** Live events (queued or held) the queue may grow to. Default and maximum 2^22. */
  eventsMax?: number;
}

export const TRACE_LIMIT_DEFAULT = 200_000;
export const HISTORY_LIMIT_DEFAULT = 10_000_000;
export const FAILURES_MAX = 10_000;
export const TIMER_SERIAL_MAX = 2 ** 31 - 1;

/** One history record as the World stamps it: always with its true time. */
export type SimHistoryRecord = HistoryRecord & { time: number };

export interface Failure {
  time: number;
  node: NodeId;
  message: string;
}

export interface WorldStats {
  nowNs: number;
  events: number;
  messagesSent: number;
  messagesDelivered: number;
  messagesDropped: number;
  messagesDuplicated: number;
  timersFired: number;
  fsyncsCompleted: number;
  crashes: number;
  restarts: number;
  failures: number;
  traceEvents: number;
  traceDropped: number;
  historyRecords: number;
  queueLiveMax: number;
}

export type DiskFaultSpec = Partial<DiskFaults>;

export type Monitor = (event: TraceEvent, world: World) => void;

const RECORD_TYPES: Readonly<Record<string, number>> = { invoke: 1, ok: 2, fail: 3, info: 4 };
/** Marks a held message slot (in `queue.cancelled`) that already arrived before its process paused. */
const ARRIVED = 2;
/** Marks an fsync slot (in `queue.id`) whose durability was already applied. */
const APPLIED = 1;

function messageType(message: unknown): string | undefined {
  if (typeof message === 'object' && message !== null) {
    const type = (message as { type?: unknown }).type;
    if (typeof type === 'string') return type;
  }
  return undefined;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Numeric-aware order of ids, so n2 sorts before n10. */
export function compareIds(a: string, b: string): number {
  const pattern = /(\d+)|(\D+)/g;
  const partsA = a.match(pattern) ?? [];
  const partsB = b.match(pattern) ?? [];
  for (let i = 0; i < Math.min(partsA.length, partsB.length); i++) {
    const pa = partsA[i]!;
    const pb = partsB[i]!;
    if (pa === pb) continue;
    const na = /^\d/.test(pa);
    const nb = /^\d/.test(pb);
    if (na && nb && Number(pa) !== Number(pb)) return Number(pa) - Number(pb);
    return pa < pb ? -1 : 1;
  }
  if (partsA.length !== partsB.length) return partsA.length - partsB.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export class World implements HostKernel {
  readonly seed: number;
  private readonly config: WorldConfig;
  private readonly networkConfig: NetworkConfig;
  private readonly diskConfig: DiskConfig;
  private readonly clockConfig: ClockConfig;
  private readonly queue: EventQueue;
  private readonly network: Network;
  private readonly partitionRandom: SimRandom;
  private readonly endpointList: Endpoint[] = [];
  private memberIds: NodeId[] = [];
  private readonly bugSet: ReadonlySet<string>;
  private readonly faultPointOdds: { numerator: number; denominator: number } | null;
  private readonly traceLimit: number;
  private readonly messageBytesMax: number;
  private readonly holdMax: number;
  private readonly historyLimit: number;

  private now = 0;
  private started = false;
  private readonly fp = new Fingerprint();
  private readonly traceEvents: TraceEvent[] = [];
  private readonly monitors: Monitor[] = [];
  private readonly records: SimHistoryRecord[] = [];
  private readonly failureList: Failure[] = [];
  private timerSerial = 0;
  private messageSerial = 0;
  private lastType: string | undefined = undefined;
  private lastTypeWord = 0;

  private eventCount = 0;
  private sentCount = 0;
  private deliveredCount = 0;
  private droppedCount = 0;
  private duplicatedCount = 0;
  private timersFiredCount = 0;
  private fsyncsCompletedCount = 0;
  private crashCount = 0;
  private restartCount = 0;
  private failureCount = 0;
  private traceCount = 0;

  constructor(config: WorldConfig) {
    assert(isCount(config.seed), `world: seed must be a non-negative safe integer, got ${config.seed}`);
    const ids = [...config.nodes, ...(config.clients ?? []).map((client) => client.id)];
    assert(new Set(ids).size === ids.length, `world: process ids must be unique, got ${ids.join(',')}`);
    assert(ids.every((id) => id.length > 0), 'world: process ids must not be empty');
    this.seed = config.seed;
    this.config = config;
    this.networkConfig = { ...NETWORK_CONFIG_DEFAULT, ...config.network };
    this.diskConfig = { ...DISK_CONFIG_DEFAULT, ...config.disk };
    this.clockConfig = { ...CLOCK_CONFIG_DEFAULT, ...config.clock };
    assert(isCount(this.clockConfig.offsetNsMax) && isCount(this.clockConfig.driftPpmMax), 'world: clock bounds must be non-negative integers');
    this.traceLimit = config.traceLimit ?? TRACE_LIMIT_DEFAULT;
    this.messageBytesMax = config.messageBytesMax ?? MESSAGE_BYTES_MAX;
    assert(isCount(this.messageBytesMax) && this.messageBytesMax > 0, 'world: messageBytesMax must be a positive integer');
    this.holdMax = config.holdMax ?? HOLD_MAX_DEFAULT;
    this.historyLimit = config.historyLimit ?? HISTORY_LIMIT_DEFAULT;
    assert(isCount(this.traceLimit) && isCount(this.holdMax) && isCount(this.historyLimit), 'world: limits must be non-negative integers');
    this.bugSet = new Set(config.bugs ?? []);
    const faultPoints = config.faultPoints;
    if (faultPoints !== undefined && faultPoints.enabled) {
      assert(
        isCount(faultPoints.numerator) && isCount(faultPoints.denominator) && faultPoints.denominator > 0,
        'world: faultPoints odds must be integers with a positive denominator',
      );
      this.faultPointOdds = { numerator: faultPoints.numerator, denominator: faultPoints.denominator };
    } else {
      this.faultPointOdds = null;
    }
    this.queue = new EventQueue(1024, config.eventsMax ?? QUEUE_CAPACITY_MAX);
    this.network = new Network(this.networkConfig, SimRandom.stream(config.seed, 'network'), 16);
    this.partitionRandom = SimRandom.stream(config.seed, 'partition');
    for (const id of config.nodes) this.addEndpoint(id, 'server', config.node);
    for (const client of config.clients ?? []) this.addEndpoint(client.id, 'client', client.factory);
    this.memberIds = [...config.nodes].sort(compareIds);
  }

  // ---------------------------------------------------------------------------------------------
  // Running.

  start(): void {
    assert(!this.started, 'world: start() called twice');
    this.started = true;
    for (const endpoint of this.endpointList) {
      // The servers' first start creates the cluster: each is told the initial membership.
      if (endpoint.role !== 'external') this.startProcess(endpoint, false, endpoint.role === 'server' ? this.memberIds : []);
    }
  }

  nowNs(): number {
    return this.now;
  }

  runUntil(timeNs: number, stop?: () => boolean): void {
    assert(this.started, 'world: runUntil() before start()');
    assert(isCount(timeNs) && timeNs >= this.now, `world: runUntil(${timeNs}) must not go back from ${this.now}`);
    const queue = this.queue;
    if (stop === undefined) {
      while (queue.peekTime() <= timeNs) this.step();
    } else {
      while (queue.peekTime() <= timeNs) {
        this.step();
        if (stop()) return;
      }
    }
    this.now = timeNs;
  }

  runFor(durationNs: number, stop?: () => boolean): void {
    this.runUntil(this.now + durationNs, stop);
  }

  /** Handles the next event; false when there is none. */
  step(): boolean {
    const queue = this.queue;
    const slot = queue.pop();
    if (slot < 0) return false;
    const time = queue.poppedTimeNs;
    assert(time >= this.now, 'world: time went backwards');
    this.now = time;
    this.eventCount++;
    switch (queue.kind[slot]) {
      case EventKind.message:
        this.arrive(slot);
        break;
      case EventKind.timer:
        this.fireTimer(slot);
        break;
      case EventKind.fsync:
        this.finishFsync(slot);
        break;
      case EventKind.control:
        this.runControl(slot);
        break;
      default:
        throw new AssertionError(`world: event of unknown kind ${queue.kind[slot]} in slot ${slot}`);
    }
    return true;
  }

  at(timeNs: number, action: (world: World) => void): void {
    assert(isCount(timeNs) && timeNs >= this.now, `world: at(${timeNs}) is in the past (now ${this.now})`);
    const slot = this.queue.allocate(EventKind.control);
    if (slot < 0) throw new AssertionError('world: event queue full');
    this.queue.payload[slot] = action;
    this.queue.push(timeNs, slot);
  }

  // ---------------------------------------------------------------------------------------------
  // Faults.

  partition(spec: PartitionSpec): void {
    const plan = planPartition(spec, this.memberIds, this.network.endpointIds(), this.partitionRandom);
    const reach = this.network.reach;
    if (spec.merge !== true) reach.healAll();
    for (const [from, to] of plan.cuts) reach.sever(this.network.indexOf(from), this.network.indexOf(to));
    this.fault('partition', { shape: spec.kind, groups: plan.shape, merge: spec.merge === true, cuts: plan.cuts.length });
  }

  heal(): void {
    this.network.reach.healAll();
    this.network.unclogAll();
    this.fault('heal', undefined);
  }

  setLinkFaults(spec: LinkFaultSpec): void {
    this.network.setLinkFaults(spec);
    this.fault('link-faults', {
      from: spec.from,
      to: spec.to,
      dropNum: spec.dropNum,
      dupNum: spec.dupNum,
      reorderNum: spec.reorderNum,
      den: spec.den,
      reorderNsMax: spec.reorderNsMax,
      latency: spec.latency === undefined ? undefined : JSON.stringify(spec.latency),
    });
  }

  clearLinkFaults(): void {
    this.network.clearLinkFaults();
    this.fault('link-faults-clear', undefined);
  }

  clog(from: NodeId, to: NodeId, untilNs: number): void {
    const a = this.indexOf(from);
    const b = this.indexOf(to);
    this.network.clog(a, b, untilNs);
    this.fault('clog', { from, to, untilNs });
  }

  crash(id: NodeId, mode?: CrashMode): void {
    const endpoint = this.processEndpoint(id);
    const applies = endpoint.state === 'up' || endpoint.state === 'paused';
    this.fault('crash', { node: id, mode: mode ?? 'drawn', noop: !applies });
    if (applies) this.crashProcess(endpoint, mode);
  }

  restart(id: NodeId): void {
    const endpoint = this.processEndpoint(id);
    const applies = endpoint.state === 'down';
    this.fault('restart', { node: id, noop: !applies });
    if (applies) this.startProcess(endpoint, true);
  }

  pause(id: NodeId): void {
    const endpoint = this.processEndpoint(id);
    const applies = endpoint.state === 'up';
    this.fault('pause', { node: id, noop: !applies });
    if (!applies) return;
    endpoint.paused();
    this.emit(TraceCode.pause, TraceKind.pause, endpoint, undefined);
  }

  resume(id: NodeId): void {
    const endpoint = this.processEndpoint(id);
    const applies = endpoint.state === 'paused';
    this.fault('resume', { node: id, noop: !applies });
    if (!applies) return;
    const held = endpoint.resumed();
    // Held events go back in the queue now, in the order they arrived.
    for (const slot of held) this.queue.push(this.now, slot);
    this.emit(TraceCode.resume, TraceKind.resume, endpoint, { held: held.length });
  }

  /** Sets a node's clock `offsetNs` off its own skew (0 gives it its own back). */
  clockOffset(id: NodeId, offsetNs: number): void {
    this.processEndpoint(id).clock!.setOffset(this.now, offsetNs);
    this.fault('clock-offset', { node: id, offsetNs });
  }

  /** Makes a node's clock run `ppm` off its own drift (0 gives it its own back). */
  clockDrift(id: NodeId, ppm: number): void {
    this.processEndpoint(id).clock!.setDrift(this.now, ppm);
    this.fault('clock-drift', { node: id, ppm });
  }

  clockJump(id: NodeId, deltaNs: number): void {
    this.processEndpoint(id).clock!.jump(this.now, deltaNs);
    this.fault('clock-jump', { node: id, deltaNs });
  }

  diskFault(id: NodeId, spec: DiskFaultSpec): void {
    const disk = this.processEndpoint(id).disk!;
    assert(spec.stallNs === undefined || isCount(spec.stallNs), 'diskFault: stallNs must be a non-negative integer');
    disk.faults = { ...disk.faults, ...definedOnly(spec) };
    this.fault('disk', { node: id, ...disk.faults });
  }

  addNode(id: NodeId): void {
    const index = this.network.indexOf(id);
    let endpoint = index < 0 ? null : this.endpointList[index]!;
    assert(endpoint === null || endpoint.role === 'server', `addNode: "${id}" exists and is not a server`);
    const applies = endpoint === null || endpoint.state === 'removed';
    this.fault('add-node', { node: id, noop: !applies });
    if (!applies) return;
    if (endpoint === null) {
      endpoint = this.addEndpoint(id, 'server', this.config.node);
    } else {
      endpoint.disk!.wipe();
    }
    this.memberIds = [...this.memberIds, id].sort(compareIds);
    if (this.started) this.startProcess(endpoint, false);
  }

  removeNode(id: NodeId): void {
    const endpoint = this.processEndpoint(id);
    assert(endpoint.role === 'server', `removeNode: "${id}" is not a server`);
    const applies = endpoint.state !== 'removed';
    this.fault('remove-node', { node: id, noop: !applies });
    if (!applies) return;
    if (endpoint.state === 'up' || endpoint.state === 'paused') this.crashProcess(endpoint, 'lose');
    this.releaseHeld(endpoint, endpoint.removed());
    this.memberIds = this.memberIds.filter((member) => member !== id);
  }

  /** A message from any sender (an unknown `from` becomes an external endpoint) through the network. */
  inject(from: NodeId, to: NodeId, message: Message): void {
    let index = this.network.indexOf(from);
    if (index < 0) index = this.addEndpoint(from, 'external', null).index;
    this.sendFrom(index, to, message);
  }

  // ---------------------------------------------------------------------------------------------
  // Inspection.

  status(id: NodeId): NodeStatus {
    const endpoint = this.processEndpoint(id);
    if (endpoint.process === null) return { down: endpoint.state === 'removed' ? 'removed' : endpoint.state === 'idle' ? 'not started' : 'crashed' };
    return endpoint.process.status?.() ?? {};
  }

  process(id: NodeId): Process | null {
    return this.processEndpoint(id).process;
  }

  /** Current server members, sorted (n2 before n10). */
  nodes(): readonly NodeId[] {
    return this.memberIds;
  }

  /** Every endpoint id ever registered: servers, clients and external senders. */
  endpoints(): readonly NodeId[] {
    return this.network.endpointIds();
  }

  /** The process state of `id`: idle, up, paused, down or removed. */
  processState(id: NodeId): Endpoint['state'] {
    return this.processEndpoint(id).state;
  }

  /** True when every client has called done(). */
  clientsDone(): boolean {
    return this.endpointList.every((endpoint) => endpoint.role !== 'client' || endpoint.done);
  }

  /** The disk of `id`, for tests and white-box monitors. */
  disk(id: NodeId): SimDisk {
    return this.processEndpoint(id).disk!;
  }

  /** Whether a message sent now from `from` would pass the partition (links may still lose it). */
  reaches(from: NodeId, to: NodeId): boolean {
    return this.network.reach.reaches(this.indexOf(from), this.indexOf(to));
  }

  /** The clock reading of `id` now. */
  clockNow(id: NodeId): number {
    return this.processEndpoint(id).clock!.now(this.now);
  }

  observe(monitor: Monitor): void {
    this.monitors.push(monitor);
  }

  history(): readonly SimHistoryRecord[] {
    return this.records;
  }

  trace(): readonly TraceEvent[] {
    return this.traceEvents;
  }

  fingerprint(): string {
    return this.fp.hex();
  }

  failures(): readonly Failure[] {
    return this.failureList;
  }

  stats(): WorldStats {
    return {
      nowNs: this.now,
      events: this.eventCount,
      messagesSent: this.sentCount,
      messagesDelivered: this.deliveredCount,
      messagesDropped: this.droppedCount,
      messagesDuplicated: this.duplicatedCount,
      timersFired: this.timersFiredCount,
      fsyncsCompleted: this.fsyncsCompletedCount,
      crashes: this.crashCount,
      restarts: this.restartCount,
      failures: this.failureCount,
      traceEvents: this.traceCount,
      traceDropped: this.traceCount - this.traceEvents.length,
      historyRecords: this.records.length,
      queueLiveMax: this.queue.liveMax,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // HostKernel: what processes call through their SimHost. Not for other callers.

  hostPeers(): readonly NodeId[] {
    return this.memberIds;
  }

  hostWallNow(endpoint: Endpoint): number {
    return endpoint.clock!.now(this.now);
  }

  hostMonotonicNow(endpoint: Endpoint): number {
    return endpoint.clock!.monotonic(this.now) - endpoint.monotonicStartNs;
  }

  hostSend(endpoint: Endpoint, to: NodeId, message: Message): void {
    this.sendFrom(endpoint.index, to, message);
  }

  hostSetTimer(endpoint: Endpoint, delay: number, tag: TimerTag): TimerId {
    const trueDelayNs = endpoint.clock!.trueDelayNs(delay);
    // A timer id packs a serial and the slot, so cancelTimer finds the slot without a map; serials
    // below 2^31 keep ids exact in a double.
    if (this.timerSerial >= TIMER_SERIAL_MAX) throw new AssertionError(`setTimer: more than ${TIMER_SERIAL_MAX} timers in one run`);
    const queue = this.queue;
    const slot = queue.allocate(EventKind.timer);
    if (slot < 0) throw new AssertionError(`setTimer: the event queue is full (${queue.capacityMax} events)`);
    const id = ++this.timerSerial * QUEUE_CAPACITY_MAX + slot;
    queue.target[slot] = endpoint.index;
    queue.incarnation[slot] = endpoint.incarnation;
    queue.id[slot] = id;
    queue.payload[slot] = tag;
    queue.push(this.now + trueDelayNs, slot);
    return id;
  }

  hostCancelTimer(endpoint: Endpoint, id: TimerId): void {
    if (!Number.isSafeInteger(id) || id <= 0) return;
    const slot = id % QUEUE_CAPACITY_MAX;
    const queue = this.queue;
    // The slot may have been reused since: only the timer with this exact id is cancelled.
    if (queue.kind[slot] === EventKind.timer && queue.id[slot] === id && queue.target[slot] === endpoint.index) {
      queue.cancelled[slot] = 1;
    }
  }

  hostLog(endpoint: Endpoint, kind: string, fields: TraceFields | undefined): void {
    this.emitFree(TraceCode.log, kind, endpoint.id, endpoint.index, fields);
  }

  hostFaultPoint(endpoint: Endpoint, name: string): boolean {
    const odds = this.faultPointOdds;
    if (odds === null) return false;
    const fires = endpoint.faultPointRandom!.chance(odds.numerator, odds.denominator);
    if (fires) this.emit(TraceCode.faultPoint, TraceKind.faultPoint, endpoint, { name });
    return fires;
  }

  hostBug(name: string): boolean {
    return this.bugSet.has(name);
  }

  hostRecord(endpoint: Endpoint, record: ClientRecord): void {
    const typeCode = RECORD_TYPES[record.type];
    if (typeCode === undefined) throw new AssertionError(`record(): type must be invoke, ok, fail or info, got ${String(record.type)}`);
    if (!isCount(record.process)) throw new AssertionError(`record(): process must be a non-negative integer, got ${record.process}`);
    assert(typeof record.f === 'string' && record.f.length > 0, 'record(): f must be a non-empty string');
    assert(this.records.length < this.historyLimit, 'record(): more history records than historyLimit');
    const entry: SimHistoryRecord = {
      index: this.records.length,
      process: record.process,
      type: record.type,
      f: record.f,
      value: record.value,
      time: this.now,
    };
    if (record.key !== undefined) entry.key = record.key;
    if (record.node !== undefined) entry.node = record.node;
    this.records.push(entry);
    const fp = this.fp;
    fp.count(this.now);
    fp.word(TraceCode.record);
    fp.word(endpoint.index);
    fp.count(record.process);
    fp.word(typeCode);
    fp.string(record.f);
    fp.value(record.value);
    fp.value(record.key);
    fp.value(record.node);
  }

  hostDone(endpoint: Endpoint): void {
    if (endpoint.done) return;
    endpoint.done = true;
    this.emit(TraceCode.done, TraceKind.done, endpoint, undefined);
  }

  // ---------------------------------------------------------------------------------------------
  // Messages.

  private sendFrom(from: number, toId: NodeId, message: Message): void {
    const id = ++this.messageSerial;
    this.sentCount++;
    const to = this.network.indexOf(toId);
    const type = messageType(message);
    const fp = this.fp;
    fp.event(this.now, TraceCode.send, from * 65536 + (to & 0xffff), id);
    if (type !== undefined) {
      // Consecutive sends mostly share a type: hash it once, feed one word.
      if (type !== this.lastType) {
        this.lastType = type;
        this.lastTypeWord = hashString32(type);
      }
      fp.word(this.lastTypeWord);
    }
    if (this.tracing()) this.emitMessage(TraceKind.send, from, from, toId, id, type, undefined);
    else this.traceCount++;
    if (to < 0) return this.drop(from, from, toId, id, message, DropReason.unknownDestination);
    // The wire's limit, so a design that needs bigger messages fails here as it would for real.
    const sizeBytes = jsonSizeBytes(message, this.messageBytesMax);
    if (sizeBytes > this.messageBytesMax) return this.drop(from, from, toId, id, message, DropReason.tooLarge);
    const network = this.network;
    let atNs = network.route(from, to, this.now);
    if (atNs < 0) return this.drop(from, from, toId, id, message, atNs);
    // With a bandwidth, the message first waits for the link and takes its size over it.
    const transmitNs = network.transmitNs(from, to, this.now, sizeBytes);
    atNs += transmitNs;
    this.enqueueMessage(from, to, id, message, atNs);
    const duplicateAtNs = network.duplicateAtNs;
    if (duplicateAtNs >= 0) {
      this.duplicatedCount++;
      this.enqueueMessage(from, to, id, message, duplicateAtNs + transmitNs);
    }
  }

  private enqueueMessage(from: number, to: number, id: number, message: Message, atNs: number): void {
    const queue = this.queue;
    const slot = queue.allocate(EventKind.message);
    if (slot < 0) return this.drop(from, from, this.network.idOf(to), id, message, DropReason.overflow);
    queue.target[slot] = to;
    queue.source[slot] = from;
    queue.id[slot] = id;
    queue.payload[slot] = message;
    queue.push(atNs, slot);
    this.network.inFlight++;
  }

  private arrive(slot: number): void {
    const queue = this.queue;
    const network = this.network;
    const to = queue.target[slot]!;
    const from = queue.source[slot]!;
    const endpoint = this.endpointList[to]!;
    if (queue.cancelled[slot] !== ARRIVED) {
      // First arrival at the receiver's side of the link: partitions and clogs apply now.
      if (!network.reach.reaches(from, to)) {
        network.inFlight--;
        return this.dropSlot(slot, DropReason.partition);
      }
      const clogUntilNs = network.clogUntil(from, to);
      if (clogUntilNs > this.now) return queue.push(clogUntilNs, slot);
      network.inFlight--;
    } else if (queue.incarnation[slot] !== endpoint.incarnation) {
      // Arrived while paused, then the process crashed: its buffers are gone.
      return this.dropSlot(slot, DropReason.down);
    }
    const state = endpoint.state;
    if (state !== 'up') {
      if (state === 'paused') {
        queue.cancelled[slot] = ARRIVED;
        queue.incarnation[slot] = endpoint.incarnation;
        if (!endpoint.hold(slot)) return this.dropSlot(slot, DropReason.holdFull);
        const id = queue.id[slot]!;
        this.fp.event(this.now, TraceCode.hold, from * 65536 + to, id);
        if (this.tracing()) this.emitMessage(TraceKind.hold, to, from, endpoint.id, id, messageType(queue.payload[slot]), undefined);
        else this.traceCount++;
        return;
      }
      return this.dropSlot(slot, endpoint.role === 'external' ? DropReason.noProcess : DropReason.down);
    }
    const id = queue.id[slot]!;
    const message = queue.payload[slot];
    queue.release(slot);
    this.deliveredCount++;
    this.fp.event(this.now, TraceCode.deliver, from * 65536 + to, id);
    const fromId = network.idOf(from);
    if (this.tracing()) this.emitMessage(TraceKind.deliver, to, from, endpoint.id, id, messageType(message), undefined);
    else this.traceCount++;
    try {
      endpoint.process!.onMessage(fromId, message);
    } catch (error) {
      this.handlerFailed(endpoint, error, 'message');
    }
  }

  private dropSlot(slot: number, reason: number): void {
    const queue = this.queue;
    const to = queue.target[slot]!;
    const from = queue.source[slot]!;
    const id = queue.id[slot]!;
    const message = queue.payload[slot];
    queue.release(slot);
    this.drop(to, from, this.network.idOf(to), id, message, reason);
  }

  /** Records a lost message; `at` is the endpoint where it was lost (sender or receiver). */
  private drop(at: number, from: number, toId: NodeId, id: number, message: Message, reason: number): void {
    this.droppedCount++;
    this.fp.event(this.now, TraceCode.drop, from * 65536 + (reason & 0xffff), id);
    if (this.tracing()) this.emitMessage(TraceKind.drop, at, from, toId, id, messageType(message), dropReasonName(reason));
    else this.traceCount++;
  }

  // ---------------------------------------------------------------------------------------------
  // Timers, fsyncs and control events.

  private fireTimer(slot: number): void {
    const queue = this.queue;
    const endpoint = this.endpointList[queue.target[slot]!]!;
    if (queue.cancelled[slot] !== 0 || queue.incarnation[slot] !== endpoint.incarnation) return queue.release(slot);
    if (endpoint.state === 'paused') {
      if (!endpoint.hold(slot)) this.dropHeldEvent(endpoint, slot);
      return;
    }
    if (endpoint.state !== 'up') throw new AssertionError(`timer for ${endpoint.id} in state ${endpoint.state}`);
    const tag = queue.payload[slot] as TimerTag;
    const id = queue.id[slot]!;
    queue.release(slot);
    this.timersFiredCount++;
    const fp = this.fp;
    fp.event(this.now, TraceCode.timer, endpoint.index, id);
    if (typeof tag === 'number') fp.number(tag);
    else fp.string(tag);
    if (this.tracing()) this.pushTrace({ time: this.now, node: endpoint.id, kind: TraceKind.timer, fields: { tag, timer: id } });
    else this.traceCount++;
    try {
      endpoint.process!.onTimer(tag);
    } catch (error) {
      this.handlerFailed(endpoint, error, 'timer');
    }
  }

  private scheduleFsync(endpoint: Endpoint, pending: PendingFsync, delayNs: number): void {
    const queue = this.queue;
    const slot = queue.allocate(EventKind.fsync);
    if (slot < 0) throw new AssertionError(`fsync: the event queue is full (${queue.capacityMax} events)`);
    queue.target[slot] = endpoint.index;
    queue.incarnation[slot] = endpoint.incarnation;
    queue.id[slot] = 0;
    queue.payload[slot] = pending;
    queue.push(this.now + delayNs, slot);
  }

  private finishFsync(slot: number): void {
    const queue = this.queue;
    const endpoint = this.endpointList[queue.target[slot]!]!;
    // A crash cancels fsyncs in flight: their snapshots never become durable.
    if (queue.incarnation[slot] !== endpoint.incarnation) return queue.release(slot);
    const pending = queue.payload[slot] as PendingFsync;
    if (queue.id[slot] !== APPLIED) {
      // The device finished even if the process is paused; only the notification waits.
      endpoint.disk!.complete(pending);
      queue.id[slot] = APPLIED;
      this.fsyncsCompletedCount++;
    }
    if (endpoint.state === 'paused') {
      if (!endpoint.hold(slot)) this.dropHeldEvent(endpoint, slot);
      return;
    }
    if (endpoint.state !== 'up') throw new AssertionError(`fsync completion for ${endpoint.id} in state ${endpoint.state}`);
    queue.release(slot);
    const fp = this.fp;
    fp.count(this.now);
    fp.word(TraceCode.fsync);
    fp.word(endpoint.index);
    fp.word(pending.ok ? 1 : 0);
    if (typeof pending.tag === 'number') fp.number(pending.tag);
    else fp.string(pending.tag);
    if (this.tracing()) {
      this.pushTrace({ time: this.now, node: endpoint.id, kind: TraceKind.fsync, fields: { file: pending.name, tag: pending.tag, ok: pending.ok } });
    } else {
      this.traceCount++;
    }
    try {
      endpoint.process!.onFsync(pending.tag, pending.ok);
    } catch (error) {
      this.handlerFailed(endpoint, error, 'fsync');
    }
  }

  private runControl(slot: number): void {
    const action = this.queue.payload[slot] as (world: World) => void;
    this.queue.release(slot);
    action(this);
  }

  /** A timer or fsync notification that did not fit in a paused process's hold buffer. */
  private dropHeldEvent(endpoint: Endpoint, slot: number): void {
    const kind = this.queue.kind[slot] === EventKind.timer ? 'timer' : 'fsync';
    this.queue.release(slot);
    this.emit(TraceCode.drop, TraceKind.drop, endpoint, { event: kind, reason: 'hold-full' });
  }

  // ---------------------------------------------------------------------------------------------
  // Process lifecycle.

  private addEndpoint(id: NodeId, role: EndpointRole, factory: ProcessFactory<Host> | ProcessFactory<ClientHost> | null): Endpoint {
    const index = this.network.addEndpoint(id);
    assert(index === this.endpointList.length, 'world: endpoint indices out of step with the network');
    let endpoint: Endpoint;
    if (role === 'external') {
      endpoint = new Endpoint(index, id, role, null, null, null, null, null, this.holdMax);
    } else {
      const seed = this.seed;
      const clockRandom = SimRandom.stream(seed, `clock/${id}`);
      const clock = new NodeClock(
        clockRandom.range(-this.clockConfig.offsetNsMax, this.clockConfig.offsetNsMax),
        clockRandom.range(-this.clockConfig.driftPpmMax, this.clockConfig.driftPpmMax),
        WALL_EPOCH_NS,
      );
      const disk = new SimDisk(this.diskConfig, SimRandom.stream(seed, `disk/${id}`), (pending, delayNs) =>
        this.scheduleFsync(endpoint, pending, delayNs),
      );
      const random = SimRandom.stream(seed, `${role === 'server' ? 'node' : 'client'}/${id}`);
      const faultPointRandom = SimRandom.stream(seed, `fault-point/${id}`);
      endpoint = new Endpoint(index, id, role, factory, disk, clock, random, faultPointRandom, this.holdMax);
    }
    this.endpointList.push(endpoint);
    return endpoint;
  }

  private startProcess(endpoint: Endpoint, restart: boolean, founding: readonly NodeId[] = []): void {
    // Each incarnation's monotonic clock counts from its own start, as a process's does.
    endpoint.monotonicStartNs = endpoint.clock!.monotonic(this.now);
    const host = new SimHost(this, endpoint, endpoint.incarnation, founding);
    let process: Process;
    try {
      process = (endpoint.factory as ProcessFactory<ClientHost>)(host);
    } catch (error) {
      if (endpoint.state === 'idle') this.releaseHeld(endpoint, endpoint.crashed());
      this.recordFailure(endpoint, error, 'factory');
      return;
    }
    endpoint.started(process);
    if (restart) this.restartCount++;
    this.emit(restart ? TraceCode.restart : TraceCode.start, restart ? TraceKind.restart : TraceKind.start, endpoint, {
      incarnation: endpoint.incarnation,
    });
    try {
      process.start();
    } catch (error) {
      this.handlerFailed(endpoint, error, 'start');
    }
  }

  private crashProcess(endpoint: Endpoint, mode: CrashMode | undefined): void {
    this.releaseHeld(endpoint, endpoint.crashed());
    const report = endpoint.disk!.crash(mode);
    this.crashCount++;
    this.emit(TraceCode.crash, TraceKind.crash, endpoint, {
      mode: report.mode,
      filesLost: report.filesLost,
      filesTorn: report.filesTorn,
      bytesLost: report.bytesLost,
    });
  }

  /** Frees the slots a paused process held when it crashed; held messages count as dropped. */
  private releaseHeld(endpoint: Endpoint, held: number[]): void {
    for (const slot of held) {
      if (this.queue.kind[slot] === EventKind.message) this.dropSlot(slot, DropReason.down);
      else this.queue.release(slot);
    }
    assert(endpoint.held.length === 0, `world: ${endpoint.id} still holds events after release`);
  }

  private handlerFailed(endpoint: Endpoint, error: unknown, during: string): void {
    this.recordFailure(endpoint, error, during);
    if (endpoint.state === 'up' || endpoint.state === 'paused') this.crashProcess(endpoint, 'lose');
  }

  private recordFailure(endpoint: Endpoint, error: unknown, during: string): void {
    const message = errorText(error);
    this.failureCount++;
    if (this.failureList.length < FAILURES_MAX) this.failureList.push({ time: this.now, node: endpoint.id, message });
    this.emit(TraceCode.failure, TraceKind.failure, endpoint, { during, message });
  }

  // ---------------------------------------------------------------------------------------------
  // Trace and fingerprint.

  private tracing(): boolean {
    return this.traceEvents.length < this.traceLimit || this.monitors.length > 0;
  }

  private pushTrace(event: TraceEvent): void {
    this.traceCount++;
    if (this.traceEvents.length < this.traceLimit) this.traceEvents.push(event);
    for (const monitor of this.monitors) monitor(event, this);
  }

  /** A message event: fingerprinted by the caller, recorded here only when someone keeps it. */
  private emitMessage(kind: string, at: number, from: number, toId: NodeId, id: number, type: string | undefined, reason: string | undefined): void {
    // Built as one literal per shape (not grown field by field): one allocation, stable shapes.
    const fromId = this.network.idOf(from);
    let fields: TraceFields;
    if (reason === undefined) fields = type === undefined ? { from: fromId, to: toId, id } : { from: fromId, to: toId, id, type };
    else fields = type === undefined ? { from: fromId, to: toId, id, reason } : { from: fromId, to: toId, id, type, reason };
    this.pushTrace({ time: this.now, node: this.network.idOf(at), kind, fields });
  }

  /** A kernel event about a process: fingerprinted and traced. */
  private emit(code: number, kind: string, endpoint: Endpoint, fields: TraceFields | undefined): void {
    this.emitFree(code, kind, endpoint.id, endpoint.index, fields);
  }

  /** Any event: the kind string and fields feed the fingerprint too. */
  private emitFree(code: number, kind: string, node: NodeId | null, index: number, fields: TraceFields | undefined): void {
    const fp = this.fp;
    fp.count(this.now);
    fp.word(code);
    fp.word(index);
    fp.string(kind);
    fp.value(fields);
    if (!this.tracing()) {
      this.traceCount++;
      return;
    }
    const event: TraceEvent = { time: this.now, node, kind };
    if (fields !== undefined) event.fields = fields;
    this.pushTrace(event);
  }

  private fault(name: string, fields: TraceFields | undefined): void {
    this.emitFree(TraceCode.fault, `fault.${name}`, null, -1, fields === undefined ? undefined : definedOnly(fields));
  }

  private indexOf(id: NodeId): number {
    const index = this.network.indexOf(id);
    if (index < 0) throw new Error(`world: unknown process "${id}"`);
    return index;
  }

  private processEndpoint(id: NodeId): Endpoint {
    const endpoint = this.endpointList[this.indexOf(id)]!;
    if (endpoint.role === 'external') throw new Error(`world: "${id}" is an external sender, not a process`);
    return endpoint;
  }
}

/** Drops undefined fields, so traces and fingerprints do not depend on how a spec was spelled. */
function definedOnly<T extends object>(record: T): Partial<T> {
  const result: Partial<T> = {};
  for (const key of Object.keys(record) as (keyof T)[]) {
    if (record[key] !== undefined) result[key] = record[key];
  }
  return result;
}
