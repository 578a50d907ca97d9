// The ring against its promises: distinct preference lists, stable placement, a small move when a
// member joins, and shares that follow weights.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ring, type RingMember } from './ring.js';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];

function ring(members: readonly RingMember[], vnodesPerWeight = 32): Ring {
  return new Ring({ epoch: 1, members, vnodesPerWeight });
}

function even(nodes: readonly string[]): RingMember[] {
  return nodes.map((node) => ({ node, weight: 1 }));
}

const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`);

describe('Ring', () => {
  it('gives every key N distinct primaries, the same ones whatever order members are listed in', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(NODES, { minLength: 1 }), fc.integer({ min: 1, max: 5 }), fc.string(), (members, n, key) => {
        const a = ring(even(members));
        const b = ring(even([...members].reverse()));
        const list = a.preferenceList(key, n);
        expect(list).toEqual(b.preferenceList(key, n));
        expect(new Set(list).size).toBe(list.length);
        expect(list.length).toBe(Math.min(n, members.length));
        // The walk lists every member once, primaries first.
        expect([...a.walk(key)].sort()).toEqual([...members].sort());
        expect(a.walk(key).slice(0, list.length)).toEqual(list);
      }),
    );
  });

  it('moves only the keys the new member takes when a member joins', () => {
    const before = ring(even(NODES.slice(0, 5)));
    const after = ring(even(NODES));
    let moved = 0;
    for (const key of keys) {
      const owner = before.walk(key)[0];
      const newOwner = after.walk(key)[0];
      if (owner !== newOwner) {
        // A key changes its first node only to the newcomer.
        expect(newOwner).toBe('n6');
        moved += 1;
      }
    }
    // About a sixth of the keys move: not none, and far from all.
    expect(moved / keys.length).toBeGreaterThan(0.08);
    expect(moved / keys.length).toBeLessThan(0.3);
  });

  it('gives a member of weight 2 about twice the share of a member of weight 1', () => {
    const weighted = ring([{ node: 'n1', weight: 2 }, ...even(['n2', 'n3', 'n4'])], 64);
    const heavy = weighted.share('n1');
    const light = (weighted.share('n2') + weighted.share('n3') + weighted.share('n4')) / 3;
    expect(heavy / light).toBeGreaterThan(1.5);
    expect(heavy / light).toBeLessThan(2.6);
    const total = ['n1', 'n2', 'n3', 'n4'].reduce((sum, node) => sum + weighted.share(node), 0);
    expect(total).toBeCloseTo(1, 9);
  });

  it('refuses a member listed twice or a weight that is not a positive integer', () => {
    expect(() => ring(even(['n1', 'n1']))).toThrow(/listed twice/);
    expect(() => ring([{ node: 'n1', weight: 0 }])).toThrow(/weight/);
  });
});
