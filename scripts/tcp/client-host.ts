// The TCP client host: `ClientHost` of nodes/host.ts for workload clients that run inside the test
// runner's process and talk to a live cluster over TCP. Each client dials every node (through its
// proxy) as itself, so a proxy can cut one client off as it can cut a node.
//
// Time: the clock of every client and of every history record is the same monotonic clock, in ns
// since the test's epoch, so records of different clients are ordered by true (real) time.
import type { ClientHost, ClientRecord, Message, Nanos, NodeId, ProcessFactory, Random, TimerId, TimerTag, TraceFields } from '../../nodes/host.js';
import type { HistoryRecord } from '../../histories/schema.js';
import { checkSecret } from './auth.js';
import type { LogFn } from './connection.js';
import { type Address, Link } from './link.js';
import { MemoryDisk } from './memory-disk.js';
import { SkewedClock } from './clock.js';
import { createRandom } from './random.js';
import { ProcessRuntime, type FailureSink, type TraceSink, monotonicNs, wallClockNs } from './runtime.js';
import { messageFrame, parseEnvelope } from './wire.js';

/** Records kept by one test; beyond this the run is cut short rather than eating memory. */
export const HISTORY_RECORDS_MAX = 2_000_000;

/** The shared history of one test: indexes in order of recording, times from one epoch. */
export class HistoryRecorder {
  readonly records: HistoryRecord[] = [];
  overflowed = false;

  constructor(readonly epochNs: bigint) {}

  nowNs(): Nanos {
    return monotonicNs(this.epochNs);
  }

  record(record: ClientRecord): void {
    if (this.records.length >= HISTORY_RECORDS_MAX) {
      this.overflowed = true;
      return;
    }
    const row: HistoryRecord = {
      index: this.records.length,
      process: record.process,
      type: record.type,
      f: record.f,
      value: record.value,
      time: this.nowNs(),
    };
    if (record.key !== undefined) row.key = record.key;
    if (record.node !== undefined) row.node = record.node;
    this.records.push(row);
  }
}

export interface ClientHostOptions {
  id: NodeId;
  /** Each node and the address to dial for it. */
  nodes: Readonly<Record<NodeId, Address>>;
  secret: string;
  seed: number;
  recorder: HistoryRecorder;
  factory: ProcessFactory<ClientHost>;
  trace: TraceSink;
  hostLog: LogFn;
  onFailure: FailureSink;
  onDone: (id: NodeId) => void;
}

export class TcpClientHost implements ClientHost {
  readonly id: NodeId;
  readonly disk: MemoryDisk;
  readonly random: Random;
  readonly runtime: ProcessRuntime;
  private readonly links = new Map<NodeId, Link>();
  private readonly nodeIds: readonly NodeId[];
  isDone = false;
  messagesDropped = 0;

  constructor(private readonly options: ClientHostOptions) {
    checkSecret(options.secret);
    this.id = options.id;
    this.nodeIds = Object.keys(options.nodes).sort();
    if (this.nodeIds.includes(this.id)) throw new Error(`client id ${this.id} is also a node id`);
    this.runtime = new ProcessRuntime(options.id, options.recorder.epochNs, options.onFailure);
    this.random = createRandom(options.seed, `client/${options.id}`);
    this.disk = new MemoryDisk((tag, ok) => this.runtime.fsyncDone(tag, ok));
  }

  start(): void {
    const jitter = createRandom(this.options.seed, `links/${this.id}`);
    for (const node of this.nodeIds) {
      const link = new Link(
        node,
        this.options.nodes[node]!,
        { id: this.id, role: 'client' },
        { secret: this.options.secret, log: this.options.hostLog, jitter: () => jitter.float() },
        {
          onFrame: (value) => {
            const envelope = parseEnvelope(value);
            if (typeof envelope === 'string' || envelope.kind !== 'message') {
              this.options.hostLog('client.protocol-error', { client: this.id, node, reason: typeof envelope === 'string' ? envelope : envelope.kind });
              return;
            }
            this.runtime.deliver(node, envelope.message);
          },
        },
      );
      this.links.set(node, link);
    }
    this.runtime.boot(() => this.options.factory(this));
  }

  stop(): void {
    this.runtime.stop();
    for (const link of this.links.values()) link.stop();
  }

  // --- ClientHost ---

  peers(): readonly NodeId[] {
    return this.nodeIds;
  }

  /** The machine's wall clock plus the offset a clock fault injected (0 unless one did). */
  wallNow(): Nanos {
    return wallClockNs() + this.clock.offsetNowNs();
  }

  /** Nanoseconds since this process started, on the machine's monotonic clock. */
  monotonicNow(): Nanos {
    return this.runtime.now();
  }

  /** Clock faults target server nodes; a client's clock is the machine's unless a test sets it. */
  readonly clock = new SkewedClock(() => this.runtime.now());

  send(to: NodeId, message: Message): void {
    const link = this.links.get(to);
    if (link === undefined || !link.send(messageFrame(message))) this.messagesDropped += 1;
  }

  setTimer(delay: Nanos, tag: TimerTag): TimerId {
    return this.runtime.setTimer(delay, tag);
  }

  cancelTimer(id: TimerId): void {
    this.runtime.cancelTimer(id);
  }

  log(kind: string, fields?: TraceFields): void {
    this.options.trace(this.runtime.now(), this.id, kind, fields);
  }

  faultPoint(_name: string): boolean {
    return false;
  }

  bug(_name: string): boolean {
    return false;
  }

  record(record: ClientRecord): void {
    if (this.runtime.stopped) return;
    this.options.recorder.record(record);
  }

  done(): void {
    if (this.isDone) return;
    this.isDone = true;
    this.options.onDone(this.id);
  }
}
