import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLUSTER_FAULT_KINDS, type ClusterFaultKind, parseFaultKinds, planFaults } from './plan.js';
import { isolationRules, lossRules } from './nemesis.js';
import { ruleFor } from '../tcp/proxy.js';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];

describe('fault plans', () => {
  it('has each named kind once, in non-overlapping slots inside the fault window, the same for the same seed', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.subarray([...CLUSTER_FAULT_KINDS] as ClusterFaultKind[], { minLength: 1 }),
        fc.integer({ min: 1_000, max: 120_000 }),
        (seed, kinds, durationMs) => {
          const plan = planFaults({ seed, nodes, kinds, durationMs });
          expect(planFaults({ seed, nodes, kinds, durationMs })).toEqual(plan);
          expect([...plan.map((fault) => fault.kind)].sort()).toEqual([...kinds].sort());
          for (const [index, fault] of plan.entries()) {
            expect(fault.atMs).toBeGreaterThanOrEqual(Math.floor(durationMs * 0.15));
            expect(fault.atMs + fault.durationMs).toBeLessThanOrEqual(Math.ceil(durationMs * 0.75));
            if (index > 0) expect(fault.atMs).toBeGreaterThanOrEqual(plan[index - 1]!.atMs + plan[index - 1]!.durationMs);
            if (fault.kind === 'restart-all') expect([...fault.order].sort()).toEqual(nodes);
          }
        },
      ),
    );
  });

  it('differs between seeds', () => {
    const kinds: ClusterFaultKind[] = ['kill', 'pause', 'partition', 'latency'];
    const plans = new Set([1, 2, 3, 4, 5].map((seed) => JSON.stringify(planFaults({ seed, nodes, kinds, durationMs: 10_000 }))));
    expect(plans.size).toBeGreaterThan(1);
  });

  it('reads --faults lists, aliases included, and names a bad item', () => {
    expect(parseFaultKinds(['kill', 'pause', 'partition'])).toEqual(['kill', 'pause', 'partition']);
    expect(parseFaultKinds(['crash', 'isolate-leader', 'delay', 'kill'])).toEqual(['kill', 'partition', 'latency']);
    expect(parseFaultKinds(['all'])).toEqual([...CLUSTER_FAULT_KINDS]);
    expect(parseFaultKinds(['none'])).toEqual([]);
    expect(parseFaultKinds(['kill', 'partiton'])).toMatch(/--faults partiton: unknown fault/);
  });
});

describe('proxy rules of a fault', () => {
  it('isolates one node from every other node both ways and leaves clients alone', () => {
    const rules = isolationRules(nodes, 'n2');
    for (const from of nodes) {
      for (const to of nodes) {
        if (from === to) continue;
        const cut = ruleFor(rules.get(to) ?? [], from, to)?.cut === true;
        expect(cut).toBe(from === 'n2' || to === 'n2');
      }
    }
    expect(ruleFor(rules.get('n2')!, 'c1', 'n2')).toBeNull();
    expect(ruleFor(rules.get('n2')!, 'n2', 'c1')).toBeNull();
  });

  it('makes links between nodes lossy, not links to clients', () => {
    const rules = lossRules(nodes, 20);
    expect(ruleFor(rules.get('n1')!, 'n3', 'n1')?.lossPercent).toBe(20);
    expect(ruleFor(rules.get('n1')!, 'c0', 'n1')).toBeNull();
  });
});
