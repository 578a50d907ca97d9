// The siblings workload's client (AP mode). Each op picks a key and either reads it (R = 1,
// keeping the siblings and causal context it got), writes a fresh value with the context of its
// last read of that key (replacing the siblings that read returned), or writes blind (a sibling
// beside whatever is there). Writes go to a sloppy quorum of two.
//
// With `deletes` (the `deletes` workload) a fourth kind of op deletes a key with the context of its
// last read: a tombstone replacing the siblings that read returned, recorded as `delete` with the
// replaced values; and the final reads of one replica come before those of all replicas, because
// a read of all replicas repairs the ones it reads and would hide a replica anti-entropy left behind.
//
// With `counter` (the `g-counter` and `pn-counter` workloads) the keys are counters: an op either
// reads one (R = 1) or adds a small delta (sloppy W = 2; never negative for a g-counter), recorded
// as `add` with the delta; the final reads are of all replicas only, one per node, recorded as
// `final-read` with the counter's value.
//
// Records: `write` with value `[v, replaced]` (the siblings its context replaces; [] when blind),
// `read` with the sibling values, and at the end `final-read` with the siblings: first one with
// R = all per key (every primary answers, so it sees every acknowledged write: the truth), then
// `FINAL_ONE_READS_PER_NODE` reads per node with R = 1 through random nodes, which agree with the
// truth only if the replicas have converged (hinted handoff, read repair, anti-entropy). Client i
// makes the final reads of keys i, i + clients, ...; they come out of its share of `opsMax` first
// (the reads of all replicas before the others), so the run never invokes more than `opsMax`.
//
// Phases on the client's own clock since start (true time to within drift, see lin-kv.ts): ops
// until `writesUntilNs`, then a settle pause of `SETTLE_NS` after the last op's timeout, then the
// final reads. Every client computes the same times, so no write is in flight during final reads.
import { NS_PER_S, type ClientHost, type NodeId, type Process, type ProcessFactory, type TimerTag } from '../../nodes/host.js';
import type { CausalContext } from '../../nodes/quorum-kv/index.js';
import type { WorkloadParams } from '../system.js';
import { KvCaller, defaultCallerConfig, type CallResult } from '../kv-caller.js';
import type { KvOp } from '../kv-protocol.js';
import { linKvKey, linKvOptions, validateWorkloadParams } from '../lin-kv.js';
import { exponentialGapNs, opsShare, processNumber, spreadGapNs } from '../pacing.js';
import { AP_COUNTER_ALL, AP_COUNTER_ONE, AP_COUNTER_SLOPPY, AP_READ_ALL, AP_SLOPPY } from './options.js';
import { QuorumClientHost, observing } from './client-host.js';

/** How long replicas get to converge between the last write and the final reads. */
export const SETTLE_NS = 2 * NS_PER_S;
export const FINAL_ONE_READS_PER_NODE = 1;

export interface SiblingsPhases {
  writesUntilNs: number;
  finalReadsAtNs: number;
}

/** The phase times of a run: ops stop early enough for the final reads to fit before the end. */
export function siblingsPhases(params: WorkloadParams): SiblingsPhases {
  const finalReadsNs = Math.max(params.timeoutNs * 2, Math.floor(params.stopInvokingAtNs / 10));
  const writesUntilNs = Math.max(0, params.stopInvokingAtNs - finalReadsNs - params.timeoutNs - SETTLE_NS);
  return { writesUntilNs, finalReadsAtNs: writesUntilNs + params.timeoutNs + SETTLE_NS };
}

/** What a client of this family does besides reads and writes with siblings. */
export interface SiblingsFlavor {
  deletes?: boolean;
  /** The keys are counters: `g` adds only deltas >= 0, `pn` any sign. */
  counter?: 'g' | 'pn';
}

/** Deltas of a counter workload are at most this in absolute value. */
export const COUNTER_DELTA_MAX = 5;

export function siblingsClient(params: WorkloadParams, index: number, flavor: SiblingsFlavor = {}): ProcessFactory<ClientHost> {
  validateWorkloadParams(params, index);
  const stamp = flavor.counter === undefined ? { read: AP_SLOPPY, write: AP_SLOPPY } : { read: AP_COUNTER_ONE, write: AP_COUNTER_SLOPPY };
  return (host) => {
    const wrapper = new QuorumClientHost(host, stamp);
    return observing(new SiblingsClient(wrapper, params, index, flavor), wrapper);
  };
}

