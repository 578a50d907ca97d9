// Maelstrom's workloads (doc/workloads.md) as pure parts: what a client asks next, how a reply (or
// its absence) ends the op in our history, the setup messages a workload sends first, and the
// checkers that judge the history with Maelstrom's semantics. The process host in scripts/maelstrom/
// sends and times; nothing here reads a clock or does I/O.
//
// History conventions: one record pair per request; `f` names the op (`echo`, `generate`, `add`,
// `read`, `write`, `cas`); a read taken at the end, after the heal and a quiet spell, on every node,
// is `final-read`. The eventually consistent workloads (broadcast, g-set, the counters) are judged
// on their final reads, as Maelstrom judges them: a read in the middle of a run may lag behind.
import type { Random } from '../../nodes/host.js';
import type { History, HistoryRecord } from '../../histories/schema.js';
import type { CheckerResult } from '../../checkers/verdict.js';
import { checkSet } from '../../checkers/set.js';
import { checkCounter } from '../../checkers/counter-sum.js';
import { checkUniqueIds } from '../../checkers/unique-ids.js';
import { sameValue } from '../../checkers/values.js';
import { checkLinKv } from '../lin-kv.js';
import { ERROR, type Body, type MaelstromId, type Outcome } from './protocol.js';

/** One request a client sends, and what the history records of it. */
export interface MaelstromOp {
  f: string;
  key?: string;
  /** The invoke's value. */
  value: unknown;
  /** The request body, without msg_id (the client numbers its own). */
  body: Body;
}

export interface Completion {
  type: 'ok' | 'fail' | 'info';
  value: unknown;
  /** The reply broke the workload's protocol (a read_ok without its field): said by the run. */
  malformed?: string;
}

export interface WorkloadOptions {
  /** lin-kv: distinct keys. */
  keys: number;
  /** broadcast: the topology sent to the nodes. */
  topology: TopologyName;
}

export const TOPOLOGIES = ['grid', 'line', 'total', 'tree'] as const;
export type TopologyName = (typeof TOPOLOGIES)[number];

export interface MaelstromWorkload {
  name: string;
  summary: string;
  /** The next request of client `index` (its `sequence`-th, from 0). */
  next(random: Random, index: number, sequence: number, options: WorkloadOptions): MaelstromOp;
  /** How a reply ends `op`; `null` means no reply before the client's timeout. */
  complete(op: MaelstromOp, outcome: Outcome | null): Completion;
  /** The read each node gets once the run is over, if the workload judges final reads. */
  finalRead?: MaelstromOp;
  /** Messages sent to each node after init and before the clients start (broadcast's topology). */
  setup?(nodes: readonly MaelstromId[], options: WorkloadOptions): { dest: MaelstromId; body: Body }[];
  check(history: History): CheckerResult[];
}

/** The usual ending: ok with `field` of the reply, definite errors fail, indefinite ones info. */
function completeWith(field: string | null, check: (value: unknown) => string | null = () => null) {
  return (op: MaelstromOp, outcome: Outcome | null): Completion => {
    if (outcome === null) return { type: 'info', value: op.value };
    if (outcome.kind === 'malformed') return { type: 'info', value: op.value, malformed: outcome.why };
    if (outcome.kind === 'error') return { type: outcome.code.definite ? 'fail' : 'info', value: op.value };
    if (field === null) return { type: 'ok', value: op.value };
    const value = outcome.body[field];
    const why = value === undefined ? `${outcome.body.type} without "${field}"` : check(value);
    if (why !== null) return { type: 'info', value: op.value, malformed: why };
    return { type: 'ok', value };
  };
}

const isList = (value: unknown): string | null => (Array.isArray(value) ? null : 'expected a list');
const isInteger = (value: unknown): string | null => (Number.isSafeInteger(value) ? null : 'expected an integer');

/** Final reads judged as reads; mid-run reads left out (eventual consistency lets them lag). */
export function finalReadsOnly(history: History): History {
  const kept: HistoryRecord[] = [];
  for (const record of history) {
    if (record.f === 'read') continue;
    kept.push(record.f === 'final-read' ? { ...record, f: 'read' } : record);
  }
  return kept;
}

