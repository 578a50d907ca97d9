// The Jepsen Kafka queue checker, pure over a history: integer keys are partitions, every value is
// sent once, `send` reports the offsets its values got, `poll` reports (offset, value) pairs per key,
// `assign` changes what a consumer reads (and resets its position, so polls across it are not
// compared). Anomalies, each explained with the offsets and values involved:
//
// - inconsistent-offsets: one offset of a key holds two different values (by sends or polls);
// - duplicate: one value sits at two offsets of its key;
// - lost-write: a send was acknowledged at offset o, some poll read a later offset of that key,
//   and no poll ever read the value;
// - unseen: an acknowledged value no poll read, with nothing later read either, though a consumer's
//   final phase drained its key (read from the beginning until a poll of every key came back
//   empty past every offset it knew, `drained`), invoked after the value was acknowledged. A
//   progress property (the value never became visible by the end), judged
//   in a result of its own (`queue-unseen`), so a run cut short is not failed for it and a shrink
//   keeps a safety anomaly over it;
// - poll-skip / int-poll-skip: between two consecutive polls of a key by one consumer (or two
//   consecutive records inside one poll), a known offset was jumped over;
// - nonmonotonic-poll / int-nonmonotonic-poll: a consumer's next record of a key is at an offset at
//   or below the one before;
// - nonmonotonic-send / int-nonmonotonic-send: a producer's next acknowledged send to a key got an
//   offset at or below its previous one (or offsets inside one batch do not increase).
//
// Jepsen's allowance under subscribe: a rebalance moves a consumer's positions (back to the group's
// committed offsets), so polls are compared only between two rebalances; an `assign` or a
// `subscribe` of the consumer resets the comparison. Group commits are judged by groups.ts.
import type { History, HistoryRecord } from '../../histories/schema.js';
import type { CheckerResult } from '../verdict.js';

export const QUEUE_ANOMALIES = [
  'inconsistent-offsets',
  'duplicate',
  'lost-write',
  'unseen',
  'poll-skip',
  'int-poll-skip',
  'nonmonotonic-poll',
  'int-nonmonotonic-poll',
  'nonmonotonic-send',
  'int-nonmonotonic-send',
] as const;
export type QueueAnomaly = (typeof QUEUE_ANOMALIES)[number];

export interface AnomalyCase {
  key: number;
  /** One line: which offsets and values, which ops (history indexes). */
  explanation: string;
  offsets: number[];
  values: number[];
  /** History indexes of the completions involved. */
  ops: number[];
}

export interface QueueEvidence {
  counts: Record<QueueAnomaly, number>;
  /** Up to CASES_KEPT cases per anomaly. */
  cases: Partial<Record<QueueAnomaly, AnomalyCase[]>>;
  acknowledged: number;
  polledValues: number;
  finalPolls: number;
  drainedPolls: number;
}

const CASES_KEPT = 8;

interface SendOk {
  index: number;
  process: number;
  key: number;
  values: number[];
  offsets: number[];
}

interface PollOk {
  index: number;
  process: number;
  final: boolean;
  /** The final poll that ended a consumer's final phase with everything read (see the client). */
  drained: boolean;
  /** The history index of its invoke. */
  invokeIndex: number;
  polls: Map<number, [number, number][]>;
}

type Parsed = { sends: SendOk[]; polls: PollOk[]; assigns: { index: number; process: number }[] };

/** The safety anomalies (`queue`) and, apart, the progress one (`queue-unseen`). */
export function checkQueue(history: History): [CheckerResult, CheckerResult] {
  const parsed = parse(history);
  if (typeof parsed === 'string') {
    const summary = `cannot read the history: ${parsed}`;
    return [
      { checker: 'queue', verdict: 'unknown', summary: `queue: ${summary}` },
      { checker: 'queue-unseen', verdict: 'unknown', summary: `queue-unseen: ${summary}`, property: 'progress' },
    ];
  }
  const found = new Findings();
  const known = indexOffsets(parsed, found);
  const polledValues = checkLostAndUnseen(parsed, found);
  checkPolls(parsed, known, found);
  checkSends(parsed, found);
  const counts = found.counts;
  const broken = QUEUE_ANOMALIES.filter((name) => counts[name] > 0 && name !== 'unseen');
  const evidence: QueueEvidence = {
    counts,
    cases: found.cases,
    acknowledged: parsed.sends.reduce((sum, send) => sum + send.values.length, 0),
    polledValues,
    finalPolls: parsed.polls.filter((poll) => poll.final).length,
    drainedPolls: parsed.polls.filter((poll) => poll.drained).length,
  };
  return [safetyResult(evidence, broken), unseenResult(evidence)];
}

