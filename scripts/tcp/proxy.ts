// The fault proxy: one in front of each node, so links can be cut, delayed or made lossy from
// outside the node's process.
//
// Every connection to the node goes through its proxy. The proxy splits both byte streams into
// frames (it knows the framing, not the secret), reads the dialer's hello to learn who is talking,
// and then applies the rule of the directed link: frames from the dialer to the node follow the
// rule `dialer -> node`, frames back follow `node -> dialer`. A cut drops every frame (a
// partition: connections stay up and silent, as with lost packets); a delay holds frames in order;
// loss drops each frame with a probability, duplication sends it twice, reordering holds it back
// alone so later frames overtake it; a hold (a clog) keeps every frame until the rule lifts. The
// handshake's own frames are never lost, duplicated or reordered: the simulator has no connection
// setup to fault, and a torn handshake would only cost a redial. A small control port (same
// handshake, role admin) changes the rules.
import net from 'node:net';
import type { NodeId, Random } from '../../nodes/host.js';
import { isValidId, parseHello } from './auth.js';
import { type Connection, type LogFn, acceptConnection, dialConnection } from './connection.js';
import { view } from './bytes.js';
import { FRAME_BYTES_MAX_DEFAULT, FrameDecoder, FrameError } from './frame.js';
import type { Address } from './link.js';
import { createRandom } from './random.js';

/** What happens on one directed link. `from`/`to` may be `*` (any). */
export interface LinkRule {
  from: NodeId | '*';
  to: NodeId | '*';
  cut?: boolean;
  delayMs?: number;
  /** Extra delay drawn uniformly from [0, jitterMs] per frame; order is kept anyway. */
  jitterMs?: number;
  /** Percent of frames dropped, 0..100. */
  lossPercent?: number;
  /** Percent of frames sent twice, 0..100. */
  dupPercent?: number;
  /** Percent of frames held back alone by up to `reorderMsMax`, so later frames overtake them. */
  reorderPercent?: number;
  reorderMsMax?: number;
  /** Hold every frame until a rule without `hold` governs the link (a clog: nothing lost, all late). */
  hold?: boolean;
}

export type ControlRequest =
  | { op: 'rules'; rules: LinkRule[] }
  | { op: 'heal' }
  | { op: 'stats' }
  | { op: 'target'; host: string; port: number };

export interface ProxyStats {
  node: NodeId;
  connections: number;
  framesForwarded: number;
  framesCut: number;
  framesLost: number;
  framesDelayed: number;
  framesOverflowed: number;
  framesDuplicated: number;
  framesReordered: number;
  framesHeld: number;
  rules: LinkRule[];
}

export type ControlReply = { ok: true; stats: ProxyStats } | { ok: false; error: string };

export interface ProxyOptions {
  /** The node behind this proxy. */
  node: NodeId;
  listen: Address;
  target: Address;
  /** Control port; omitted when the proxy is driven in-process only. */
  control?: Address;
  secret?: string;
  seed?: number;
  frameBytesMax?: number;
  log: LogFn;
}

/** Frames held by one delayed direction; beyond this they are dropped (counted as overflow). */
export const DELAYED_FRAMES_MAX = 10_000;
export const DELAYED_BYTES_MAX = 32 * 1024 * 1024;
export const DELAY_MS_MAX = 60_000;
export const PROXY_CONNECTIONS_MAX = 1_024;

/** Validates a rule list from the control channel; returns an error line or the rules. */
export function parseRules(value: unknown): LinkRule[] | string {
  if (!Array.isArray(value)) return 'rules must be an array';
  const rules: LinkRule[] = [];
  for (const [index, raw] of value.entries()) {
    const rule = raw as Partial<LinkRule> | null;
    const where = `rules[${index}]`;
    if (typeof rule !== 'object' || rule === null) return `${where}: not an object`;
    for (const end of ['from', 'to'] as const) {
      const id = rule[end];
      if (id !== '*' && !isValidId(id)) return `${where}.${end}: expected a node id or *`;
    }
    const parsed: LinkRule = { from: rule.from!, to: rule.to!, cut: false, hold: false };
    for (const name of ['delayMs', 'jitterMs', 'reorderMsMax'] as const) {
      const value = rule[name] ?? 0;
      if (!Number.isInteger(value) || value < 0 || value > DELAY_MS_MAX) return `${where}.${name}: expected an integer in [0, ${DELAY_MS_MAX}]`;
      parsed[name] = value;
    }
    for (const name of ['lossPercent', 'dupPercent', 'reorderPercent'] as const) {
      const value = rule[name] ?? 0;
      if (typeof value !== 'number' || !(value >= 0 && value <= 100)) return `${where}.${name}: expected a number in [0, 100]`;
      parsed[name] = value;
    }
    for (const name of ['cut', 'hold'] as const) {
      if (rule[name] !== undefined && typeof rule[name] !== 'boolean') return `${where}.${name}: expected a boolean`;
      parsed[name] = rule[name] ?? false;
    }
    rules.push(parsed);
  }
  return rules;
}

