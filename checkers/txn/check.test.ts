import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { History } from '../../histories/schema.js';
import { checkTxnHistory, inferDependencies } from './check.js';
import { cycleClasses, serializable } from './testing/brute-force.js';
import { randomTxnHistory } from './testing/random-history.js';
import { readTxns } from './txns.js';
import { CYCLE_CLASSES } from './types.js';

/** A history of transactions run one after another, each `[f, key, value]` list one txn. */
function sequential(txns: unknown[][], statuses: ('ok' | 'fail' | 'info')[] = []): History {
  const history: History = [];
  txns.forEach((ops, process) => {
    const status = statuses[process] ?? 'ok';
    history.push({ index: history.length, process, type: 'invoke', f: 'txn', value: (ops as unknown[][]).map(([f, k, v]) => [f, k, f === 'r' ? null : v]) });
    if (status !== 'info') history.push({ index: history.length, process, type: status, f: 'txn', value: ops });
  });
  return history;
}

const serializableOnly = { model: 'list-append' as const, consistency: 'serializable' as const, process: false, realtime: false };

describe('list-append', () => {
  it('a serial history is strict serializable', () => {
    const result = checkTxnHistory(sequential([[['append', 'x', 1]], [['r', 'x', [1]], ['append', 'x', 2]], [['r', 'x', [1, 2]]]]), { model: 'list-append' });
    expect(result.verdict).toBe('valid');
    expect(result.evidence.models.strongestSatisfied).toEqual(['strict-serializable']);
  });

  it('write skew is G2-item, and snapshot isolation still holds', () => {
    const result = checkTxnHistory(sequential([[['r', 'x', []], ['append', 'y', 1]], [['r', 'y', []], ['append', 'x', 1]]]), serializableOnly);
    expect(result.verdict).toBe('invalid');
    expect(Object.keys(result.evidence.counts)).toEqual(['G2-item']);
    expect(result.evidence.models.status['snapshot-isolation']).toBe('satisfied');
    const cycle = result.evidence.cycles[0]!;
    expect(cycle.edges.map((edge) => [edge.kind, edge.key])).toEqual([['rw', 'x'], ['rw', 'y']].slice(0, 1).concat([cycle.edges[1]!.key === 'y' ? ['rw', 'y'] : ['rw', 'x']]));
    expect(cycle.explanation.join('\n')).toMatch(/saw the initial \(empty\) state/);
  });

  it('a read of an aborted append is G1a; an intermediate one G1b', () => {
    const g1a = checkTxnHistory(sequential([[['append', 'x', 1]], [['r', 'x', [1]]]], ['fail', 'ok']), serializableOnly);
    expect(g1a.evidence.counts.G1a).toBe(1);
    expect(g1a.evidence.models.weakestViolated.map((v) => v.model)).toEqual(['read-committed']);
    const g1b = checkTxnHistory(sequential([[['append', 'x', 1], ['append', 'x', 2]], [['r', 'x', [1]]]]), serializableOnly);
    expect(g1b.evidence.counts.G1b).toBe(1);
  });

  it('finds garbage, duplicates, internal contradictions and incompatible orders', () => {
    const result = checkTxnHistory(
      sequential([
        [['append', 'x', 1]],
        [['append', 'x', 1]],
        [['r', 'y', [7]]],
        [['append', 'z', 1], ['r', 'z', [2]]],
        [['append', 'w', 1]],
        [['append', 'w', 2]],
        [['r', 'w', [1]]],
        [['r', 'w', [2]]],
      ]),
      serializableOnly,
    );
    expect(result.evidence.counts).toMatchObject({ 'duplicate-appends': 1, 'garbage-read': 2, internal: 1, 'incompatible-order': 1 });
    expect(result.evidence.models.status['read-uncommitted']).toBe('violated');
  });

  it('two transactions that read one version and both append lose an update', () => {
    const result = checkTxnHistory(sequential([[['r', 'x', []], ['append', 'x', 1]], [['r', 'x', []], ['append', 'x', 2]], [['r', 'x', [1, 2]]]]), serializableOnly);
    expect(result.evidence.counts['lost-update']).toBe(1);
    expect(result.evidence.models.status['snapshot-isolation']).toBe('violated');
  });

  it('a stale read after a completed write is G-single-realtime only: serializable, not strict', () => {
    const result = checkTxnHistory(sequential([[['append', 'x', 1]], [['r', 'x', []]], [['r', 'x', [1]]]]), { model: 'list-append' });
    expect(result.verdict).toBe('invalid');
    expect(Object.keys(result.evidence.counts)).toEqual(['G-single-realtime']);
    expect(result.evidence.models.status.serializable).toBe('satisfied');
    expect(result.evidence.cycles[0]!.edges.map((edge) => edge.kind)).toEqual(['rw', 'realtime']);
  });

  it('an indeterminate transaction precedes nothing in process or real-time order', () => {
    // T0 (info) appends 1 and may take effect late; T1 on the same process then reads [] and T2 [1].
    const history: History = [
      { index: 0, process: 0, type: 'invoke', f: 'txn', value: [['append', 'x', 1]] },
      { index: 1, process: 0, type: 'info', f: 'txn', value: [['append', 'x', 1]] },
      { index: 2, process: 0, type: 'invoke', f: 'txn', value: [['r', 'x', null]] },
      { index: 3, process: 0, type: 'ok', f: 'txn', value: [['r', 'x', []]] },
      { index: 4, process: 1, type: 'invoke', f: 'txn', value: [['r', 'x', null]] },
      { index: 5, process: 1, type: 'ok', f: 'txn', value: [['r', 'x', [1]]] },
    ];
    expect(checkTxnHistory(history, { model: 'list-append' }).verdict).toBe('valid');
  });

  it('a budget too small ends in unknown, keeping what it found', () => {
    const history = sequential([[['append', 'x', 1]], [['append', 'x', 1]], [['r', 'x', []], ['append', 'y', 1]], [['r', 'y', []], ['append', 'x', 2]], [['r', 'x', [1, 2]]]]);
    const result = checkTxnHistory(history, { model: 'list-append', consistency: 'serializable', stepsMax: 3 });
    expect(result.verdict).toBe('invalid');
    const unknown = checkTxnHistory(sequential([[['r', 'x', []], ['append', 'y', 1]], [['r', 'y', []], ['append', 'x', 1]]]), { model: 'list-append', stepsMax: 3 });
    expect(unknown.verdict).toBe('unknown');
    expect(unknown.evidence.exhausted?.undecided).toContain('G2-item');
    const edges = checkTxnHistory(history, { model: 'list-append', edgesMax: 1 });
    expect(edges.evidence.exhausted?.budget).toBe('edges');
    expect(edges.evidence.counts['duplicate-appends']).toBe(1);
  });
});

