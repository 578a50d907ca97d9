import { describe, expect, it } from 'vitest';
import { runScenario, type RunResult } from './runner.js';
import { scenarioSchema, type ExplicitScenario, type ScenarioInput } from './scenario.js';
import { runSize, sameViolation, shrinkRun, targetViolation } from './shrink.js';
import { LIN_KV_SHRINK } from '../../workloads/lin-kv.js';
import { registerSystem } from '../../workloads/testing/register.js';

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
  const shrunk = shrinkRun(original, run, { runsMax: 150, nodesMin: 1, instantKinds: new Set<string>() });

  it('returns a smaller run that still fails the same way', () => {
    expect(shrunk.result.violation).not.toBeNull();
    expect(sameViolation(targetViolation(original), shrunk.result)).toBe(true);
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
    const twice = shrinkRun(original, (scenario, seed) => runScenario(scenario, seed, { plugin }), { runsMax: 150, nodesMin: 1, instantKinds: new Set<string>() });
    expect(twice.result.fingerprint).toBe(shrunk.result.fingerprint);
    expect(twice.steps).toEqual(shrunk.steps);
  });

  it('refuses a run that did not fail', () => {
    const passing = runScenario({ ...SCENARIO, bug: null }, 1, { plugin });
    expect(() => shrinkRun(passing, run, { runsMax: 10, nodesMin: 1, instantKinds: new Set<string>() })).toThrow(/did not fail/);
  });

  it('keeps only a run with the same kind of violation', () => {
    const failing = (violation: string | null) => ({ ...original, violation });
    expect(sameViolation(['linearizable'], failing('linearizable'))).toBe(true);
    expect(sameViolation(['linearizable'], failing('invariants+linearizable'))).toBe(true);
    expect(sameViolation(['linearizable'], failing('invariants'))).toBe(false);
    expect(sameViolation(['linearizable'], failing(null))).toBe(false);
  });

  it('keeps the safety violation, not a liveness consequence', () => {
    const result = (checker: string, property?: 'progress') => ({ checker, verdict: 'invalid' as const, summary: '', ...(property === undefined ? {} : { property }) });
    expect(targetViolation({ checkers: [result('linearizable'), result('liveness', 'progress')] })).toEqual(['linearizable']);
    expect(targetViolation({ checkers: [result('liveness', 'progress')] })).toEqual(['liveness']);
    expect(targetViolation({ checkers: [result('stall', 'progress'), { checker: 'set', verdict: 'valid', summary: '' }] })).toEqual(['stall']);
  });
});

describe('shrinkRun without reads', () => {
  // A model of a bug that needs 30 state changes (as a compaction threshold does): ops come at ten
  // per simulated second, and with the default mix only 60% of them change state.
  const STATE_CHANGES = 30;
  const model = (scenario: ExplicitScenario, seed: number): RunResult => {
    const endMs = Math.min(scenario.durationMs + scenario.livenessMs, scenario.stopAtMs ?? Number.MAX_SAFE_INTEGER);
    const ops = Math.min(scenario.workload.opsMax, Math.floor(endMs / 100));
    const changes = scenario.workload.readPercent === 0 ? ops : Math.floor(ops * 0.6);
    const failed = changes >= STATE_CHANGES;
    return {
      seed,
      scenario,
      verdict: failed ? 'invalid' : 'valid',
      checkers: failed ? [{ checker: 'invariants', verdict: 'invalid', summary: 'modelled' }] : [],
      violation: failed ? 'invariants' : null,
      history: [],
      trace: [],
      faultRows: [],
      faultEvents: 0,
      ops,
      events: ops,
      simMs: endMs,
      fingerprint: `${seed}:${ops}:${scenario.workload.readPercent ?? 'mix'}`,
      healedAtNs: null,
    };
  };
  const scenario: ExplicitScenario = {
    version: 1,
    clocks: { offsetMsMax: 0, driftPpmMax: 0 },
    system: 'model',
    nodes: 3,
    workload: { name: 'lin-kv', clients: 1, opsMax: 200, opsPerSecond: 10, keys: 1, timeoutMs: 1_000 },
    durationMs: 10_000,
    livenessMs: 5_000,
    faults: [],
    bug: null,
  };

  it('leaves the reads out when the failure needs only state changes, and cuts the run again', () => {
    const original = model(scenario, 7);
    const shrunk = shrinkRun(original, model, { runsMax: 400, nodesMin: 3, instantKinds: new Set<string>(), options: LIN_KV_SHRINK });
    expect(shrunk.result.scenario.workload.readPercent).toBe(0);
    expect(shrunk.steps).toContain('reads left out');
    // With reads the run cannot fail below 50 ops; without them it fails from 30, and the cut
    // after the sideways move brings it within a sixty-fourth of that.
    expect(shrunk.result.ops).toBeLessThan(Math.ceil(STATE_CHANGES / 0.6));
    expect(shrunk.result.ops).toBeGreaterThanOrEqual(STATE_CHANGES);
    expect(shrunk.result.ops).toBeLessThanOrEqual(STATE_CHANGES + 2);
  });
});
