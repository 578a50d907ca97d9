// Test-only processes for the kernel's tests and benchmark (and for the lead's cross-process
// determinism script): a flood/echo server node and an echo client that records a history.
//
// The flood node, every `tickNs` of its own clock, sends `burst` new `flood` messages to random
// peers; each one is forwarded from peer to peer until it has made `hopsMax` hops. It also answers
// `echo.request`, either at once or, with `durableEcho`, after appending the request to its log
// and the fsync completing (so crash tests see acknowledged data that must survive).
import type { ClientHost, Host, Message, NodeId, NodeStatus, Process, ProcessFactory, TimerTag } from '../../nodes/host.js';

export interface FloodOptions {
  /** New flood messages per node per tick. */
  burst: number;
  tickNs: number;
  /** A flood message is forwarded until it has made this many hops. */
  hopsMax: number;
  /** Answer echo requests only after they are durable in the node's `echo.log`. */
  durableEcho: boolean;
}

export const FLOOD_DEFAULTS: FloodOptions = { burst: 4, tickNs: 1_000_000, hopsMax: 8, durableEcho: false };

interface FloodMessage {
  type: 'flood';
  hop: number;
}

interface EchoRequest {
  type: 'echo.request';
  seq: number;
  value: number;
}

interface EchoReply {
  type: 'echo.reply';
  seq: number;
  value: number;
  node: NodeId;
}

const HOPS_MAX = 100_000;
/** Pending durable echoes bounded, so a stalled disk cannot grow memory without limit. */
const PENDING_ECHOES_MAX = 10_000;
const TICK: TimerTag = 'tick';
const encoder = new TextEncoder();

export class FloodNode implements Process {
  received = 0;
  echoed = 0;
  /** Echo records this incarnation found on disk at start. */
  recovered = 0;
  private readonly others: NodeId[];
  /** Messages are read-only once sent, so one object per hop count serves every flood message. */
  private readonly hopMessages: readonly FloodMessage[];
  private readonly pending = new Map<number, { client: NodeId; request: EchoRequest }>();
  private fsyncSerial = 0;

  constructor(
    private readonly host: Host,
    private readonly options: FloodOptions,
  ) {
    this.others = host.peers().filter((peer) => peer !== host.id);
    if (!(Number.isSafeInteger(options.hopsMax) && options.hopsMax >= 1 && options.hopsMax <= HOPS_MAX)) {
      throw new Error(`flood: hopsMax must be an integer in [1, ${HOPS_MAX}]`);
    }
    this.hopMessages = Array.from({ length: options.hopsMax + 1 }, (_, hop) => Object.freeze({ type: 'flood' as const, hop }));
  }

  start(): void {
    const log = this.host.disk.read('echo.log');
    this.recovered = log === null ? 0 : countLines(log);
    this.host.log('flood.start', { recovered: this.recovered });
    this.host.setTimer(this.options.tickNs, TICK);
  }

  onMessage(from: NodeId, message: Message): void {
    const typed = message as FloodMessage | EchoRequest;
    if (typed.type === 'flood') {
      this.received++;
      if (typed.hop < this.options.hopsMax && this.others.length > 0) {
        this.host.send(this.host.random.pick(this.others), this.hopMessages[typed.hop + 1]!);
      }
      return;
    }
    if (typed.type === 'echo.request') {
      if (!this.options.durableEcho) return this.reply(from, typed);
      if (this.pending.size >= PENDING_ECHOES_MAX) return;
      const tag = ++this.fsyncSerial;
      this.host.disk.append('echo.log', encoder.encode(`${from} ${typed.seq} ${typed.value}\n`));
      this.host.disk.fsync('echo.log', tag);
      this.pending.set(tag, { client: from, request: typed });
    }
  }

  onTimer(tag: TimerTag): void {
    if (tag !== TICK) return;
    for (let i = 0; i < this.options.burst && this.others.length > 0; i++) {
      this.host.send(this.host.random.pick(this.others), this.hopMessages[1]!);
    }
    this.host.setTimer(this.options.tickNs, TICK);
  }

