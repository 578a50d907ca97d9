import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NS_PER_MS, NS_PER_S } from '../nodes/host.js';
import { checkSet, type SetEvidence } from '../checkers/set.js';
import { addsUntilNs, PROBES, setClient } from './set.js';
import type { WorkloadParams } from './system.js';
import { CALM, runFakeKv, type FakeBehaviour, type FakeRun } from './testing/fake-kv.js';
import { historyLawProblems } from './testing/history-laws.js';

const NODES = ['n1', 'n2', 'n3'];

function params(overrides: Partial<WorkloadParams> = {}): WorkloadParams {
  return {
    nodes: NODES,
    clients: 3,
    opsMax: 90,
    opsPerSecond: 60,
    options: {},
    timeoutNs: 200 * NS_PER_MS,
    stopInvokingAtNs: 4 * NS_PER_S,
    ...overrides,
  };
}

function run(seed: number, workload: WorkloadParams, behaviour: FakeBehaviour): FakeRun {
  const clients = Array.from({ length: workload.clients }, (_, index) => setClient(workload, index));
  return runFakeKv({ seed, nodes: NODES, clients, behaviour, untilNs: workload.stopInvokingAtNs + 10 * workload.timeoutNs });
}

describe('set client', () => {
  it('adds unique elements, then reads back every one of them', () => {
    const workload = params();
    const result = run(1, workload, CALM);
    expect(historyLawProblems(result.history, workload.clients)).toEqual([]);
    const adds = result.history.filter((record) => record.f === 'add' && record.type === 'invoke');
    const elements = adds.map((record) => record.value as number);
    expect(new Set(elements).size).toBe(elements.length);
    // Adds are spread to last until addsUntilNs, leaving some budget unspent rather than stopping early.
    expect(adds.length).toBeGreaterThan(workload.opsMax / 2);
    const lastAddNs = Math.max(...adds.map((record) => record.time ?? 0));
    expect(lastAddNs).toBeLessThan(addsUntilNs(workload));
    expect(lastAddNs).toBeGreaterThan(addsUntilNs(workload) * 0.8);
    const invokes = result.history.filter((record) => record.type === 'invoke');
    expect(invokes.length).toBeLessThanOrEqual(workload.opsMax);
    for (const client of ['c0', 'c1', 'c2']) {
      const added = adds.filter((record) => record.key === client).map((record) => record.value as number);
      const reads = result.history.filter((record) => record.key === client && record.f === 'read' && record.type === 'ok');
      expect(reads.length).toBeGreaterThanOrEqual(1);
      expect([...(reads.at(-1)!.value as number[])].sort((a, b) => a - b)).toEqual([...added].sort((a, b) => a - b));
    }
    expect(result.done).toHaveLength(3);
    const verdict = checkSet(result.history);
    expect(verdict.verdict).toBe('valid');
    expect((verdict.evidence as SetEvidence).adds.ok).toBe(adds.length);
  });

  it('never gets a correct cluster judged invalid, whatever the network does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.record({
          dropRequestPercent: fc.integer({ min: 0, max: 10 }),
          redirectPercent: fc.integer({ min: 0, max: 30 }),
          dropReplyPercent: fc.integer({ min: 0, max: 10 }),
          duplicateReplyPercent: fc.integer({ min: 0, max: 10 }),
          slowPercent: fc.integer({ min: 0, max: 10 }),
        }),
        (seed, chances) => {
          const workload = params({ opsMax: 45 });
          const result = run(seed, workload, { ...CALM, ...chances, slowNs: 150 * NS_PER_MS });
          expect(historyLawProblems(result.history, workload.clients)).toEqual([]);
          expect(checkSet(result.history).verdict).not.toBe('invalid');
        },
      ),
      { numRuns: 30, seed: 9 },
    );
  });

  it('lets the set checker catch a cluster that forgets acknowledged writes', () => {
    const result = run(5, params(), { ...CALM, forgetWritePercent: 5 });
    const verdict = checkSet(result.history);
    expect(verdict.verdict).toBe('invalid');
    expect((verdict.evidence as SetEvidence).counts.lost).toBeGreaterThan(0);
  });

  it('probes elements it never added', () => {
    const workload = params({ clients: 1, opsMax: 10 });
    const result = run(2, workload, CALM);
    const adds = result.history.filter((record) => record.f === 'add' && record.type === 'invoke').length;
    // Every add and every probe is one KV read per final read.
    const reads = result.history.filter((record) => record.f === 'read' && record.type === 'invoke').length;
    const kvReads = result.applied.filter((entry) => entry.op.f === 'read').length;
    expect(kvReads).toBe(reads * (adds + PROBES));
  });
});