function safetyResult(evidence: QueueEvidence, broken: readonly QueueAnomaly[]): CheckerResult {
  if (broken.length === 0) {
    return { checker: 'queue', verdict: 'valid', summary: `queue: ${evidence.acknowledged} acknowledged values, ${evidence.polledValues} polled, no anomaly (${evidence.finalPolls} final polls)`, evidence };
  }
  const first = evidence.cases[broken[0]!]![0]!;
  return {
    checker: 'queue',
    verdict: 'invalid',
    summary: `queue: ${broken.map((name) => `${evidence.counts[name]} ${name}`).join(', ')}; first: ${first.explanation}`,
    evidence,
  };
}

function unseenResult(evidence: QueueEvidence): CheckerResult {
  const unseen = evidence.cases.unseen ?? [];
  if (evidence.drainedPolls === 0) return { checker: 'queue-unseen', verdict: 'valid', summary: `queue-unseen: not judged, no consumer's final phase drained its keys (${evidence.finalPolls} final polls)`, property: 'progress' };
  if (unseen.length === 0) return { checker: 'queue-unseen', verdict: 'valid', summary: `queue-unseen: every acknowledged value was polled by the end (${evidence.drainedPolls} drained final phases)`, property: 'progress' };
  return { checker: 'queue-unseen', verdict: 'invalid', summary: `queue-unseen: ${evidence.counts.unseen} acknowledged values never polled; first: ${unseen[0]!.explanation}`, evidence: { unseen }, property: 'progress' };
}

class Findings {
  counts = Object.fromEntries(QUEUE_ANOMALIES.map((name) => [name, 0])) as Record<QueueAnomaly, number>;
  cases: Partial<Record<QueueAnomaly, AnomalyCase[]>> = {};

  add(anomaly: QueueAnomaly, found: AnomalyCase): void {
    this.counts[anomaly] += 1;
    const list = (this.cases[anomaly] ??= []);
    if (list.length < CASES_KEPT) list.push(found);
  }
}

/** Per key: the values seen at each offset (sends and polls) and the offsets of each value. */
interface KeyIndex {
  valuesAt: Map<number, Map<number, number>>;
  offsetsOf: Map<number, Map<number, number>>;
  /** Every offset known to hold a value, sorted. */
  sorted: number[];
}

function indexOffsets(parsed: Parsed, found: Findings): Map<number, KeyIndex> {
  const keys = new Map<number, KeyIndex>();
  const note = (key: number, offset: number, value: number, op: number) => {
    let index = keys.get(key);
    if (index === undefined) keys.set(key, (index = { valuesAt: new Map(), offsetsOf: new Map(), sorted: [] }));
    let values = index.valuesAt.get(offset);
    // The common case, a pair seen before (final phases read everything again): nothing new.
    if (values !== undefined && values.has(value)) return;
    if (values === undefined) index.valuesAt.set(offset, (values = new Map()));
    if (!values.has(value)) values.set(value, op);
    let offsets = index.offsetsOf.get(value);
    if (offsets === undefined) index.offsetsOf.set(value, (offsets = new Map()));
    if (!offsets.has(offset)) offsets.set(offset, op);
  };
  for (const send of parsed.sends) send.values.forEach((value, k) => note(send.key, send.offsets[k]!, value, send.index));
  for (const poll of parsed.polls) {
    for (const [key, pairs] of poll.polls) for (let k = 0; k < pairs.length; k++) note(key, pairs[k]![0], pairs[k]![1], poll.index);
  }
  for (const [key, index] of [...keys].sort((a, b) => a[0] - b[0])) {
    index.sorted = [...index.valuesAt.keys()].sort((a, b) => a - b);
    for (const offset of index.sorted) {
      const values = index.valuesAt.get(offset)!;
      if (values.size > 1) {
        found.add('inconsistent-offsets', {
          key,
          explanation: `key ${key} offset ${offset} holds ${values.size} values: ${[...values].map(([value, op]) => `${value} (op ${op})`).join(', ')}`,
          offsets: [offset],
          values: [...values.keys()],
          ops: [...values.values()],
        });
      }
    }
    for (const [value, offsets] of [...index.offsetsOf].sort((a, b) => a[0] - b[0])) {
      if (offsets.size > 1) {
        found.add('duplicate', {
          key,
          explanation: `key ${key} value ${value} sits at ${offsets.size} offsets: ${[...offsets].map(([offset, op]) => `${offset} (op ${op})`).join(', ')}`,
          offsets: [...offsets.keys()],
          values: [value],
          ops: [...offsets.values()],
        });
      }
    }
  }
  return keys;
}

