// The contract's proof: a second, deliberately different system (no leader, no term; its own target
// sets and fault kind) runs through the same pipeline as Raft, its drawn targeted faults all find
// their targets, it passes under every fault kind, and its planted bug is found and shrunk.
import { describe, expect, it } from 'vitest';
import { leaderlessSystem as plugin } from '../../workloads/testing/leaderless.js';
import { pluginFaultCatalog } from '../../workloads/system.js';
import { runScenario, type RunResult } from './runner.js';
import { instantKindsOf, shrinkRun } from './shrink.js';
import type { ExplicitScenario } from './scenario.js';

const ALL = { system: plugin.name, faults: { kinds: ['all'] } };

describe('the leaderless test system', () => {
  const runs: RunResult[] = Array.from({ length: 12 }, (_, seed) => runScenario(ALL, seed, { plugin }));

  it('draws its own kind and aims at its own targets, and every drawn target resolves', () => {
    const events = runs.flatMap((run) => run.scenario.faults);
    expect(events.some((event) => event.kind === 'coordinator-stall')).toBe(true);
    expect(new Set(events.map((event) => event.role).filter((role) => role !== undefined))).toEqual(new Set(['freshest', 'stalest']));
    const unresolved = runs.flatMap((run) => run.faultRows).filter((row) => row.kind.endsWith('.skip') && /no live node is/.test(String(row.fields.reason)));
    expect(unresolved).toEqual([]);
  });

  it('is linearizable and live under every fault kind', () => {
    for (const run of runs) expect(run.verdict, `seed ${run.seed}: ${run.checkers.map((c) => c.summary).join('; ')}`).toBe('valid');
    expect(runs.reduce((sum, run) => sum + run.faultEvents, 0)).toBeGreaterThan(50);
  });

  it('finds its planted stale read and shrinks it to a handful of faults and ops', () => {
    let failing: RunResult | null = null;
    for (let seed = 0; failing === null && seed < 30; seed++) {
      const run = runScenario({ ...ALL, bug: 'leaderless.read-one' }, seed, { plugin });
      if (run.violation !== null) failing = run;
    }
    expect(failing?.violation).toBe('linearizable');
    const run = (scenario: ExplicitScenario, seed: number) => runScenario(scenario, seed, { plugin });
    const shrunk = shrinkRun(failing!, run, { runsMax: 300, nodesMin: plugin.nodes.min, opsGoal: 40, instantKinds: instantKindsOf(pluginFaultCatalog(plugin)) });
    expect(shrunk.result.violation).toBe('linearizable');
    expect(shrunk.result.faultEvents).toBeLessThanOrEqual(4);
    expect(shrunk.result.ops).toBeLessThanOrEqual(40);
  });
});
