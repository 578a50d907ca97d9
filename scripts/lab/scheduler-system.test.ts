// End to end: the scheduler nodes (job store on the embedded Raft KV) in the World, with the
// resource, the submitter and the worker lanes as clients, judged by the scheduler's checkers
// through the same scenario runner as `crucible run`. Fault schedules are explicit, so each test
// says which situation it builds.
import { describe, expect, it } from 'vitest';
import { parseScenario } from './scenario.js';
import { runScenario, type RunResult } from './runner.js';
import { schedulerBugs } from '../../nodes/scheduler/index.js';
import { findSystem } from '../../workloads/registry.js';
import { historyLawProblems } from '../../workloads/testing/history-laws.js';
import { schedulerSystem } from '../../workloads/scheduler/plugin.js';
import { schedulerEvents } from '../../checkers/scheduler/index.js';

function run(seed: number, input: Record<string, unknown>): RunResult {
  const scenario = parseScenario({ system: 'scheduler', durationMs: 6_000, livenessMs: 6_000, ...input }, 'scheduler.test');
  return runScenario(scenario, seed, { plugin: schedulerSystem, traceLimit: 50_000 });
}

function verdicts(result: RunResult): Record<string, string> {
  return Object.fromEntries(result.checkers.map((checker) => [checker.checker, checker.verdict]));
}

const ALL_VALID = { 'fenced-resource': 'valid', mutex: 'valid', 'lease-exclusion': 'valid', tokens: 'valid', 'exactly-once': 'valid', 'at-least-once': 'valid', release: 'valid', assertions: 'valid' };

/** The laws of workloads/testing/history-laws.ts, but per process: a worker's lanes are concurrent by design. */
function lawProblems(result: RunResult): string[] {
  return historyLawProblems(result.history, Number.MAX_SAFE_INTEGER);
}

describe('the scheduler system', () => {
  it('is registered with its workloads and bugs', () => {
    expect(findSystem('scheduler')).toBe(schedulerSystem);
    expect(schedulerSystem.workloads[schedulerSystem.defaultWorkload]).toBeDefined();
    expect(schedulerSystem.bugs.map((bug) => bug.name)).toEqual(schedulerBugs.map((bug) => bug.name));
  });

  it('runs every acknowledged job without faults: each output committed once, at the resource', () => {
    const result = run(1, { faults: [] });
    expect(verdicts(result)).toMatchObject(ALL_VALID);
    expect(lawProblems(result)).toEqual([]);
    const events = schedulerEvents(result.history);
    const committed = new Set(events.writes.filter((write) => write.kind === 'commit' && write.outcome === 'accepted').map((write) => write.key));
    const owed = [...events.submitted.keys()].filter((job) => !events.cancelled.has(job));
    expect(owed.length).toBeGreaterThan(10);
    for (const job of owed) expect(committed.has(job), job).toBe(true);
  });

  it('keeps tokens rising across a failover: the new leader draws from the replicated counter', () => {
    const result = run(2, { faults: [{ atMs: 1_500, kind: 'crash', role: 'leader', mode: 'lose', durationMs: 2_000 }] });
    expect(verdicts(result)).toMatchObject(ALL_VALID);
    const leaders = new Set(result.trace.filter((event) => event.kind === 'sched.lead').map((event) => event.node));
    expect(leaders.size).toBeGreaterThan(1);
    const grants = schedulerEvents(result.history).grants;
    const before = grants.filter((grant) => grant.okNs < 1_500e6);
    const after = grants.filter((grant) => grant.invokeNs > 2_500e6);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.min(...after.map((grant) => grant.token))).toBeGreaterThan(Math.max(...before.map((grant) => grant.token)));
  });

  it('stays safe when the leader is cut off: no lease granted twice while promised, no effect doubled', () => {
    const result = run(3, { faults: [{ atMs: 1_000, kind: 'partition-isolate', role: 'leader', durationMs: 2_500 }, { atMs: 4_000, kind: 'pause', role: 'leader', durationMs: 800 }] });
    expect(verdicts(result)).toMatchObject(ALL_VALID);
  });

  it('negative control: bare leases under worker pauses fail the mutex model, and fencing still keeps the resource safe', () => {
    const result = run(1, { workload: { name: 'bare-lease' }, faults: [] });
    const got = verdicts(result);
    expect(got.mutex).toBe('invalid');
    expect(got['fenced-resource']).toBe('valid');
    expect(got['exactly-once']).toBe('valid');
    // The resource did turn paused holders away: fencing, not luck.
    expect(schedulerEvents(result.history).writes.some((write) => write.outcome === 'rejected')).toBe(true);
    expect(result.checkers.find((checker) => checker.checker === 'mutex')?.summary).toMatch(/^negative control, expected to fail/);
  });

  it('keeps each tenant within its quota while paused holders (zombies) still run', () => {
    const result = run(1, { workload: { name: 'tenants' }, faults: [] });
    expect(verdicts(result)).toMatchObject({ quota: 'valid', 'fenced-resource': 'valid', 'exactly-once': 'valid', tokens: 'valid', assertions: 'valid' });
    // The quota bound: lanes (6) outnumber it (3), and some acquire found nothing it could admit.
    const refused = result.history.filter((record) => record.f === 'acquire' && record.type === 'fail').length;
    expect(refused).toBeGreaterThan(0);
    const pauses = result.history.filter((record) => record.f === 'pause' && record.type === 'ok').length;
    expect(pauses).toBeGreaterThan(0);
    const buggy = run(1, { workload: { name: 'tenants' }, faults: [], bug: 'sched.quota-freed-at-expiry' });
    expect(verdicts(buggy).quota).toBe('invalid');
  });

  it('plays every role with fewer clients (the shrinker cuts them)', () => {
    for (const clients of [1, 2]) {
      const result = run(4, { workload: { name: 'jobs', clients }, faults: [] });
      expect(verdicts(result), `clients ${clients}`).toMatchObject(ALL_VALID);
      expect(lawProblems(result)).toEqual([]);
      expect(schedulerEvents(result.history).grants.length).toBeGreaterThan(5);
    }
  });
});
