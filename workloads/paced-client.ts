// What every KV workload client shares: one call at a time, invoked as a Poisson process at the
// client's share of the workload's rate (or slower, to spread its share of `opsMax` over the run),
// a new process number after each `info` (Jepsen's rule), and `done` once it may invoke no more.
// A workload says what to invoke and how to record each result (lin-kv.ts, txn-client.ts).
//
// Time: a client compares `stopInvokingAtNs` with the time elapsed on its own clock since its
// start; see lin-kv.ts for why that is true time to within the configured drift.
import type { ClientHost, NodeId, Process, TimerId, TimerTag } from '../nodes/host.js';
import type { WorkloadParams } from './system.js';
import { KvCaller, defaultCallerConfig, type CallResult, type KvCallerConfig } from './kv-caller.js';
import type { KvOp } from './kv-protocol.js';
import { exponentialGapNs, opsShare, processNumber, spreadGapNs } from './pacing.js';

export abstract class PacedKvClient implements Process {
  protected readonly caller: KvCaller;
  private readonly budget: number;
  private readonly gapMeanNs: number;
  private startNs = 0;
  private invoked = 0;
  /** How many of this client's ops ended `info`: each one retires a process number. */
  private generation = 0;
  private nextArrivalNs = 0;
  private arrivalTimer: TimerId | null = null;
  private finished = false;

  constructor(
    protected readonly host: ClientHost,
    protected readonly params: WorkloadParams,
    protected readonly index: number,
    /** Overrides of how each op is sent (one attempt only, for systems without exactly-once sessions). */
    caller: Partial<KvCallerConfig> = {},
  ) {
    this.budget = opsShare(params.opsMax, params.clients, index);
    // Spent by 95% of the window on average, so ops nearly always reach the liveness phase.
    this.gapMeanNs = spreadGapNs(params.opsPerSecond, params.clients, this.budget, params.stopInvokingAtNs, 0.95);
    this.caller = new KvCaller(host, { ...defaultCallerConfig(params.nodes, params.timeoutNs), ...caller }, (result, op) => this.complete(result, op));
  }

  /** The next op, recorded as invoked by the subclass (it draws from `host.random` first). */
  protected abstract nextOp(process: number): KvOp;

  /** Records how the op ended; returns true when it ended `info` (a new process number follows). */
  protected abstract recordResult(result: CallResult, op: KvOp, process: number): boolean;

  start(): void {
    this.startNs = this.host.monotonicNow();
    this.scheduleArrival(exponentialGapNs(this.host.random, this.gapMeanNs));
  }

  onMessage(from: NodeId, message: unknown): void {
    this.caller.onMessage(from, message);
  }

  onTimer(tag: TimerTag): void {
    if (this.caller.onTimer(tag)) return;
    if (tag !== 'arrive') return;
    this.arrivalTimer = null;
    if (this.caller.idle()) this.arrive();
  }

  onFsync(): void {}

  private arrive(): void {
    if (this.mustStop()) this.finish();
    else this.invoke();
  }

  private mustStop(): boolean {
    return this.invoked >= this.budget || this.host.monotonicNow() - this.startNs >= this.params.stopInvokingAtNs;
  }

  private invoke(): void {
    assert(this.caller.idle() && !this.finished, 'invoke while busy or finished');
    const op = this.nextOp(this.process());
    this.invoked += 1;
    this.nextArrivalNs = this.host.monotonicNow() + exponentialGapNs(this.host.random, this.gapMeanNs);
    this.caller.call(op);
  }

  private complete(result: CallResult, op: KvOp): void {
    if (this.recordResult(result, op, this.process())) this.generation += 1;
    if (this.mustStop()) {
      this.finish();
      return;
    }
    const waitNs = this.nextArrivalNs - this.host.monotonicNow();
    if (waitNs <= 0) this.invoke();
    else this.scheduleArrival(waitNs);
  }

  private process(): number {
    return processNumber(this.index, this.params.clients, this.generation);
  }

  private scheduleArrival(delayNs: number): void {
    assert(this.arrivalTimer === null, 'two arrival timers');
    this.arrivalTimer = this.host.setTimer(delayNs, 'arrive');
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.host.done();
  }
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`paced-client: ${message}`);
}
