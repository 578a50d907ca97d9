import { describe, expect, it } from 'vitest';
import type { History, OpType } from '../histories/schema.js';
import { checkHistory, MalformedHistoryError, toCheckerResult } from './linearizability.js';
import { ModelInputError } from './model.js';
import { pairOps } from './paired-ops.js';
import { casRegister, casRegisterAbsent } from './models/cas-register.js';
import { kv } from './models/kv.js';
import { models } from './models/index.js';
import { generateEtcdLog } from './testing/etcd-log.js';
import { readEtcdLog } from '../histories/porcupine.js';

type Row = [process: number, type: OpType, f: string, value: unknown, key?: string];

/** A history from rows in time order. */
function history(rows: Row[]): History {
  return rows.map(([process, type, f, value, key], index) => ({ index, process, type, f, value, ...(key === undefined ? {} : { key }) }));
}

const verdict = (rows: Row[], model = casRegister) => checkHistory(history(rows), model).verdict;

describe("Jepsen's semantics", () => {
  it('a fail op never happened', () => {
    const rows: Row[] = [
      [1, 'invoke', 'write', 1],
      [1, 'fail', 'write', 1],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', 1],
    ];
    expect(verdict(rows)).toBe('not-linearizable');
  });

  it('an info op may have happened at any time after its invoke, or never, but not both', () => {
    const write: Row[] = [
      [1, 'invoke', 'write', 1],
      [1, 'info', 'write', 1],
    ];
    const read = (process: number, value: number): Row[] => [
      [process, 'invoke', 'read', null],
      [process, 'ok', 'read', value],
    ];
    expect(verdict([...write, ...read(2, 1)])).toBe('linearizable');
    expect(verdict([...write, ...read(2, 0)])).toBe('linearizable');
    expect(verdict([...write, ...read(2, 0), ...read(3, 1)])).toBe('linearizable');
    expect(verdict([...write, ...read(2, 1), ...read(3, 0)])).toBe('not-linearizable');
    // Not before its invoke.
    expect(verdict([...read(2, 1), ...write])).toBe('not-linearizable');
  });

  it('an invoke that never completes is like info', () => {
    expect(verdict([[1, 'invoke', 'write', 2], [2, 'invoke', 'read', null], [2, 'ok', 'read', 2]])).toBe('linearizable');
  });

  it("Knossos's cas-register: starts at 0, a nil read is legal in any state", () => {
    expect(verdict([[1, 'invoke', 'read', null], [1, 'ok', 'read', 0]])).toBe('linearizable');
    expect(verdict([[1, 'invoke', 'write', 3], [1, 'ok', 'write', 3], [2, 'invoke', 'read', null], [2, 'ok', 'read', null]])).toBe('linearizable');
    // A failed cas did not happen, whatever its compare would have said.
    expect(verdict([[1, 'invoke', 'cas', [0, 1]], [1, 'fail', 'cas', [0, 1]]])).toBe('linearizable');
  });

  it("Porcupine's etcd rules: starts absent, a nil read means absent, a fail cas is a failed compare", () => {
    const absent = (rows: Row[]) => verdict(rows, casRegisterAbsent);
    expect(absent([[1, 'invoke', 'read', null], [1, 'ok', 'read', null]])).toBe('linearizable');
    expect(absent([[1, 'invoke', 'read', null], [1, 'ok', 'read', 0]])).toBe('not-linearizable');
    expect(absent([[1, 'invoke', 'write', 3], [1, 'ok', 'write', 3], [2, 'invoke', 'read', null], [2, 'ok', 'read', null]])).toBe('not-linearizable');
    const written: Row[] = [[1, 'invoke', 'write', 3], [1, 'ok', 'write', 3]];
    expect(absent([...written, [2, 'invoke', 'cas', [3, 4]], [2, 'fail', 'cas', [3, 4]]])).toBe('not-linearizable');
    expect(absent([...written, [2, 'invoke', 'cas', [2, 4]], [2, 'fail', 'cas', [2, 4]]])).toBe('linearizable');
    // A timed-out read observed nothing.
    expect(absent([...written, [2, 'invoke', 'read', null], [2, 'fail', 'read', 'timed-out']])).toBe('linearizable');
  });

  it('reads the made-up etcd log of the issue as Porcupine would', () => {
    const log = ['INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]', 'INFO  jepsen.util - 0\t:invoke\t:read\tnil', 'INFO  jepsen.util - 0\t:ok\t:read\t1', 'INFO  jepsen.util - 3\t:info\t:cas\t:timed-out'];
    // Nothing ever wrote 1, so the read cannot be explained (the cas needs 1 to be there already).
    expect(checkHistory(readEtcdLog(log.join('\n')), casRegisterAbsent).verdict).toBe('not-linearizable');
  });
});

