// Test helper: small random histories for a model, with concurrent ops, `fail` and `info` outcomes
// and invokes that never complete, drawn by fast-check so a failure shrinks to a small history.
// Results are random too (a read returns any small value), so both verdicts come up often.
import fc from 'fast-check';
import type { History, HistoryRecord } from '../../histories/schema.js';

export interface OpDraft {
  f: string;
  /** The invoke's value. */
  value: unknown;
  /** The completion's value when the op completes `ok` (a read's result). */
  result: unknown;
}

interface Spec {
  slot: number;
  draft: OpDraft;
  outcome: 'ok' | 'fail' | 'info' | 'never';
  key: string;
  gap: number;
  duration: number;
}

const SLOTS = 3;

const small = fc.integer({ min: 0, max: 2 });
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null, freq: 4 });

const casRegisterDrafts = fc.oneof(
  maybe(small).map((result) => ({ f: 'read', value: null, result })),
  small.map((value) => ({ f: 'write', value, result: value })),
  fc.tuple(small, small).map(([from, to]) => ({ f: 'cas', value: [from, to], result: [from, to] })),
);

/** Op drafts per model name: the ops each model knows, with small values. */
export const DRAFTS: Readonly<Record<string, fc.Arbitrary<OpDraft>>> = {
  register: fc.oneof(
    maybe(small).map((result) => ({ f: 'read', value: null, result })),
    small.map((value) => ({ f: 'write', value, result: value })),
  ),
  'cas-register': casRegisterDrafts,
  'cas-register-absent': casRegisterDrafts,
  kv: fc.oneof(
    fc.constantFrom('', 'a', 'b', 'ab', 'ba', 'aa').map((result) => ({ f: 'get', value: null, result })),
    fc.constantFrom('a', 'b').map((value) => ({ f: 'put', value, result: value })),
    fc.constantFrom('a', 'b').map((value) => ({ f: 'append', value, result: value })),
  ),
  mutex: fc.constantFrom('acquire', 'release').map((f) => ({ f, value: null, result: null })),
  counter: fc.oneof(
    fc.integer({ min: 0, max: 4 }).map((result) => ({ f: 'read', value: null, result })),
    fc.integer({ min: 1, max: 2 }).map((value) => ({ f: 'add', value, result: value })),
  ),
  set: fc.oneof(
    fc.subarray([1, 2, 3]).map((result) => ({ f: 'read', value: null, result })),
    fc.integer({ min: 1, max: 3 }).map((value) => ({ f: 'add', value, result: value })),
  ),
  queue: fc.oneof(
    maybe(fc.integer({ min: 1, max: 2 })).map((result) => ({ f: 'dequeue', value: null, result })),
    fc.integer({ min: 1, max: 2 }).map((value) => ({ f: 'enqueue', value, result: value })),
  ),
  'multi-register': fc.oneof(
    fc.tuple(maybe(small), maybe(small)).map(([x, y]) => ({ f: 'txn', value: [['read', 'x', null], ['read', 'y', null]], result: [['read', 'x', x], ['read', 'y', y]] })),
    fc.tuple(fc.constantFrom('x', 'y'), small).map(([key, value]) => ({ f: 'txn', value: [['write', key, value]], result: [['write', key, value]] })),
  ),
};

/**
 * Lays drafted ops out as a history: each of three client slots runs its ops one after another,
 * with random gaps and durations, so ops of different slots overlap. A slot whose op ended `info`
 * (or never completed) goes on as a new process, as Jepsen's clients do.
 */
export function layOut(specs: readonly Spec[]): History {
  const clock = new Array<number>(SLOTS).fill(0);
  const process = Array.from({ length: SLOTS }, (_, slot) => slot);
  const events: { time: number; order: number; record: Omit<HistoryRecord, 'index'> }[] = [];
  specs.forEach((spec, order) => {
    const invokeAt = clock[spec.slot]! + spec.gap;
    const id = process[spec.slot]!;
    const base = { process: id, f: spec.draft.f, key: spec.key };
    events.push({ time: invokeAt, order, record: { ...base, type: 'invoke', value: spec.draft.value } });
    const completeAt = invokeAt + 1 + spec.duration;
    clock[spec.slot] = completeAt;
    if (spec.outcome !== 'never') {
      const value = spec.outcome === 'ok' ? spec.draft.result : spec.draft.value;
      events.push({ time: completeAt, order, record: { ...base, type: spec.outcome, value } });
    }
    if (spec.outcome === 'info' || spec.outcome === 'never') process[spec.slot] = id + SLOTS;
  });
  events.sort((a, b) => a.time - b.time || a.order - b.order);
  return events.map((event, index) => ({ ...event.record, index }));
}

/** Random histories of at most `opsMax` ops for the model; keys are drawn when `keys` > 1. */
export function randomHistory(model: string, opsMax: number, keys = 1): fc.Arbitrary<History> {
  const draft = DRAFTS[model];
  if (draft === undefined) throw new Error(`no op drafts for model ${model}`);
  const spec = fc.record({
    slot: fc.integer({ min: 0, max: SLOTS - 1 }),
    draft,
    outcome: fc.constantFrom('ok', 'ok', 'ok', 'fail', 'info', 'never' as const),
    key: fc.constantFrom(...['k0', 'k1', 'k2'].slice(0, keys)),
    gap: fc.integer({ min: 0, max: 3 }),
    duration: fc.integer({ min: 0, max: 4 }),
  });
  return fc.array(spec, { minLength: 1, maxLength: opsMax }).map(layOut);
}
