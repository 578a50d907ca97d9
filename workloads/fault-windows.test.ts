import { describe, expect, it } from 'vitest';
import { majorityHealthyStretches, touchedNodes } from './fault-windows.js';
import type { FaultAction } from '../nodes/host.js';
import { faultCatalog } from '../faults/catalog.js';
import { play } from '../faults/testing/fake-world.js';

const MS = 1_000_000;
const CLUSTER = ['n1', 'n2', 'n3', 'n4', 'n5'];

function action(timeMs: number, kind: string, fields: FaultAction['fields'] = {}): FaultAction {
  return { time: timeMs * MS, kind, fields };
}

describe('touchedNodes', () => {
  it('reads the nodes a fault recorded it touched', () => {
    expect(touchedNodes({ node: 'n2', touched: 'n2' })).toEqual(['n2']);
    expect(touchedNodes({ side: 'n1,n2,n3', touched: 'n4,n5' })).toEqual(['n4', 'n5']);
    expect(touchedNodes({ probability: 0.1, touched: '' })).toEqual([]);
  });

  it('says "maybe every node" for a fault of wide or unrecorded reach', () => {
    expect(touchedNodes({ touched: '*' })).toBeNull();
    expect(touchedNodes({ node: 'n1' })).toBeNull();
  });
});

describe('majorityHealthyStretches', () => {
  it('is the whole run without faults', () => {
    expect(majorityHealthyStretches([], CLUSTER, 15_000 * MS)).toEqual([{ startNs: 0, endNs: 15_000 * MS }]);
  });

  it('keeps minority faults inside a stretch and cuts out the rest', () => {
    const actions = [
      action(1000, 'crash.start', { event: 0, node: 'n1', touched: 'n1' }),
      action(2000, 'pause.start', { event: 1, node: 'n2', touched: 'n2' }),
      // Three nodes touched: no majority left from 3 s to 4 s.
      action(3000, 'partition-isolate.start', { event: 2, node: 'n3', touched: 'n3' }),
      action(4000, 'partition-isolate.stop', { event: 2 }),
      action(5000, 'drop.start', { event: 3, probability: 0.5, touched: '*' }),
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
      action(1000, 'partition-halves.start', { event: 0, side: 'n1,n2', touched: 'n1,n2' }),
      action(2000, 'disk-full.start', { event: 1, node: 'n3', touched: '*' }),
      action(8000, 'leader-transfer.start', { event: 2, to: 'n4', via: 'n1', touched: '*', instant: true }),
      action(8500, 'clock-jump.start', { event: 3, node: 'n5', jumpMs: 100, touched: 'n5', instant: true }),
      action(10_000, 'heal.start'),
    ];
    expect(majorityHealthyStretches(actions, CLUSTER, 15_000 * MS)).toEqual([
      { startNs: 0, endNs: 2000 * MS },
      { startNs: 10_000 * MS, endNs: 15_000 * MS },
    ]);
    const transferOnly = [action(8000, 'leader-transfer.start', { event: 0, to: 'n4', touched: '*', instant: true }), action(10_000, 'heal.start')];
    expect(majorityHealthyStretches(transferOnly, CLUSTER, 15_000 * MS)).toEqual([
      { startNs: 0, endNs: 8000 * MS },
      { startNs: 8000 * MS, endNs: 15_000 * MS },
    ]);
  });

  it('keeps a lingering fault to the heal, and what stays outside or down after the heal to the end', () => {
    const actions = [
      action(1000, 'member-remove.start', { event: 0, node: 'n1', touched: 'n1' }),
      action(2000, 'member-remove.stop', { event: 0, lingers: true }),
      action(3000, 'crash.start', { event: 1, node: 'n2', touched: 'n2' }),
      action(4000, 'crash.stop', { event: 1 }),
      action(3500, 'pause.start', { event: 2, node: 'n3', touched: 'n3' }),
      action(3600, 'pause.stop', { event: 2 }),
      action(10_000, 'heal.start', { outside: 'n1' }),
      action(10_000, 'crash.start', { event: 3, node: 'n4', touched: 'n4' }),
      action(12_000, 'partition-isolate.start', { event: 4, node: 'n5', touched: 'n5' }),
    ];
    // n1 counts as touched from 1 s on (its re-add was only asked for); n2 and n3 on top of it break
    // the majority from 3.5 to 3.6 s. After the heal n1 stays outside and n4 down: still a majority
    // (n2, n3, n5) until n5 is cut off too.
    expect(majorityHealthyStretches(actions, CLUSTER, 15_000 * MS)).toEqual([
      { startNs: 0, endNs: 3500 * MS },
      { startNs: 3600 * MS, endNs: 12_000 * MS },
    ]);
  });

  it('reads what the nemesis recorded, so every fault kind says its own reach', () => {
    const catalog = faultCatalog();
    const { nemesis } = play(catalog, [
      { atMs: 1_000, kind: 'crash', node: 'n1', mode: 'lose', durationMs: 1_000 },
      { atMs: 3_000, kind: 'partition-halves', side: ['n1', 'n2'], durationMs: 1_000 },
      { atMs: 5_000, kind: 'delay', latencyMsMin: 1, latencyMsMax: 9, durationMs: 1_000 },
    ], (world) => world.ids.push('n4', 'n5'), 8_000);
    const actions: FaultAction[] = nemesis.records.map((record) => ({ time: record.timeNs, kind: `${record.kind}.${record.phase}`, fields: record.fields }));
    // A crash of one node and a cut-off minority leave a majority; added latency may reach every node.
    expect(majorityHealthyStretches(actions, CLUSTER, 10_000 * MS)).toEqual([
      { startNs: 0, endNs: 5_000 * MS },
      { startNs: 6_000 * MS, endNs: 10_000 * MS },
    ]);
  });
});