describe('partitions, budgets and evidence', () => {
  /** A part that is linearizable but takes many steps: a big generated log under one key. */
  const hardPart = (key: string): History =>
    readEtcdLog(generateEtcdLog({ seed: 4, clients: 10, ops: 1500, timeoutPercent: 10 }).text).map((record) => ({ ...record, key }));

  it('parts are searched round-robin: a hard key does not hide an easy refutation on another', () => {
    const hard = hardPart('hard');
    const easy = history([
      [9001, 'invoke', 'write', 1, 'easy'],
      [9001, 'ok', 'write', 1, 'easy'],
      [9002, 'invoke', 'read', null, 'easy'],
      [9002, 'ok', 'read', 2, 'easy'],
    ]);
    const combined = [...hard, ...easy].map((record, index) => ({ ...record, index }));
    const alone = checkHistory(hard, casRegisterAbsent, { budgetSteps: 8192 });
    expect(alone.verdict).toBe('unknown');
    expect(alone.exhausted).toBe('steps');
    const result = checkHistory(combined, casRegisterAbsent, { budgetSteps: 8192 });
    expect(result.verdict).toBe('not-linearizable');
    expect(result.parts).toBe(2);
    expect(result.evidence).toMatchObject({ kind: 'not-linearizable', key: 'easy' });
  });

  it('parts race with doubling slices: a larger part refuted early is found before a smaller hard one ends', () => {
    const hard = hardPart('hard');
    // A violation at the start, then a long valid tail: more ops than the hard part, few steps to refute.
    const rows: Row[] = [
      [9001, 'invoke', 'write', 1, 'bad'],
      [9001, 'ok', 'write', 1, 'bad'],
      [9002, 'invoke', 'read', null, 'bad'],
      [9002, 'ok', 'read', 2, 'bad'],
    ];
    for (let op = 0; op < 1000; op += 1) rows.push([9003, 'invoke', 'write', op, 'bad'], [9003, 'ok', 'write', op, 'bad'], [9003, 'invoke', 'read', null, 'bad'], [9003, 'ok', 'read', op, 'bad']);
    const bad = history(rows);
    const hardOps = checkHistory(hard, casRegisterAbsent).ops;
    expect(checkHistory(bad, casRegisterAbsent).ops).toBeGreaterThan(hardOps);
    const combined = [...hard, ...bad].map((record, index) => ({ ...record, index }));
    expect(checkHistory(hard, casRegisterAbsent, { budgetSteps: 8192 }).verdict).toBe('unknown');
    const result = checkHistory(combined, casRegisterAbsent, { budgetSteps: 8192 });
    expect(result).toMatchObject({ verdict: 'not-linearizable', parts: 2, evidence: { kind: 'not-linearizable', key: 'bad' } });
  });

  it('a budget ends in unknown, never a hang, and the memory budget too', () => {
    const hard = hardPart('k');
    expect(checkHistory(hard, casRegisterAbsent).verdict).toBe('linearizable');
    const steps = checkHistory(hard, casRegisterAbsent, { budgetSteps: 100 });
    expect(steps).toMatchObject({ verdict: 'unknown', exhausted: 'steps', steps: 100 });
    expect(steps.evidence).toMatchObject({ kind: 'undecided', exhausted: 'steps' });
    expect(checkHistory(hard, casRegisterAbsent, { memoryBytesMax: 1000 })).toMatchObject({ verdict: 'unknown', exhausted: 'memory' });
  });

  it('is deterministic: the same history gives the same steps and evidence', () => {
    const log = readEtcdLog(generateEtcdLog({ seed: 5, clients: 8, ops: 800, timeoutPercent: 15, violation: 'stale-read' }).text);
    const first = checkHistory(log, casRegisterAbsent);
    const second = checkHistory(log, casRegisterAbsent);
    expect(first.verdict).toBe('not-linearizable');
    expect(second).toEqual(first);
  });

  it('gives the linearization of a valid history when asked, and evidence that names indexes for a violation', () => {
    const rows: Row[] = [
      [1, 'invoke', 'put', 'a', 'x'],
      [2, 'invoke', 'append', 'b', 'x'],
      [1, 'ok', 'put', 'a', 'x'],
      [2, 'ok', 'append', 'b', 'x'],
      [3, 'invoke', 'get', null, 'x'],
      [3, 'ok', 'get', 'ab', 'x'],
    ];
    const valid = checkHistory(history(rows), kv, { evidence: true });
    expect(valid.evidence).toMatchObject({ kind: 'linearization', parts: [{ key: 'x', order: [{ f: 'put' }, { f: 'append' }, { f: 'get', value: 'ab' }] }] });
    const bad = checkHistory(history([...rows.slice(0, 5), [3, 'ok', 'get', 'ba', 'x']]), kv);
    expect(bad.verdict).toBe('not-linearizable');
    const evidence = bad.evidence!;
    if (evidence.kind !== 'not-linearizable') throw new Error('expected violation evidence');
    expect(evidence.stuck.map((op) => [op.f, op.value, op.invokeIndex, op.completeIndex])).toEqual([['get', 'ba', 4, 5]]);
    expect(evidence.indexes).toEqual([4, 5]);
    expect(JSON.parse(JSON.stringify(evidence))).toEqual(evidence);
  });

  it('turns into a CheckerResult a system can return', () => {
    const ok = toCheckerResult(checkHistory(history([[1, 'invoke', 'write', 1], [1, 'ok', 'write', 1]]), casRegister));
    expect(ok).toMatchObject({ checker: 'linearizable', verdict: 'valid' });
    expect(ok.summary).toMatch(/^linearizable \(cas-register\): 1 ops in 1 part, \d+ steps$/);
    const bad = toCheckerResult(checkHistory(history([[1, 'invoke', 'read', null], [1, 'ok', 'read', 5]]), casRegister), 'lin-kv');
    expect(bad).toMatchObject({ checker: 'lin-kv', verdict: 'invalid', evidence: { kind: 'not-linearizable' } });
    expect(bad.summary).toMatch(/^not linearizable \(cas-register\): after 0 ops \(state 0\), stuck on p1 read 5 \[#0-#1\]/);
    const unknown = toCheckerResult(checkHistory(hardPart('k'), casRegisterAbsent, { budgetSteps: 10 }));
    expect(unknown.verdict).toBe('unknown');
  });

  it('refuses malformed histories and ops the model does not know', () => {
    expect(() => checkHistory(history([[1, 'ok', 'read', 1]]), casRegister)).toThrow(MalformedHistoryError);
    // A process that invokes again leaves its earlier op without completion: pending, like info.
    const again: Row[] = [[1, 'invoke', 'write', 1], [1, 'invoke', 'read', null], [1, 'ok', 'read', 1]];
    expect(checkHistory(history(again), casRegister).verdict).toBe('linearizable');
    // So does one that invokes after an info; a completion whose f differs from its invoke's is bad input.
    const afterInfo: Row[] = [[1, 'invoke', 'write', 1], [1, 'info', 'write', 1], [1, 'invoke', 'read', null], [1, 'ok', 'read', 1]];
    expect(checkHistory(history(afterInfo), casRegister).verdict).toBe('linearizable');
    expect(pairOps(history(afterInfo)).problems.map((problem) => problem.code)).toEqual(['invoke-after-info']);
    expect(pairOps(history(again)).problems.map((problem) => problem.code)).toEqual(['invoke-while-outstanding']);
    const mismatch: Row[] = [[1, 'invoke', 'write', 1], [1, 'ok', 'read', 1]];
    expect(pairOps(history(mismatch)).problems).toEqual([{ code: 'f-mismatch', index: 1, message: 'index 1: completion f "read" differs from invoke f "write"' }]);
    expect(() => checkHistory(history(mismatch), casRegister)).toThrow(/malformed history: index 1: completion f "read" differs/);
    expect(() => checkHistory(history([[1, 'invoke', 'get', null], [1, 'ok', 'get', 'x']]), casRegister)).toThrow(ModelInputError);
    expect(() => checkHistory(history([[1, 'invoke', 'cas', 3], [1, 'ok', 'cas', 3]]), casRegister)).toThrow(/cas needs \[from to\]/);
  });

  it('has every model of the issue, each with a one-line summary', () => {
    expect(Object.keys(models).sort()).toEqual(['cas-register', 'cas-register-absent', 'counter', 'kv', 'multi-register', 'mutex', 'queue', 'register', 'set']);
    for (const model of Object.values(models)) expect(model.summary.includes('\n')).toBe(false);
  });
});
