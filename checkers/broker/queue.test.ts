// The queue checker on small hand-built histories: a valid one, and for each anomaly one history
// that must show it (and only the anomalies it plants), explained with its offsets and values.
import { describe, expect, it } from 'vitest';
import type { History, HistoryRecord } from '../../histories/schema.js';
import { checkQueue, QUEUE_ANOMALIES, type QueueAnomaly, type QueueEvidence } from './queue.js';

type Step = [process: number, f: 'send' | 'poll' | 'assign', invoke: unknown, type: 'ok' | 'fail' | 'info', completion: unknown];

function history(steps: Step[]): History {
  const records: HistoryRecord[] = [];
  for (const [process, f, invoke, type, completion] of steps) {
    records.push({ index: records.length, process, type: 'invoke', f, value: invoke, time: records.length });
    records.push({ index: records.length, process, type, f, value: completion, time: records.length });
  }
  return records;
}

const send = (process: number, key: number, values: number[], offsets: number[] | null): Step =>
  offsets === null ? [process, 'send', { key, values }, 'info', { key, values }] : [process, 'send', { key, values }, 'ok', { key, values, offsets }];
const poll = (process: number, polls: Record<string, [number, number][]>, final = false): Step => [process, 'poll', { keys: Object.keys(polls).map(Number), final }, 'ok', { final, polls }];
/** The last poll of a final phase that read everything: empty past every offset the consumer knew. */
const drained = (process: number, keys: number[]): Step => [process, 'poll', { keys, final: true }, 'ok', { final: true, drained: true, polls: Object.fromEntries(keys.map((key) => [key, []])) }];
const assign = (process: number, keys: number[]): Step => [process, 'assign', { keys }, 'ok', { keys }];

function anomalies(steps: Step[]): Partial<Record<QueueAnomaly, number>> {
  const [result] = checkQueue(history(steps));
  const counts = (result.evidence as QueueEvidence).counts;
  return Object.fromEntries(QUEUE_ANOMALIES.filter((name) => counts[name] > 0).map((name) => [name, counts[name]]));
}

