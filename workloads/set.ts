// The set workload's client, built on the KV protocol alone (no node change): adding element `e`
// writes 1 to key `set:<e>`; a set read reads the key of every element the client may have added,
// one KV read after another, and records the elements it found as one `read` op.
//
// Each client adds its own elements (client i adds i, i+clients, i+2*clients, ...) and reads back
// only those, so the history is keyed by client: adds and reads carry `key` = the client's id and
// the set checker judges each client's set on its own. A read also probes a few elements the
// client never added: finding one of those is an unexpected element.
//
// Phases, on the client's own clock since start (see workloads/lin-kv.ts for why that is true time):
// adds, spread over [0, addsUntilNs(params)) at most at the workload's rate, until that time or
// the client's add budget is spent; then, from `addsUntilNs` on, final reads until
// `FINAL_READS_OK` have come back `ok`, the read budget is spent, or `stopInvokingAtNs`.
import type { ClientHost, NodeId, Process, ProcessFactory, TimerId, TimerTag } from '../nodes/host.js';
import type { WorkloadParams } from './system.js';
import { KvCaller, defaultCallerConfig, type CallResult } from './kv-caller.js';
import type { KvOp } from './kv-protocol.js';
import { validateWorkloadParams } from './lin-kv.js';
import { exponentialGapNs, opsShare, processNumber, spreadGapNs } from './pacing.js';

/** Final read ops per client at most (each is many KV reads); they count against opsMax. */
export const FINAL_READS_MAX = 4;
/** Enough `ok` final reads: the second one shows the set stayed put after the first. */
export const FINAL_READS_OK = 2;
/** Elements past the client's last add that each read probes; none may be present. */
export const PROBES = 2;

/** The KV key that holds element `e`. */
export function setElementKey(element: number): string {
  return `set:${element}`;
}

/**
 * When adds stop: the last quarter of the invoking time is kept for final reads, at least three op
 * timeouts when the run is long enough, so a read can still come back after a slow first try.
 */
export function addsUntilNs(params: WorkloadParams): number {
  const reserveNs = Math.max(Math.floor(params.stopInvokingAtNs / 4), 3 * params.timeoutNs);
  return Math.max(0, params.stopInvokingAtNs - Math.min(reserveNs, Math.floor(params.stopInvokingAtNs / 2)));
}

export function setClient(params: WorkloadParams, index: number): ProcessFactory<ClientHost> {
  validateWorkloadParams(params, index);
  return (host) => new SetClient(host, params, index);
}

type Phase = 'adding' | 'reading' | 'finished';

class SetClient implements Process {
  private readonly caller: KvCaller;
  private readonly addsMax: number;
  private readonly readsMax: number;
  private readonly gapMeanNs: number;
  private startNs = 0;
  private phase: Phase = 'adding';
  private generation = 0;
  private adds = 0;
  private reads = 0;
  private readsOk = 0;
  private timer: TimerId | null = null;
  private nextAddNs = 0;
  /** The read in progress: which of the client's elements it reads next, and those found so far. */
  private readPosition = 0;
  private readFound: number[] = [];
  private readNode: NodeId | null = null;

  constructor(
    private readonly host: ClientHost,
    private readonly params: WorkloadParams,
    private readonly index: number,
  ) {
    const share = opsShare(params.opsMax, params.clients, index);
    // Reads are reserved first only when there is something to add: with a share of 1, one add.
    this.readsMax = share >= 2 ? Math.min(FINAL_READS_MAX, Math.max(1, Math.floor(share / 4))) : 0;
    this.addsMax = share - this.readsMax;
    // Adds last until `addsUntilNs` (some budget left over): a set read is long (one KV read per
    // element), so the adds are what shows progress right after the faults heal.
    this.gapMeanNs = spreadGapNs(params.opsPerSecond, params.clients, this.addsMax, addsUntilNs(params), 1.25);
    this.caller = new KvCaller(host, defaultCallerConfig(params.nodes, params.timeoutNs), (result) =>
      this.complete(result),
    );
  }

  start(): void {
    this.startNs = this.host.monotonicNow();
    this.wait(exponentialGapNs(this.host.random, this.gapMeanNs));
  }

  onMessage(from: NodeId, message: unknown): void {
    this.caller.onMessage(from, message);
  }

