// Knobs (issue 20): a system's settings, fixed by a scenario or drawn by swarm mode, validated
// against what the plugin declares, applied to the real node, kept in the explicit scenario, and
// moved back to their defaults by the shrinker.
import { describe, expect, it } from 'vitest';
import { runScenario } from './runner.js';
import { ScenarioError, type ScenarioInput } from './scenario.js';
import { raftSystem, RAFT_KNOBS } from '../../workloads/raft/plugin.js';

const plugin = raftSystem;
const BASE: ScenarioInput = { system: 'raft', durationMs: 3_000, livenessMs: 1_000, workload: { opsMax: 150, opsPerSecond: 60 } };

function compactions(scenario: ScenarioInput, seed: number): number {
  return runScenario(scenario, seed, { plugin }).trace.filter((event) => event.kind === 'raft.compact').length;
}

describe('knobs', () => {
  it('reach the real node: compacting every 2 entries snapshots far more often than every 32', () => {
    const often = compactions({ ...BASE, knobs: { compactEveryEntries: 2, compactKeepEntries: 0 } }, 3);
    const usual = compactions(BASE, 3);
    expect(often).toBeGreaterThan(4 * Math.max(usual, 1));
  });

  it('refuse a knob the system lacks or a value out of its range, naming it; a default is not recorded', () => {
    expect(() => runScenario({ ...BASE, knobs: { batchSize: 3 } }, 1, { plugin })).toThrow(ScenarioError);
    expect(() => runScenario({ ...BASE, knobs: { batchSize: 3 } }, 1, { plugin })).toThrow(/knobs\.batchSize: raft has no such knob \(it has entriesPerAppendMax, /);
    expect(() => runScenario({ ...BASE, knobs: { heartbeatTicks: 9 } }, 1, { plugin })).toThrow(/knobs\.heartbeatTicks: 9 is outside 1\.\.5/);
    const result = runScenario({ ...BASE, durationMs: 500, knobs: { heartbeatTicks: 5, inflightMax: 2 } }, 1, { plugin });
    expect(result.scenario.knobs).toEqual({ inflightMax: 2 });
  });

  it('are drawn by swarm mode within their ranges, recorded, and replay to the same run', () => {
    let drawnAny = 0;
    for (let seed = 0; seed < 12; seed++) {
      const drawn = runScenario({ ...BASE, durationMs: 800, livenessMs: 400, faults: { kinds: ['all'], swarm: true } }, seed, { plugin });
      const knobs = drawn.scenario.knobs ?? {};
      for (const [name, value] of Object.entries(knobs)) {
        const knob = RAFT_KNOBS.find((candidate) => candidate.name === name)!;
        expect(value).toBeGreaterThanOrEqual(knob.min);
        expect(value).toBeLessThanOrEqual(knob.max);
        expect(value).not.toBe(knob.default);
      }
      if (Object.keys(knobs).length > 0) drawnAny++;
      const replayed = runScenario(JSON.parse(JSON.stringify(drawn.scenario)) as ScenarioInput, seed, { plugin });
      expect(replayed.fingerprint).toBe(drawn.fingerprint);
    }
    expect(drawnAny).toBeGreaterThan(6);
  });
});

describe('shrinking knobs', () => {
  it('moves every knob the failure does not need back to its default', async () => {
    const { shrinkRun } = await import('./shrink.js');
    const { readCapsule } = await import('./capsule.js');
    const { repoRoot } = await import('./code-version.js');
    // A stale local read fails on a healthy cluster whatever the knobs: none of them is needed.
    const capsule = readCapsule(`${repoRoot()}/histories/corpus/raft-raft.stale-local-read-seed10-e5fae259d9f9f072.json`);
    const withKnobs = { ...(capsule.scenario as ScenarioInput), knobs: { inflightMax: 2, heartbeatTicks: 2, compactEveryEntries: 7 } };
    const original = runScenario(withKnobs, capsule.seed, { plugin });
    expect(original.violation).not.toBeNull();
    const shrunk = shrinkRun(original, (scenario, seed) => runScenario(scenario, seed, { plugin }), { runsMax: 200, nodesMin: 3, instantKinds: new Set<string>() });
    expect(shrunk.result.violation).toBe(original.violation);
    const removed = shrunk.steps.filter((step) => step.startsWith('knob '));
    expect(removed.length).toBeGreaterThan(0);
    // Whatever knob is left, the shrunk run needs: without it (same seed) the failure is gone.
    const left = shrunk.result.scenario.knobs ?? {};
    expect(removed.length + Object.keys(left).length).toBe(3);
    for (const name of Object.keys(left)) {
      const { [name]: _dropped, ...rest } = left;
      const without = runScenario({ ...shrunk.result.scenario, knobs: rest } as ScenarioInput, shrunk.result.seed, { plugin });
      expect(without.violation, name).not.toBe(original.violation);
    }
  });
});
