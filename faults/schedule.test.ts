import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimRandom } from '../sim/index.js';
import { FAULT_KINDS, faultEventSchema, type FaultKind } from './events.js';
import { applicableKinds, drawSchedule, DEFAULT_INTENSITY } from './schedule.js';
import { drawSwarm } from './swarm.js';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];

function draw(seed: number, kinds: readonly FaultKind[], durationMs = 10_000) {
  return drawSchedule(SimRandom.stream(seed, 'faults.schedule'), {
    kinds,
    intensity: { ...DEFAULT_INTENSITY, ratePerSecond: 2 },
    nodes: NODES,
    spareNodes: ['n6'],
    durationMs,
  });
}

describe('drawSchedule', () => {
  it('gives the same schedule for the same seed and a different one for another seed', () => {
    expect(draw(7, FAULT_KINDS)).toEqual(draw(7, FAULT_KINDS));
    expect(draw(7, FAULT_KINDS)).not.toEqual(draw(8, FAULT_KINDS));
  });

  it('draws only valid events of enabled kinds, inside the safety phase, sorted, bounded', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.subarray([...FAULT_KINDS], { minLength: 1 }),
        fc.integer({ min: 1, max: 20_000 }),
        (seed, kinds, durationMs) => {
          const events = draw(seed, kinds, durationMs);
          expect(events.length).toBeLessThanOrEqual(DEFAULT_INTENSITY.eventsMax);
          let previous = 0;
          for (const event of events) {
            expect(faultEventSchema.safeParse(event).success).toBe(true);
            expect(kinds).toContain(event.kind);
            expect(event.atMs).toBeLessThan(durationMs);
            expect(event.atMs).toBeGreaterThanOrEqual(previous);
            previous = event.atMs;
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('draws roughly the configured rate', () => {
    // Two starts a second over 100 s: a Poisson count near 200 (far outside 120..280 is a bug).
    const events = drawSchedule(SimRandom.stream(3, 'faults.schedule'), {
      kinds: ['drop'],
      intensity: { ...DEFAULT_INTENSITY, ratePerSecond: 2, eventsMax: 10_000 },
      nodes: NODES,
      spareNodes: [],
      durationMs: 100_000,
    });
    expect(events.length).toBeGreaterThan(120);
    expect(events.length).toBeLessThan(280);
  });

  it('leaves out kinds a cluster or a system cannot run', () => {
    expect(applicableKinds(['partition-ring', 'crash', 'member-add'], 2, false)).toEqual(['crash']);
    expect(applicableKinds(['partition-ring', 'leader-transfer'], 3, true)).toEqual(['partition-ring', 'leader-transfer']);
  });
});

describe('drawSwarm', () => {
  it('is deterministic per seed, keeps at least one kind, and records what it drew', () => {
    for (let seed = 0; seed < 50; seed++) {
      const a = drawSwarm(SimRandom.stream(seed, 'faults.swarm'), FAULT_KINDS);
      const b = drawSwarm(SimRandom.stream(seed, 'faults.swarm'), FAULT_KINDS);
      expect(a).toEqual(b);
      expect(a.kinds.length).toBeGreaterThan(0);
      expect(a.record.kinds).toEqual(a.kinds);
      expect(a.intensity.durationMsMin).toBeLessThanOrEqual(a.intensity.durationMsMax);
    }
  });

  it('varies the enabled kinds across seeds', () => {
    const sets = new Set<string>();
    for (let seed = 0; seed < 20; seed++) sets.add(drawSwarm(SimRandom.stream(seed, 'faults.swarm'), FAULT_KINDS).kinds.join(','));
    expect(sets.size).toBeGreaterThan(10);
  });
});
