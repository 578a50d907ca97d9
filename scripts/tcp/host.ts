// The TCP host: `Host` of nodes/host.ts over real sockets, a real directory with real fsync, real
// timers and the real monotonic clock. The very node class that runs in the simulator runs here.
//
// Wiring: the node listens on one address (loopback unless told otherwise) where peers, clients
// and operators connect and authenticate with the cluster secret. To reach a peer it keeps an
// outbound `Link` (redial with backoff); to answer a client it writes back on the connection the
// client opened. So a message from a to b always flows on a connection a dialed to b's address,
// and a fault proxy in front of b's address controls the link a -> b.
import net from 'node:net';
import type { Host, Message, Nanos, NodeId, ProcessFactory, Random, TimerId, TimerTag, TraceFields } from '../../nodes/host.js';
import { type PeerRole, checkSecret, isValidId } from './auth.js';
import { type Connection, type LogFn, acceptConnection } from './connection.js';
import { RealDisk } from './disk.js';
import { type Address, Link } from './link.js';
import { SkewedClock } from './clock.js';
import { createRandom } from './random.js';
import { ProcessRuntime, type FailureSink, type TraceSink, wallClockNs } from './runtime.js';
import { type HostStatus, messageFrame, parseEnvelope, statusReplyFrame } from './wire.js';

export interface NodeHostOptions {
  id: NodeId;
  /** Where peers, clients and operators connect. */
  listen: Address;
  /** An extra port that accepts only clients and operators, when set. */
  clientListen?: Address;
  /** The other nodes and the address to dial for each (their proxy, in a cluster). */
  peers: Readonly<Record<NodeId, Address>>;
  dataDir: string;
  secret: string;
  /** Seeds `host.random`: a real node's random choices are reproducible from it. */
  seed: number;
  bugs?: readonly string[];
  factory: ProcessFactory<Host>;
  frameBytesMax?: number;
  /** The node's `log()` events. */
  trace: TraceSink;
  /** Host events (connections, bad frames); one structured line each. */
  hostLog: LogFn;
  /** A handler threw: the process is stopped. The node command exits non-zero here. */
  onFailure: FailureSink;
}

/** Inbound client and operator connections kept at once; more are refused. */
export const INBOUND_CONNECTIONS_MAX = 1_024;

export class TcpNodeHost implements Host {
  readonly id: NodeId;
  readonly disk: RealDisk;
  readonly random: Random;
  private readonly runtime: ProcessRuntime;
  private readonly peerIds: readonly NodeId[];
  private readonly links = new Map<NodeId, Link>();
  /** Clients and operators by id; the newest connection of an id wins. */
  private readonly inbound = new Map<NodeId, Connection>();
  private readonly connections = new Set<Connection>();
  private readonly servers: net.Server[] = [];
  private readonly bugs: ReadonlySet<string>;
  private readonly startedAtMs = Date.now();
  messagesDropped = 0;

  constructor(private readonly options: NodeHostOptions) {
    if (!isValidId(options.id)) throw new Error(`node id ${JSON.stringify(options.id)} is malformed`);
    checkSecret(options.secret);
    for (const peer of Object.keys(options.peers)) {
      if (!isValidId(peer) || peer === options.id) throw new Error(`peer id ${JSON.stringify(peer)} is malformed or this node's own`);
    }
    this.id = options.id;
    this.peerIds = [options.id, ...Object.keys(options.peers)].sort();
    this.bugs = new Set(options.bugs ?? []);
    this.runtime = new ProcessRuntime(options.id, process.hrtime.bigint(), options.onFailure);
    this.random = createRandom(options.seed, `node/${options.id}`);
    this.disk = new RealDisk(options.dataDir, (tag, ok) => this.runtime.fsyncDone(tag, ok));
  }

  /** Listens, dials the peers and starts the node. Resolves with the bound ports. */
  async start(): Promise<{ port: number; clientPort: number | null }> {
    const port = await this.listen(this.options.listen, ['peer', 'client', 'admin']);
    const clientPort = this.options.clientListen ? await this.listen(this.options.clientListen, ['client', 'admin']) : null;
    const jitter = createRandom(this.options.seed, `links/${this.id}`);
    for (const [peer, address] of Object.entries(this.options.peers)) {
      const link = new Link(peer, address, { id: this.id, role: 'peer' }, this.connectionOptions({ jitter: () => jitter.float() }), {
        // Peers never send us anything on our own outbound link but the handshake.
        onFrame: () => undefined,
        onOpen: () => this.options.hostLog('link.open', { node: this.id, peer }),
        onDown: (reason) => this.options.hostLog('link.down', { node: this.id, peer, reason }),
      });
      this.links.set(peer, link);
    }
    this.runtime.boot(() => this.options.factory(this));
    return { port, clientPort };
  }