/** Every node answered its final read: otherwise nothing can be said of convergence. */
function finalReadsAnswered(history: History, name: string): CheckerResult {
  const asked = history.filter((record) => record.f === 'final-read' && record.type === 'invoke').length;
  const answered = history.filter((record) => record.f === 'final-read' && record.type === 'ok').length;
  if (asked > 0 && answered === asked) return { checker: `${name}-final-reads`, verdict: 'valid', summary: `all ${asked} final reads answered` };
  return {
    checker: `${name}-final-reads`,
    verdict: 'unknown',
    summary: asked === 0 ? 'no final reads were taken' : `${asked - answered} of ${asked} final reads went unanswered: those nodes' convergence is not judged`,
  };
}

const echo: MaelstromWorkload = {
  name: 'echo',
  summary: 'echo: each reply carries the payload sent',
  next(_random, index, sequence) {
    const payload = `please echo ${index}-${sequence}`;
    return { f: 'echo', value: payload, body: { type: 'echo', echo: payload } };
  },
  complete: completeWith('echo'),
  check(history) {
    let ok = 0;
    const wrong: { index: number; sent: unknown; got: unknown }[] = [];
    const sent = new Map<number, unknown>();
    for (const record of history) {
      if (record.f !== 'echo') continue;
      if (record.type === 'invoke') sent.set(record.process, record.value);
      else if (record.type === 'ok') {
        ok += 1;
        if (!sameValue(sent.get(record.process), record.value)) wrong.push({ index: record.index, sent: sent.get(record.process), got: record.value });
      }
    }
    if (wrong.length > 0) return [{ checker: 'echo', verdict: 'invalid', summary: `echo: ${wrong.length} replies differ from what was sent`, evidence: { wrong: wrong.slice(0, 20) } }];
    if (ok === 0) return [{ checker: 'echo', verdict: 'unknown', summary: 'echo: no ok echo to judge' }];
    return [{ checker: 'echo', verdict: 'valid', summary: `echo: all ${ok} replies carry the payload sent` }];
  },
};

const uniqueIds: MaelstromWorkload = {
  name: 'unique-ids',
  summary: 'unique-ids: every generated id is globally unique',
  next: () => ({ f: 'generate', value: null, body: { type: 'generate' } }),
  complete: completeWith('id'),
  check: (history) => [checkUniqueIds(history, 'generate')],
};

/** The neighbours of each node in a topology, as Maelstrom offers them. */
export function topology(nodes: readonly MaelstromId[], name: TopologyName): Record<MaelstromId, MaelstromId[]> {
  const result: Record<MaelstromId, MaelstromId[]> = {};
  const n = nodes.length;
  const width = Math.max(1, Math.ceil(Math.sqrt(n)));
  nodes.forEach((node, i) => {
    const near: number[] = [];
    if (name === 'total') for (let j = 0; j < n; j += 1) near.push(j);
    else if (name === 'line') near.push(i - 1, i + 1);
    else if (name === 'tree') near.push(Math.floor((i - 1) / 2), 2 * i + 1, 2 * i + 2);
    else {
      // A grid of rows `width` wide: left, right, up, down.
      if (i % width !== 0) near.push(i - 1);
      if ((i + 1) % width !== 0) near.push(i + 1);
      near.push(i - width, i + width);
    }
    result[node] = [...new Set(near)].filter((j) => j >= 0 && j < n && j !== i).map((j) => nodes[j]!);
  });
  return result;
}

/** A value no other client's op uses: client index and sequence interleaved. */
function uniqueValue(index: number, sequence: number): number {
  return sequence * 1_000 + index;
}

/**
 * A grow-only set workload: half reads, half adds of values no other op adds. `addType` and
 * `addField` name the add request (`broadcast` with `message`, `add` with `element`); `readField`
 * the field of read_ok that holds the elements.
 */
function setWorkload(name: string, summary: string, addType: string, addField: string, readField: string): MaelstromWorkload {
  return {
    name,
    summary,
    next(random, index, sequence) {
      if (random.chance(1, 2)) return { f: 'read', value: null, body: { type: 'read' } };
      const element = uniqueValue(index, sequence);
      return { f: 'add', value: element, body: { type: addType, [addField]: element } };
    },
    complete: (op, outcome) => (op.f === 'add' ? completeWith(null) : completeWith(readField, isList))(op, outcome),
    finalRead: { f: 'final-read', value: null, body: { type: 'read' } },
    check: (history) => [checkSet(finalReadsOnly(history)), finalReadsAnswered(history, name)],
  };
}

