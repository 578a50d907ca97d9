import { describe, expect, it } from 'vitest';
import type { History, HistoryRecord } from '../../histories/schema.js';
import { SimRandom } from '../../sim/random.js';
import { anomaliesOf } from './anomalies.js';
import { errorCode, outcomeOf } from './protocol.js';
import { TOPOLOGIES, WORKLOADS, finalReadsOnly, topology, type MaelstromOp } from './workloads.js';

const OPTIONS = { keys: 3, topology: 'grid' as const };

function history(drafts: Omit<HistoryRecord, 'index'>[]): History {
  return drafts.map((draft, index) => ({ ...draft, index }));
}

function op(name: string, seed = 1): MaelstromOp {
  return WORKLOADS[name]!.next(SimRandom.stream(seed, 'test'), 0, 0, OPTIONS);
}

function errorReply(code: number): ReturnType<typeof outcomeOf> {
  return { kind: 'error', code: errorCode(code), text: '', body: { type: 'error', code } };
}

describe('lin-kv completions', () => {
  const linKv = WORKLOADS['lin-kv']!;
  const read: MaelstromOp = { f: 'read', key: '1', value: null, body: { type: 'read', key: 1 } };
  const write: MaelstromOp = { f: 'write', key: '1', value: 3, body: { type: 'write', key: 1, value: 3 } };
  const cas: MaelstromOp = { f: 'cas', key: '1', value: [1, 2], body: { type: 'cas', key: 1, from: 1, to: 2 } };

  it('reads a missing key (20) as absent, and the value of read_ok', () => {
    expect(linKv.complete(read, errorReply(20))).toEqual({ type: 'ok', value: null });
    expect(linKv.complete(read, outcomeOf('read', { type: 'read_ok', value: 4 }))).toEqual({ type: 'ok', value: 4 });
  });

  it('takes a cas refused by its compare (22) or for a missing key (20) as a failed compare', () => {
    expect(linKv.complete(cas, errorReply(22)).type).toBe('fail');
    expect(linKv.complete(cas, errorReply(20)).type).toBe('fail');
  });

  it('records a cas refused for another definite reason as info: it observed nothing', () => {
    expect(linKv.complete(cas, errorReply(11)).type).toBe('info');
  });

  it('fails definite errors, and records indefinite ones and timeouts as info', () => {
    expect(linKv.complete(write, errorReply(11)).type).toBe('fail');
    expect(linKv.complete(write, errorReply(0)).type).toBe('info');
    expect(linKv.complete(write, errorReply(13)).type).toBe('info');
    expect(linKv.complete(write, errorReply(1000)).type).toBe('info');
    expect(linKv.complete(write, null)).toEqual({ type: 'info', value: 3 });
  });

  it('says a read_ok without its value', () => {
    expect(linKv.complete(read, outcomeOf('read', { type: 'read_ok' }))).toMatchObject({ type: 'info', malformed: 'read_ok without "value"' });
  });
});

