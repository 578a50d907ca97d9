// The lin-kv workload's client: reads, writes and compare-and-sets on a few keys, one op at a time,
// arriving as a Poisson process at the client's share of the workload's rate, or slower when that
// rate would spend the client's share of `opsMax` before `stopInvokingAtNs` (ops then spread over
// the whole run, faults and liveness phase included). Its history is judged per key against a
// cas-register whose keys start absent (a read of a key never written returns null): a `fail` cas
// is one whose compare failed, a `fail` read or write was refused before it was proposed.
//
// Time: a client compares `stopInvokingAtNs` with the time elapsed on its own clock since its
// start. The World starts every client at true time 0; measuring elapsed time cancels any offset of
// the client's clock, and clock faults target server nodes, so that elapsed time is true time to
// within the configured drift. Under the TCP host it is real time since the client started, which
// is what a real run means by the same number.
import type { ClientHost, ProcessFactory } from '../nodes/host.js';
import { z } from 'zod';
import type { History } from '../histories/schema.js';
import type { CheckerResult } from '../checkers/verdict.js';
import { checkHistory, toCheckerResult } from '../checkers/linearizability.js';
import { models } from '../checkers/models/index.js';
import type { OptionShrink, WorkloadParams } from './system.js';
import type { CallResult, KvCallerConfig } from './kv-caller.js';
import { CAS_MISMATCH, type KvOp } from './kv-protocol.js';
import { PacedKvClient } from './paced-client.js';

/** The op mix in percent; cas takes what reads and writes leave. */
export interface LinKvMix {
  readPercent: number;
  writePercent: number;
}

export const DEFAULT_MIX: LinKvMix = { readPercent: 40, writePercent: 30 };

/** The lin-kv workload's own options: how many keys, and what share of ops only read. */
export const linKvOptionsSchema = z
  .object({
    /** Distinct keys the clients touch. */
    keys: z.number().int().min(1).max(10_000).default(3),
    /**
     * Percent of ops that only read; absent keeps the workload's own mix. The shrinker sets 0 when
     * a failure does not need the reads.
     */
    readPercent: z.number().int().min(0).max(100).optional(),
  })
  .strict();

export type LinKvOptions = z.infer<typeof linKvOptionsSchema>;

/** The options as the scenario gave them (already parsed by the schema above). */
export function linKvOptions(params: Pick<WorkloadParams, 'options'>): LinKvOptions {
  return params.options as LinKvOptions;
}

/** What the shrinker may simplify in a lin-kv workload: reads left out, then fewer keys. */
export const LIN_KV_SHRINK: readonly OptionShrink[] = [
  { field: 'readPercent', floor: 0, absentAs: 100, sideways: true, label: 'reads left out' },
  { field: 'keys', floor: 1, absentAs: 3, label: 'keys' },
];

/** The mix a scenario asks for: its read share, with writes and cas splitting the rest evenly. */
export function mixOf(params: Pick<WorkloadParams, 'options'>): LinKvMix {
  const reads = linKvOptions(params).readPercent;
  if (reads === undefined) return DEFAULT_MIX;
  assert(Number.isInteger(reads) && reads >= 0 && reads <= 100, `readPercent ${reads}: 0..100`);
  return { readPercent: reads, writePercent: Math.floor((100 - reads) / 2) };
}

/**
 * Keys start absent and a read of one never written returns null, so the register is Porcupine's
 * flavour: a nil read says "absent" (a stale read of a key written long ago is caught), and a
 * `fail` cas is a failed compare (the client records other refused cas ops as `info`).
 */
export const LIN_KV_MODEL = 'cas-register-absent';

/**
 * Steps of the linearizability search before a history is called `unknown`: a tenth of the
 * checker's default (about six seconds of search), because a fuzz campaign runs thousands of these.
 * Our histories are small and per key, so a search that needs more is itself worth a look.
 */
export const LIN_KV_BUDGET_STEPS = 20_000_000;

/** A lin-kv history judged linearizable per key, for any system whose clients are lin-kv clients. */
export function checkLinKv(history: History): CheckerResult {
  const model = models[LIN_KV_MODEL];
  if (model === undefined) throw new Error(`lin-kv: the checker has no model "${LIN_KV_MODEL}"`);
  return toCheckerResult(checkHistory(history, model, { budgetSteps: LIN_KV_BUDGET_STEPS }));
}