interface FinalRead {
  key: string;
  r: 'all' | 'one';
}

/** This client's final reads: of all replicas for each of its keys, then of one replica. */
export function finalReadPlan(params: WorkloadParams, index: number, oneFirst = false, allPerNode = false): FinalRead[] {
  const keys: string[] = [];
  for (let k = index; k < linKvOptions(params).keys; k += params.clients) keys.push(linKvKey(k));
  const all: FinalRead[] = keys.map((key) => ({ key, r: 'all' as const }));
  if (allPerNode) return keys.flatMap((key) => params.nodes.map(() => ({ key, r: 'all' as const })));
  const one: FinalRead[] = [];
  for (const key of keys) for (let i = 0; i < FINAL_ONE_READS_PER_NODE * params.nodes.length; i++) one.push({ key, r: 'one' });
  return oneFirst ? [...one, ...all] : [...all, ...one];
}

interface Seen {
  context: CausalContext;
  siblings: number[];
}

type Pending =
  | { kind: 'read'; key: string }
  | { kind: 'write'; key: string; value: number; replaced: number[] }
  | { kind: 'delete'; key: string; replaced: number[] }
  | { kind: 'add'; key: string; delta: number }
  | { kind: 'final'; key: string; r: 'all' | 'one' };

class SiblingsClient implements Process {
  private readonly host: ClientHost;
  private readonly caller: KvCaller;
  private readonly budget: number;
  private readonly gapMeanNs: number;
  private readonly phases: SiblingsPhases;
  private startNs = 0;
  private invoked = 0;
  private written = 0;
  private generation = 0;
  private pending: Pending | null = null;
  private readonly finalPlan: readonly FinalRead[];
  private finalQueue: FinalRead[] | null = null;
  private finished = false;
  /** The last read of each key not yet used by a write; at most `keys` entries. */
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly wrapper: QuorumClientHost,
    private readonly params: WorkloadParams,
    private readonly index: number,
    private readonly flavor: SiblingsFlavor,
  ) {
    this.host = wrapper.host;
    this.phases = siblingsPhases(params);
    const share = opsShare(params.opsMax, params.clients, index);
    this.finalPlan = finalReadPlan(params, index, flavor.deletes === true, flavor.counter !== undefined).slice(0, share);
    this.budget = share - this.finalPlan.length;
    this.gapMeanNs = spreadGapNs(params.opsPerSecond, params.clients, this.budget, this.phases.writesUntilNs, 0.95);
    this.caller = new KvCaller(this.host, defaultCallerConfig(params.nodes, params.timeoutNs), (result) => this.complete(result));
  }

  start(): void {
    this.startNs = this.host.monotonicNow();
    this.host.setTimer(exponentialGapNs(this.host.random, this.gapMeanNs), 'next');
  }

  onMessage(from: NodeId, message: unknown): void {
    this.caller.onMessage(from, message);
  }

  onTimer(tag: TimerTag): void {
    if (this.caller.onTimer(tag)) return;
    if (tag === 'next' && this.caller.idle()) this.step();
  }

  onFsync(): void {}

  private elapsedNs(): number {
    return this.host.monotonicNow() - this.startNs;
  }

  private step(): void {
    if (this.finished) return;
    if (this.finalQueue === null && (this.invoked >= this.budget || this.elapsedNs() >= this.phases.writesUntilNs)) {
      this.finalQueue = [...this.finalPlan];
      const waitNs = this.phases.finalReadsAtNs - this.elapsedNs();
      if (waitNs > 0) {
        this.host.setTimer(waitNs, 'next');
        return;
      }
    }
    if (this.finalQueue !== null) {
      const next = this.finalQueue.shift();
      if (next === undefined || this.elapsedNs() >= this.params.stopInvokingAtNs) {
        this.finished = true;
        this.host.done();
        return;
      }
      this.invokeFinal(next.key, next.r);
      return;
    }
    this.invokeOp();
  }

  private invokeOp(): void {
    const random = this.host.random;
    const key = linKvKey(random.int(linKvOptions(this.params).keys));
    const roll = random.int(this.flavor.deletes === true ? 4 : this.flavor.counter !== undefined ? 2 : 3);
    this.invoked += 1;
    const process = this.process();
    if (this.flavor.counter !== undefined && roll === 1) {
      const delta = this.flavor.counter === 'g' ? random.range(0, COUNTER_DELTA_MAX + 1) : random.range(-COUNTER_DELTA_MAX, COUNTER_DELTA_MAX + 1);
      this.pending = { kind: 'add', key, delta };
      this.host.record({ process, type: 'invoke', f: 'add', value: delta, key });
      this.call({ f: 'write', key, value: delta }, null);
      return;
    }
    const toDelete = roll === 3 ? this.seen.get(key) : undefined;
    if (toDelete !== undefined) {
      this.seen.delete(key);
      this.pending = { kind: 'delete', key, replaced: toDelete.siblings };
      this.host.record({ process, type: 'invoke', f: 'delete', value: toDelete.siblings, key });
      this.call({ f: 'write', key, value: null }, toDelete.context);
      return;
    }
    if (roll === 0 || roll === 3) {
      this.pending = { kind: 'read', key };
      this.host.record({ process, type: 'invoke', f: 'read', value: null, key });
      this.call({ f: 'read', key, value: null }, null);
      return;
    }
    const seen = roll === 1 ? this.seen.get(key) : undefined;
    this.seen.delete(key);
    const value = this.index + 1 + this.params.clients * this.written++;
    const replaced = seen === undefined ? [] : seen.siblings;
    this.pending = { kind: 'write', key, value, replaced };
    this.host.record({ process, type: 'invoke', f: 'write', value: [value, replaced], key });
    this.call({ f: 'write', key, value }, seen?.context ?? null);
  }

  private invokeFinal(key: string, r: 'all' | 'one'): void {
    this.pending = { kind: 'final', key, r };
    this.host.record({ process: this.process(), type: 'invoke', f: 'final-read', value: r, key });
    if (this.flavor.counter !== undefined) this.wrapper.readOptions = r === 'all' ? AP_COUNTER_ALL : AP_COUNTER_ONE;
    else this.wrapper.readOptions = r === 'all' ? AP_READ_ALL : AP_SLOPPY;
    this.call({ f: 'read', key, value: null }, null);
  }

  private call(op: KvOp, context: CausalContext | null): void {
    this.wrapper.writeContext = context;
    this.caller.call(op);
  }

  private complete(result: CallResult): void {
    const pending = this.pending;
    if (pending === null) throw new Error('siblings: a completion without an op');
    this.pending = null;
    const process = this.process();
    const node = result.node === null ? {} : { node: result.node };
    const extras = this.wrapper.lastExtras();
    if (pending.kind === 'write') {
      const type = result.outcome;
      this.host.record({ process, type, f: 'write', value: [pending.value, pending.replaced], key: pending.key, ...node });
    } else if (pending.kind === 'add') {
      this.host.record({ process, type: result.outcome, f: 'add', value: pending.delta, key: pending.key, ...node });
    } else if (this.flavor.counter !== undefined) {
      const f = pending.kind === 'read' ? 'read' : 'final-read';
      this.host.record({ process, type: result.outcome, f, value: result.outcome === 'ok' ? result.value : null, key: pending.key, ...node });
    } else if (pending.kind === 'delete') {
      this.host.record({ process, type: result.outcome, f: 'delete', value: pending.replaced, key: pending.key, ...node });
    } else {
      const f = pending.kind === 'read' ? 'read' : 'final-read';
      if (result.outcome === 'ok') {
        const siblings = extras.siblings ?? [];
        this.host.record({ process, type: 'ok', f, value: siblings, key: pending.key, ...node });
        if (pending.kind === 'read' && extras.context !== null) this.seen.set(pending.key, { context: extras.context, siblings });
      } else {
        this.host.record({ process, type: result.outcome, f, value: null, key: pending.key, ...node });
      }
    }
    if (result.outcome === 'info') this.generation += 1;
    const gapNs = this.finalQueue === null ? exponentialGapNs(this.host.random, this.gapMeanNs) : 1;
    this.host.setTimer(gapNs, 'next');
  }

  private process(): number {
    return processNumber(this.index, this.params.clients, this.generation);
  }
}