const broadcast: MaelstromWorkload = {
  ...setWorkload('broadcast', 'broadcast: every acknowledged message reaches every node (set semantics on the final reads)', 'broadcast', 'message', 'messages'),
  setup: (nodes, options) => {
    const map = topology(nodes, options.topology);
    return nodes.map((dest) => ({ dest, body: { type: 'topology', topology: map } }));
  },
};

const gSet = setWorkload('g-set', 'g-set: a grow-only set; every acknowledged element is in every final read', 'add', 'element', 'value');

function counterWorkload(name: 'g-counter' | 'pn-counter', deltaMin: number, deltaMax: number): MaelstromWorkload {
  return {
    name,
    summary: `${name}: each final read is the sum of the acknowledged deltas and some of the uncertain ones (deltas ${deltaMin}..${deltaMax})`,
    next(random) {
      if (random.chance(1, 3)) return { f: 'read', value: null, body: { type: 'read' } };
      const delta = random.range(deltaMin, deltaMax);
      return { f: 'add', value: delta, body: { type: 'add', delta } };
    },
    complete: (op, outcome) => (op.f === 'add' ? completeWith(null) : completeWith('value', isInteger))(op, outcome),
    finalRead: { f: 'final-read', value: null, body: { type: 'read' } },
    check: (history) => [checkCounter(finalReadsOnly(history), name), finalReadsAnswered(history, name)],
  };
}

/**
 * lin-kv ends ops the way the cas-register-absent model reads them: a read of a missing key (error
 * 20) is an ok read of nothing; a cas refused by its compare (22) or for a missing key (20) is a
 * `fail` cas, which the model takes as "the value was not `from`"; a cas refused for any other
 * definite reason is recorded `info` (it did not happen, but it observed nothing either, and the
 * model's `fail` would claim it did); other definite errors fail, indefinite ones are info.
 */
function completeLinKv(op: MaelstromOp, outcome: Outcome | null): Completion {
  if (outcome === null) return { type: 'info', value: op.value };
  if (outcome.kind === 'malformed') return { type: 'info', value: op.value, malformed: outcome.why };
  if (outcome.kind === 'error') {
    const code = outcome.code.code;
    if (op.f === 'read' && code === ERROR.KEY_DOES_NOT_EXIST) return { type: 'ok', value: null };
    if (op.f === 'cas') {
      if (code === ERROR.PRECONDITION_FAILED || code === ERROR.KEY_DOES_NOT_EXIST) return { type: 'fail', value: op.value };
      return { type: 'info', value: op.value };
    }
    return { type: outcome.code.definite ? 'fail' : 'info', value: op.value };
  }
  if (op.f === 'read') {
    if (!('value' in outcome.body)) return { type: 'info', value: op.value, malformed: 'read_ok without "value"' };
    return { type: 'ok', value: outcome.body.value };
  }
  return { type: 'ok', value: op.value };
}

const linKv: MaelstromWorkload = {
  name: 'lin-kv',
  summary: 'lin-kv: read, write and cas on a few keys, linearizable per key (cas-register, keys start absent)',
  next(random, _index, _sequence, options) {
    const k = random.int(options.keys);
    const key = String(k);
    const roll = random.int(10);
    if (roll < 4) return { f: 'read', key, value: null, body: { type: 'read', key: k } };
    if (roll < 7) {
      const value = random.int(5);
      return { f: 'write', key, value, body: { type: 'write', key: k, value } };
    }
    const from = random.int(5);
    const to = random.int(5);
    return { f: 'cas', key, value: [from, to], body: { type: 'cas', key: k, from, to } };
  },
  complete: completeLinKv,
  check: (history) => [checkLinKv(history)],
};

export const WORKLOADS: Readonly<Record<string, MaelstromWorkload>> = {
  echo,
  'unique-ids': uniqueIds,
  broadcast,
  'g-set': gSet,
  'g-counter': counterWorkload('g-counter', 0, 5),
  'pn-counter': counterWorkload('pn-counter', -5, 5),
  'lin-kv': linKv,
};

export function findWorkload(name: string): MaelstromWorkload | undefined {
  return Object.hasOwn(WORKLOADS, name) ? WORKLOADS[name] : undefined;
}