describe('workload requests', () => {
  it('are the messages of doc/workloads.md', () => {
    expect(op('echo').body).toMatchObject({ type: 'echo', echo: expect.any(String) });
    expect(op('unique-ids').body).toEqual({ type: 'generate' });
    const types = new Set<string>();
    for (let seed = 1; seed < 30; seed += 1) for (const name of ['broadcast', 'g-set', 'g-counter', 'lin-kv']) types.add(`${name}:${op(name, seed).body.type}`);
    expect([...types].sort()).toEqual(['broadcast:broadcast', 'broadcast:read', 'g-counter:add', 'g-counter:read', 'g-set:add', 'g-set:read', 'lin-kv:cas', 'lin-kv:read', 'lin-kv:write']);
  });

  it('are the same from the same seed', () => {
    for (const name of Object.keys(WORKLOADS)) expect(op(name, 5)).toEqual(op(name, 5));
  });

  it('give g-counter non-negative deltas and pn-counter both signs', () => {
    const deltas = (name: string): number[] => {
      const random = SimRandom.stream(3, name);
      return Array.from({ length: 200 }, (_, i) => WORKLOADS[name]!.next(random, 0, i, OPTIONS)).flatMap((next) => (next.f === 'add' ? [next.value as number] : []));
    };
    expect(Math.min(...deltas('g-counter'))).toBeGreaterThanOrEqual(0);
    expect(Math.min(...deltas('pn-counter'))).toBeLessThan(0);
  });

  it('answer broadcast reads with messages and g-set reads with value, checking the field is a list', () => {
    const read: MaelstromOp = { f: 'read', value: null, body: { type: 'read' } };
    expect(WORKLOADS.broadcast!.complete(read, outcomeOf('read', { type: 'read_ok', messages: [1] }))).toEqual({ type: 'ok', value: [1] });
    expect(WORKLOADS['g-set']!.complete(read, outcomeOf('read', { type: 'read_ok', value: [2] }))).toEqual({ type: 'ok', value: [2] });
    expect(WORKLOADS['g-set']!.complete(read, outcomeOf('read', { type: 'read_ok', value: 2 }))).toMatchObject({ type: 'info', malformed: 'expected a list' });
  });
});

describe('topology', () => {
  it.each(TOPOLOGIES)('%s is symmetric and connected', (name) => {
    const nodes = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'];
    const map = topology(nodes, name);
    for (const [node, near] of Object.entries(map)) for (const other of near) expect(map[other], `${other} lists ${node}`).toContain(node);
    const reached = new Set(['n1']);
    for (let round = 0; round < nodes.length; round += 1) for (const node of [...reached]) for (const other of map[node]!) reached.add(other);
    expect(reached.size).toBe(nodes.length);
  });

  it('makes a grid of rows', () => {
    expect(topology(['n1', 'n2', 'n3', 'n4'], 'grid')).toEqual({ n1: ['n2', 'n3'], n2: ['n1', 'n4'], n3: ['n4', 'n1'], n4: ['n3', 'n2'] });
  });

  it('is what broadcast sends in its setup', () => {
    const setup = WORKLOADS.broadcast!.setup!(['n1', 'n2'], OPTIONS);
    expect(setup).toEqual([
      { dest: 'n1', body: { type: 'topology', topology: { n1: ['n2'], n2: ['n1'] } } },
      { dest: 'n2', body: { type: 'topology', topology: { n1: ['n2'], n2: ['n1'] } } },
    ]);
  });
});

describe('eventually consistent checks', () => {
  // A broadcast history: 1 and 2 acknowledged; a mid-run read misses 2 (allowed: it lags); final reads.
  const drafts = (finalOnN2: number[]): Omit<HistoryRecord, 'index'>[] => [
    { process: 0, type: 'invoke', f: 'add', value: 1 },
    { process: 0, type: 'ok', f: 'add', value: 1 },
    { process: 0, type: 'invoke', f: 'add', value: 2 },
    { process: 0, type: 'ok', f: 'add', value: 2 },
    { process: 1, type: 'invoke', f: 'read', value: null },
    { process: 1, type: 'ok', f: 'read', value: [1] },
    { process: 10, type: 'invoke', f: 'final-read', value: null, node: 'n1' },
    { process: 11, type: 'invoke', f: 'final-read', value: null, node: 'n2' },
    { process: 10, type: 'ok', f: 'final-read', value: [1, 2], node: 'n1' },
    { process: 11, type: 'ok', f: 'final-read', value: finalOnN2, node: 'n2' },
  ];

  it('judge the final reads only: a lagging mid-run read is no loss', () => {
    const checked = finalReadsOnly(history(drafts([1, 2])));
    expect(checked.map((record) => record.f)).toEqual(['add', 'add', 'add', 'add', 'read', 'read', 'read', 'read']);
    expect(WORKLOADS.broadcast!.check(history(drafts([1, 2]))).map((result) => result.verdict)).toEqual(['valid', 'valid']);
  });

  it('find a message missing from a final read, and name it lost', () => {
    const results = WORKLOADS.broadcast!.check(history(drafts([2])));
    expect(results[0]!.verdict).toBe('invalid');
    expect(anomaliesOf(results)).toEqual(['lost']);
    // g-set is judged by the same rule over the same history.
    expect(anomaliesOf(WORKLOADS['g-set']!.check(history(drafts([2]))))).toEqual(['lost']);
  });

  it('are unknown when a node never answered its final read', () => {
    const unanswered = history(drafts([1, 2]).slice(0, 9));
    const results = WORKLOADS.broadcast!.check(unanswered);
    expect(results[1]).toMatchObject({ verdict: 'unknown', summary: '1 of 2 final reads went unanswered: those nodes\' convergence is not judged' });
  });

  it('judge a counter on its final reads', () => {
    const counter: Omit<HistoryRecord, 'index'>[] = [
      { process: 0, type: 'invoke', f: 'add', value: 2 },
      { process: 0, type: 'ok', f: 'add', value: 2 },
      { process: 1, type: 'invoke', f: 'read', value: null },
      { process: 1, type: 'ok', f: 'read', value: 0 },
      { process: 10, type: 'invoke', f: 'final-read', value: null, node: 'n1' },
      { process: 10, type: 'ok', f: 'final-read', value: 1, node: 'n1' },
    ];
    const results = WORKLOADS['g-counter']!.check(history(counter));
    expect(results[0]).toMatchObject({ checker: 'g-counter', verdict: 'invalid' });
    expect(anomaliesOf(results)).toEqual(['impossible-count']);
  });
});