describe('the queue checker', () => {
  it('passes a history where every acknowledged value is polled in offset order', () => {
    const [result] = checkQueue(history([send(0, 0, [10, 11], [0, 1]), send(1, 0, [20], [2]), poll(2, { 0: [[0, 10], [1, 11]] }), poll(2, { 0: [[2, 20]] }), poll(0, { 0: [[0, 10], [1, 11], [2, 20]] }, true)]));
    expect(result.verdict).toBe('valid');
    expect((result.evidence as QueueEvidence).acknowledged).toBe(3);
  });

  it('finds a lost write: acknowledged at offset 1, a later offset polled, the value never', () => {
    const [result] = checkQueue(history([send(0, 0, [10], [0]), send(0, 0, [11], [1]), send(0, 0, [12], [2]), poll(1, { 0: [[0, 10], [2, 12]] })]));
    expect(result.verdict).toBe('invalid');
    const evidence = result.evidence as QueueEvidence;
    expect(evidence.counts['lost-write']).toBe(1);
    expect(evidence.cases['lost-write']![0]).toMatchObject({ key: 0, values: [11], offsets: [1, 2] });
    expect(result.summary).toContain('value 11 acknowledged at offset 1');
  });

  it('calls a value unseen only when a final phase drained its key after it, as a progress failure apart from the safety verdict', () => {
    expect(anomalies([send(0, 0, [10], [0]), send(0, 0, [11], [1]), poll(1, { 0: [[0, 10]] })])).toEqual({});
    // A final poll that did not drain (cut short) does not judge.
    expect(anomalies([send(0, 0, [10], [0]), send(0, 0, [11], [1]), poll(1, { 0: [[0, 10]] }, true)])).toEqual({});
    // A drain invoked before the ack does not judge that value either.
    expect(anomalies([poll(1, { 0: [] }, true), drained(1, [0]), send(0, 0, [10], [0])])).toEqual({});
    const steps = [send(0, 0, [10], [0]), send(0, 0, [11], [1]), poll(1, { 0: [[0, 10]] }, true), drained(1, [0])];
    expect(anomalies(steps)).toEqual({ unseen: 1 });
    const [safety, progress] = checkQueue(history(steps));
    expect(safety.verdict).toBe('valid');
    expect(progress).toMatchObject({ checker: 'queue-unseen', verdict: 'invalid', property: 'progress' });
    expect(progress.summary).toContain('value 11 acknowledged at offset 1');
  });

  it('finds inconsistent offsets: two values at one offset, from a send and a poll', () => {
    const [found] = checkQueue(history([send(0, 1, [10], [3]), poll(1, { 1: [[3, 99]] })]));
    expect((found.evidence as QueueEvidence).counts['inconsistent-offsets']).toBe(1);
    expect(found.summary).toMatch(/key 1 offset 3 holds 2 values/);
  });

  it('finds a duplicate: one value at two offsets', () => {
    expect(anomalies([send(0, 0, [10], null), poll(1, { 0: [[0, 10], [1, 10]] })])).toMatchObject({ duplicate: 1 });
  });

  it('finds poll skips across polls and inside one poll, but not across an assign', () => {
    const known = [send(0, 0, [10], [0]), send(0, 0, [11], [1]), send(0, 0, [12], [2])];
    expect(anomalies([...known, poll(1, { 0: [[0, 10]] }), poll(1, { 0: [[2, 12]] }), poll(2, { 0: [[0, 10], [1, 11], [2, 12]] })])).toEqual({ 'poll-skip': 1 });
    expect(anomalies([...known, poll(1, { 0: [[0, 10], [2, 12]] }), poll(2, { 0: [[1, 11]] })])).toEqual({ 'int-poll-skip': 1 });
    expect(anomalies([...known, poll(1, { 0: [[0, 10]] }), assign(1, [0]), poll(1, { 0: [[2, 12]] }), poll(2, { 0: [[1, 11]] })])).toEqual({});
  });

  it('finds nonmonotonic polls across polls and inside one poll', () => {
    const known = [send(0, 0, [10], [0]), send(0, 0, [11], [1])];
    expect(anomalies([...known, poll(1, { 0: [[0, 10], [1, 11]] }), poll(1, { 0: [[1, 11]] })])).toEqual({ 'nonmonotonic-poll': 1 });
    expect(anomalies([...known, poll(1, { 0: [[1, 11], [0, 10]] })])).toEqual({ 'int-nonmonotonic-poll': 1 });
  });

  it('finds nonmonotonic sends by one producer, and inside one batch', () => {
    expect(anomalies([send(0, 0, [10], [5]), send(0, 0, [11], [4]), poll(1, { 0: [[4, 11], [5, 10]] })])).toEqual({ 'nonmonotonic-send': 1 });
    expect(anomalies([send(0, 0, [10, 11], [5, 4]), poll(1, { 0: [[4, 11], [5, 10]] })])).toEqual({ 'int-nonmonotonic-send': 1 });
    // Two producers may interleave freely.
    expect(anomalies([send(0, 0, [10], [5]), send(1, 0, [11], [4]), poll(2, { 0: [[4, 11], [5, 10]] })])).toEqual({});
  });

  it('says it cannot read a history with an unknown op or a malformed poll, instead of passing it', () => {
    const unknownOp: History = [{ index: 0, process: 0, type: 'ok', f: 'txn', value: null }];
    expect(checkQueue(unknownOp)[0]).toMatchObject({ verdict: 'unknown' });
    expect(checkQueue(unknownOp)[0].summary).toMatch(/unknown op "txn"/);
    const badPoll = history([[0, 'poll', null, 'ok', { polls: { 0: [[1]] } }]]);
    expect(checkQueue(badPoll).map((result) => result.verdict)).toEqual(['unknown', 'unknown']);
  });
});