  onFsync(tag: TimerTag, ok: boolean): void {
    const pending = this.pending.get(tag as number);
    if (pending === undefined) return;
    this.pending.delete(tag as number);
    // A failed fsync means the request is not durable: no reply, the client times out (info).
    if (ok) this.reply(pending.client, pending.request);
  }

  status(): NodeStatus {
    return { role: 'flood', term: this.received };
  }

  private reply(client: NodeId, request: EchoRequest): void {
    this.echoed++;
    const reply: EchoReply = { type: 'echo.reply', seq: request.seq, value: request.value, node: this.host.id };
    this.host.send(client, reply);
  }
}

function countLines(bytes: Uint8Array): number {
  let lines = 0;
  for (const byte of bytes) if (byte === 10) lines++;
  return lines;
}

export function floodNode(options: Partial<FloodOptions> = {}): ProcessFactory<Host> {
  const merged = { ...FLOOD_DEFAULTS, ...options };
  return (host) => new FloodNode(host, merged);
}

export interface EchoClientOptions {
  /** Operations this client invokes before it calls done(). */
  opsMax: number;
  /** Pause between one op's completion and the next invoke, on the client's clock. */
  intervalNs: number;
  timeoutNs: number;
  /** First process number; after an `info` the client continues as process + processStride. */
  process: number;
  processStride: number;
}

export const ECHO_CLIENT_DEFAULTS: EchoClientOptions = {
  opsMax: 20,
  intervalNs: 2_000_000,
  timeoutNs: 50_000_000,
  process: 0,
  processStride: 1,
};

/** An echo client: one op outstanding at a time, recorded invoke then ok or info. */
export class EchoClient implements Process {
  private seq = 0;
  private invoked = 0;
  private process: number;
  private outstanding: { seq: number; value: number; timer: number } | null = null;

  constructor(
    private readonly host: ClientHost,
    private readonly options: EchoClientOptions,
  ) {
    this.process = options.process;
  }

  start(): void {
    this.host.setTimer(this.options.intervalNs, 'next');
  }

  onMessage(_from: NodeId, message: Message): void {
    const reply = message as EchoReply;
    const outstanding = this.outstanding;
    if (reply.type !== 'echo.reply' || outstanding === null || reply.seq !== outstanding.seq) return;
    this.host.cancelTimer(outstanding.timer);
    this.outstanding = null;
    this.host.record({ process: this.process, type: 'ok', f: 'echo', value: reply.value, node: reply.node });
    this.next();
  }

  onTimer(tag: TimerTag): void {
    if (tag === 'next') return this.invoke();
    const outstanding = this.outstanding;
    if (tag === 'timeout' && outstanding !== null) {
      this.outstanding = null;
      this.host.record({ process: this.process, type: 'info', f: 'echo', value: outstanding.value });
      // Jepsen rule: a process whose op ended in info never invokes again.
      this.process += this.options.processStride;
      this.next();
    }
  }

  onFsync(): void {}

  private invoke(): void {
    const peers = this.host.peers();
    if (peers.length === 0) return this.next();
    const seq = ++this.seq;
    // Unique per client: seq * 1000 plus a random part, so a test can find the op in a node's log.
    const value = seq * 1000 + this.host.random.int(1000);
    this.invoked++;
    this.host.record({ process: this.process, type: 'invoke', f: 'echo', value });
    const timer = this.host.setTimer(this.options.timeoutNs, 'timeout');
    this.outstanding = { seq, value, timer };
    this.host.send(this.host.random.pick(peers), { type: 'echo.request', seq, value } satisfies EchoRequest);
  }

  private next(): void {
    if (this.invoked >= this.options.opsMax) return this.host.done();
    this.host.setTimer(this.options.intervalNs, 'next');
  }
}

export function echoClient(options: Partial<EchoClientOptions> = {}): ProcessFactory<ClientHost> {
  const merged = { ...ECHO_CLIENT_DEFAULTS, ...options };
  return (host) => new EchoClient(host, merged);
}