describe('anomaliesOf', () => {
  it('names a stale read on lin-kv', () => {
    const ops: [number, string, unknown, unknown][] = [
      [0, 'write', 1, 1],
      [1, 'write', 2, 2],
      [0, 'read', null, 1],
    ];
    const records: Omit<HistoryRecord, 'index'>[] = ops.flatMap(([process, f, value, result]) => [
      { process, type: 'invoke' as const, f, value, key: '0' },
      { process, type: 'ok' as const, f, value: result, key: '0' },
    ]);
    const results = WORKLOADS['lin-kv']!.check(history(records));
    expect(results[0]!.verdict).toBe('invalid');
    expect(anomaliesOf(results)).toEqual(['stale-read']);
  });

  it('names a read of a key as absent after it was written a stale read too', () => {
    const records: Omit<HistoryRecord, 'index'>[] = [
      { process: 0, type: 'invoke', f: 'write', value: 1, key: '0' },
      { process: 0, type: 'ok', f: 'write', value: 1, key: '0' },
      { process: 1, type: 'invoke', f: 'read', value: null, key: '0' },
      { process: 1, type: 'ok', f: 'read', value: null, key: '0' },
    ];
    expect(anomaliesOf(WORKLOADS['lin-kv']!.check(history(records)))).toEqual(['stale-read']);
  });

  it('names other lin-kv violations by the general anomaly', () => {
    // A read of a value nobody ever wrote is not stale: it came from nowhere.
    const records: Omit<HistoryRecord, 'index'>[] = [
      { process: 0, type: 'invoke', f: 'write', value: 1, key: '0' },
      { process: 0, type: 'ok', f: 'write', value: 1, key: '0' },
      { process: 1, type: 'invoke', f: 'read', value: null, key: '0' },
      { process: 1, type: 'ok', f: 'read', value: 7, key: '0' },
    ];
    expect(anomaliesOf(WORKLOADS['lin-kv']!.check(history(records)))).toEqual(['not-linearizable']);
  });

  it('names nothing when everything is valid', () => {
    expect(anomaliesOf([{ checker: 'set', verdict: 'valid', summary: '' }])).toEqual([]);
  });

  it('names a protocol violation and duplicate ids', () => {
    expect(anomaliesOf([{ checker: 'maelstrom-protocol', verdict: 'invalid', summary: '' }, { checker: 'unique-ids', verdict: 'invalid', summary: '' }])).toEqual(['protocol-violation', 'duplicate-id']);
  });
});
