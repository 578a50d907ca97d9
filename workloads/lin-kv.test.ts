import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NS_PER_MS, NS_PER_S } from '../nodes/host.js';
import { linKvClient } from './lin-kv.js';
import type { WorkloadParams } from './system.js';
import { CALM, runFakeKv, type FakeBehaviour, type FakeRun } from './testing/fake-kv.js';
import { historyLawProblems } from './testing/history-laws.js';

const NODES = ['n1', 'n2', 'n3'];

function params(overrides: Partial<WorkloadParams> = {}): WorkloadParams {
  return {
    nodes: NODES,
    clients: 3,
    opsMax: 60,
    opsPerSecond: 100,
    options: { keys: 2 },
    timeoutNs: 200 * NS_PER_MS,
    stopInvokingAtNs: 5 * NS_PER_S,
    ...overrides,
  };
}

function run(seed: number, workload: WorkloadParams, behaviour: FakeBehaviour): FakeRun {
  const clients = Array.from({ length: workload.clients }, (_, index) => linKvClient(workload, index));
  return runFakeKv({ seed, nodes: NODES, clients, behaviour, untilNs: workload.stopInvokingAtNs + 10 * workload.timeoutNs });
}

/** Problems where the history contradicts what the fake cluster really applied. */
function honestyProblems(result: FakeRun, clients: number): string[] {
  const problems: string[] = [];
  const invokes = new Map<number, number>();
  const seqOf = new Map<number, number>();
  for (const record of result.history) {
    const client = record.process % clients;
    if (record.type === 'invoke') {
      // Client i's k-th op is its k-th call, so it went out with seq k (sequences start at 1).
      const seq = (invokes.get(client) ?? 0) + 1;
      invokes.set(client, seq);
      seqOf.set(record.process, seq);
      continue;
    }
    const seq = seqOf.get(record.process)!;
    const applied = result.applied.filter((entry) => entry.client === `c${client}` && entry.seq === seq);
    if (applied.length > 1) problems.push(`index ${record.index}: applied ${applied.length} times`);
    const entry = applied[0];
    if (record.type === 'ok') {
      if (entry === undefined || entry.reply.outcome !== 'ok') problems.push(`index ${record.index}: ok but not applied`);
      else if (record.f === 'read' && record.value !== entry.reply.value) problems.push(`index ${record.index}: read value differs`);
    }
    if (record.type === 'fail' && entry !== undefined && entry.reply.outcome === 'ok') {
      problems.push(`index ${record.index}: fail but it took effect`);
    }
    // A failed cas claims its compare failed, so the cluster must have said so.
    if (record.type === 'fail' && record.f === 'cas' && entry?.reply.outcome !== 'fail') {
      problems.push(`index ${record.index}: cas fail without a cas mismatch`);
    }
  }
  return problems;
}

const behaviourArbitrary: fc.Arbitrary<FakeBehaviour> = fc
  .record({
    dropRequestPercent: fc.integer({ min: 0, max: 15 }),
    redirectPercent: fc.integer({ min: 0, max: 30 }),
    unavailablePercent: fc.integer({ min: 0, max: 15 }),
    dropReplyPercent: fc.integer({ min: 0, max: 15 }),
    duplicateReplyPercent: fc.integer({ min: 0, max: 10 }),
    slowPercent: fc.integer({ min: 0, max: 10 }),
  })
  .map((chances) => ({ ...CALM, ...chances, slowNs: 150 * NS_PER_MS }));

