import { describe, expect, it } from 'vitest';
import { CacheRing, movedFraction, VNODES_PER_WEIGHT } from './ring.js';

function ring(nodes: string[], epoch = 1, vnodes = VNODES_PER_WEIGHT): CacheRing {
  return new CacheRing({ epoch, members: nodes.map((node) => ({ node, weight: 1 })), vnodesPerWeight: vnodes });
}

const KEYS = Array.from({ length: 20_000 }, (_, i) => `k${i}`);

describe('the cache ring', () => {
  it('gives every process the same owner for a key, whatever order the members are listed in', () => {
    const a = ring(['n4', 'n5', 'n6']);
    const b = ring(['n6', 'n4', 'n5']);
    for (const key of KEYS.slice(0, 500)) expect(a.owner(key)).toBe(b.owner(key));
  });

  it('spreads keys within 25% of an even share with vnodes, and far worse with one point each', () => {
    const nodes = ['n4', 'n5', 'n6', 'n7', 'n8'];
    const share = (r: CacheRing): number[] => nodes.map((node) => KEYS.filter((key) => r.owner(key) === node).length / KEYS.length);
    for (const fraction of share(ring(nodes))) expect(Math.abs(fraction - 0.2)).toBeLessThan(0.05);
    const single = share(ring(nodes, 1, 1));
    expect(Math.max(...single) - Math.min(...single)).toBeGreaterThan(0.1);
  });

  it('moves about 1/N of the keys on a join, all of them to the new node, and none between old nodes', () => {
    const before = ring(['n4', 'n5', 'n6', 'n7']);
    const after = ring(['n4', 'n5', 'n6', 'n7', 'n8'], 2);
    const moved = movedFraction(before, after, KEYS);
    expect(moved).toBeGreaterThan(0.15);
    expect(moved).toBeLessThan(0.25);
    for (const key of KEYS) if (before.owner(key) !== after.owner(key)) expect(after.owner(key)).toBe('n8');
  });

  it('gives a heavier member a larger share', () => {
    const weighted = new CacheRing({ epoch: 1, members: [{ node: 'a', weight: 3 }, { node: 'b', weight: 1 }], vnodesPerWeight: 32 });
    const a = KEYS.filter((key) => weighted.owner(key) === 'a').length / KEYS.length;
    expect(a).toBeGreaterThan(0.65);
    expect(a).toBeLessThan(0.85);
  });

  it('bounded loads keep every node under ceil(c * average)', () => {
    const r = ring(['n4', 'n5', 'n6', 'n7']);
    const loads = new Map<string, number>();
    for (const key of KEYS.slice(0, 4_000)) {
      const node = r.ownerBounded(key, loads, 1.25);
      loads.set(node, (loads.get(node) ?? 0) + 1);
    }
    expect(Math.max(...loads.values())).toBeLessThanOrEqual(Math.ceil((1.25 * 4_000) / 4));
  });

  it('refuses a bad ring', () => {
    expect(() => ring([])).toThrow(/needs a member/);
    expect(() => ring(['a', 'a'])).toThrow(/listed twice/);
    expect(() => ring(['a'], 0)).toThrow(/epoch/);
  });
});
