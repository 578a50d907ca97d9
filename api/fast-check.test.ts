// The arbitraries: every fault event they make is one the system's catalog accepts, and a failing
// property shrinks with fast-check's machinery and prints as a replay command.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../scripts/lab/scenario.js';
import { pluginFaultCatalog } from '../workloads/system.js';
import { registerSystem } from '../workloads/testing/register.js';
import { faultScheduleArb, scenarioArb, workloadArb } from './fast-check.js';
import { simulate } from './simulate.js';
import { systemOf } from './system.js';

const scratch = mkdtempSync(join(tmpdir(), 'crucible-fc-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('faultScheduleArb', () => {
  it('makes only events the catalog accepts, in time order, within the safety phase', () => {
    for (const system of [registerSystem, systemOf('raft')]) {
      const catalog = pluginFaultCatalog(system);
      fc.assert(
        fc.property(faultScheduleArb(system, { durationMs: 5_000 }), (events) => {
          expect(() => parseScenario({ system: system.name, durationMs: 5_000, faults: events }, 'arb', catalog)).not.toThrow();
          expect(events.every((event, index) => event.atMs < 5_000 && (index === 0 || events[index - 1]!.atMs <= event.atMs))).toBe(true);
        }),
        { numRuns: 200, seed: 5 },
      );
    }
  });

  it('refuses kinds that cannot apply, naming them', () => {
    expect(() => faultScheduleArb(registerSystem, { kinds: ['partiton'] })).toThrow(/partiton/);
  });
});

describe('scenarioArb', () => {
  it('a failing property shrinks toward few faults and few ops, and prints as its replay command', () => {
    const arb = scenarioArb(registerSystem, { bug: 'test.ack-before-fsync', faults: ['crash'], capsules: scratch, durationMs: 3_000 });
    const details = fc.check(fc.property(arb, (s) => simulate(s).valid), { numRuns: 100, seed: 3 });
    expect(details.failed).toBe(true);
    const [counterexample] = details.counterexample!;
    expect(counterexample.scenario.faults).toHaveLength(1);
    expect(counterexample.scenario.workload!.opsMax).toBeLessThanOrEqual(20);
    // Shrinking ran no capsule writes; printing the counterexample writes exactly one.
    expect(readdirSync(scratch)).toEqual([]);
    const printed = fc.stringify(counterexample);
    expect(printed).toMatch(/^npm run --silent crucible -- replay \S+\.json {2}# /);
    expect(existsSync(/replay (\S+\.json)/.exec(printed)![1]!)).toBe(true);
  });

  it('workloadArb draws the workload\'s own options from the arbitraries given', () => {
    const values = fc.sample(workloadArb('raft', { options: { keys: fc.integer({ min: 1, max: 3 }) } }), { numRuns: 50, seed: 1 });
    expect(values.every((value) => value.name === 'lin-kv' && (value.keys as number) >= 1 && (value.keys as number) <= 3)).toBe(true);
  });
});