  onTimer(tag: TimerTag): void {
    if (this.caller.onTimer(tag)) return;
    if (tag !== 'next') return;
    this.timer = null;
    if (this.caller.idle()) this.step();
  }

  onFsync(): void {}

  private elapsedNs(): number {
    return this.host.monotonicNow() - this.startNs;
  }

  /** Starts whatever comes next: an add, the next final read, or the end. */
  private step(): void {
    if (this.phase === 'adding' && (this.adds >= this.addsMax || this.elapsedNs() >= addsUntilNs(this.params))) {
      this.phase = 'reading';
      // Final reads belong to the end of the run (after the faults), however early adds ran out.
      const untilReadsNs = addsUntilNs(this.params) - this.elapsedNs();
      if (untilReadsNs > 0) {
        this.wait(untilReadsNs);
        return;
      }
    }
    if (this.phase === 'adding') {
      this.invokeAdd();
      return;
    }
    if (this.phase === 'reading' && this.reads < this.readsMax && this.readsOk < FINAL_READS_OK && this.elapsedNs() < this.params.stopInvokingAtNs) {
      this.invokeRead();
      return;
    }
    this.finish();
  }

  private invokeAdd(): void {
    const element = this.element(this.adds);
    this.adds += 1;
    this.host.record({ process: this.process(), type: 'invoke', f: 'add', value: element, key: this.host.id });
    this.nextAddNs = this.host.monotonicNow() + exponentialGapNs(this.host.random, this.gapMeanNs);
    this.caller.call({ f: 'write', key: setElementKey(element), value: 1 });
  }

  private invokeRead(): void {
    this.reads += 1;
    this.host.record({ process: this.process(), type: 'invoke', f: 'read', value: null, key: this.host.id });
    this.readPosition = 0;
    this.readFound = [];
    this.readNode = null;
    this.readNext();
  }

  private readNext(): void {
    // Every element added (whatever became of the add), then the probes.
    if (this.readPosition >= this.adds + PROBES) {
      this.endRead('ok');
      return;
    }
    const op: KvOp = { f: 'read', key: setElementKey(this.element(this.readPosition)), value: null };
    this.caller.call(op);
  }

  private complete(result: CallResult): void {
    if (this.phase === 'adding') this.completeAdd(result);
    else this.completeReadStep(result);
  }

  private completeAdd(result: CallResult): void {
    const element = this.element(this.adds - 1);
    const record = { process: this.process(), type: result.outcome, f: 'add', value: element, key: this.host.id };
    this.host.record(result.node === null ? record : { ...record, node: result.node });
    if (result.outcome === 'info') this.generation += 1;
    const waitNs = this.nextAddNs - this.host.monotonicNow();
    if (waitNs <= 0) this.step();
    else this.wait(waitNs);
  }

  private completeReadStep(result: CallResult): void {
    if (result.outcome !== 'ok') {
      this.endRead(result.outcome);
      return;
    }
    this.readNode = result.node;
    // Element keys are only ever written 1, so any value means present.
    if (result.value !== null) this.readFound.push(this.element(this.readPosition));
    this.readPosition += 1;
    this.readNext();
  }

  private endRead(outcome: 'ok' | 'fail' | 'info'): void {
    const process = this.process();
    const value = outcome === 'ok' ? [...this.readFound] : null;
    const record = { process, type: outcome, f: 'read', value, key: this.host.id };
    this.host.record(this.readNode === null ? record : { ...record, node: this.readNode });
    if (outcome === 'ok') this.readsOk += 1;
    if (outcome === 'info') this.generation += 1;
    // A pause between final reads, so the next one looks at the set a little later.
    this.wait(outcome === 'ok' ? Math.min(this.gapMeanNs, this.params.timeoutNs) : Math.ceil(this.params.timeoutNs / 2));
  }

  /** The client's k-th element: unique across clients. */
  private element(k: number): number {
    return this.index + this.params.clients * k;
  }

  private process(): number {
    return processNumber(this.index, this.params.clients, this.generation);
  }

  private wait(delayNs: number): void {
    assert(this.timer === null, 'two step timers');
    this.timer = this.host.setTimer(Math.max(1, delayNs), 'next');
  }

  private finish(): void {
    if (this.phase === 'finished') return;
    this.phase = 'finished';
    this.host.done();
  }
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`set: ${message}`);
}
