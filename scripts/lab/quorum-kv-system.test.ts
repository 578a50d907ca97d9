// End to end: the quorum KV node in the World, driven by the workloads' clients, judged by their
// checkers, through the same scenario runner as `crucible run`. Fault schedules are explicit, so
// each test says which situation it builds.
import { describe, expect, it } from 'vitest';
import { parseScenario } from './scenario.js';
import { runScenario, type RunResult } from './runner.js';
import { NS_PER_S } from '../../nodes/host.js';
import { quorumKvBugs, quorumKvNodeFactory } from '../../nodes/quorum-kv/index.js';
import { findSystem } from '../../workloads/registry.js';
import { historyLawProblems } from '../../workloads/testing/history-laws.js';
import { quorumKvSystem } from '../../workloads/quorum-kv/plugin.js';
import { replicaTargets } from '../../workloads/quorum-kv/targets.js';

function run(seed: number, input: Record<string, unknown>, plugin = quorumKvSystem): RunResult {
  const scenario = parseScenario({ system: 'quorum-kv', durationMs: 4_000, livenessMs: 5_000, ...input }, 'quorum-kv.test');
  return runScenario(scenario, seed, { plugin, traceLimit: 20_000 });
}

/** The node with a grace period short enough to pass within a run (and a hint window below it). */
const shortGrace = { ...quorumKvSystem, node: quorumKvNodeFactory({ tombstoneGraceNs: 1.5 * NS_PER_S, hintWindowNs: 1 * NS_PER_S }) };

function purged(result: RunResult): Set<string> {
  return new Set(result.trace.filter((event) => event.kind === 'qkv.purged').map((event) => `${event.node}:${event.fields?.key}`));
}

function verdicts(result: RunResult): Record<string, string> {
  return Object.fromEntries(result.checkers.map((checker) => [checker.checker, checker.verdict]));
}

function oks(result: RunResult, f?: string): number {
  return result.history.filter((record) => record.type === 'ok' && (f === undefined || record.f === f)).length;
}

