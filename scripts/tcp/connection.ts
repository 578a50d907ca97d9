// One authenticated, framed TCP connection: the handshake of auth.ts on either side, then frames.
//
// Whatever goes wrong on a connection (a bad frame, a failed handshake, a socket error, a peer that
// hangs up) ends in exactly one `onClose(reason)` and never throws into the caller: the node behind
// the host must survive every byte a stranger can send.
import net from 'node:net';
import {
  type Challenge,
  type Hello,
  type PeerRole,
  makeChallenge,
  makeHello,
  makeWelcome,
  parseChallenge,
  verifyHello,
  verifyWelcome,
} from './auth.js';
import { view } from './bytes.js';
import { FRAME_BYTES_MAX_DEFAULT, FrameDecoder, FrameError, encodeFrame } from './frame.js';

/** Structured log lines, formatted by whoever owns the process. */
export type LogFn = (kind: string, fields: Record<string, string | number | boolean | null | undefined>) => void;

export interface ConnectionOptions {
  secret: string;
  frameBytesMax?: number;
  /** A handshake that takes longer than this is abandoned. */
  handshakeMsMax?: number;
  /** Frames are dropped (the network loses them) while this many bytes wait in the socket. */
  writeBufferBytesMax?: number;
  log: LogFn;
}

export interface ConnectionHandlers {
  /** The handshake succeeded: `connection.remoteId` and `connection.role` are set. */
  onOpen(connection: Connection): void;
  onFrame(connection: Connection, value: unknown): void;
  /** Called exactly once. `reason` says why, for the log. */
  onClose(connection: Connection, reason: string): void;
}

export const HANDSHAKE_MS_MAX_DEFAULT = 5_000;
export const WRITE_BUFFER_BYTES_MAX_DEFAULT = 16 * 1024 * 1024;

type State = 'handshake' | 'open' | 'closed';

export class Connection {
  state: State = 'handshake';
  remoteId: string | null = null;
  role: PeerRole | null = null;
  framesIn = 0;
  framesOut = 0;
  framesDropped = 0;
  private readonly decoder: FrameDecoder;
  private readonly frameBytesMax: number;
  private readonly writeBufferBytesMax: number;
  private handshakeTimer: NodeJS.Timeout | null;
  private corked = false;
  /** Set by the side that runs the handshake; receives frames until the connection opens. */
  private handshakeStep: ((value: unknown) => void) | null = null;

