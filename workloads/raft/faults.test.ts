import { describe, expect, it } from 'vitest';
import { faultCatalog } from '../../faults/catalog.js';
import { play } from '../../faults/testing/fake-world.js';
import { raftFaultKinds, raftTargets } from './faults.js';

const catalog = faultCatalog(raftFaultKinds, raftTargets);

describe("Raft's fault vocabulary", () => {
  it('resolves leader to the live leader with the highest term, follower to the first follower', () => {
    const { world } = play(catalog, [
      { atMs: 1, kind: 'partition-isolate', role: 'leader', durationMs: 1 },
      { atMs: 5, kind: 'pause', role: 'follower', durationMs: 1 },
    ], (w) => {
      w.statuses = { n1: { role: 'leader', term: 2 }, n2: { role: 'follower', term: 5 }, n3: { role: 'leader', term: 5 } };
    });
    expect(world.calls.slice(0, 3)).toEqual(['partition {"shape":"isolate","node":"n3"}', 'heal', 'pause n2']);
  });

  it('sends admin actions to the leader and skips them without one', () => {
    const withLeader = play(catalog, [{ atMs: 1, kind: 'leader-transfer', to: 'n2' }], (w) => {
      w.statuses = { n1: { role: 'leader', term: 3 } };
    });
    expect(withLeader.world.calls[0]).toBe('inject admin->n1 {"type":"raft.admin","action":{"kind":"transfer-leader","to":"n2"}}');
    const without = play(catalog, [{ atMs: 1, kind: 'leader-transfer', to: 'n2' }]);
    expect(without.nemesis.records[0]).toMatchObject({ phase: 'skip', fields: { reason: 'no leader to send the admin action to' } });
  });

  it('adds a spare node to the kernel before asking the cluster to take it', () => {
    const { world } = play(catalog, [{ atMs: 1, kind: 'member-add', node: 'n4' }], (w) => {
      w.statuses = { n1: { role: 'leader', term: 1 } };
    });
    expect(world.calls.slice(0, 2)).toEqual(['add n4', 'inject admin->n1 {"type":"raft.admin","action":{"kind":"add-member","node":"n4"}}']);
  });

  it('adds a removed member back at the heal when its own stop found no leader', () => {
    const { world } = play(catalog, [
      { atMs: 1, kind: 'member-remove', node: 'n3', durationMs: 10 },
      { atMs: 5, kind: 'crash', node: 'n1', mode: 'lose', durationMs: 100 },
    ], (w) => {
      w.statuses = { n1: { role: 'leader', term: 1 } };
    }, 1_000);
    const injects = world.calls.filter((call) => call.startsWith('inject'));
    // The remove went through n1; the re-add at 11 ms found n1 down, so the heal (which restarts n1 first) sends it.
    expect(injects).toEqual([
      'inject admin->n1 {"type":"raft.admin","action":{"kind":"remove-member","node":"n3"}}',
      'inject admin->n1 {"type":"raft.admin","action":{"kind":"add-member","node":"n3"}}',
    ]);
    expect(world.calls.indexOf('restart n1')).toBeLessThan(world.calls.lastIndexOf(injects[1]!));
  });

  it('refuses a target the system does not name, with the names it does', () => {
    expect(() => catalog.parseEvent({ atMs: 1, kind: 'crash', role: 'coordinator', mode: 'lose' }, ['n1'])).toThrow(/unknown target "coordinator" \(expected one of leader, follower\)/);
  });
});