/** Finds lost and unseen values; returns how many distinct values were polled. */
function checkLostAndUnseen(parsed: Parsed, found: Findings): number {
  const polled = new Map<number, Set<number>>();
  const highestPolled = new Map<number, { offset: number; op: number }>();
  /** Per key, the invoke index of the earliest drained final poll. */
  const drainedFrom = new Map<number, number>();
  for (const poll of parsed.polls) {
    for (const [key, pairs] of poll.polls) {
      if (poll.drained) drainedFrom.set(key, Math.min(drainedFrom.get(key) ?? Infinity, poll.invokeIndex));
      let values = polled.get(key);
      if (values === undefined) polled.set(key, (values = new Set()));
      for (const [offset, value] of pairs) {
        values.add(value);
        if (offset > (highestPolled.get(key)?.offset ?? -1)) highestPolled.set(key, { offset, op: poll.index });
      }
    }
  }
  for (const send of parsed.sends) {
    send.values.forEach((value, k) => {
      if (polled.get(send.key)?.has(value) === true) return;
      const offset = send.offsets[k]!;
      const highest = highestPolled.get(send.key);
      if (highest !== undefined && highest.offset > offset) {
        found.add('lost-write', {
          key: send.key,
          explanation: `key ${send.key} value ${value} acknowledged at offset ${offset} (op ${send.index}) was never polled, though a poll read up to offset ${highest.offset} (op ${highest.op})`,
          offsets: [offset, highest.offset],
          values: [value],
          ops: [send.index, highest.op],
        });
      } else if ((drainedFrom.get(send.key) ?? -1) > send.index) {
        found.add('unseen', {
          key: send.key,
          explanation: `key ${send.key} value ${value} acknowledged at offset ${offset} (op ${send.index}) was never polled, though a final phase drained the key after it (highest offset polled: ${highest?.offset ?? 'none'})`,
          offsets: [offset],
          values: [value],
          ops: [send.index],
        });
      }
    });
  }
  let polledValues = 0;
  for (const values of polled.values()) polledValues += values.size;
  return polledValues;
}

/** True when some offset strictly between `low` and `high` is known to hold a value. */
function knownBetween(sorted: readonly number[], low: number, high: number): number | null {
  // The first known offset above `low`, by binary search.
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= low) lo = mid + 1;
    else hi = mid;
  }
  const next = sorted[lo];
  return next !== undefined && next < high ? next : null;
}

function checkPolls(parsed: Parsed, keys: Map<number, KeyIndex>, found: Findings): void {
  // Events in history order: a poll's records, or an assign's reset of its consumer's positions.
  const events: ({ kind: 'poll'; poll: PollOk } | { kind: 'assign'; process: number; index: number })[] = [
    ...parsed.polls.map((poll) => ({ kind: 'poll' as const, poll })),
    ...parsed.assigns.map((assign) => ({ kind: 'assign' as const, process: assign.process, index: assign.index })),
  ];
  events.sort((a, b) => (a.kind === 'poll' ? a.poll.index : a.index) - (b.kind === 'poll' ? b.poll.index : b.index));
  const last = new Map<string, { offset: number; op: number }>();
  for (const event of events) {
    if (event.kind === 'assign') {
      for (const name of [...last.keys()]) if (name.startsWith(`${event.process}:`)) last.delete(name);
      continue;
    }
    const poll = event.poll;
    for (const [key, pairs] of poll.polls) {
      if (pairs.length === 0) continue;
      const sorted = keys.get(key)?.sorted ?? [];
      const name = `${poll.process}:${key}`;
      const before = last.get(name);
      if (before !== undefined) compare(found, 'poll', key, before.offset, pairs[0]![0], before.op, poll.index, sorted);
      for (let k = 1; k < pairs.length; k++) compare(found, 'int-poll', key, pairs[k - 1]![0], pairs[k]![0], poll.index, poll.index, sorted);
      last.set(name, { offset: pairs[pairs.length - 1]![0], op: poll.index });
    }
  }
}

