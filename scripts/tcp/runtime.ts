// What the node host and the client host share: real timers, a monotonic clock, the trace sink, and
// the one-handler-at-a-time dispatch that turns an exception in a handler into a recorded failure.
import type { Message, Nanos, NodeId, Process, TimerId, TimerTag, TraceFields } from '../../nodes/host.js';

/** Timers a process may hold at once (a node needs a handful; this is a leak detector). */
export const TIMERS_MAX = 100_000;

/** Nanoseconds from `epochNs` on the process's monotonic clock, as a safe integer. */
export function monotonicNs(epochNs: bigint): Nanos {
  const ns = process.hrtime.bigint() - epochNs;
  if (ns < 0n) throw new Error('clock: monotonic time went backwards');
  return Number(ns);
}

/** The machine's wall clock in nanoseconds since the epoch (millisecond resolution, as Date gives). */
export function wallClockNs(): Nanos {
  return Date.now() * 1_000_000;
}

export type TraceSink = (time: Nanos, node: NodeId, kind: string, fields: TraceFields | undefined) => void;

export type FailureSink = (node: NodeId, message: string) => void;

/**
 * Runs one `Process`: every handler call goes through `dispatch`, never re-entrantly, and the first
 * handler that throws stops the process for good (as a crash would), reporting the failure.
 */
export class ProcessRuntime {
  process: Process | null = null;
  failed: string | null = null;
  stopped = false;
  private readonly timers = new Map<TimerId, NodeJS.Timeout>();
  private timerIdLast = 0;
  private depth = 0;

  constructor(
    readonly id: NodeId,
    readonly epochNs: bigint,
    private readonly onFailure: FailureSink,
  ) {}

  now(): Nanos {
    return monotonicNs(this.epochNs);
  }

  /** Starts the process made by `factory`; a throw in the constructor or `start` is a failure too. */
  boot(make: () => Process): void {
    this.dispatch(() => {
      this.process = make();
      this.process.start();
    });
  }

  deliver(from: NodeId, message: Message): void {
    this.dispatch(() => this.process?.onMessage(from, message));
  }

  fsyncDone(tag: TimerTag, ok: boolean): void {
    this.dispatch(() => this.process?.onFsync(tag, ok));
  }

  setTimer(delay: Nanos, tag: TimerTag): TimerId {
    if (!Number.isFinite(delay) || delay < 0) throw new Error(`setTimer: delay must be a non-negative number of ns: ${delay}`);
    if (this.timers.size >= TIMERS_MAX) throw new Error(`setTimer: more than ${TIMERS_MAX} timers pending`);
    this.timerIdLast += 1;
    const id = this.timerIdLast;
    const handle = setTimeout(() => {
      this.timers.delete(id);
      this.dispatch(() => this.process?.onTimer(tag));
    }, Math.ceil(delay / 1_000_000));
    this.timers.set(id, handle);
    return id;
  }

  cancelTimer(id: TimerId): void {
    const handle = this.timers.get(id);
    if (handle === undefined) return;
    clearTimeout(handle);
    this.timers.delete(id);
  }

  /** Stops delivering anything: timers are cleared and later events are ignored. */
  stop(): void {
    this.stopped = true;
    for (const handle of this.timers.values()) clearTimeout(handle);
    this.timers.clear();
  }

  dispatch(call: () => void): void {
    if (this.stopped || this.failed !== null) return;
    if (this.depth !== 0) throw new Error('dispatch: a handler was entered re-entrantly');
    this.depth += 1;
    try {
      call();
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.failed = message;
      this.stop();
      this.onFailure(this.id, error instanceof Error && error.stack ? error.stack : message);
    } finally {
      this.depth -= 1;
    }
  }
}
