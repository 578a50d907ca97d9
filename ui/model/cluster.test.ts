import { describe, expect, it } from 'vitest';
import type { FaultBand } from './faults.js';
import { clusterAt, naturalSort, reaches, serverNodes } from './cluster.js';
import { failingModel } from '../testing/fixtures.js';

const MS = 1_000_000;

function partition(kind: string, fields: Record<string, unknown>): FaultBand {
  return { kind, family: 'partition', label: kind, startNs: 0, endNs: 10, open: false, fields };
}

describe('cluster state from faults', () => {
  const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];

  it('knows who reaches whom under each partition shape', () => {
    const pairs = (band: FaultBand): string[] => {
      const cut: string[] = [];
      for (const a of nodes) for (const b of nodes) if (!reaches(band, a, b)) cut.push(`${a}>${b}`);
      return cut;
    };
    expect(pairs(partition('partition-isolate', { node: 'n2' }))).toEqual(['n1>n2', 'n2>n1', 'n2>n3', 'n2>n4', 'n2>n5', 'n3>n2', 'n4>n2', 'n5>n2']);
    expect(pairs(partition('partition-halves', { side: 'n1,n2' }))).toHaveLength(2 * 2 * 3);
    expect(pairs(partition('partition-bridge', { left: 'n1,n2', right: 'n4,n5', bridge: 'n3' }))).not.toContain('n1>n3');
    expect(pairs(partition('partition-bridge', { left: 'n1,n2', right: 'n4,n5', bridge: 'n3' }))).toContain('n2>n4');
    const ring = pairs(partition('partition-ring', { order: 'n1,n2,n3,n4,n5' }));
    expect(ring).not.toContain('n1>n2');
    expect(ring).not.toContain('n5>n1');
    expect(ring).toContain('n1>n3');
    expect(pairs(partition('partition-one-way', { from: 'n1', to: 'n2,n3' }))).toEqual(['n1>n2', 'n1>n3']);
    expect(pairs(partition('partition-future-shape', { anything: 1 }))).toEqual([]);
  });

  it('names the servers of a run, not its clients, in natural order', () => {
    const model = failingModel();
    expect(serverNodes(model)).toEqual(['n1', 'n2', 'n3']);
    expect(naturalSort(['n10', 'n2', 'n1'])).toEqual(['n1', 'n2', 'n10']);
  });

  it('gives the cluster at the stale read: n1 isolated, n3 crashed', () => {
    const cluster = clusterAt(failingModel(), 70 * MS);
    expect(cluster.partition?.kind).toBe('partition-isolate');
    expect(cluster.groups).toEqual([['n1'], ['n2', 'n3']]);
    expect(cluster.crashed).toEqual(['n3']);
    expect(cluster.paused).toEqual([]);
    expect(cluster.cuts).toEqual([
      { from: 'n1', to: 'n2', oneWay: false },
      { from: 'n1', to: 'n3', oneWay: false },
    ]);
    const healed = clusterAt(failingModel(), 95 * MS);
    expect(healed.partition).toBeNull();
    expect(healed.crashed).toEqual([]);
    expect(healed.cuts).toEqual([]);
  });
});