describe('the quorum-kv system', () => {
  it('is registered with its workloads and bugs', () => {
    expect(findSystem('quorum-kv')).toBe(quorumKvSystem);
    expect(quorumKvSystem.workloads[quorumKvSystem.defaultWorkload]).toBeDefined();
    expect(quorumKvSystem.bugs.map((bug) => bug.name)).toEqual(quorumKvBugs.map((bug) => bug.name));
  });

  it('serves linearizable reads and writes without faults, nearly all of them ok', () => {
    const result = run(1, { faults: [] });
    expect(verdicts(result)).toMatchObject({ linearizable: 'valid', liveness: 'valid', assertions: 'valid' });
    expect(historyLawProblems(result.history, 3)).toEqual([]);
    expect(oks(result)).toBeGreaterThan(result.ops * 0.95);
  });

  it('stays linearizable through a halves partition and keeps serving the side that holds majorities', () => {
    // n1 and n2 cut off from n3..n5: a key whose primaries are split has a majority on one side only.
    const result = run(3, { faults: [{ atMs: 200, kind: 'partition-halves', side: ['n1', 'n2'], durationMs: 3_000 }] });
    expect(verdicts(result)).toMatchObject({ linearizable: 'valid', liveness: 'valid' });
    const during = result.history.filter((record) => record.time !== undefined && record.time > 400e6 && record.time < 3_000e6);
    expect(during.some((record) => record.type === 'ok')).toBe(true);
  });

  it('serves compare-and-set through Paxos per key, linearizably, through a crash and a partition', () => {
    const result = run(5, {
      workload: { name: 'lin-kv-cas', keys: 1 },
      faults: [
        { atMs: 300, kind: 'crash', node: 'n2', mode: 'lose', durationMs: 600 },
        { atMs: 1_500, kind: 'partition-halves', side: ['n1', 'n2'], durationMs: 1_000 },
      ],
    });
    expect(verdicts(result)).toMatchObject({ linearizable: 'valid', liveness: 'valid', invariants: 'valid', assertions: 'valid' });
    // Both outcomes of the compare happen, and writes go through the same register.
    expect(oks(result, 'cas')).toBeGreaterThan(3);
    expect(result.history.some((record) => record.type === 'fail' && record.f === 'cas')).toBe(true);
    expect(oks(result, 'write')).toBeGreaterThan(10);
    expect(result.trace.some((event) => event.kind === 'qkv.promised')).toBe(true);
  });

  it('purges deleted keys after the grace period once every replica has the tombstone, and nothing comes back', () => {
    // Seed 8 ends with k0 deleted (most keys end with a live sibling from a concurrent blind write).
    const result = run(8, { workload: { name: 'deletes', keys: 4 }, durationMs: 6_000, faults: [] }, shortGrace);
    expect(verdicts(result)).toMatchObject({ siblings: 'valid', invariants: 'valid', assertions: 'valid' });
    expect(result.history.filter((record) => record.type === 'ok' && record.f === 'delete').length).toBeGreaterThan(3);
    expect(purged(result).size).toBeGreaterThan(0);
    // What was purged is what the final read of all replicas found deleted.
    const finalK0 = result.history.find((record) => record.type === 'ok' && record.f === 'final-read' && record.key === 'k0');
    expect(finalK0?.value).toEqual([]);
    expect([...purged(result)].every((entry) => entry.endsWith(':k0'))).toBe(true);
    // With the default grace (longer than the hint window, so longer than any run here) nothing is purged.
    expect(purged(run(8, { workload: { name: 'deletes', keys: 4 }, durationMs: 6_000, faults: [] })).size).toBe(0);
  });

  it('keeps a tombstone while a replica of its key is down, however long the grace period has passed', () => {
    const down = replicaTargets({ n1: {}, n2: {}, n3: {}, n4: {}, n5: {} }, 'k0').replicas[2]!;
    const result = run(6, { workload: { name: 'deletes', keys: 1 }, durationMs: 6_000, faults: [{ atMs: 10, kind: 'crash', node: down, mode: 'lose', durationMs: 8_000 }] }, shortGrace);
    expect(result.history.some((record) => record.type === 'ok' && record.f === 'delete')).toBe(true);
    // Nobody purges k0 while `down` cannot have confirmed the tombstone.
    const early = result.trace.filter((event) => event.kind === 'qkv.purged' && event.fields?.key === 'k0' && event.time < 8_010e6);
    expect(early).toEqual([]);
    expect(verdicts(result).siblings).toBe('valid');
  });

  it('counts adds in counter buckets through a partition, and the counter checker catches a hint that overwrites', () => {
    const faults = [{ atMs: 100, kind: 'partition-isolate', node: 'n1', durationMs: 2_000 }, { atMs: 1_200, kind: 'crash', node: 'n3', mode: 'lose', durationMs: 800 }];
    for (const name of ['g-counter', 'pn-counter']) {
      const result = run(2, { workload: { name }, faults });
      const counter = result.checkers.find((checker) => checker.checker === 'counter');
      expect(counter?.verdict, counter?.summary).toBe('valid');
      expect((counter?.evidence as { finalReads: number }).finalReads).toBeGreaterThan(5);
      expect(oks(result, 'add')).toBeGreaterThan(20);
    }
    // With all faults, within ten seeds: a primary overwritten by a hint loses its own entry's adds.
    let seed = 0;
    const buggy = (s: number): RunResult => run(s, { workload: { name: 'g-counter' }, faults: { kinds: ['all'] }, bug: 'kv.hint-overwrites-newer', durationMs: 10_000 });
    while (seed < 10 && verdicts(buggy(seed)).counter !== 'invalid') seed++;
    expect(seed).toBeLessThan(10);
  });

  it('expires TTLs on time by the wall clocks, and is caught out when a clock is off by more than the skew allowed', () => {
    const calm = run(1, { workload: { name: 'ttl' }, faults: [{ atMs: 500, kind: 'partition-isolate', node: 'n2', durationMs: 1_000 }] });
    const ttl = calm.checkers.find((checker) => checker.checker === 'ttl');
    expect(ttl?.verdict, ttl?.summary).toBe('valid');
    // Reads on both sides of expiry were judged: some saw the value, some found it gone.
    expect(calm.history.some((record) => record.type === 'ok' && record.f === 'read' && record.value === null)).toBe(true);
    expect(calm.history.some((record) => record.type === 'ok' && record.f === 'read' && record.value !== null)).toBe(true);
    // Two nodes' clocks a second ahead: values they stamp live too long, and reads they answer
    // find values of the others gone early.
    const skewed = run(1, {
      workload: { name: 'ttl' },
      faults: [
        { atMs: 0, kind: 'clock-offset', node: 'n1', offsetMs: 1_000, durationMs: 4_000 },
        { atMs: 0, kind: 'clock-offset', node: 'n2', offsetMs: 1_000, durationMs: 4_000 },
      ],
    });
    const judged = skewed.checkers.find((checker) => checker.checker === 'ttl');
    expect(judged?.verdict).toBe('invalid');
    const { late, early } = judged?.evidence as { late: number; early: number };
    expect(late + early).toBeGreaterThan(0);
  });

  it('accepts sloppy AP writes while primaries are cut off, keeps hints, hands them off and converges', () => {
    const result = run(2, { workload: { name: 'siblings' }, faults: [{ atMs: 100, kind: 'partition-isolate', node: 'n1', durationMs: 3_000 }, { atMs: 1_500, kind: 'crash', node: 'n2', mode: 'lose', durationMs: 1_000 }] });
    expect(verdicts(result)).toMatchObject({ siblings: 'valid', invariants: 'valid', assertions: 'valid' });
    const hinted = result.trace.filter((event) => event.kind === 'qkv.changed' && event.fields?.hintFor !== undefined);
    const handedOff = result.trace.filter((event) => event.kind === 'qkv.changed' && event.fields?.handedOffTo !== undefined);
    expect(hinted.length).toBeGreaterThan(0);
    expect(handedOff.length).toBeGreaterThan(0);
    // White-box convergence was judged, not skipped for lack of quiet.
    expect(result.checkers.find((checker) => checker.checker === 'invariants')?.summary).toMatch(/^convergence: \d+ keys identical/);
  });

  it('finds the planted merge bug: a concurrent sibling dropped as if dominated', () => {
    const correct = run(1, { workload: { name: 'siblings' }, faults: [{ atMs: 100, kind: 'partition-halves', side: ['n1', 'n2'], durationMs: 2_000 }] });
    expect(verdicts(correct).siblings).toBe('valid');
    const buggy = run(1, { workload: { name: 'siblings' }, bug: 'kv.vv-merge', faults: [{ atMs: 100, kind: 'partition-halves', side: ['n1', 'n2'], durationMs: 2_000 }] });
    expect(verdicts(buggy).siblings).toBe('invalid');
  });

  it('measures staleness of partial quorums instead of judging them linearizable', () => {
    const result = run(4, { workload: { name: 'staleness' }, faults: [{ atMs: 100, kind: 'delay', latencyMsMin: 5, latencyMsMax: 80, durationMs: 3_500 }] });
    const staleness = result.checkers.find((checker) => checker.checker === 'staleness');
    expect(staleness?.verdict).toBe('valid');
    expect(result.checkers.some((checker) => checker.checker === 'linearizable')).toBe(false);
    expect((staleness?.evidence as { readsJudged: number }).readsJudged).toBeGreaterThan(10);
  });

  it('names the replicas of a key and a coordinator as target sets', () => {
    const statuses = { n1: {}, n2: {}, n3: { down: 'starting' }, n4: {}, n5: {} };
    const targets = replicaTargets(statuses, 'k0');
    expect(targets.replicas).toHaveLength(3);
    expect(new Set(targets.replicas).size).toBe(3);
    expect(targets.replicas).toContain(targets.coordinator);
    expect(targets.coordinator).not.toBe('n3');
  });
});