function compare(found: Findings, scope: 'poll' | 'int-poll', key: number, previous: number, next: number, previousOp: number, nextOp: number, sorted: readonly number[]): void {
  const where = scope === 'poll' ? `consecutive polls (ops ${previousOp} and ${nextOp})` : `one poll (op ${nextOp})`;
  if (next <= previous) {
    found.add(scope === 'poll' ? 'nonmonotonic-poll' : 'int-nonmonotonic-poll', {
      key,
      explanation: `key ${key}: ${where} read offset ${next} after offset ${previous}`,
      offsets: [previous, next],
      values: [],
      ops: [previousOp, nextOp],
    });
    return;
  }
  const skipped = knownBetween(sorted, previous, next);
  if (skipped !== null) {
    found.add(scope === 'poll' ? 'poll-skip' : 'int-poll-skip', {
      key,
      explanation: `key ${key}: ${where} went from offset ${previous} to ${next}, skipping offset ${skipped} which holds a value`,
      offsets: [previous, skipped, next],
      values: [],
      ops: [previousOp, nextOp],
    });
  }
}

function checkSends(parsed: Parsed, found: Findings): void {
  const last = new Map<string, { offset: number; op: number }>();
  for (const send of parsed.sends) {
    for (let k = 1; k < send.offsets.length; k++) {
      if (send.offsets[k]! <= send.offsets[k - 1]!) {
        found.add('int-nonmonotonic-send', {
          key: send.key,
          explanation: `key ${send.key}: one send (op ${send.index}) got offset ${send.offsets[k]} for value ${send.values[k]} after offset ${send.offsets[k - 1]} for value ${send.values[k - 1]}`,
          offsets: [send.offsets[k - 1]!, send.offsets[k]!],
          values: [send.values[k - 1]!, send.values[k]!],
          ops: [send.index],
        });
      }
    }
    const name = `${send.process}:${send.key}`;
    const before = last.get(name);
    const first = send.offsets[0]!;
    if (before !== undefined && first <= before.offset) {
      found.add('nonmonotonic-send', {
        key: send.key,
        explanation: `key ${send.key}: a producer's send (op ${send.index}) got offset ${first} after its earlier send (op ${before.op}) got ${before.offset}`,
        offsets: [before.offset, first],
        values: [send.values[0]!],
        ops: [before.op, send.index],
      });
    }
    last.set(name, { offset: send.offsets[send.offsets.length - 1]!, op: send.index });
  }
}

function parse(history: History): Parsed | string {
  const parsed: Parsed = { sends: [], polls: [], assigns: [] };
  const invokes = new Map<number, HistoryRecord>();
  for (const record of history) {
    if (record.type === 'invoke') {
      invokes.set(record.process, record);
      continue;
    }
    const invoked = invokes.get(record.process)?.index ?? record.index;
    invokes.delete(record.process);
    if (record.type !== 'ok') continue;
    const value = record.value as Record<string, unknown> | null;
    if (record.f === 'send') {
      const key = value?.key;
      const values = value?.values;
      const offsets = value?.offsets;
      if (!isInt(key) || !isIntList(values) || !isIntList(offsets) || values.length !== offsets.length || values.length === 0) {
        return `record ${record.index}: an ok send needs {key, values, offsets} with integer lists of one length`;
      }
      parsed.sends.push({ index: record.index, process: record.process, key, values, offsets });
    } else if (record.f === 'poll') {
      const polls = value?.polls;
      if (typeof polls !== 'object' || polls === null || Array.isArray(polls)) return `record ${record.index}: an ok poll needs {polls: {key: [[offset, value], ...]}}`;
      const map = new Map<number, [number, number][]>();
      for (const [name, pairs] of Object.entries(polls)) {
        const key = Number(name);
        if (!isInt(key) || !isPairList(pairs)) {
          return `record ${record.index}: poll of key ${name} is not a list of [offset, value] integer pairs`;
        }
        map.set(key, pairs as [number, number][]);
      }
      parsed.polls.push({ index: record.index, process: record.process, final: value?.final === true, drained: value?.drained === true, invokeIndex: invoked, polls: map });
    } else if (record.f === 'assign' || record.f === 'subscribe') {
      // A subscribe that joined a new generation moves positions like an assign (Jepsen's allowance for rebalances).
      parsed.assigns.push({ index: record.index, process: record.process });
    } else if (record.f !== 'commit') {
      return `record ${record.index}: unknown op ${JSON.stringify(record.f)} (the queue checker reads send, poll, assign, subscribe and commit)`;
    }
  }
  return parsed;
}

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** A list of [offset, value] integer pairs (a plain loop: final polls hold millions of them). */
function isPairList(value: unknown): value is [number, number][] {
  if (!Array.isArray(value)) return false;
  for (let k = 0; k < value.length; k++) {
    const pair: unknown = value[k];
    if (!Array.isArray(pair) || pair.length !== 2 || !Number.isSafeInteger(pair[0]) || !Number.isSafeInteger(pair[1])) return false;
  }
  return true;
}

function isIntList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every(isInt);
}