/** The rule that governs `from -> to`: the most specific match wins, later rules over earlier. */
export function ruleFor(rules: readonly LinkRule[], from: NodeId, to: NodeId): LinkRule | null {
  let best: LinkRule | null = null;
  let bestScore = -1;
  for (const rule of rules) {
    if ((rule.from !== '*' && rule.from !== from) || (rule.to !== '*' && rule.to !== to)) continue;
    const score = (rule.from === '*' ? 0 : 2) + (rule.to === '*' ? 0 : 1);
    if (score >= bestScore) {
      best = rule;
      bestScore = score;
    }
  }
  return best;
}

/** Frames of the handshake in each direction: the dialer's hello; the node's challenge and welcome. */
const HANDSHAKE_FRAMES = { toNode: 1, toDialer: 2 } as const;

function percentChance(random: Random, percent: number | undefined): boolean {
  return (percent ?? 0) > 0 && random.float() * 100 < percent!;
}

/** One direction of one proxied connection: forwards frames under the current rule. */
class Direction {
  /** Frames waiting, sorted by release time (held frames last, at +Infinity). */
  private readonly held: { frame: Buffer; releaseAtMs: number }[] = [];
  private heldBytes = 0;
  /** Release time of the last in-order frame: a delayed frame never overtakes an earlier one. */
  private lastReleaseAtMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private handshakeLeft: number;

  constructor(
    private readonly proxy: FaultProxy,
    private readonly out: net.Socket,
    handshakeFrames: number,
    /** The rule that governs this direction now (rules change under held frames). */
    readonly ruleNow: () => LinkRule | null,
  ) {
    this.handshakeLeft = handshakeFrames;
  }

  forward(frame: Buffer, rule: LinkRule | null, random: Random): void {
    const stats = this.proxy.counters;
    const handshake = this.handshakeLeft > 0;
    if (handshake) this.handshakeLeft -= 1;
    if (rule?.cut) {
      stats.framesCut += 1;
      return;
    }
    if (!handshake && percentChance(random, rule?.lossPercent)) {
      stats.framesLost += 1;
      return;
    }
    const copies = !handshake && percentChance(random, rule?.dupPercent) ? 2 : 1;
    if (copies === 2) stats.framesDuplicated += 1;
    for (let copy = 0; copy < copies; copy += 1) this.place(frame, rule, handshake, random);
  }

  private place(frame: Buffer, rule: LinkRule | null, handshake: boolean, random: Random): void {
    const stats = this.proxy.counters;
    const nowMs = Date.now();
    if (rule?.hold) {
      stats.framesHeld += 1;
      return this.enqueue(frame, Number.POSITIVE_INFINITY);
    }
    const delayMs = rule ? (rule.delayMs ?? 0) + (rule.jitterMs ? random.int(rule.jitterMs + 1) : 0) : 0;
    if (!handshake && (rule?.reorderMsMax ?? 0) > 0 && percentChance(random, rule?.reorderPercent)) {
      // Held back alone: frames after it keep their own times and may pass it.
      stats.framesReordered += 1;
      return this.enqueue(frame, nowMs + delayMs + random.range(1, rule!.reorderMsMax!));
    }
    if (delayMs === 0 && this.held.length === 0) {
      this.write(frame);
      return;
    }
    // Never overtake an earlier in-order frame: TCP delivers in order, so a delay does not reorder.
    const releaseAtMs = Math.max(this.lastReleaseAtMs, nowMs + delayMs);
    this.lastReleaseAtMs = releaseAtMs;
    if (delayMs > 0) stats.framesDelayed += 1;
    this.enqueue(frame, releaseAtMs);
  }

  private enqueue(frame: Buffer, releaseAtMs: number): void {
    if (this.held.length >= DELAYED_FRAMES_MAX || this.heldBytes + frame.length > DELAYED_BYTES_MAX) {
      this.proxy.counters.framesOverflowed += 1;
      return;
    }
    // Stable insert: after every frame released no later.
    let index = this.held.length;
    while (index > 0 && this.held[index - 1]!.releaseAtMs > releaseAtMs) index -= 1;
    this.held.splice(index, 0, { frame, releaseAtMs });
    this.heldBytes += frame.length;
    this.arm();
  }

