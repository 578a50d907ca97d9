import { describe, expect, it } from 'vitest';
import type { FaultEvent } from './events.js';
import { faultCatalog } from './catalog.js';
import { z } from 'zod';
import type { AnyFaultKind, TargetSets } from './kind.js';
import { eventSchema } from './kernel-kinds.js';
import { Nemesis } from './nemesis.js';
import { FakeWorld, MS, play as playWith } from './testing/fake-world.js';

/** A target set of a made-up system: `primary` is the live node with the highest `rank`. */
const targets: TargetSets = {
  names: ['primary'],
  pick(name, view, live) {
    if (name !== 'primary') return null;
    let best: string | null = null;
    let rank = -1;
    for (const id of live) {
      const value = view.status(id).rank;
      if (typeof value === 'number' && value > rank) {
        best = id;
        rank = value;
      }
    }
    return best;
  },
};

function play(events: FaultEvent[], setup?: (world: FakeWorld) => void, safetyEndMs = 10_000) {
  return playWith(faultCatalog([], targets), events, setup, safetyEndMs);
}

describe('Nemesis with quiet windows', () => {
  it('heals what is active when a quiet window opens, skips starts inside it, and faults again after it', () => {
    const world = new FakeWorld(['n1', 'n2', 'n3']);
    const nemesis = new Nemesis(world, faultCatalog([], targets), world.at);
    nemesis.plan(
      [
        { atMs: 100, kind: 'crash', node: 'n2', mode: 'tear', durationMs: 5_000 },
        { atMs: 1_500, kind: 'pause', node: 'n3', durationMs: 100 },
        { atMs: 2_500, kind: 'pause', node: 'n1', durationMs: 100 },
      ],
      10_000 * MS,
      [],
      [{ startNs: 1_000 * MS, endNs: 2_000 * MS }],
    );
    world.runAll();
    expect(nemesis.records.map((r) => [r.timeNs / MS, r.kind, r.phase, r.fields.reason ?? null])).toEqual([
      [100, 'crash', 'start', null],
      [1_000, 'crash', 'stop', 'quiet window'],
      [1_500, 'pause', 'skip', 'in a quiet window'],
      [2_500, 'pause', 'start', null],
      [2_600, 'pause', 'stop', null],
      [10_000, 'heal', 'start', null],
    ]);
    // The crash was undone at the window's start (the node restarted), not at its own stop time.
    expect(world.calls.slice(0, 2)).toEqual(['crash n2 tear', 'restart n2']);
    expect(world.calls).toContain('pause n1');
    expect(world.calls).not.toContain('pause n3');
    expect(nemesis.phaseHealCount()).toBe(1);
    expect(nemesis.healedAt()).toBe(10_000 * MS);
  });
});

