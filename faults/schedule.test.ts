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
  it('opens with a storm at start when asked: long faults within the first 250 ms, of the formation kinds only', () => {
    const kinds: FaultKind[] = ['crash', 'member-add', 'partition-halves', 'clock-jump', 'disk-stall'];
    for (let seed = 0; seed < 50; seed++) {
      const events = drawSchedule(SimRandom.stream(seed, 'faults.schedule'), {
        kinds,
        intensity: { ratePerSecond: 0.1, durationMsMin: 10, durationMsMax: 20, eventsMax: 64 },
        nodes: NODES,
        spareNodes: ['n6', 'n7'],
        durationMs: 10_000,
        bursts: { percent: 0, sizeMax: 3, gapMsMax: 5, atStart: true },
      });
      // The storm has at least three starts, 30 ms apart at most; at 0.1 faults per second the
      // Poisson arrivals alone would almost never put three in the first 250 ms.
      const early = events.slice(0, 3);
      expect(early.length).toBe(3);
      for (const event of early) {
        expect(event.atMs).toBeLessThan(250);
        expect(['crash', 'member-add', 'partition-halves']).toContain(event.kind);
        if (event.durationMs !== undefined && event.kind !== 'member-add') expect(event.durationMs).toBeGreaterThanOrEqual(500);
      }
    }
  });

  it('draws bursts: many more starts a few ms apart than the Poisson rate gives', () => {
    const gaps = (bursts: boolean) => {
      let close = 0;
      for (let seed = 0; seed < 50; seed++) {
        const events = drawSchedule(SimRandom.stream(seed, 'faults.schedule'), {
          kinds: ['crash', 'pause'],
          intensity: { ...DEFAULT_INTENSITY, ratePerSecond: 1 },
          nodes: NODES,
          spareNodes: [],
          durationMs: 10_000,
          ...(bursts ? { bursts: { percent: 50, sizeMax: 5, gapMsMax: 5, atStart: false } } : {}),
        });
        for (let k = 1; k < events.length; k++) if (events[k]!.atMs - events[k - 1]!.atMs <= 5) close++;
      }
      return close;
    };
    expect(gaps(true)).toBeGreaterThan(5 * Math.max(1, gaps(false)));
  });

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
