import { describe, expect, it } from 'vitest';
import { majorityHealthyStretches, touchedNodes } from './fault-windows.js';
import type { FaultAction } from './system.js';

const MS = 1_000_000;
const CLUSTER = ['n1', 'n2', 'n3', 'n4', 'n5'];

function action(timeMs: number, kind: string, fields: FaultAction['fields'] = {}): FaultAction {
  return { time: timeMs * MS, kind, fields };
}

describe('touchedNodes', () => {
  it('names the one node of a targeted fault and the cut-off side of a partition', () => {
    expect(touchedNodes('crash', { node: 'n2' }, CLUSTER)).toEqual(['n2']);
    expect(touchedNodes('partition-halves', { side: 'n1,n2,n3' }, CLUSTER)).toEqual(['n4', 'n5']);
    expect(touchedNodes('partition-halves', { side: 'n4,n5' }, CLUSTER)).toEqual(['n4', 'n5']);
    expect(touchedNodes('partition-one-way', { from: 'n1,n2,n3,n4', to: 'n5' }, CLUSTER)).toEqual(['n5']);
    expect(touchedNodes('clog', { from: 'n1', to: 'n3' }, CLUSTER)).toEqual(['n1', 'n3']);
  });

  it('lets light message loss, duplication and reordering touch no node', () => {
    expect(touchedNodes('drop', { probability: 0.2 }, CLUSTER)).toEqual([]);
    expect(touchedNodes('dup', { probability: 0.05 }, CLUSTER)).toEqual([]);
    expect(touchedNodes('reorder', { probability: 0.1, delayMsMax: 20 }, CLUSTER)).toEqual([]);
  });

  it('says "maybe every node" for faults of wide or unknown reach', () => {
    for (const kind of ['delay', 'partition-ring', 'partition-bridge', 'disk-full', 'disk-fsync-fail', 'member-add', 'leader-transfer', 'made-up']) {
      expect(touchedNodes(kind, { node: 'n1' }, CLUSTER)).toBeNull();
    }
    expect(touchedNodes('drop', { probability: 0.5 }, CLUSTER)).toBeNull();
    expect(touchedNodes('partition-halves', { side: 'n1,n2' }, ['n1', 'n2', 'n3', 'n4'])).toBeNull();
  });
});

describe('majorityHealthyStretches', () => {
  it('is the whole run without faults', () => {
    expect(majorityHealthyStretches([], CLUSTER, 15_000 * MS)).toEqual([{ startNs: 0, endNs: 15_000 * MS }]);
  });

  it('keeps minority faults inside a stretch and cuts out the rest', () => {
    const actions = [
      action(1000, 'crash.start', { event: 0, node: 'n1' }),
      action(2000, 'pause.start', { event: 1, node: 'n2' }),
      // Three nodes touched: no majority left from 3 s to 4 s.
      action(3000, 'partition-isolate.start', { event: 2, node: 'n3' }),
      action(4000, 'partition-isolate.stop', { event: 2 }),
      action(5000, 'drop.start', { event: 3, probability: 0.5 }),
      action(6000, 'drop.stop', { event: 3 }),
      action(7000, 'crash.skip', { event: 4, reason: 'n1 is already down' }),
      action(10_000, 'heal.start'),
    ];
    expect(majorityHealthyStretches(actions, CLUSTER, 15_000 * MS)).toEqual([
      { startNs: 0, endNs: 3000 * MS },
      { startNs: 4000 * MS, endNs: 5000 * MS },
      { startNs: 6000 * MS, endNs: 15_000 * MS },
    ]);
  });

  it('ends every unstopped fault at the heal, and splits a stretch at an instant fault of wide reach', () => {
    const actions = [
      action(1000, 'partition-halves.start', { event: 0, side: 'n1,n2' }),
      action(2000, 'disk-full.start', { event: 1, node: 'n3' }),
      action(8000, 'leader-transfer.start', { event: 2, to: 'n4', via: 'n1' }),
      action(8500, 'clock-jump.start', { event: 3, node: 'n5', jumpMs: 100 }),
      action(10_000, 'heal.start'),
    ];
    expect(majorityHealthyStretches(actions, CLUSTER, 15_000 * MS)).toEqual([
      { startNs: 0, endNs: 2000 * MS },
      { startNs: 10_000 * MS, endNs: 15_000 * MS },
    ]);
    const transferOnly = [action(8000, 'leader-transfer.start', { event: 0, to: 'n4' }), action(10_000, 'heal.start')];
    expect(majorityHealthyStretches(transferOnly, CLUSTER, 15_000 * MS)).toEqual([
      { startNs: 0, endNs: 8000 * MS },
      { startNs: 8000 * MS, endNs: 15_000 * MS },
    ]);
  });
});
