// Each planted bug of the scheduler is found within a bounded number of seeds of its default
// scenario (workloads/scheduler/scenarios/jobs.json or tenants.json: every fault kind), by the checker that names
// what it breaks, and the seed that finds it passes with the bug off: the bug, not the seed, fails it.
import { describe, expect, it } from 'vitest';
import { parseScenario } from './scenario.js';
import { runScenario } from './runner.js';
import { schedulerSystem } from '../../workloads/scheduler/plugin.js';
import jobs from '../../workloads/scheduler/scenarios/jobs.json';
import tenants from '../../workloads/scheduler/scenarios/tenants.json';

const SCENARIOS: Record<string, unknown> = { jobs, tenants };

function violation(seed: number, bug: string | null, name = 'jobs'): string | null {
  const scenario = parseScenario({ ...(SCENARIOS[name] as object), bug }, `${name}.json`);
  return runScenario(scenario, seed, { plugin: schedulerSystem, traceLimit: 0 }).violation;
}

/** Seeds searched per bug: in 30-seed trials each was found in at least 7 of them. */
const SEEDS_MAX = 40;

const CASES: { bug: string; violation: RegExp; scenario?: string }[] = [
  { bug: 'sched.no-fencing', violation: /tokens/ },
  { bug: 'sched.local-token-counter', violation: /tokens/ },
  { bug: 'sched.worker-clock-lease', violation: /mutex/ },
  { bug: 'sched.ack-before-commit', violation: /^at-least-once$/ },
  { bug: 'sched.no-idempotency-key', violation: /^exactly-once$/ },
  { bug: 'sched.lease-reset-on-failover', violation: /lease-exclusion/ },
  // Zombies exist only where workers pause: the tenants scenario.
  { bug: 'sched.quota-freed-at-expiry', violation: /quota/, scenario: 'tenants' },
];

describe('planted bugs of the scheduler', () => {
  for (const c of CASES) {
    const scenario = c.scenario ?? 'jobs';
    it(`${c.bug} fails the ${scenario} scenario within ${SEEDS_MAX} seeds, and that seed passes without it`, () => {
      let seed = 0;
      while (seed < SEEDS_MAX && !c.violation.test(violation(seed, c.bug, scenario) ?? '')) seed++;
      expect(seed, `no seed below ${SEEDS_MAX} failed as expected`).toBeLessThan(SEEDS_MAX);
      expect(violation(seed, null, scenario)).toBeNull();
    });
  }
});
