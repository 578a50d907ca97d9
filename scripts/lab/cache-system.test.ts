// End to end: the cache system (cache nodes on a ring in front of the Raft KV on n1..n3) in the
// World, driven by its workloads' clients, judged by its checkers, through the scenario runner.
import { describe, expect, it } from 'vitest';
import { parseScenario } from './scenario.js';
import { runScenario, type RunResult } from './runner.js';
import { cacheBugs, cacheRing, cacheSystemNodeFactory, STORE_NODES } from '../../nodes/cache/index.js';
import { findSystem } from '../../workloads/registry.js';
import { historyLawProblems } from '../../workloads/testing/history-laws.js';
import { cacheSystem } from '../../workloads/cache/plugin.js';
import { pickCacheTarget } from '../../workloads/cache/targets.js';

function run(seed: number, input: Record<string, unknown>): RunResult {
  const scenario = parseScenario({ system: 'cache', durationMs: 4_000, livenessMs: 6_000, ...input }, 'cache.test');
  return runScenario(scenario, seed, { plugin: cacheSystem, traceLimit: 200_000 });
}

function verdicts(result: RunResult): Record<string, string> {
  return Object.fromEntries(result.checkers.map((checker) => [checker.checker, checker.verdict]));
}

function count(result: RunResult, kind: string): number {
  return result.trace.filter((event) => event.kind === kind).length;
}

