// A client's side of the scheduler protocol: one request at a time per caller, sent to the node
// believed to lead, following `not-leader` hints, trying the next node after an attempt's timeout,
// and giving up (outcome unknown) at the request's deadline. Retrying is safe: submits are
// idempotent by job id, renewals and completions by token.
import type { Host, NodeId } from '../host.js';
import { NS_PER_MS } from '../host.js';
import type { SchedOp, SchedReply, SchedRequest } from './protocol.js';
import type { Timers } from './timers.js';

export interface CallerConfig {
  nodes: readonly NodeId[];
  /** One attempt at one node. */
  attemptNs: number;
  /** The whole request, all attempts. */
  deadlineNs: number;
}

export const ATTEMPT_NS_DEFAULT = 200 * NS_PER_MS;
/** Wait after a `not-leader` without a hint (an election under way) before the next node. */
const NO_LEADER_BACKOFF_NS = 30 * NS_PER_MS;

interface Pending {
  op: SchedOp;
  startNs: number;
  done: (reply: SchedReply | null) => void;
  timer: string | null;
}

export class SchedCaller {
  private pending: Pending | null = null;
  private requestId = 0;
  private target: number;

  constructor(
    private readonly host: Host,
    private readonly timers: Timers,
    private readonly config: CallerConfig,
    /** Request ids are unique per process: callers of one process take disjoint ranges. */
    private readonly idBase: number,
    firstTarget: number,
  ) {
    this.target = firstTarget % config.nodes.length;
  }

  busy(): boolean {
    return this.pending !== null;
  }

  /** Sends `op`; `done` gets the final reply (ok, or a refusal other than not-leader), or null when the outcome is unknown. */
  call(op: SchedOp, done: (reply: SchedReply | null) => void): void {
    if (this.pending !== null) throw new Error('sched caller: a call while another is pending');
    this.pending = { op, startNs: this.host.monotonicNow(), done, timer: null };
    this.attempt();
  }

  /** Forgets the pending call without answering it (a simulated crash of its owner). */
  abandon(): void {
    if (this.pending === null) return;
    this.timers.cancel(this.pending.timer);
    this.pending = null;
  }

  /** True when the message was this caller's reply. */
  onReply(from: NodeId, reply: SchedReply): boolean {
    if (reply.id !== this.idBase + this.requestId) return reply.id >= this.idBase && reply.id < this.idBase + 1_000_000;
    const pending = this.pending;
    if (pending === null) return true;
    this.timers.cancel(pending.timer);
    pending.timer = null;
    if (!reply.ok && reply.error === 'not-leader') {
      const hinted = reply.leader === undefined || reply.leader === null ? -1 : this.config.nodes.indexOf(reply.leader);
      if (hinted >= 0 && this.config.nodes[hinted] !== from) {
        this.target = hinted;
        this.attempt();
      } else {
        this.target = (this.target + 1) % this.config.nodes.length;
        pending.timer = this.timers.set(NO_LEADER_BACKOFF_NS, () => this.attempt());
      }
      return true;
    }
    if (!reply.ok && reply.error === 'unknown-outcome') {
      // The leader lost its term mid-request: ask again (every op is safe to retry).
      this.target = (this.target + 1) % this.config.nodes.length;
      pending.timer = this.timers.set(NO_LEADER_BACKOFF_NS, () => this.attempt());
      return true;
    }
    this.finish(reply);
    return true;
  }

  private attempt(): void {
    const pending = this.pending!;
    pending.timer = null;
    const leftNs = pending.startNs + this.config.deadlineNs - this.host.monotonicNow();
    if (leftNs <= 0) {
      this.finish(null);
      return;
    }
    this.requestId = (this.requestId + 1) % 1_000_000;
    const request: SchedRequest = { type: 'sched.request', id: this.idBase + this.requestId, op: pending.op };
    this.host.send(this.config.nodes[this.target]!, request);
    pending.timer = this.timers.set(Math.min(this.config.attemptNs, leftNs), () => {
      this.target = (this.target + 1) % this.config.nodes.length;
      this.attempt();
    });
  }

  private finish(reply: SchedReply | null): void {
    const pending = this.pending!;
    this.timers.cancel(pending.timer);
    this.pending = null;
    pending.done(reply);
  }
}