describe('rw-register', () => {
  const register = { model: 'rw-register' as const, consistency: 'serializable' as const, process: false, realtime: false };
  it('wr from unique values; a nil read precedes every writer', () => {
    const result = checkTxnHistory(sequential([[['r', 'x', null], ['w', 'y', 1]], [['r', 'y', null], ['w', 'x', 1]]]), register);
    expect(Object.keys(result.evidence.counts)).toEqual(['G2-item']);
  });
  it('G1a, G1b, internal and garbage', () => {
    const result = checkTxnHistory(
      sequential([[['w', 'x', 1]], [['r', 'x', 1]], [['w', 'y', 1], ['w', 'y', 2]], [['r', 'y', 1]], [['w', 'z', 1], ['r', 'z', 3]], [['r', 'q', 9]]], ['fail']),
      register,
    );
    expect(result.evidence.counts).toMatchObject({ G1a: 1, G1b: 1, internal: 1, 'garbage-read': 1 });
  });
  it('with wfr, read-then-write orders versions: a lost update is a cycle of two rw', () => {
    const history = sequential([[['w', 'x', 1]], [['r', 'x', 1], ['w', 'x', 2]], [['r', 'x', 1], ['w', 'x', 3]]]);
    expect(checkTxnHistory(history, { ...register, wfr: true }).evidence.counts).toEqual({ 'lost-update': 1, 'G2-item': 1 });
    expect(checkTxnHistory(history, register).evidence.counts).toEqual({ 'lost-update': 1 });
  });
  it('refuses a value written twice to one key', () => {
    expect(() => checkTxnHistory(sequential([[['w', 'x', 1]], [['w', 'x', 1]]]), register)).toThrow(/unique values per key/);
  });
});

describe('against the brute-force twin', () => {
  it('reports a serializability anomaly exactly when no serial order explains the history', () => {
    let serial = 0;
    fc.assert(
      fc.property(randomTxnHistory, ({ history }) => {
        const txns = readTxns(history);
        const expected = serializable(txns, 'list-append');
        if (expected) serial += 1;
        const result = checkTxnHistory(history, serializableOnly);
        expect(result.verdict).toBe(expected ? 'valid' : 'invalid');
      }),
      { numRuns: 1500, seed: 16 },
    );
    // Both sides of the property were exercised.
    expect(serial).toBeGreaterThan(200);
    expect(serial).toBeLessThan(1300);
  });

  it('names the class of every simple cycle the graph has, and no other', () => {
    fc.assert(
      fc.property(randomTxnHistory, ({ history }) => {
        const txns = readTxns(history);
        const { builder } = inferDependencies(txns, serializableOnly);
        const expected = [...cycleClasses(builder)].sort();
        const result = checkTxnHistory(history, serializableOnly);
        const found = CYCLE_CLASSES.filter((cls) => result.evidence.counts[cls] !== undefined);
        // The checker reports one cycle per class per component; a class it names must exist,
        // and every class the twin finds is named.
        expect([...found].sort()).toEqual(expected);
      }),
      { numRuns: 1500, seed: 17 },
    );
  });
});