describe('the cache system', () => {
  it('is registered with its workloads and bugs', () => {
    expect(findSystem('cache')).toBe(cacheSystem);
    expect(cacheSystem.workloads[cacheSystem.defaultWorkload]).toBeDefined();
    expect(cacheSystem.bugs.map((bug) => bug.name)).toEqual(cacheBugs.map((bug) => bug.name));
  });

  it('serves reads from memory and the store without faults, every check valid', () => {
    const result = run(1, { faults: [], workload: { name: 'zipf', opsMax: 600, opsPerSecond: 200 } });
    expect(verdicts(result)).toEqual({ staleness: 'valid', liveness: 'valid', invariants: 'valid', assertions: 'valid' });
    expect(historyLawProblems(result.history, 3)).toEqual([]);
    const hits = count(result, 'cache.hit');
    const leases = count(result, 'cache.lease');
    // Zipf s = 1.1 over 20 keys with a 500 ms TTL: most reads hit, and each miss went to the store once.
    expect(hits).toBeGreaterThan(leases);
    expect(result.history.filter((record) => record.f === 'store-read' && record.type === 'ok').length).toBeGreaterThan(0);
    expect((result.checkers.find((checker) => checker.checker === 'staleness')!.evidence as { freshJudged: number }).freshJudged).toBeGreaterThan(10);
    // The Raft store ran on n1..n3 only: a leader among them, no cache node in its membership.
    const leaders = result.trace.filter((event) => event.kind === 'raft.leader').map((event) => event.node);
    expect(leaders.length).toBeGreaterThan(0);
    for (const leader of leaders) expect(STORE_NODES).toContain(leader);
  });

  it('relays the store\'s acknowledged writes as versioned invalidations to the cache nodes', () => {
    const result = run(2, { faults: [], workload: { name: 'zipf', opsMax: 400, opsPerSecond: 150, readPercent: 50 } });
    const relayed = result.trace.filter((event) => event.kind === 'msg.send' && event.fields?.type === 'cache.inval');
    expect(verdicts(result).staleness).toBe('valid');
    expect(relayed.length).toBeGreaterThan(0);
  });

  it('stays within the staleness bound while the store leader is isolated and the hot key\'s owner crashes', () => {
    const owner = cacheRing(['n1', 'n2', 'n3', 'n4', 'n5', 'n6']).owner('k0');
    const result = run(3, {
      faults: [
        { atMs: 300, kind: 'partition-isolate', role: 'store-leader', durationMs: 1_500 },
        { atMs: 1_000, kind: 'crash', node: owner, mode: 'lose', durationMs: 800 },
      ],
      workload: { name: 'hot-key', opsMax: 600, opsPerSecond: 200 },
    });
    expect(verdicts(result)).toMatchObject({ staleness: 'valid', liveness: 'valid', invariants: 'valid', assertions: 'valid' });
    expect(result.trace.filter((event) => event.kind === 'cache.start' && event.node === owner).length).toBe(2);
    expect(historyLawProblems(result.history, 3)).toEqual([]);
  });

  it('copies a hot key to a replica, serves reads there, and invalidates the copy before acknowledging a write', () => {
    const result = run(4, { faults: [], workload: { name: 'hot-key', keys: 2, opsMax: 800, opsPerSecond: 200, readPercent: 70 } });
    expect(verdicts(result)).toEqual({ staleness: 'valid', liveness: 'valid', invariants: 'valid', assertions: 'valid' });
    const hot = result.trace.filter((event) => event.kind === 'cache.hot');
    expect(hot.map((event) => event.fields?.key)).toContain('k0');
    const replicaHits = result.trace.filter((event) => event.kind === 'cache.hit' && event.fields?.replica === true && event.fields.key === 'k0');
    expect(replicaHits.length).toBeGreaterThan(0);
    // The replica is not the owner, and writes to the hot key made the owner invalidate it.
    const owner = cacheRing(['n1', 'n2', 'n3', 'n4', 'n5', 'n6']).owner('k0');
    expect(replicaHits.every((event) => event.node !== owner)).toBe(true);
    const invalidations = result.trace.filter((event) => event.kind === 'msg.send' && event.fields?.type === 'cache.replica-inval');
    expect(invalidations.length).toBeGreaterThan(0);
  });

  it('rate-limits origin loads per node: a miss over the limit is refused, never cached, and the checks still hold', () => {
    const limited = { ...cacheSystem, node: cacheSystemNodeFactory({ originLoadsPerSecond: 5, originBurst: 2 }) };
    const scenario = parseScenario({ system: 'cache', durationMs: 3_000, livenessMs: 5_000, faults: [], workload: { name: 'zipf', opsMax: 800, opsPerSecond: 200 } }, 'cache.test');
    const result = runScenario(scenario, 5, { plugin: limited, traceLimit: 200_000 });
    expect(verdicts(result)).toMatchObject({ staleness: 'valid', invariants: 'valid', assertions: 'valid' });
    expect(count(result, 'cache.rate-limited')).toBeGreaterThan(0);
    // Per node, leases granted never exceed the burst plus the rate over the time since the first.
    const byNode = new Map<string, number[]>();
    for (const event of result.trace) if (event.kind === 'cache.lease' && event.node !== null) byNode.set(event.node, [...(byNode.get(event.node) ?? []), event.time]);
    for (const times of byNode.values()) {
      // Clocks drift by at most 10%, so the node's second is at most 1.1 true seconds.
      expect(times.length).toBeLessThanOrEqual(2 + Math.ceil((5 * 1.1 * (times.at(-1)! - times[0]!)) / 1e9));
    }
  });

  it('names its fault targets from the nodes\' statuses', () => {
    const statuses = { n1: { part: 'store', role: 'follower' }, n2: { part: 'store', role: 'leader' }, n3: { part: 'store', role: 'follower' }, n4: { part: 'cache' }, n5: { part: 'cache' }, n6: { part: 'cache' } };
    const live = Object.keys(statuses);
    expect(pickCacheTarget('store-leader', statuses, live)).toBe('n2');
    expect(pickCacheTarget('store-follower', statuses, live)).toBe('n1');
    const owner = pickCacheTarget('cache-owner', statuses, live);
    expect(owner).toBe(cacheRing(live).owner('k0'));
    const other = pickCacheTarget('cache', statuses, live);
    expect(other).not.toBe(owner);
    expect(['n4', 'n5', 'n6']).toContain(other);
    expect(pickCacheTarget('cache-owner', statuses, live.filter((id) => id !== owner))).toBeNull();
  });

  it('is ready only once the store leads and every cache node is up', () => {
    expect(cacheSystem.ready!({ n1: { part: 'store', role: 'follower' }, n4: { part: 'cache' } })).toBe(false);
    expect(cacheSystem.ready!({ n1: { part: 'store', role: 'leader' }, n4: { part: 'cache' } })).toBe(true);
    expect(cacheSystem.ready!({ n1: { part: 'store', role: 'leader' }, n4: { down: 'starting' } })).toBe(false);
  });
});