  constructor(
    readonly socket: net.Socket,
    readonly side: 'accept' | 'dial',
    private readonly options: ConnectionOptions,
    private readonly handlers: ConnectionHandlers,
  ) {
    this.frameBytesMax = options.frameBytesMax ?? FRAME_BYTES_MAX_DEFAULT;
    this.writeBufferBytesMax = options.writeBufferBytesMax ?? WRITE_BUFFER_BYTES_MAX_DEFAULT;
    this.decoder = new FrameDecoder(this.frameBytesMax);
    socket.setNoDelay(true);
    void this.remoteAddress;
    socket.on('connect', () => void this.remoteAddress);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: Error) => this.close(`socket error: ${error.message}`));
    socket.on('close', () => this.close('closed by the other side'));
    socket.on('end', () => this.close('closed by the other side'));
    const handshakeMs = options.handshakeMsMax ?? HANDSHAKE_MS_MAX_DEFAULT;
    this.handshakeTimer = setTimeout(() => this.close(`handshake not finished within ${handshakeMs} ms`), handshakeMs);
  }

  isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Where the bytes come from, for logs (kept, because a destroyed socket forgets it). */
  get remoteAddress(): string {
    if (this.socket.remoteAddress !== undefined) this.lastRemote = `${this.socket.remoteAddress}:${this.socket.remotePort ?? '?'}`;
    return this.lastRemote;
  }

  private lastRemote = '?';

  /**
   * Sends one frame once the connection is open. Returns false when the frame was dropped: not
   * open, too large, or the socket's buffer is over its limit (a slow receiver loses messages
   * rather than growing our memory).
   */
  send(value: unknown): boolean {
    if (this.state !== 'open') return false;
    return this.write(value);
  }

  close(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    this.handshakeStep = null;
    this.socket.destroy();
    this.handlers.onClose(this, reason);
  }

  /** Runs the acceptor's side of the handshake for a node named `nodeId`. */
  acceptAs(nodeId: string, rolesAllowed: readonly PeerRole[]): void {
    const challenge = makeChallenge(nodeId);
    this.handshakeStep = (value) => {
      const hello = verifyHello(this.options.secret, challenge, value);
      if (typeof hello === 'string') return this.close(hello);
      if (!rolesAllowed.includes(hello.role)) return this.close(`role ${hello.role} is not accepted on this port`);
      this.write(makeWelcome(this.options.secret, challenge, hello));
      this.open(hello.id, hello.role);
    };
    this.write(challenge);
  }

  /** Runs the dialer's side: we are `id` in `role`, and we expect to reach node `expectNode`. */
  dialAs(id: string, role: PeerRole, expectNode: string | null): void {
    let challenge: Challenge | null = null;
    let hello: Hello | null = null;
    this.handshakeStep = (value) => {
      if (challenge === null) {
        const parsed = parseChallenge(value);
        if (typeof parsed === 'string') return this.close(parsed);
        if (expectNode !== null && parsed.node !== expectNode) {
          return this.close(`reached node ${parsed.node} but expected ${expectNode}`);
        }
        challenge = parsed;
        hello = makeHello(this.options.secret, challenge, id, role);
        this.write(hello);
        return;
      }
      const verdict = verifyWelcome(this.options.secret, challenge, hello!, value);
      if (verdict !== true) return this.close(verdict);
      this.open(challenge.node, 'peer');
    };
  }

  private open(remoteId: string, role: PeerRole): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    this.handshakeStep = null;
    this.remoteId = remoteId;
    this.role = role;
    this.state = 'open';
    this.handlers.onOpen(this);
  }

  private write(value: unknown): boolean {
    if (this.socket.destroyed) return false;
    if (this.socket.writableLength > this.writeBufferBytesMax) {
      this.framesDropped += 1;
      return false;
    }
    let frame: Buffer;
    try {
      frame = encodeFrame(value, this.frameBytesMax);
    } catch (error) {
      this.framesDropped += 1;
      this.options.log('tcp.frame-too-large', { remote: this.remoteId, reason: (error as Error).message });
      return false;
    }
    // Cork until the event loop has handled this round of I/O, so the frames that every handler of
    // the round sends to this peer leave in one write (one syscall) rather than one each.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(view(frame));
    this.framesOut += 1;
    return true;
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    let values: unknown[];
    try {
      values = this.decoder.push(chunk);
    } catch (error) {
      const reason = error instanceof FrameError ? `bad frame: ${error.message}` : `decoder failure: ${String(error)}`;
      return this.close(reason);
    }
    for (const value of values) {
      // A handler may have closed the connection while we were delivering this batch.
      if (this.isClosed()) return;
      this.framesIn += 1;
      if (this.state === 'handshake') {
        const step = this.handshakeStep;
        if (step === null) return this.close('unexpected frame before the handshake started');
        step(value);
      } else {
        this.handlers.onFrame(this, value);
      }
    }
  }
}

/** Wraps an accepted socket; the handshake starts at once. */
export function acceptConnection(
  socket: net.Socket,
  nodeId: string,
  rolesAllowed: readonly PeerRole[],
  options: ConnectionOptions,
  handlers: ConnectionHandlers,
): Connection {
  const connection = new Connection(socket, 'accept', options, handlers);
  connection.acceptAs(nodeId, rolesAllowed);
  return connection;
}

/** Dials `host:port` and runs the dialer's handshake. */
export function dialConnection(
  address: { host: string; port: number },
  identity: { id: string; role: PeerRole; expectNode: string | null },
  options: ConnectionOptions,
  handlers: ConnectionHandlers,
): Connection {
  const socket = net.connect({ host: address.host, port: address.port });
  const connection = new Connection(socket, 'dial', options, handlers);
  connection.dialAs(identity.id, identity.role, identity.expectNode);
  return connection;
}
