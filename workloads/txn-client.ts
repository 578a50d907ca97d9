// The client of the transactional workloads (list-append, rw-register): one transaction at a time,
// paced like lin-kv's ops, recorded as Jepsen records them (`f: "txn"`, the micro-ops as the value,
// reads nil at the invoke and filled in at `ok`). What a transaction holds is the workload's choice
// (a TxnPlanner); this file only runs, records and retires processes after `info`.
import type { ClientHost, NodeId, Process, ProcessFactory, Random, TimerId, TimerTag } from '../nodes/host.js';
import type { WorkloadParams } from './system.js';
import { KvCaller, defaultCallerConfig, type CallResult } from './kv-caller.js';
import { TXN_KEY, type KvOp, type TxnMicroOp } from './kv-protocol.js';
import { validateWorkloadParams } from './lin-kv.js';
import { exponentialGapNs, opsShare, processNumber, spreadGapNs } from './pacing.js';

/** Micro-ops per transaction, at most (Jepsen's default max-txn-length). */
export const TXN_LENGTH_MAX = 4;

/** Chooses each transaction and learns from each completed one (to retire keys). */
export interface TxnPlanner {
  next(random: Random): TxnMicroOp[];
  completed(ops: readonly TxnMicroOp[]): void;
}

export function txnClient(params: WorkloadParams, index: number, planner: (params: WorkloadParams, index: number) => TxnPlanner): ProcessFactory<ClientHost> {
  validateWorkloadParams(params, index);
  return (host) => new TxnClient(host, params, index, planner(params, index));
}

class TxnClient implements Process {
  private readonly caller: KvCaller;
  private readonly budget: number;
  private readonly gapMeanNs: number;
  private startNs = 0;
  private invoked = 0;
  /** How many of this client's transactions ended `info`: each retires a process number. */
  private generation = 0;
  private nextArrivalNs = 0;
  private arrivalTimer: TimerId | null = null;
  private finished = false;

  constructor(
    private readonly host: ClientHost,
    private readonly params: WorkloadParams,
    private readonly index: number,
    private readonly planner: TxnPlanner,
  ) {
    this.budget = opsShare(params.opsMax, params.clients, index);
    this.gapMeanNs = spreadGapNs(params.opsPerSecond, params.clients, this.budget, params.stopInvokingAtNs, 0.95);
    this.caller = new KvCaller(host, defaultCallerConfig(params.nodes, params.timeoutNs), (result, op) => this.complete(result, op));
  }

  start(): void {
    this.startNs = this.host.now();
    this.scheduleArrival(exponentialGapNs(this.host.random, this.gapMeanNs));
  }

  onMessage(from: NodeId, message: unknown): void {
    this.caller.onMessage(from, message);
  }

  onTimer(tag: TimerTag): void {
    if (this.caller.onTimer(tag)) return;
    if (tag !== 'arrive') return;
    this.arrivalTimer = null;
    if (!this.caller.idle()) return;
    if (this.mustStop()) this.finish();
    else this.invoke();
  }

  onFsync(): void {}

  private mustStop(): boolean {
    return this.invoked >= this.budget || this.host.now() - this.startNs >= this.params.stopInvokingAtNs;
  }

  private invoke(): void {
    const ops = this.planner.next(this.host.random);
    assert(ops.length >= 1 && ops.length <= TXN_LENGTH_MAX, 'a planner gives 1 to TXN_LENGTH_MAX micro-ops');
    this.invoked += 1;
    this.host.record({ process: this.process(), type: 'invoke', f: 'txn', value: ops });
    this.nextArrivalNs = this.host.now() + exponentialGapNs(this.host.random, this.gapMeanNs);
    this.caller.call({ f: 'txn', key: TXN_KEY, value: ops });
  }

  private complete(result: CallResult, op: KvOp): void {
    const process = this.process();
    const ops = op.value as TxnMicroOp[];
    if (result.outcome === 'ok') {
      const done = result.txn;
      // A node that answers `ok` without the transaction's results broke the protocol: record `info`
      // (it may have happened) rather than invent the reads.
      if (done === undefined || done.length !== ops.length) {
        this.host.record({ process, type: 'info', f: 'txn', value: ops, node: result.node });
        this.generation += 1;
      } else {
        this.host.record({ process, type: 'ok', f: 'txn', value: done, node: result.node });
        this.planner.completed(done);
      }
    } else if (result.outcome === 'fail') {
      this.host.record({ process, type: 'fail', f: 'txn', value: ops, node: result.node });
    } else {
      const record = { process, type: 'info' as const, f: 'txn', value: ops };
      this.host.record(result.node === null ? record : { ...record, node: result.node });
      // Jepsen's rule: the process may still have a transaction in flight, so it never invokes again.
      this.generation += 1;
    }
    if (this.mustStop()) {
      this.finish();
      return;
    }
    const waitNs = this.nextArrivalNs - this.host.now();
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

/**
 * The keys of a transactional workload: `params.keys` slots, each holding one key at a time
 * (`s3.0`, then `s3.1`, ...). A client moves a slot to its next key once it has seen the key hold
 * `writesPerKey` writes, or made its own share of them, so lists stay short without the clients
 * sharing any state. Values are unique per run: client i writes i+1, i+1+clients, ...
 */
export class KeySlots {
  private readonly generation: number[];
  private readonly ownWrites: number[];
  private written = 0;

  constructor(
    private readonly params: WorkloadParams,
    private readonly index: number,
    private readonly writesPerKey: number,
  ) {
    assert(Number.isSafeInteger(writesPerKey) && writesPerKey >= 1, 'writesPerKey must be a positive integer');
    this.generation = new Array<number>(params.keys).fill(0);
    this.ownWrites = new Array<number>(params.keys).fill(0);
  }

  /** A key of a random slot. */
  pick(random: Random): { slot: number; key: string } {
    const slot = random.int(this.params.keys);
    return { slot, key: `s${slot}.${this.generation[slot]!}` };
  }

  freshValue(): number {
    const value = this.index + 1 + this.params.clients * this.written;
    this.written += 1;
    return value;
  }

  /** This client wrote to the key of `slot`; past its share it moves the slot on. */
  wrote(slot: number): void {
    this.ownWrites[slot]! += 1;
    if (this.ownWrites[slot]! >= Math.ceil(this.writesPerKey / this.params.clients)) this.retire(slot);
  }

  /** A completed read saw `key` hold `count` writes; at the limit its slot moves on. */
  saw(key: string, count: number): void {
    const match = /^s(\d+)\.(\d+)$/.exec(key);
    if (match === null) return;
    const slot = Number(match[1]);
    if (slot < this.params.keys && Number(match[2]) === this.generation[slot] && count >= this.writesPerKey) this.retire(slot);
  }

  private retire(slot: number): void {
    this.generation[slot]! += 1;
    this.ownWrites[slot] = 0;
  }
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`txn-client: ${message}`);
}
