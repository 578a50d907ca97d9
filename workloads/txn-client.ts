// The client of the transactional workloads (list-append, rw-register): one transaction at a time,
// paced like lin-kv's ops (paced-client.ts), recorded as Jepsen records them (`f: "txn"`, the
// micro-ops as the value, reads nil at the invoke and filled in at `ok`), and the planner that
// chooses each transaction over a few keys retired after a number of writes.
import { z } from 'zod';
import type { ClientHost, ProcessFactory, Random } from '../nodes/host.js';
import type { OptionShrink, WorkloadParams } from './system.js';
import type { CallResult } from './kv-caller.js';
import { TXN_KEY, type KvOp, type TxnMicroOp } from './kv-protocol.js';
import { validateWorkloadParams } from './lin-kv.js';
import { PacedKvClient } from './paced-client.js';

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

class TxnClient extends PacedKvClient {
  constructor(
    host: ClientHost,
    params: WorkloadParams,
    index: number,
    private readonly planner: TxnPlanner,
  ) {
    super(host, params, index);
  }

  protected nextOp(process: number): KvOp {
    const ops = this.planner.next(this.host.random);
    assert(ops.length >= 1 && ops.length <= TXN_LENGTH_MAX, 'a planner gives 1 to TXN_LENGTH_MAX micro-ops');
    this.host.record({ process, type: 'invoke', f: 'txn', value: ops });
    return { f: 'txn', key: TXN_KEY, value: ops };
  }

  protected recordResult(result: CallResult, op: KvOp, process: number): boolean {
    const ops = op.value as TxnMicroOp[];
    if (result.outcome === 'ok' && result.txn !== undefined && result.txn.length === ops.length) {
      this.host.record({ process, type: 'ok', f: 'txn', value: result.txn, node: result.node });
      this.planner.completed(result.txn);
      return false;
    }
    if (result.outcome === 'fail') {
      this.host.record({ process, type: 'fail', f: 'txn', value: ops, node: result.node });
      return false;
    }
    // No answer, or (a node breaking the protocol) `ok` without the transaction's results: it may
    // have happened, so `info`, and by Jepsen's rule this process never invokes again.
    const record = { process, type: 'info' as const, f: 'txn', value: ops };
    this.host.record(result.node === null ? record : { ...record, node: result.node });
    return true;
  }
}

/**
 * A planner of Jepsen's shape: 1 to TXN_LENGTH_MAX micro-ops, each a read or a write (`append`
 * for list-append, `w` for rw-register) of a unique value, on a random slot's current key.
 */
export function slotPlanner(params: WorkloadParams, index: number, write: 'append' | 'w', writesPerKey: number): TxnPlanner {
  const slots = new KeySlots(params, index, writesPerKey);
  return {
    next(random) {
      const length = 1 + random.int(TXN_LENGTH_MAX);
      const ops: TxnMicroOp[] = [];
      for (let i = 0; i < length; i += 1) {
        const { slot, key } = slots.pick(random);
        if (random.int(2) === 0) ops.push(['r', key, null]);
        else {
          ops.push([write, key, slots.freshValue()]);
          slots.wrote(slot);
        }
      }
      return ops;
    },
    // A list read tells how many appends a key has had; a register read does not.
    completed(ops) {
      for (const op of ops) if (op[0] === 'r' && Array.isArray(op[2])) slots.saw(op[1], op[2].length);
    },
  };
}

/**
 * The keys of a transactional workload: `params.keys` slots, each holding one key at a time
 * (`s3.0`, then `s3.1`, ...). A client moves a slot to its next key once it has seen the key hold
 * `writesPerKey` writes, or made its own share of them, so lists stay short without the clients
 * sharing any state. Values are unique per run: client i writes i+1, i+1+clients, ...
 */
/** The transactional workloads' own options: how many key slots run at once. */
export const txnOptionsSchema = z
  .object({
    /** Key slots; each holds one key at a time, retired after a number of writes. */
    keys: z.number().int().min(1).max(1_000).default(3),
  })
  .strict();

export function txnOptions(params: Pick<WorkloadParams, 'options'>): z.infer<typeof txnOptionsSchema> {
  return params.options as z.infer<typeof txnOptionsSchema>;
}

/** What the shrinker may simplify in a transactional workload: fewer key slots. */
export const TXN_SHRINK: readonly OptionShrink[] = [{ field: 'keys', floor: 1, absentAs: 3, label: 'keys' }];

export class KeySlots {
  private readonly generation: number[];
  private readonly ownWrites: number[];
  private written = 0;
  private readonly keys: number;

  constructor(
    private readonly params: WorkloadParams,
    private readonly index: number,
    private readonly writesPerKey: number,
  ) {
    assert(Number.isSafeInteger(writesPerKey) && writesPerKey >= 1, 'writesPerKey must be a positive integer');
    this.keys = txnOptions(params).keys;
    this.generation = new Array<number>(this.keys).fill(0);
    this.ownWrites = new Array<number>(this.keys).fill(0);
  }

  /** A key of a random slot. */
  pick(random: Random): { slot: number; key: string } {
    const slot = random.int(this.keys);
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
    if (slot < this.keys && Number(match[2]) === this.generation[slot] && count >= this.writesPerKey) this.retire(slot);
  }

  private retire(slot: number): void {
    this.generation[slot]! += 1;
    this.ownWrites[slot] = 0;
  }
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`txn-client: ${message}`);
}
