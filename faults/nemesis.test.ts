import { describe, expect, it } from 'vitest';
import type { Message, NodeId, NodeStatus, Process } from '../nodes/host.js';
import type { FaultEvent } from './events.js';
import { Nemesis } from './nemesis.js';
import type { DiskFaults, LinkFaults, NemesisWorld, PartitionShape } from './world-port.js';

const MS = 1_000_000;

/** A world that records every call and keeps just enough state (up/down, roles, clock). */
class FakeWorld implements NemesisWorld {
  calls: string[] = [];
  nowValue = 0;
  down = new Set<NodeId>();
  roles: Record<NodeId, NodeStatus> = {};
  actions: { timeNs: number; action: () => void }[] = [];
  link: LinkFaults | null = null;
  constructor(private readonly ids: NodeId[]) {}
  at = (timeNs: number, action: () => void) => {
    this.actions.push({ timeNs, action });
  };
  /** Runs scheduled actions in (time, scheduling) order, as the World's queue does. */
  runAll(): void {
    const ordered = this.actions.map((item, seq) => ({ ...item, seq })).sort((a, b) => a.timeNs - b.timeNs || a.seq - b.seq);
    for (const item of ordered) {
      this.nowValue = item.timeNs;
      item.action();
    }
  }
  nowNs() {
    return this.nowValue;
  }
  nodes() {
    return this.ids;
  }
  status(id: NodeId) {
    return this.roles[id] ?? { role: 'follower', term: 1 };
  }
  process(id: NodeId): Process | null {
    return this.down.has(id) ? null : ({} as Process);
  }
  partition(shape: PartitionShape) {
    this.calls.push(`partition ${JSON.stringify(shape)}`);
  }
  heal() {
    this.calls.push('heal');
  }
  setLinkFaults(faults: LinkFaults) {
    this.link = faults;
    this.calls.push(`link drop=${faults.dropNum} dup=${faults.dupNum}`);
  }
  clog(from: NodeId, to: NodeId, untilNs: number) {
    if (untilNs !== this.nowValue) this.calls.push(`clog ${from}->${to} until ${untilNs}`);
  }
  crash(id: NodeId, mode: 'lose' | 'tear') {
    this.down.add(id);
    this.calls.push(`crash ${id} ${mode}`);
  }
  restart(id: NodeId) {
    this.down.delete(id);
    this.calls.push(`restart ${id}`);
  }
  pause(id: NodeId) {
    this.calls.push(`pause ${id}`);
  }
  resume(id: NodeId) {
    this.calls.push(`resume ${id}`);
  }
  clockOffset(id: NodeId, ns: number) {
    this.calls.push(`offset ${id} ${ns}`);
  }
  clockDrift(id: NodeId, ppm: number) {
    if (ppm !== 0) this.calls.push(`drift ${id} ${ppm}`);
  }
  clockJump(id: NodeId, ns: number) {
    this.calls.push(`jump ${id} ${ns}`);
  }
  diskFault(id: NodeId, faults: DiskFaults) {
    if (faults.corruptReads || faults.fsyncFail || faults.full || faults.stallNs > 0) this.calls.push(`disk ${id} ${JSON.stringify(faults)}`);
  }
  addNode(id: NodeId) {
    this.ids.push(id);
    this.calls.push(`add ${id}`);
  }
  inject(from: NodeId, to: NodeId, message: Message) {
    this.calls.push(`inject ${from}->${to} ${JSON.stringify(message)}`);
  }
}

function play(events: FaultEvent[], setup?: (world: FakeWorld) => void, safetyEndMs = 10_000) {
  const world = new FakeWorld(['n1', 'n2', 'n3']);
  setup?.(world);
  const nemesis = new Nemesis(world, (action) => ({ admin: action }), world.at);
  nemesis.plan(events, safetyEndMs * MS);
  world.runAll();
  return { world, nemesis };
}

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

  it('targets the node holding a role when the fault starts', () => {
    const { world } = play([{ atMs: 5, kind: 'partition-isolate', role: 'leader', durationMs: 10 }], (w) => {
      w.roles = { n1: { role: 'leader', term: 2 }, n3: { role: 'leader', term: 5 } };
    });
    expect(world.calls[0]).toBe('partition {"shape":"isolate","node":"n3"}');
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

  it('sends admin actions to the leader and skips them without one', () => {
    const withLeader = play([{ atMs: 1, kind: 'leader-transfer', to: 'n2' }], (w) => {
      w.roles = { n1: { role: 'leader', term: 3 } };
    });
    expect(withLeader.world.calls[0]).toBe('inject admin->n1 {"admin":{"kind":"transfer-leader","to":"n2"}}');
    const without = play([{ atMs: 1, kind: 'leader-transfer', to: 'n2' }]);
    expect(without.nemesis.records[0]!.phase).toBe('skip');
  });

  it('adds a spare node to the kernel before asking the cluster to take it', () => {
    const { world } = play([{ atMs: 1, kind: 'member-add', node: 'n4' }], (w) => {
      w.roles = { n1: { role: 'leader', term: 1 } };
    });
    expect(world.calls.slice(0, 2)).toEqual(['add n4', 'inject admin->n1 {"admin":{"kind":"add-member","node":"n4"}}']);
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
});
