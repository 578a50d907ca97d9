// The planted bugs of the cache, each in the scenario its fuzz campaign shrank it to (the default
// campaign, `crucible fuzz --system cache --runs 300 --faults all --bug B`, except
// coalesce-across-write, which needs the contention of workloads/cache/scenarios/contention.json).
// Each must fail with the bug on and pass with the same scenario and seed with it off, so the
// finding is the bug's and not the scenario's.
import { describe, expect, it } from 'vitest';
import { parseScenario } from './scenario.js';
import { runScenario } from './runner.js';
import { cacheSystem } from '../../workloads/cache/plugin.js';

interface Case {
  bug: string;
  seed: number;
  checker: string;
  scenario: Record<string, unknown>;
}

const CASES: Case[] = [
  { bug: 'cache.stale-set-race', seed: 34, checker: 'staleness', scenario: {"clocks": {"offsetMsMax": 100, "driftPpmMax": 100}, "nodes": 6, "workload": {"name": "hot-key", "clients": 3, "opsMax": 200, "opsPerSecond": 100, "timeoutMs": 1000, "keys": 8, "zipf": 1.5, "readPercent": 80, "writeMode": "mixed", "burstEveryMs": 0, "burstMs": 0}, "durationMs": 10000, "livenessMs": 5000, "faults": [{"atMs": 789, "kind": "dup", "durationMs": 640, "probability": 0.053}, {"atMs": 2740, "kind": "dup", "durationMs": 939, "probability": 0.005}, {"atMs": 3259, "kind": "crash", "durationMs": 2324, "node": "n2", "mode": "tear"}], "stopAtMs": 5273} },
  { bug: 'cache.unversioned-invalidation', seed: 57, checker: 'staleness', scenario: {"clocks": {"offsetMsMax": 100, "driftPpmMax": 100}, "nodes": 6, "workload": {"name": "hot-key", "clients": 3, "opsMax": 200, "opsPerSecond": 100, "timeoutMs": 1000, "keys": 8, "zipf": 1.5, "readPercent": 80, "writeMode": "mixed", "burstEveryMs": 0, "burstMs": 0}, "durationMs": 10000, "livenessMs": 5000, "faults": [{"atMs": 3305, "kind": "reorder", "durationMs": 1941, "probability": 0.13, "delayMsMax": 8}, {"atMs": 4900, "kind": "disk-full", "durationMs": 1127, "role": "store-leader"}, {"atMs": 5378, "kind": "delay", "durationMs": 589, "latencyMsMin": 9, "latencyMsMax": 66}, {"atMs": 7629, "kind": "disk-fsync-fail", "durationMs": 2005, "role": "store-leader"}, {"atMs": 9128, "kind": "reorder", "durationMs": 641, "probability": 0.168, "delayMsMax": 25}], "stopAtMs": 9843} },
  { bug: 'cache.coalesce-across-write', seed: 1, checker: 'staleness', scenario: {"clocks": {"offsetMsMax": 100, "driftPpmMax": 100}, "nodes": 6, "workload": {"name": "hot-key", "clients": 6, "opsMax": 1500, "opsPerSecond": 150, "timeoutMs": 1000, "keys": 2, "readPercent": 70, "zipf": 1.5, "writeMode": "mixed", "burstEveryMs": 0, "burstMs": 0}, "durationMs": 8000, "livenessMs": 5000, "faults": [{"atMs": 0, "kind": "delay", "durationMs": 1000, "latencyMsMin": 1, "latencyMsMax": 120}], "stopAtMs": 812} },
  { bug: 'cache.no-coalescing', seed: 0, checker: 'invariants', scenario: {"clocks": {"offsetMsMax": 100, "driftPpmMax": 100}, "nodes": 4, "workload": {"name": "hot-key", "clients": 3, "opsMax": 200, "opsPerSecond": 100, "timeoutMs": 1000, "keys": 1, "zipf": 1.5, "readPercent": 80, "writeMode": "mixed", "burstEveryMs": 0, "burstMs": 0}, "durationMs": 1, "livenessMs": 1250, "faults": [], "stopAtMs": 18} },
  { bug: 'cache.ttl-wall-clock', seed: 32, checker: 'invariants', scenario: {"clocks": {"offsetMsMax": 100, "driftPpmMax": 100}, "nodes": 4, "workload": {"name": "hot-key", "clients": 2, "opsMax": 10, "opsPerSecond": 100, "timeoutMs": 1000, "keys": 3, "zipf": 1.5, "readPercent": 80, "writeMode": "mixed", "burstEveryMs": 0, "burstMs": 0}, "durationMs": 2025, "livenessMs": 1562, "faults": [{"atMs": 2025, "kind": "clock-jump", "node": "n4", "jumpMs": -1229}], "stopAtMs": 2316} },
  { bug: 'cache.evict-accounting', seed: 175, checker: 'invariants', scenario: {"clocks": {"offsetMsMax": 100, "driftPpmMax": 100}, "nodes": 4, "workload": {"name": "hot-key", "clients": 3, "opsMax": 40, "opsPerSecond": 100, "timeoutMs": 1000, "keys": 7, "zipf": 1.5, "readPercent": 80, "writeMode": "mixed", "burstEveryMs": 0, "burstMs": 0}, "durationMs": 10000, "livenessMs": 5000, "faults": [], "stopAtMs": 7265} },
];

function verdictOf(testCase: Case, bug: string | null): string | undefined {
  const scenario = parseScenario({ system: 'cache', ...testCase.scenario, ...(bug === null ? {} : { bug }) }, `cache-bugs ${testCase.bug}`);
  const result = runScenario(scenario, testCase.seed, { plugin: cacheSystem, traceLimit: 100_000 });
  return result.checkers.find((checker) => checker.checker === testCase.checker)?.verdict;
}

describe('the cache\'s planted bugs', () => {
  it('covers every bug the system declares', () => {
    expect(CASES.map((testCase) => testCase.bug).sort()).toEqual(cacheSystem.bugs.map((bug) => bug.name).sort());
  });

  for (const testCase of CASES) {
    it(`${testCase.bug}: caught by ${testCase.checker}, and the same run without it passes`, () => {
      expect(verdictOf(testCase, testCase.bug)).toBe('invalid');
      expect(verdictOf(testCase, null)).toBe('valid');
    });
  }
});