describe('lin-kv client', () => {
  it('spreads its budget over the run against a calm cluster, every op ending ok or as a cas mismatch', () => {
    const workload = params();
    const result = run(1, workload, CALM);
    const invokes = result.history.filter((record) => record.type === 'invoke');
    expect(invokes.length).toBeLessThanOrEqual(workload.opsMax);
    expect(invokes.length).toBeGreaterThanOrEqual(workload.opsMax * 0.8);
    // At 100 ops/s the budget would be gone in 0.6 s; spread, ops reach the second half of the run.
    expect(invokes.at(-1)!.time!).toBeGreaterThan(workload.stopInvokingAtNs / 2);
    const completions = result.history.filter((record) => record.type !== 'invoke');
    expect(completions).toHaveLength(invokes.length);
    expect(completions.filter((record) => record.type !== 'ok').every((record) => record.type === 'fail' && record.f === 'cas')).toBe(true);
    expect(new Set(invokes.map((record) => record.f))).toEqual(new Set(['read', 'write', 'cas']));
    const written = invokes.flatMap((record) =>
      record.f === 'write' ? [record.value] : record.f === 'cas' ? [(record.value as number[])[1]] : [],
    );
    expect(new Set(written).size).toBe(written.length);
    expect(result.done).toEqual(expect.arrayContaining(['c0', 'c1', 'c2']));
    expect(historyLawProblems(result.history, workload.clients)).toEqual([]);
    // Some cas ops match: the client uses the value it last saw.
    expect(result.history.some((record) => record.f === 'cas' && record.type === 'ok')).toBe(true);
  });

  it('keeps histories well formed and honest whatever the cluster does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), behaviourArbitrary, (seed, behaviour) => {
        const workload = params({ opsMax: 40 });
        const result = run(seed, workload, behaviour);
        expect(historyLawProblems(result.history, workload.clients)).toEqual([]);
        expect(honestyProblems(result, workload.clients)).toEqual([]);
        expect(result.history.filter((record) => record.type === 'invoke').length).toBeLessThanOrEqual(workload.opsMax);
        expect([...result.done].sort()).toEqual(['c0', 'c1', 'c2']);
      }),
      { numRuns: 40, seed: 4 },
    );
  });

  it('moves to a new process after an info, and never reuses a number', () => {
    const behaviour = { ...CALM, dropRequestPercent: 40, dropReplyPercent: 50 };
    const workload = params();
    const result = run(7, workload, behaviour);
    const infos = result.history.filter((record) => record.type === 'info');
    expect(infos.length).toBeGreaterThan(0);
    // Client i runs as i, i + clients, i + 2 * clients, ...: one more generation per info (the
    // last may never invoke when the client had nothing left to do).
    for (let client = 0; client < workload.clients; client++) {
      const records = result.history.filter((record) => record.process % workload.clients === client);
      const generations = [...new Set(records.map((record) => Math.floor(record.process / workload.clients)))];
      expect(generations).toEqual(generations.map((_, position) => position));
      const clientInfos = records.filter((record) => record.type === 'info').length;
      expect([generations.length - 1, generations.length]).toContain(clientInfos);
    }
    expect(historyLawProblems(result.history, workload.clients)).toEqual([]);
  });

  it('stops invoking at the stop time', () => {
    const workload = params({ opsMax: 100_000, stopInvokingAtNs: 1 * NS_PER_S });
    const result = run(3, workload, CALM);
    const invokes = result.history.filter((record) => record.type === 'invoke');
    expect(invokes.length).toBeGreaterThan(50);
    expect(Math.max(...invokes.map((record) => record.time ?? 0))).toBeLessThan(workload.stopInvokingAtNs);
    expect(result.done).toHaveLength(3);
  });

  it('gives the same history from the same seed and another from another seed', () => {
    const behaviour = { ...CALM, redirectPercent: 20, dropReplyPercent: 5 };
    const a = run(11, params(), behaviour);
    const b = run(11, params(), behaviour);
    const c = run(12, params(), behaviour);
    expect(a.history).toEqual(b.history);
    expect(a.history).not.toEqual(c.history);
  });
});

describe('lin-kv op mix', () => {
  const count = (result: FakeRun, f: string) => result.history.filter((record) => record.type === 'invoke' && record.f === f).length;

  it('reads nothing when a scenario sets readPercent 0, and splits the ops between write and cas', () => {
    const result = run(3, params({ options: { keys: 2, readPercent: 0 } }), CALM);
    expect(count(result, 'read')).toBe(0);
    expect(count(result, 'write')).toBeGreaterThan(0);
    expect(count(result, 'cas')).toBeGreaterThan(0);
  });

  it('keeps its own mix, reads included, when readPercent is absent', () => {
    const result = run(3, params(), CALM);
    expect(count(result, 'read')).toBeGreaterThan(0);
  });

  it('only reads at readPercent 100', () => {
    const result = run(3, params({ options: { keys: 2, readPercent: 100 } }), CALM);
    expect(count(result, 'read')).toBe(result.history.filter((record) => record.type === 'invoke').length);
  });
});