  async stop(): Promise<void> {
    this.runtime.stop();
    for (const link of this.links.values()) link.stop();
    for (const connection of [...this.connections]) connection.close('host stopping');
    await Promise.all(this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    this.disk.close();
  }

  /** This process's clock origin on the machine's monotonic clock: `now()` counts from here. */
  get epochNs(): bigint {
    return this.runtime.epochNs;
  }

  get failed(): string | null {
    return this.runtime.failed;
  }

  hostStatus(): HostStatus {
    let framesIn = 0;
    let framesOut = 0;
    let framesDropped = this.messagesDropped;
    for (const connection of this.connections) {
      framesIn += connection.framesIn;
      framesOut += connection.framesOut;
      framesDropped += connection.framesDropped;
    }
    for (const link of this.links.values()) framesDropped += link.framesDropped;
    let status = {};
    try {
      status = this.runtime.process?.status?.() ?? {};
    } catch (error) {
      status = { down: `status() threw: ${(error as Error).message}` };
    }
    return {
      id: this.id,
      pid: process.pid,
      uptimeMs: Date.now() - this.startedAtMs,
      status,
      failed: this.runtime.failed,
      peersConnected: [...this.links.entries()].filter(([, link]) => link.isOpen).map(([peer]) => peer).sort(),
      framesIn,
      framesOut,
      framesDropped,
      fsyncs: this.disk.fsyncsDone,
      clock: this.clock.setting(),
    };
  }

  // --- Host ---

  peers(): readonly NodeId[] {
    return this.peerIds;
  }

  /** The machine's wall clock plus the offset a clock fault injected (0 unless one did). */
  wallNow(): Nanos {
    return wallClockNs() + this.clock.offsetNowNs();
  }

  /** Nanoseconds since this process started, on the machine's monotonic clock. */
  monotonicNow(): Nanos {
    return this.runtime.now();
  }

  /** Set by a clock fault through the admin channel; moves `wallNow` only, as a skewed clock would. */
  readonly clock = new SkewedClock(() => this.runtime.now());

  get clockOffsetNs(): number {
    return this.clock.offsetNowNs();
  }

  send(to: NodeId, message: Message): void {
    if (to === this.id) {
      // Never re-enter the node from inside its own handler.
      setImmediate(() => this.runtime.deliver(this.id, message));
      return;
    }
    const link = this.links.get(to);
    if (link !== undefined) {
      // A link counts its own drops (framesDropped): counting here too would count each twice.
      link.send(messageFrame(message));
      return;
    }
    const connection = this.inbound.get(to);
    if (connection === undefined || !connection.send(messageFrame(message))) this.messagesDropped += 1;
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

  bug(name: string): boolean {
    return this.bugs.has(name);
  }

  // --- Sockets ---

  private connectionOptions(extra: { jitter?: () => number } = {}) {
    return {
      secret: this.options.secret,
      frameBytesMax: this.options.frameBytesMax,
      log: this.options.hostLog,
      ...extra,
    };
  }

  private listen(address: Address, roles: readonly PeerRole[]): Promise<number> {
    const server = net.createServer((socket) => this.accept(socket, roles));
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(address.port, address.host, () => {
        server.off('error', reject);
        server.on('error', (error) => this.options.hostLog('listen.error', { node: this.id, reason: error.message }));
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  private accept(socket: net.Socket, roles: readonly PeerRole[]): void {
    if (this.connections.size >= INBOUND_CONNECTIONS_MAX + this.links.size) {
      this.options.hostLog('connection.refused', { node: this.id, reason: 'too many connections' });
      socket.destroy();
      return;
    }
    const connection = acceptConnection(socket, this.id, roles, this.connectionOptions(), {
      onOpen: (opened) => this.onOpen(opened),
      onFrame: (from, value) => this.onFrame(from, value),
      onClose: (closed, reason) => {
        this.connections.delete(closed);
        if (closed.remoteId !== null && this.inbound.get(closed.remoteId) === closed) this.inbound.delete(closed.remoteId);
        this.options.hostLog('connection.closed', { node: this.id, remote: closed.remoteId ?? closed.remoteAddress, reason });
      },
    });
    this.connections.add(connection);
  }

  private onOpen(connection: Connection): void {
    const remote = connection.remoteId!;
    if (connection.role === 'peer') {
      if (!this.links.has(remote)) return connection.close(`${remote} is not a peer of ${this.id}`);
    } else {
      if (this.links.has(remote) || remote === this.id) return connection.close(`${remote} names a node but connected as ${connection.role}`);
      this.inbound.get(remote)?.close('replaced by a newer connection of the same id');
      this.inbound.set(remote, connection);
    }
  }

  private onFrame(connection: Connection, value: unknown): void {
    const envelope = parseEnvelope(value);
    if (typeof envelope === 'string') return connection.close(`protocol error: ${envelope}`);
    if (envelope.kind === 'message') {
      this.runtime.deliver(connection.remoteId!, envelope.message);
      return;
    }
    if (envelope.kind === 'status-query' && connection.role === 'admin') {
      connection.send(statusReplyFrame(this.hostStatus()));
      return;
    }
    if (envelope.kind === 'clock-set' && connection.role === 'admin') {
      // A clock fault from the nemesis: checked by the envelope parser, applied at once, answered
      // with the status so the caller sees the clock it set.
      this.clock.set(envelope.setting);
      this.options.hostLog('clock.set', { node: this.id, offsetNs: envelope.setting.offsetNs, driftPpm: envelope.setting.driftPpm });
      connection.send(statusReplyFrame(this.hostStatus()));
      return;
    }
    connection.close(`protocol error: ${envelope.kind} is not accepted from a ${connection.role}`);
  }
}
