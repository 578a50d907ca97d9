// An outbound link to one node that keeps itself connected: dial, handshake, and on any loss redial
// after an exponential backoff with jitter. Frames sent while it is down wait in a bounded queue;
// beyond that they are dropped, which a node must tolerate anyway (the network may lose messages).
import type { PeerRole } from './auth.js';
import { type Connection, type ConnectionOptions, dialConnection } from './connection.js';

export interface Address {
  host: string;
  port: number;
}

export interface LinkOptions extends ConnectionOptions {
  /** First redial delay; it doubles per failure up to `backoffMsMax`. */
  backoffMsMin?: number;
  backoffMsMax?: number;
  /** Frames held while the link is down; older ones are kept, newer ones dropped. */
  queueFramesMax?: number;
  /** A value in [0, 1) for the jitter; the host passes its own stream so runs stay explainable. */
  jitter?: () => number;
}

export interface LinkHandlers {
  onFrame(value: unknown): void;
  onOpen?(): void;
  onDown?(reason: string): void;
}

export const BACKOFF_MS_MIN_DEFAULT = 20;
export const BACKOFF_MS_MAX_DEFAULT = 1_000;
export const QUEUE_FRAMES_MAX_DEFAULT = 1_024;

export class Link {
  private connection: Connection | null = null;
  private readonly queue: unknown[] = [];
  private failures = 0;
  private redialTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  framesDropped = 0;
  connects = 0;

  constructor(
    readonly target: string,
    private address: Address,
    private readonly identity: { id: string; role: PeerRole },
    private readonly options: LinkOptions,
    private readonly handlers: LinkHandlers,
  ) {
    this.dial();
  }

  get isOpen(): boolean {
    return this.connection !== null && this.connection.state === 'open';
  }

  /** Queues or sends one frame; false when it was dropped. */
  send(value: unknown): boolean {
    if (this.stopped) return false;
    if (this.connection !== null && this.connection.state === 'open') {
      const sent = this.connection.send(value);
      if (!sent) this.framesDropped += 1;
      return sent;
    }
    if (this.queue.length >= (this.options.queueFramesMax ?? QUEUE_FRAMES_MAX_DEFAULT)) {
      this.framesDropped += 1;
      return false;
    }
    this.queue.push(value);
    return true;
  }

  /** Points the link somewhere else (a restarted node on a new port) and redials now. */
  retarget(address: Address): void {
    this.address = address;
    this.connection?.close('retargeted');
  }

  stop(): void {
    this.stopped = true;
    if (this.redialTimer) clearTimeout(this.redialTimer);
    this.redialTimer = null;
    this.queue.length = 0;
    this.connection?.close('link stopped');
    this.connection = null;
  }

  private dial(): void {
    if (this.stopped) return;
    this.redialTimer = null;
    this.connection = dialConnection(
      this.address,
      { id: this.identity.id, role: this.identity.role, expectNode: this.target },
      this.options,
      {
        onOpen: (connection) => {
          if (connection !== this.connection) return;
          this.failures = 0;
          this.connects += 1;
          const waiting = this.queue.splice(0, this.queue.length);
          for (const value of waiting) if (!connection.send(value)) this.framesDropped += 1;
          this.handlers.onOpen?.();
        },
        onFrame: (connection, value) => {
          if (connection === this.connection) this.handlers.onFrame(value);
        },
        onClose: (connection, reason) => {
          if (connection !== this.connection) return;
          this.connection = null;
          if (this.stopped) return;
          this.handlers.onDown?.(reason);
          this.scheduleRedial();
        },
      },
    );
  }

  private scheduleRedial(): void {
    const min = this.options.backoffMsMin ?? BACKOFF_MS_MIN_DEFAULT;
    const max = this.options.backoffMsMax ?? BACKOFF_MS_MAX_DEFAULT;
    if (!(min > 0 && max >= min)) throw new Error('link: backoff bounds must satisfy 0 < min <= max');
    this.failures = Math.min(this.failures + 1, 30);
    const ceiling = Math.min(max, min * 2 ** (this.failures - 1));
    // Full jitter in the upper half keeps redials of many links from marching in step.
    const jitter = this.options.jitter ? this.options.jitter() : 0.5;
    const delayMs = Math.max(1, Math.round(ceiling / 2 + (ceiling / 2) * jitter));
    this.redialTimer = setTimeout(() => this.dial(), delayMs);
  }
}
