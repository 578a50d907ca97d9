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
  { bug: 'cache.stale-set-race', seed: 255, checker: 'staleness', scenario: {"clocks": {"offsetMsMax": 100, "driftPpmMax": 100}, "nodes": 6, "workload": {"name": "hot-key", "clients": 3, "opsMax": 200, "opsPerSecond": 100, "timeoutMs": 1000, "keys": 7, "zipf": 1.5, "readPercent": 80, "writeMode": "mixed", "burstEveryMs": 0, "burstMs": 0}, "durationMs": 10000, "livenessMs": 5000, "faults": [], "stopAtMs": 292} },
  { bug: 'cache.unversioned-invalidation', seed: 77, checker: 'staleness', scenario: {"clocks": {"offsetMsMax": 100, "driftPpmMax": 100}, "nodes": 5, "workload": {"name": "hot-key", "clients": 3, "opsMax": 200, "opsPerSecond": 100, "timeoutMs": 1000, "keys": 6, "zipf": 1.5, "readPercent": 80, "writeMode": "mixed", "burstEveryMs": 0, "burstMs": 0}, "durationMs": 10000, "livenessMs": 5000, "faults": [{"atMs": 130, "kind": "crash", "durationMs": 1100, "node": "n5", "mode": "tear"}, {"atMs": 3458, "kind": "disk-full", "durationMs": 2933, "role": "store-leader"}, {"atMs": 5790, "kind": "partition-halves", "durationMs": 150, "side": ["n1", "n4"]}], "stopAtMs": 6534} },
  { bug: 'cache.coalesce-across-write', seed: 1, checker: 'staleness', scenario: {"clocks": {"offsetMsMax": 100, "driftPpmMax": 100}, "nodes": 4, "workload": {"name": "hot-key", "clients": 6, "opsMax": 1500, "opsPerSecond": 150, "timeoutMs": 1000, "keys": 2, "readPercent": 70, "zipf": 1.5, "writeMode": "mixed", "burstEveryMs": 0, "burstMs": 0}, "durationMs": 8000, "livenessMs": 5000, "faults": [{"atMs": 0, "kind": "delay", "durationMs": 1000, "latencyMsMin": 1, "latencyMsMax": 120}], "stopAtMs": 828} },
  { bug: 'cache.no-coalescing', seed: 0, checker: 'invariants', scenario: {"clocks": {"offsetMsMax": 100, "driftPpmMax": 100}, "nodes": 4, "workload": {"name": "hot-key", "clients": 3, "opsMax": 200, "opsPerSecond": 100, "timeoutMs": 1000, "keys": 1, "zipf": 1.5, "readPercent": 80, "writeMode": "mixed", "burstEveryMs": 0, "burstMs": 0}, "durationMs": 1, "livenessMs": 1250, "faults": [], "stopAtMs": 18} },
  { bug: 'cache.hot-replica-not-invalidated', seed: 9, checker: 'staleness', scenario: {"clocks": {"offsetMsMax": 100, "driftPpmMax": 100}, "nodes": 6, "workload": {"name": "hot-key", "clients": 3, "opsMax": 200, "opsPerSecond": 100, "timeoutMs": 1000, "keys": 8, "zipf": 1.5, "readPercent": 80, "writeMode": "mixed", "burstEveryMs": 0, "burstMs": 0}, "durationMs": 10000, "livenessMs": 5000, "faults": [{"atMs": 4868, "kind": "partition-ring", "durationMs": 2340, "order": ["n5", "n1", "n6", "n4", "n3", "n2"]}], "stopAtMs": 6151} },
  { bug: 'cache.ttl-wall-clock', seed: 21, checker: 'invariants', scenario: {"clocks": {"offsetMsMax": 100, "driftPpmMax": 100}, "nodes": 4, "workload": {"name": "hot-key", "clients": 1, "opsMax": 4, "opsPerSecond": 100, "timeoutMs": 1000, "keys": 1, "zipf": 1.5, "readPercent": 80, "writeMode": "mixed", "burstEveryMs": 0, "burstMs": 0}, "durationMs": 5005, "livenessMs": 3076, "faults": [{"atMs": 3439, "kind": "clock-jump", "role": "cache-owner", "jumpMs": -1073}], "stopAtMs": 3610} },
  { bug: 'cache.evict-accounting', seed: 2, checker: 'invariants', scenario: {"clocks": {"offsetMsMax": 100, "driftPpmMax": 100}, "nodes": 6, "workload": {"name": "hot-key", "clients": 3, "opsMax": 200, "opsPerSecond": 100, "timeoutMs": 1000, "keys": 8, "zipf": 1.5, "readPercent": 80, "writeMode": "mixed", "burstEveryMs": 0, "burstMs": 0}, "durationMs": 1250, "livenessMs": 5000, "faults": [], "stopAtMs": 1116} },
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