/** Key `i` of the workload, for `i` in [0, keys). */
export function linKvKey(i: number): string {
  return `k${i}`;
}

export function validateWorkloadParams(params: WorkloadParams, index: number): void {
  assert(params.nodes.length > 0, 'a workload needs at least one node');
  assert(Number.isSafeInteger(params.clients) && params.clients >= 1, 'clients must be a positive integer');
  assert(Number.isSafeInteger(index) && index >= 0 && index < params.clients, 'client index out of range');
  assert(Number.isSafeInteger(params.opsMax) && params.opsMax >= 0, 'opsMax must be a non-negative integer');
  assert(params.opsPerSecond > 0, 'opsPerSecond must be positive');
  assert(params.timeoutNs > 0, 'timeoutNs must be positive');
  assert(params.stopInvokingAtNs >= 0, 'stopInvokingAtNs must not be negative');
}

/**
 * A lin-kv client. `caller` overrides how each op is sent: a system without exactly-once sessions
 * takes one attempt per op (`attemptsMax: 1`), since a retry through another node would run the op twice.
 */
export function linKvClient(
  params: WorkloadParams,
  index: number,
  mix: LinKvMix = mixOf(params),
  caller: Partial<KvCallerConfig> = {},
): ProcessFactory<ClientHost> {
  validateWorkloadParams(params, index);
  const keys = linKvOptions(params).keys;
  assert(Number.isSafeInteger(keys) && keys >= 1, 'keys must be a positive integer');
  assert(mix.readPercent >= 0 && mix.writePercent >= 0 && mix.readPercent + mix.writePercent <= 100, 'bad op mix');
  return (host) => new LinKvClient(host, params, index, mix, caller);
}

class LinKvClient extends PacedKvClient {
  private written = 0;
  /** The last value this client saw per key, so its cas ops can match. At most `keys` entries. */
  private readonly lastSeen = new Map<string, number | null>();

  constructor(
    host: ClientHost,
    params: WorkloadParams,
    index: number,
    private readonly mix: LinKvMix,
    caller: Partial<KvCallerConfig>,
  ) {
    super(host, params, index, caller);
  }

  protected nextOp(process: number): KvOp {
    const op = this.drawOp();
    this.host.record({ process, type: 'invoke', f: op.f, value: op.value, key: op.key });
    return op;
  }

  protected recordResult(result: CallResult, op: KvOp, process: number): boolean {
    if (result.outcome === 'ok') {
      const value = op.f === 'read' ? result.value : op.value;
      this.host.record({ process, type: 'ok', f: op.f, value, key: op.key, node: result.node });
      this.lastSeen.set(op.key, op.f === 'read' ? result.value : op.f === 'write' ? (op.value as number) : (op.value as [number, number])[1]);
      return false;
    }
    if (result.outcome === 'fail' && (op.f !== 'cas' || result.error === CAS_MISMATCH)) {
      this.host.record({ process, type: 'fail', f: op.f, value: op.value, key: op.key, node: result.node });
      return false;
    }
    // A cas refused before it was proposed certainly did not happen either, but in a cas-register
    // history a failed cas means "the compare failed", which claims the value was not `from`.
    // Recording it `info` claims nothing false; the op simply may or may not have happened.
    const record = { process, type: 'info' as const, f: op.f, value: op.value, key: op.key };
    this.host.record(result.node === null ? record : { ...record, node: result.node });
    // Jepsen's rule: the process may still have an op in flight, so it never invokes again.
    return true;
  }

  private drawOp(): KvOp {
    const random = this.host.random;
    const key = linKvKey(random.int(linKvOptions(this.params).keys));
    const roll = random.int(100);
    if (roll < this.mix.readPercent) return { f: 'read', key, value: null };
    if (roll < this.mix.readPercent + this.mix.writePercent) return { f: 'write', key, value: this.freshValue() };
    const seen = this.lastSeen.get(key);
    // A cas from the value last seen often matches; from a made-up small value it mostly fails.
    const expected = typeof seen === 'number' && random.int(4) > 0 ? seen : random.range(1, this.params.clients + 1);
    return { f: 'cas', key, value: [expected, this.freshValue()] };
  }

  /** Values are unique across all clients of the run: client i writes i+1, i+1+clients, ... */
  private freshValue(): number {
    const value = this.index + 1 + this.params.clients * this.written;
    this.written += 1;
    return value;
  }
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`lin-kv: ${message}`);
}
