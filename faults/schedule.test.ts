import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimRandom } from '../sim/index.js';
import { z } from 'zod';
import { faultCatalog } from './catalog.js';
import { eventSchema } from './kernel-kinds.js';
import type { FaultKindSpec } from './kind.js';
import { drawPlan, drawSchedule, DEFAULT_INTENSITY, EVENTS_PER_WINDOW_DEFAULT, eventsMaxFor, faultWindows, type DrawOptions } from './schedule.js';
import { drawSwarm } from './swarm.js';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];

/** A system's own kind, as a plugin declares one: it brings a spare node in. */
const joinSchema = eventSchema('join', { node: z.string() });
const join: FaultKindSpec<z.infer<typeof joinSchema>> = {
  name: 'join',
  description: 'a spare node joins',
  groups: ['membership'],
  schema: joinSchema,
  instant: true,
  targeted: false,
  weight: 1,
  nodesMin: 1,
  named: (event) => [event.node],
  draw: (random, atMs, _durationMs, context) => (context.spareNodes.length === 0 ? null : { atMs, kind: 'join', node: random.pick(context.spareNodes) }),
  start: () => ({ skip: 'not started in these tests' }),
};
const catalog = faultCatalog([join], { names: ['primary', 'backup'], pick: () => null });
const KINDS = catalog.names();

function draw(seed: number, kinds: readonly string[], durationMs = 10_000) {
  return drawSchedule(SimRandom.stream(seed, 'faults.schedule'), {
    catalog,
    kinds,
    intensity: { ...DEFAULT_INTENSITY, ratePerSecond: 2 },
    nodes: NODES,
    spareNodes: ['n6'],
    durationMs,
  });
}

