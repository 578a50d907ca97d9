import { describe, expect, it } from 'vitest';
import { runScenario, type RunResult } from './runner.js';
import { scenarioSchema, type ExplicitScenario, type ScenarioInput } from './scenario.js';
import { runSize, sameViolation, shrinkRun, targetViolation } from './shrink.js';
import { registerSystem } from './testing/register.js';

const plugin = registerSystem;
const SCENARIO: ScenarioInput = {
  system: 'test-register',
  durationMs: 4_000,
  livenessMs: 2_000,
  disk: { fsyncUsMin: 20_000, fsyncUsMax: 100_000 },
  workload: { opsPerSecond: 20, opsMax: 120 },
  bug: 'test.ack-before-fsync',
  faults: { kinds: ['crash', 'partition', 'drop'], intensity: { ratePerSecond: 2 } },
};

function firstFailure(): RunResult {
  for (let seed = 0; seed < 100; seed++) {
    const result = runScenario(SCENARIO, seed, { plugin });
    if (result.violation !== null) return result;
  }
  throw new Error('no failing seed in 0..99');
}

describe('shrinkRun', () => {
  const original = firstFailure();
  const seen: ExplicitScenario[] = [];
  const run = (scenario: ExplicitScenario, seed: number) => {
    // The law: every candidate is a valid scenario.
    expect(scenarioSchema.safeParse(scenario).success).toBe(true);
    seen.push(scenario);
    return runScenario(scenario, seed, { plugin });
  };
  const shrunk = shrinkRun(original, run, { runsMax: 150, nodesMin: 1 });

  it('returns a smaller run that still fails the same way', () => {
    expect(shrunk.result.violation).not.toBeNull();
    expect(sameViolation(targetViolation(original.violation!), shrunk.result)).toBe(true);
    expect(shrunk.steps.length).toBeGreaterThan(0);
    const [faultsAfter, , opsAfter] = runSize(shrunk.result);
    expect(faultsAfter!).toBeLessThanOrEqual(original.faultEvents);
    expect(opsAfter!).toBeLessThan(original.ops);
    expect(shrunk.runs).toBe(seen.length);
    expect(shrunk.runs).toBeLessThanOrEqual(150);
  });

  it('gives a result that replays to the same fingerprint from its explicit scenario', () => {
    const again = runScenario(JSON.parse(JSON.stringify(shrunk.result.scenario)), shrunk.result.seed, { plugin });
    expect(again.fingerprint).toBe(shrunk.result.fingerprint);
    expect(again.violation).toBe(shrunk.result.violation);
  });

  it('is deterministic', () => {
    const twice = shrinkRun(original, (scenario, seed) => runScenario(scenario, seed, { plugin }), { runsMax: 150, nodesMin: 1 });
    expect(twice.result.fingerprint).toBe(shrunk.result.fingerprint);
    expect(twice.steps).toEqual(shrunk.steps);
  });

  it('refuses a run that did not fail', () => {
    const passing = runScenario({ ...SCENARIO, bug: null }, 1, { plugin });
    expect(() => shrinkRun(passing, run, { runsMax: 10, nodesMin: 1 })).toThrow(/did not fail/);
  });

  it('keeps the safety violation, not a liveness consequence', () => {
    expect(targetViolation('linearizable+liveness')).toEqual(['linearizable']);
    expect(targetViolation('liveness')).toEqual(['liveness']);
  });
});