  /** The rules changed: frames held by a hold that no longer governs this link are released now, in order. */
  rulesChanged(): void {
    if (this.ruleNow()?.hold) return;
    const nowMs = Date.now();
    let changed = false;
    for (const entry of this.held) {
      if (entry.releaseAtMs === Number.POSITIVE_INFINITY) {
        entry.releaseAtMs = nowMs;
        changed = true;
      }
    }
    if (!changed) return;
    this.held.sort((a, b) => a.releaseAtMs - b.releaseAtMs);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.arm();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.held.length = 0;
    this.heldBytes = 0;
  }

  private arm(): void {
    if (this.timer !== null || this.held.length === 0) return;
    const first = this.held[0]!.releaseAtMs;
    if (first === Number.POSITIVE_INFINITY) return;
    const waitMs = Math.max(0, first - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      const nowMs = Date.now();
      while (this.held.length > 0 && this.held[0]!.releaseAtMs <= nowMs) {
        const { frame } = this.held.shift()!;
        this.heldBytes -= frame.length;
        this.write(frame);
      }
      this.arm();
    }, waitMs);
  }

  private write(frame: Buffer): void {
    if (this.out.destroyed) return;
    this.proxy.counters.framesForwarded += 1;
    this.out.write(view(frame));
  }
}

export class FaultProxy {
  readonly counters = {
    framesForwarded: 0,
    framesCut: 0,
    framesLost: 0,
    framesDelayed: 0,
    framesOverflowed: 0,
    framesDuplicated: 0,
    framesReordered: 0,
    framesHeld: 0,
  };
  private rules: LinkRule[] = [];
  private target: Address;
  private readonly sockets = new Set<net.Socket>();
  private readonly directions = new Set<Direction>();
  private readonly random: Random;
  private server: net.Server | null = null;
  private controlServer: net.Server | null = null;
  private readonly controlConnections = new Set<Connection>();
  port = 0;
  controlPort: number | null = null;

  constructor(private readonly options: ProxyOptions) {
    if (!isValidId(options.node)) throw new Error(`proxy: malformed node id ${options.node}`);
    this.target = options.target;
    this.random = createRandom(options.seed ?? 0, `proxy/${options.node}`);
  }

  get node(): NodeId {
    return this.options.node;
  }

  async start(): Promise<{ port: number; controlPort: number | null }> {
    this.server = net.createServer((socket) => this.accept(socket));
    this.port = await listenOn(this.server, this.options.listen);
    if (this.options.control) {
      if (!this.options.secret) throw new Error('proxy: a control port needs the cluster secret');
      const secret = this.options.secret;
      this.controlServer = net.createServer((socket) => {
        const connection = acceptConnection(socket, `proxy-${this.node}`, ['admin'], { secret, log: this.options.log }, {
          onOpen: () => undefined,
          onFrame: (from, value) => from.send(this.control(value)),
          onClose: (closed) => this.controlConnections.delete(closed),
        });
        this.controlConnections.add(connection);
      });
      this.controlPort = await listenOn(this.controlServer, this.options.control);
    }
    return { port: this.port, controlPort: this.controlPort };
  }

  async stop(): Promise<void> {
    for (const direction of this.directions) direction.stop();
    for (const socket of this.sockets) socket.destroy();
    for (const connection of this.controlConnections) connection.close('proxy stopping');
    const close = (server: net.Server | null) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await Promise.all([close(this.server), close(this.controlServer)]);
  }

  setRules(rules: LinkRule[]): void {
    const parsed = parseRules(rules);
    if (typeof parsed === 'string') throw new Error(`proxy ${this.node}: ${parsed}`);
    this.rules = parsed;
    for (const direction of this.directions) direction.rulesChanged();
    this.options.log('proxy.rules', { node: this.node, rules: JSON.stringify(parsed) });
  }

  heal(): void {
    this.setRules([]);
  }

  /** Sends new connections to another address (a node restarted on a new port). */
  setTarget(target: Address): void {
    this.target = target;
  }

  stats(): ProxyStats {
    return { node: this.node, connections: this.sockets.size / 2, ...this.counters, rules: this.rules.map((rule) => ({ ...rule })) };
  }