describe('Nemesis', () => {
  it('starts and stops a fault at its times and heals at the end of the safety phase', () => {
    const { world, nemesis } = play([{ atMs: 100, kind: 'crash', node: 'n2', mode: 'tear', durationMs: 200 }]);
    expect(world.calls.slice(0, 2)).toEqual(['crash n2 tear', 'restart n2']);
    expect(nemesis.records.map((r) => [r.timeNs / MS, r.kind, r.phase])).toEqual([
      [100, 'crash', 'start'],
      [300, 'crash', 'stop'],
      [10_000, 'heal', 'start'],
    ]);
    expect(nemesis.healedAt()).toBe(10_000 * MS);
  });

  it("targets the node the system's target set names when the fault starts", () => {
    const { world } = play([{ atMs: 5, kind: 'partition-isolate', role: 'primary', durationMs: 10 }], (w) => {
      w.statuses = { n1: { rank: 2 }, n3: { rank: 5 } };
    });
    expect(world.calls[0]).toBe('partition {"shape":"isolate","node":"n3"}');
  });

  it('skips a targeted fault when no live node stands for the target, and says so', () => {
    const { world, nemesis } = play([{ atMs: 5, kind: 'crash', role: 'primary', mode: 'lose' }], (w) => {
      w.statuses = { n2: { rank: 1 } };
      w.down.add('n2');
    });
    expect(world.calls.some((call) => call.startsWith('crash'))).toBe(false);
    expect(nemesis.records[0]).toMatchObject({ kind: 'crash', phase: 'skip', fields: { reason: 'no live node is primary' } });
  });

  it('records the nodes each started fault touched', () => {
    const { nemesis } = play([
      { atMs: 1, kind: 'crash', node: 'n2', mode: 'lose', durationMs: 5 },
      { atMs: 10, kind: 'partition-halves', side: ['n3'], durationMs: 5 },
      { atMs: 20, kind: 'drop', probability: 0.1, durationMs: 5 },
      { atMs: 30, kind: 'delay', latencyMsMin: 1, latencyMsMax: 5, durationMs: 5 },
      { atMs: 40, kind: 'clock-jump', node: 'n1', jumpMs: 5 },
    ]);
    const starts = nemesis.records.filter((record) => record.phase === 'start' && record.kind !== 'heal');
    expect(starts.map((record) => [record.kind, record.fields.touched, record.fields.instant ?? false])).toEqual([
      ['crash', 'n2', false],
      ['partition-halves', 'n3', false],
      ['drop', '', false],
      ['delay', '*', false],
      ['clock-jump', 'n1', true],
    ]);
  });

  it('skips a fault whose target is already down, and records why', () => {
    const { world, nemesis } = play([
      { atMs: 1, kind: 'crash', node: 'n1', mode: 'lose' },
      { atMs: 2, kind: 'crash', node: 'n1', mode: 'lose' },
      { atMs: 3, kind: 'pause', node: 'n1' },
    ]);
    expect(world.calls.filter((call) => call.startsWith('crash'))).toEqual(['crash n1 lose']);
    expect(nemesis.records.filter((r) => r.phase === 'skip').map((r) => r.fields.reason)).toEqual(['n1 is already down', 'n1 is already paused or down']);
    // The heal restarts the node that stayed down.
    expect(world.calls).toContain('restart n1');
    expect(nemesis.startedCount()).toBe(1);
  });

  it('lets a newer partition replace an older one without the older stop healing it', () => {
    const { world } = play([
      { atMs: 10, kind: 'partition-halves', side: ['n1'], durationMs: 100 },
      { atMs: 50, kind: 'partition-ring', order: ['n1', 'n2', 'n3'], durationMs: 200 },
    ]);
    const calls = world.calls.filter((call) => call.startsWith('partition') || call === 'heal');
    // halves, ring, then the ring's own stop at 250 ms heals; the halves' stop at 110 ms does not.
    expect(calls.slice(0, 3)).toEqual(['partition {"shape":"halves","side":["n1"]}', 'partition {"shape":"ring","order":["n1","n2","n3"]}', 'heal']);
  });

  it('combines overlapping link faults and restores each part as it ends', () => {
    const { world } = play([
      { atMs: 10, kind: 'drop', probability: 0.1, durationMs: 100 },
      { atMs: 20, kind: 'dup', probability: 0.05, durationMs: 200 },
    ]);
    expect(world.calls.filter((call) => call.startsWith('link')).slice(0, 4)).toEqual([
      'link drop=100000 dup=0',
      'link drop=100000 dup=50000',
      'link drop=0 dup=50000',
      'link drop=0 dup=0',
    ]);
  });

  it('heals every lasting fault at the end, even without durations', () => {
    const { world } = play(
      [
        { atMs: 1, kind: 'pause', node: 'n2' },
        { atMs: 2, kind: 'disk-full', node: 'n3' },
        { atMs: 3, kind: 'clock-drift', node: 'n1', ppm: 500 },
        { atMs: 4, kind: 'partition-one-way', from: ['n1'], to: ['n2', 'n3'] },
      ],
      undefined,
      1_000,
    );
    expect(world.calls).toContain('resume n2');
    expect(world.calls.filter((call) => call === 'heal').length).toBeGreaterThan(0);
    expect(world.link).toMatchObject({ dropNum: 0, dupNum: 0, reorderNum: 0 });
  });

  it('ignores events planned after the safety phase', () => {
    const { world, nemesis } = play([{ atMs: 2_000, kind: 'crash', node: 'n1', mode: 'lose' }], undefined, 1_000);
    expect(world.calls.some((call) => call.startsWith('crash'))).toBe(false);
    expect(nemesis.records.find((r) => r.kind === 'crash')?.phase).toBe('skip');
  });

  it('stops a fault before starting another at the same instant, whatever their order in the schedule', () => {
    // Event 1 crashes n1 until 100 ms; event 0 crashes it again at 100 ms. The stop (restart) must
    // come first, or the second crash would find n1 still down and be skipped.
    const { world, nemesis } = play([
      { atMs: 100, kind: 'crash', node: 'n1', mode: 'lose', durationMs: 50 },
      { atMs: 0, kind: 'crash', node: 'n1', mode: 'tear', durationMs: 100 },
    ]);
    expect(world.calls.slice(0, 4)).toEqual(['crash n1 tear', 'restart n1', 'crash n1 lose', 'restart n1']);
    expect(nemesis.records.filter((r) => r.phase === 'skip')).toEqual([]);
  });

  it('restarts at the heal a node that is down for a reason of its own, not only the ones it crashed', () => {
    // A node whose handler threw (or that stopped on a full disk) is down without a crash fault.
    const { world } = play([], (w) => w.down.add('n2'), 1_000);
    expect(world.calls).toContain('restart n2');
    expect(world.down.has('n2')).toBe(false);
  });

  it('keeps what a system could not put back outside, and never lets the liveness phase leave no majority', () => {
    // A made-up system kind: takes a node out; its undoing is only asked for (it lingers), and its
    // heal reports the node still outside.
    const evict: AnyFaultKind = {
      name: 'evict',
      description: 'take a node out of the system',
      groups: ['membership'],
      schema: eventSchema('evict', { node: z.string() }),
      instant: false,
      targeted: false,
      weight: 1,
      nodesMin: 1,
      named: (event: { node: string }) => [event.node],
      draw: () => null,
      start: (event: { node: string }) => ({ fields: { node: event.node }, touched: [event.node], lingers: true, stop: () => {} }),
      heal: () => ['n5'],
    };
    const world = new FakeWorld(['n1', 'n2', 'n3', 'n4', 'n5']);
    const nemesis = new Nemesis(world, faultCatalog([evict], targets), world.at);
    const crash = (node: string): FaultEvent => ({ atMs: 1_000, kind: 'crash', node, mode: 'lose' });
    nemesis.plan([{ atMs: 100, kind: 'evict', node: 'n5', durationMs: 100 }], 1_000 * MS, [crash('n1'), crash('n2')]);
    world.runAll();
    const rows = nemesis.records.map((record) => [record.kind, record.phase, record.fields]);
    expect(rows).toContainEqual(['evict', 'stop', { event: 0, lingers: true }]);
    expect(rows).toContainEqual(['heal', 'start', { outside: 'n5' }]);
    // n5 outside and n1 down leave three of five; n2 down too would leave two: skipped, and why.
    expect(rows).toContainEqual(['crash', 'start', expect.objectContaining({ event: 1, node: 'n1' })]);
    expect(rows).toContainEqual(['crash', 'skip', { event: 2, reason: 'n5, n1, n2 down or outside would leave 2 of 5 nodes, no majority' }]);
    expect(world.down.has('n1')).toBe(true);
    expect(world.down.has('n2')).toBe(false);
  });
});