describe('drawSchedule', () => {
  it('opens with a storm at start when asked: long faults within the first 250 ms, of the formation kinds only', () => {
    // `join` is this test system's kind in the `membership` group: nodes joining while the cluster forms.
    const kinds = ['crash', 'join', 'partition-halves', 'clock-jump', 'disk-stall'];
    for (let seed = 0; seed < 50; seed++) {
      const events = drawSchedule(SimRandom.stream(seed, 'faults.schedule'), {
        catalog,
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
        expect(['crash', 'join', 'partition-halves']).toContain(event.kind);
        if (event.durationMs !== undefined && event.kind !== 'join') expect(event.durationMs).toBeGreaterThanOrEqual(500);
      }
    }
  });

  it('draws bursts: many more starts a few ms apart than the Poisson rate gives', () => {
    const gaps = (bursts: boolean) => {
      let close = 0;
      for (let seed = 0; seed < 50; seed++) {
        const events = drawSchedule(SimRandom.stream(seed, 'faults.schedule'), {
          catalog,
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
    expect(draw(7, KINDS)).toEqual(draw(7, KINDS));
    expect(draw(7, KINDS)).not.toEqual(draw(8, KINDS));
  });

  it('draws only valid events of enabled kinds, inside the safety phase, sorted, bounded', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.subarray([...KINDS], { minLength: 1 }),
        fc.integer({ min: 1, max: 20_000 }),
        (seed, kinds, durationMs) => {
          const events = draw(seed, kinds, durationMs);
          expect(events.length).toBeLessThanOrEqual(eventsMaxFor(EVENTS_PER_WINDOW_DEFAULT, durationMs));
          let previous = 0;
          for (const event of events) {
            // Every drawer's event is one its own schema accepts, naming only ids and targets that exist.
            expect(catalog.parseEvent(event, [...NODES, 'n6'])).toEqual(event);
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
      catalog,
      kinds: ['drop'],
      intensity: { ...DEFAULT_INTENSITY, ratePerSecond: 2, eventsMax: 10_000 },
      nodes: NODES,
      spareNodes: [],
      durationMs: 100_000,
    });
    expect(events.length).toBeGreaterThan(120);
    expect(events.length).toBeLessThan(280);
  });

  it('leaves out kinds a cluster cannot run', () => {
    expect(catalog.applicable(['partition-ring', 'crash', 'clog', 'join'], 2)).toEqual(['crash', 'clog', 'join']);
    expect(catalog.applicable(['partition-ring', 'clog'], 1)).toEqual([]);
    expect(catalog.applicable(['partition-ring', 'partition-bridge'], 3)).toEqual(['partition-ring', 'partition-bridge']);
  });

  it("aims targeted faults at the system's target sets as well as at node ids", () => {
    const roles = new Set<string>();
    let byId = 0;
    for (let seed = 0; seed < 30; seed++) {
      for (const event of draw(seed, ['crash', 'pause'])) {
        if (event.role !== undefined) roles.add(event.role);
        else byId++;
      }
    }
    expect([...roles].sort()).toEqual(['backup', 'primary']);
    expect(byId).toBeGreaterThan(0);
  });
});

describe('the cap follows the duration', () => {
  const options = (durationMs: number, ratePerSecond: number, extra: Partial<DrawOptions> = {}): DrawOptions => ({
    catalog,
    kinds: KINDS,
    intensity: { ...DEFAULT_INTENSITY, ratePerSecond },
    nodes: NODES,
    spareNodes: ['n6'],
    durationMs,
    ...extra,
  });

  it('draws exactly what the old fixed cap of 64 drew whenever that cap was never reached', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 600_000 }), fc.constantFrom(0.1, 0.5, 1, 2, 8), fc.boolean(), (seed, durationMs, rate, bursts) => {
        const extra: Partial<DrawOptions> = bursts ? { bursts: { percent: 25, sizeMax: 5, gapMsMax: 20, atStart: true } } : {};
        const old = drawSchedule(SimRandom.stream(seed, 'faults.schedule'), { ...options(durationMs, rate, extra), intensity: { ...DEFAULT_INTENSITY, ratePerSecond: rate, eventsMax: 64 } });
        const now = drawPlan(SimRandom.stream(seed, 'faults.schedule'), options(durationMs, rate, extra));
        if (old.length < 64 || durationMs <= 10_000) expect(now.events).toEqual(old);
        else expect(now.events.slice(0, 64)).toEqual(old);
        expect(now.eventsMax).toBe(eventsMaxFor(64, durationMs));
      }),
      { numRuns: 150 },
    );
  });

  it('spreads an hour of faults over the whole hour at the drawn rate, and says the cap was not reached', () => {
    const hourMs = 3_600_000;
    const plan = drawPlan(SimRandom.stream(11, 'faults.schedule'), options(hourMs, 1));
    // A Poisson count with mean 3600 (sd 60): far outside 3300..3900 is a bug.
    expect(plan.events.length).toBeGreaterThan(3_300);
    expect(plan.events.length).toBeLessThan(3_900);
    expect(plan.cappedAtMs).toBeNull();
    const lastQuarter = plan.events.filter((event) => event.atMs >= (hourMs * 3) / 4).length;
    expect(lastQuarter).toBeGreaterThan(plan.events.length / 5);
    expect(plan.events.at(-1)!.atMs).toBeGreaterThan(hourMs - 60_000);
  });

  it('says where an explicit cap stopped the draw', () => {
    const plan = drawPlan(SimRandom.stream(2, 'faults.schedule'), { ...options(600_000, 2), intensity: { ...DEFAULT_INTENSITY, ratePerSecond: 2, eventsMax: 10 } });
    expect(plan.events.length).toBe(10);
    expect(plan.cappedAtMs).not.toBeNull();
    expect(plan.cappedAtMs!).toBeGreaterThan(plan.events.at(-1)!.atMs - 1);
    expect(plan.cappedAtMs!).toBeLessThan(60_000);
  });

  it('with repeating phases, starts faults only inside the fault windows, at the rate over the fault time', () => {
    const phases = { faultMs: 30_000, quietMs: 20_000 };
    const durationMs = 600_000;
    const windows = faultWindows(durationMs, phases);
    expect(windows.length).toBe(12);
    const plan = drawPlan(SimRandom.stream(5, 'faults.schedule'), options(durationMs, 2, { phases }));
    for (const event of plan.events) expect(windows.some((window) => window.startMs <= event.atMs && event.atMs < window.endMs)).toBe(true);
    expect(plan.faultMs).toBe(360_000);
    // 2 per second over 360 s of fault time: about 720, and every window has some.
    expect(plan.events.length).toBeGreaterThan(600);
    expect(plan.events.length).toBeLessThan(840);
    for (const window of windows) expect(plan.events.some((event) => window.startMs <= event.atMs && event.atMs < window.endMs)).toBe(true);
    const sorted = plan.events.map((event) => event.atMs);
    expect(sorted).toEqual([...sorted].sort((a, b) => a - b));
  });
});

describe('drawSwarm', () => {
  it('keeps every draw of a run of up to 10 s, and scales only the cap (per 10 s) for a longer one', () => {
    for (let seed = 0; seed < 30; seed++) {
      const short = drawSwarm(SimRandom.stream(seed, 'faults.swarm'), KINDS);
      expect(drawSwarm(SimRandom.stream(seed, 'faults.swarm'), KINDS, 10_000)).toEqual(short);
      const long = drawSwarm(SimRandom.stream(seed, 'faults.swarm'), KINDS, 95_000);
      expect(long.record).toEqual(short.record);
      expect(long.intensity.eventsMax).toBe(short.intensity.eventsMax! * 10);
    }
  });

  it('is deterministic per seed, keeps at least one kind, and records what it drew', () => {
    for (let seed = 0; seed < 50; seed++) {
      const a = drawSwarm(SimRandom.stream(seed, 'faults.swarm'), KINDS);
      const b = drawSwarm(SimRandom.stream(seed, 'faults.swarm'), KINDS);
      expect(a).toEqual(b);
      expect(a.kinds.length).toBeGreaterThan(0);
      expect(a.record.kinds).toEqual(a.kinds);
      expect(a.intensity.durationMsMin).toBeLessThanOrEqual(a.intensity.durationMsMax);
    }
  });

  it('varies the enabled kinds across seeds', () => {
    const sets = new Set<string>();
    for (let seed = 0; seed < 20; seed++) sets.add(drawSwarm(SimRandom.stream(seed, 'faults.swarm'), KINDS).kinds.join(','));
    expect(sets.size).toBeGreaterThan(10);
  });
});