  /** Answers one control request. */
  control(value: unknown): ControlReply {
    const request = value as Partial<ControlRequest> | null;
    try {
      if (typeof request !== 'object' || request === null) return { ok: false, error: 'request must be an object' };
      if (request.op === 'rules') {
        const parsed = parseRules((request as { rules?: unknown }).rules);
        if (typeof parsed === 'string') return { ok: false, error: parsed };
        this.setRules(parsed);
      } else if (request.op === 'heal') {
        this.heal();
      } else if (request.op === 'target') {
        const { host, port } = request as { host?: unknown; port?: unknown };
        if (typeof host !== 'string' || !Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
          return { ok: false, error: 'target needs host and port' };
        }
        this.setTarget({ host, port: port as number });
      } else if (request.op !== 'stats') {
        return { ok: false, error: `unknown op ${JSON.stringify(request.op)} (expected rules, heal, stats or target)` };
      }
      return { ok: true, stats: this.stats() };
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  }

  private accept(downstream: net.Socket): void {
    if (this.sockets.size >= PROXY_CONNECTIONS_MAX * 2) {
      downstream.destroy();
      return;
    }
    const upstream = net.connect({ host: this.target.host, port: this.target.port });
    downstream.setNoDelay(true);
    upstream.setNoDelay(true);
    this.sockets.add(downstream);
    this.sockets.add(upstream);
    const frameBytesMax = this.options.frameBytesMax ?? FRAME_BYTES_MAX_DEFAULT;
    const fromDialer = new FrameDecoder(frameBytesMax);
    const fromNode = new FrameDecoder(frameBytesMax);
    let dialer: NodeId | null = null;
    const toNode = new Direction(this, upstream, HANDSHAKE_FRAMES.toNode, () => (dialer === null ? null : ruleFor(this.rules, dialer, this.node)));
    const toDialer = new Direction(this, downstream, HANDSHAKE_FRAMES.toDialer, () => (dialer === null ? null : ruleFor(this.rules, this.node, dialer)));
    this.directions.add(toNode);
    this.directions.add(toDialer);
    let closed = false;
    const close = (reason: string): void => {
      if (closed) return;
      closed = true;
      toNode.stop();
      toDialer.stop();
      this.directions.delete(toNode);
      this.directions.delete(toDialer);
      downstream.destroy();
      upstream.destroy();
      this.sockets.delete(downstream);
      this.sockets.delete(upstream);
      this.options.log('proxy.connection-closed', { node: this.node, dialer, reason });
    };
    downstream.on('data', (chunk: Buffer) => {
      try {
        for (const frame of fromDialer.pushRaw(chunk)) {
          if (dialer === null) {
            // The dialer's first frame is its hello: read it to learn which link this is.
            const hello = parseHello(fromDialer.parse(frame));
            if (typeof hello === 'string') return close(`dialer sent no valid hello: ${hello}`);
            dialer = hello.id;
          }
          toNode.forward(frame, ruleFor(this.rules, dialer, this.node), this.random);
        }
      } catch (error) {
        close(error instanceof FrameError ? `bad frame from dialer: ${error.message}` : String(error));
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      try {
        for (const frame of fromNode.pushRaw(chunk)) {
          // Until the dialer has said who it is, only the node's challenge flows back: pass it.
          toDialer.forward(frame, dialer === null ? null : ruleFor(this.rules, this.node, dialer), this.random);
        }
      } catch (error) {
        close(error instanceof FrameError ? `bad frame from node: ${error.message}` : String(error));
      }
    });
    for (const [socket, side] of [
      [downstream, 'dialer'],
      [upstream, 'node'],
    ] as const) {
      socket.on('error', (error: Error) => close(`${side} socket error: ${error.message}`));
      socket.on('close', () => close(`${side} closed`));
    }
  }
}

function listenOn(server: net.Server, address: Address): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** Sends one control request to a proxy's control port and returns its reply. */
export function proxyControl(address: Address, secret: string, node: NodeId, request: ControlRequest, timeoutMs = 2_000): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: Error | null, reply?: ControlReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.close('control request finished');
      if (error) reject(error);
      else resolve(reply!);
    };
    const timer = setTimeout(() => settle(new Error(`proxy of ${node}: no reply within ${timeoutMs} ms`)), timeoutMs);
    const connection = dialConnection(
      address,
      { id: `admin-${process.pid}`, role: 'admin', expectNode: `proxy-${node}` },
      { secret, log: () => undefined, handshakeMsMax: timeoutMs },
      {
        onOpen: (open) => {
          open.send(request);
        },
        onFrame: (_connection, value) => settle(null, value as ControlReply),
        onClose: (_connection, reason) => settle(new Error(`proxy of ${node} at ${address.host}:${address.port}: ${reason}`)),
      },
    );
  });
}
