// End to end: the Raft node in the World, driven by our clients, judged by our checkers, through the
// same scenario runner as `crucible run`.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../faults/scenario.js';
import { runScenario, type RunResult } from '../../faults/runner.js';
import { raftBugs } from '../../nodes/raft/index.js';
import { findSystem } from '../registry.js';
import { historyLawProblems } from '../testing/history-laws.js';
import { raftSystem } from './plugin.js';

function run(seed: number, input: Record<string, unknown>): RunResult {
  const scenario = parseScenario({ system: 'raft', durationMs: 3_000, livenessMs: 3_000, ...input }, 'raft.test');
  return runScenario(scenario, seed, { plugin: raftSystem, traceLimit: 1_000 });
}

function verdicts(result: RunResult): Record<string, string> {
  return Object.fromEntries(result.checkers.map((checker) => [checker.checker, checker.verdict]));
}

describe('the raft system', () => {
  it('is registered with its workloads, bugs and admin message', () => {
    expect(findSystem('raft')).toBe(raftSystem);
    expect(Object.keys(raftSystem.workloads).sort()).toEqual(['lin-kv', 'set']);
    expect(raftSystem.workloads[raftSystem.defaultWorkload]).toBeDefined();
    expect(raftSystem.bugs.map((bug) => bug.name)).toEqual(raftBugs.map((bug) => bug.name));
    expect(raftSystem.params.electionTimeoutMsMax).toBeGreaterThan(0);
    const action = { kind: 'transfer-leader', to: 'n2' } as const;
    expect(raftSystem.admin?.(action)).toEqual({ type: 'raft.admin', action });
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
});
