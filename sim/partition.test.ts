import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planPartition, Reachability, type PartitionSpec } from './partition.js';
import { SimRandom } from './random.js';

const servers = ['n1', 'n2', 'n3', 'n4', 'n5'];
const all = [...servers, 'c1', 'c2'];

function connectivity(spec: PartitionSpec, seed = 1): (a: string, b: string) => boolean {
  const plan = planPartition(spec, servers, all, SimRandom.stream(seed, 'partition'));
  const cut = new Set(plan.cuts.map(([a, b]) => `${a}>${b}`));
  return (a, b) => !cut.has(`${a}>${b}`);
}

/** Servers each server reaches (itself excluded). */
function reachOf(reaches: (a: string, b: string) => boolean, node: string): string[] {
  return servers.filter((other) => other !== node && reaches(node, other));
}

describe('partition shapes', () => {
  it('isolate cuts one node from everyone, both ways, clients included', () => {
    const reaches = connectivity({ kind: 'isolate', node: 'n3' });
    for (const other of all.filter((id) => id !== 'n3')) {
      expect(reaches('n3', other)).toBe(false);
      expect(reaches(other, 'n3')).toBe(false);
    }
    expect(reaches('n1', 'n2')).toBe(true);
    expect(reaches('c1', 'n1')).toBe(true);
  });

  it('halves: a minority of floor(n/2) and a majority that cannot talk across; clients reach all', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
        const reaches = connectivity({ kind: 'halves' }, seed);
        const sides = new Set(servers.map((node) => [node, ...reachOf(reaches, node)].sort().join(',')));
        expect(sides.size).toBe(2);
        const sizes = [...sides].map((side) => side.split(',').length).sort();
        expect(sizes).toEqual([2, 3]);
        for (const node of servers) expect(reaches('c1', node) && reaches(node, 'c1')).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('bridge: one node reaches both sides, the sides do not reach each other', () => {
    const reaches = connectivity({ kind: 'bridge', bridge: 'n3', left: ['n1', 'n2'], right: ['n4', 'n5'] });
    expect(reachOf(reaches, 'n3')).toEqual(['n1', 'n2', 'n4', 'n5']);
    expect(reachOf(reaches, 'n1')).toEqual(['n2', 'n3']);
    expect(reachOf(reaches, 'n5')).toEqual(['n3', 'n4']);
    const drawn = connectivity({ kind: 'bridge' }, 9);
    const counts = servers.map((node) => reachOf(drawn, node).length).sort();
    expect(counts).toEqual([2, 2, 2, 2, 4]);
  });

  it('ring: each node reaches exactly its two neighbours (overlapping majorities)', () => {
    const reaches = connectivity({ kind: 'ring', order: ['n1', 'n3', 'n5', 'n2', 'n4'] });
    expect(reachOf(reaches, 'n1')).toEqual(['n3', 'n4']);
    expect(reachOf(reaches, 'n5')).toEqual(['n2', 'n3']);
    const drawn = connectivity({ kind: 'ring' }, 4);
    for (const node of servers) expect(reachOf(drawn, node)).toHaveLength(2);
  });

  it('one-way loses a->b only', () => {
    const reaches = connectivity({ kind: 'one-way', from: 'n1', to: 'n2' });
    expect(reaches('n1', 'n2')).toBe(false);
    expect(reaches('n2', 'n1')).toBe(true);
    expect(reaches('n1', 'n3')).toBe(true);
  });

  it('groups and client-reach', () => {
    const reaches = connectivity({ kind: 'groups', groups: [['n1', 'n2'], ['n3', 'n4']] });
    expect(reachOf(reaches, 'n1')).toEqual(['n2']);
    expect(reachOf(reaches, 'n5')).toEqual([]);
    const client = connectivity({ kind: 'client-reach', client: 'c2', reach: ['n4'] });
    expect(servers.filter((node) => client('c2', node))).toEqual(['n4']);
    expect(servers.filter((node) => client(node, 'c2'))).toEqual(['n4']);
    expect(client('c1', 'n1')).toBe(true);
  });

  it('names an unknown node or kind', () => {
    const random = SimRandom.stream(1, 'p');
    expect(() => planPartition({ kind: 'isolate', node: 'n9' }, servers, all, random)).toThrow(/unknown node "n9"/);
    expect(() => planPartition({ kind: 'nope' } as unknown as PartitionSpec, servers, all, random)).toThrow(/unknown partition kind/);
  });

  it('the reachability matrix keeps cuts when it grows', () => {
    const reach = new Reachability(2);
    reach.sever(0, 1);
    reach.grow(5);
    expect(reach.reaches(0, 1)).toBe(false);
    expect(reach.reaches(1, 0)).toBe(true);
    reach.sever(4, 3);
    expect(reach.reaches(4, 3)).toBe(false);
    expect(reach.cutCount).toBe(2);
    reach.healAll();
    expect(reach.reaches(0, 1)).toBe(true);
  });
});
