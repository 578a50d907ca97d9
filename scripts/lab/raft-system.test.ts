// End to end: the Raft node in the World, driven by our clients, judged by our checkers, through the
// same scenario runner as `crucible run`.
import { describe, expect, it } from 'vitest';
import { NS_PER_MS } from '../../nodes/host.js';
import { parseScenario } from './scenario.js';
import { runScenario, type RunResult } from './runner.js';
import { raftBugs } from '../../nodes/raft/index.js';
import { findSystem } from '../../workloads/registry.js';
import { historyLawProblems } from '../../workloads/testing/history-laws.js';
import { raftSystem } from '../../workloads/raft/plugin.js';
import { raftFaultKinds } from '../../workloads/raft/faults.js';

function run(seed: number, input: Record<string, unknown>): RunResult {
  const scenario = parseScenario({ system: 'raft', durationMs: 3_000, livenessMs: 3_000, ...input }, 'raft.test');
  return runScenario(scenario, seed, { plugin: raftSystem, traceLimit: 1_000 });
}

function verdicts(result: RunResult): Record<string, string> {
  return Object.fromEntries(result.checkers.map((checker) => [checker.checker, checker.verdict]));
}

describe('the raft system', () => {
  it('is registered with its workloads, bugs, targets and fault kinds', () => {
    expect(findSystem('raft')).toBe(raftSystem);
    expect(Object.keys(raftSystem.workloads).sort()).toEqual(['lin-kv', 'list-append', 'rw-register', 'set']);
    expect(raftSystem.workloads[raftSystem.defaultWorkload]).toBeDefined();
    expect(raftSystem.bugs.map((bug) => bug.name)).toEqual(raftBugs.map((bug) => bug.name));
    expect(raftSystem.params.electionTimeoutMsMax).toBeGreaterThan(0);
    expect(raftSystem.targets?.names).toEqual(['leader', 'follower']);
    expect(raftSystem.faultKinds).toBe(raftFaultKinds);
  });

  it("checks a workload's own options with its own schema", () => {
    expect(() => run(1, { workload: { keyz: 3 } })).toThrow(/workload\.keyz: the lin-kv workload has no option "keyz"/);
    expect(() => run(1, { workload: { keys: 0 } })).toThrow(/workload\.keys: /);
    expect(() => run(1, { workload: { name: 'set', readPercent: 10 } })).toThrow(/workload\.readPercent: the set workload takes no option "readPercent"/);
    expect(run(1, { workload: { keys: 1, opsMax: 20 } }).history.every((record) => record.key === 'k0')).toBe(true);
  });

  it('runs lin-kv without faults and every checker says valid', () => {
    const result = run(1, { faults: [] });
    expect(verdicts(result)).toMatchObject({ linearizable: 'valid', liveness: 'valid', assertions: 'valid' });
    expect(result.verdict).toBe('valid');
    expect(result.ops).toBeGreaterThan(100);
    expect(historyLawProblems(result.history, 3)).toEqual([]);
    // Without faults nearly every op succeeds.
    const oks = result.history.filter((record) => record.type === 'ok').length;
    expect(oks).toBeGreaterThan(result.ops * 0.5);
  });

  it('runs the set workload under faults and finds nothing lost', () => {
    const result = run(2, { workload: { name: 'set' }, faults: { kinds: ['partition', 'crash'] } });
    expect(verdicts(result)).toMatchObject({ set: 'valid', liveness: 'valid', assertions: 'valid' });
    expect(historyLawProblems(result.history, 3)).toEqual([]);
  });

  it('gives the same fingerprint for the same seed', () => {
    const input = { faults: { kinds: ['all'] } };
    expect(run(5, input).fingerprint).toBe(run(5, input).fingerprint);
  });

  it('catches raft.stale-local-read under partitions within a few seeds', () => {
    let caught: RunResult | null = null;
    for (let seed = 1; seed <= 10 && caught === null; seed++) {
      const result = run(seed, { faults: { kinds: ['partition'] }, bug: 'raft.stale-local-read' });
      if (result.verdict === 'invalid') caught = result;
    }
    expect(caught).not.toBeNull();
    expect(verdicts(caught!).linearizable).toBe('invalid');
  });

  it('catches raft.no-prevote-checkquorum when a leader stops hearing its followers, and passes the correct node', () => {
    // One run per node cut off from hearing the others; one of them is the leader, which without
    // CheckQuorum keeps its role (its heartbeats still arrive) and stalls the majority.
    const stalled = (bug: string | null) =>
      ['n1', 'n2', 'n3'].map((node) => {
        const others = ['n1', 'n2', 'n3'].filter((other) => other !== node);
        const faults = [{ atMs: 1_000, durationMs: 4_000, kind: 'partition-one-way', from: others, to: [node] }];
        const result = run(1, { nodes: 3, durationMs: 6_000, faults, bug });
        // The runner hands the checkers the run's fault actions: progress is demanded while a majority is healthy.
        return result.checkers.find((checker) => checker.checker === 'liveness')!;
      });
    const buggy = stalled('raft.no-prevote-checkquorum');
    expect(buggy.some((result) => result.verdict === 'invalid')).toBe(true);
    expect(buggy.find((result) => result.verdict === 'invalid')!.summary).toMatch(/while a majority was healthy/);
    expect(stalled(null).map((result) => result.verdict)).toEqual(['valid', 'valid', 'valid']);
  });
});
