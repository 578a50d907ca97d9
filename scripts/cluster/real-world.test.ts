// The real-cluster World and the shared nemesis over a recording driver: the effects the nemesis
// asks for reach the processes, proxies and hosts in order, with the clock, injection and
// capability rules of a real cluster. No process is started here (cluster.test.ts does that).
import { describe, expect, it } from 'vitest';
import type { Message, NodeId } from '../../nodes/host.js';
import { Nemesis } from '../../faults/nemesis.js';
import { NO_DISK_FAULTS, NO_LINK_FAULTS } from '../../faults/world-port.js';
import { pluginFaultCatalog } from '../../workloads/system.js';
import { leaderlessSystem } from '../../workloads/testing/leaderless.js';
import type { ClockSetting } from '../tcp/clock.js';
import type { LinkRule } from '../tcp/proxy.js';
import type { HostStatus } from '../tcp/wire.js';
import type { ClusterDriver } from './driver.js';
import { realCatalog } from './real-nemesis.js';
import { type AdminCalls, RealWorld } from './real-world.js';

const NODES = ['n1', 'n2', 'n3'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A driver that records what was done to which node, with a kill that takes a while. */
function fakeCluster(options: { killMs?: number } = {}) {
  const calls: string[] = [];
  const rules = new Map<NodeId, LinkRule[]>();
  const clocks: [NodeId, ClockSetting][] = [];
  const injected: [NodeId, Message][] = [];
  let nowNs = 0;
  const driver: ClusterDriver = {
    nodes: NODES,
    secret: 'secret',
    clientAddresses: () => ({}),
    adminAddress: (id) => ({ host: id, port: 1 }),
    start: async () => undefined,
    kill: async (id) => {
      calls.push(`kill ${id}`);
      await sleep(options.killMs ?? 0);
      calls.push(`killed ${id}`);
    },
    restart: async (id) => void calls.push(`restart ${id}`),
    pause: async (id) => void calls.push(`pause ${id}`),
    resume: async (id) => void calls.push(`resume ${id}`),
    setRules: async (id, list) => {
      calls.push(`rules ${id} ${list.length}`);
      rules.set(id, list);
    },
    problems: () => [],
    stop: async () => undefined,
  };
  const status = (id: NodeId, highestTs: number): HostStatus =>
    ({ id, pid: 1, uptimeMs: 0, status: { highestTs }, failed: null, peersConnected: [], framesIn: 0, framesOut: 0, framesDropped: 0, fsyncs: 0, clock: { offsetNs: 0, driftPpm: 0 } });
  const admin: AdminCalls = {
    setClock: async (address, _secret, node, setting) => {
      clocks.push([node, setting]);
      return status(node, 0);
    },
    sendAdmin: async (_address, _secret, node, message) => {
      injected.push([node, message]);
      calls.push(`inject ${node}`);
      return [];
    },
    // n3 holds the freshest replica, n1 the stalest.
    health: async (target) => target.nodes.map((id) => ({ id, host: status(id, Number(id.slice(1))), error: null })),
  };
  const world = new RealWorld({ driver, admin, nowNs: () => nowNs, log: () => undefined });
  return { world, calls, rules, clocks, injected, advance: (ns: number) => (nowNs += ns), now: () => nowNs };
}

describe('the nemesis World over a real cluster', () => {
  it('runs each node\'s actions in order (a restart waits for its kill) and other actions beside them', async () => {
    const { world, calls } = fakeCluster({ killMs: 50 });
    await world.start();
    world.crash('n1', 'lose');
    world.partition({ shape: 'isolate', node: 'n2' });
    world.restart('n1');
    expect(world.process('n1')).not.toBeNull();
    await world.drain();
    await world.stop();
    expect(calls.indexOf('restart n1')).toBeGreaterThan(calls.indexOf('killed n1'));
    // The partition's rules did not wait for the slow kill of another node.
    expect(calls.indexOf('rules n1 2')).toBeLessThan(calls.indexOf('killed n1'));
    expect(world.errors).toEqual([]);
  });

  it('reports a crashed node as down at once, and its statuses from the nodes otherwise', async () => {
    const { world } = fakeCluster();
    await world.start();
    expect(world.status('n2')).toEqual({ highestTs: 2 });
    world.crash('n2', 'tear');
    expect(world.process('n2')).toBeNull();
    expect(world.status('n2').down).toMatch(/crashed/);
    await world.drain();
    await world.stop();
  });

  it('keeps each clock as faults set it, drifting honestly, and gives it back after a restart or a pause', async () => {
    const { world, clocks, advance } = fakeCluster();
    await world.start();
    world.clockOffset('n1', 100e6);
    world.clockJump('n1', 50e6);
    await world.drain();
    expect(clocks.at(-1)).toEqual(['n1', { offsetNs: 150e6, driftPpm: 0 }]);
    world.clockDrift('n1', 10_000);
    await world.drain();
    advance(1e9);
    // 1% fast for one second: 10 ms ahead.
    expect(world.clockOffsetNow('n1')).toBe(160e6);
    world.crash('n1', 'lose');
    world.clockJump('n1', 5e6);
    const sentWhileDown = clocks.length;
    await world.drain();
    expect(clocks.length).toBe(sentWhileDown);
    world.restart('n1');
    await world.drain();
    expect(clocks.at(-1)).toEqual(['n1', { offsetNs: 165e6, driftPpm: 10_000 }]);
    world.pause('n2');
    world.clockOffset('n2', -7e6);
    await world.drain();
    expect(clocks.some(([node]) => node === 'n2')).toBe(false);
    world.resume('n2');
    await world.drain();
    expect(clocks.at(-1)).toEqual(['n2', { offsetNs: -7e6, driftPpm: 0 }]);
    await world.stop();
  });

  it('holds admin messages for a paused node until it resumes, loses them to a crashed one, and says what it cannot do', async () => {
    const { world, calls, injected } = fakeCluster();
    await world.start();
    world.pause('n1');
    world.inject('admin', 'n1', { type: 'x', n: 1 });
    world.crash('n2', 'lose');
    world.inject('admin', 'n2', { type: 'x', n: 2 });
    await world.drain();
    expect(injected).toEqual([]);
    world.resume('n1');
    await world.drain();
    expect(injected).toEqual([['n1', { type: 'x', n: 1 }]]);
    expect(calls.indexOf('inject n1')).toBeGreaterThan(calls.indexOf('resume n1'));
    world.diskFault('n3', NO_DISK_FAULTS);
    expect(world.errors).toEqual([]);
    world.diskFault('n3', { ...NO_DISK_FAULTS, full: true });
    world.addNode('n4');
    world.inject('n1', 'n3', { type: 'x' });
    expect(world.errors).toHaveLength(3);
    expect(world.errors.join('\n')).toMatch(/disk faults on n3 cannot be applied for real[\s\S]*n4 cannot be added[\s\S]*from n1 to n3 cannot be injected/);
    await world.stop();
  });

  it('counts a fault as ended when its real actions were done, not when they were asked for', async () => {
    const { world, advance } = fakeCluster({ killMs: 30 });
    await world.start();
    advance(1_000);
    world.crash('n1', 'lose');
    expect(world.settledAt(1_000)).toBeNull();
    await world.drain();
    const settled = world.settledAt(1_000);
    expect(settled).not.toBeNull();
    expect(world.settledAt(500)).toBe(500);
    await world.stop();
  });

  it('plays the shared nemesis: system targets resolved from statuses, its own kind by admin message, disk kinds as skips', async () => {
    const { world, calls, rules, injected } = fakeCluster();
    await world.start();
    const { catalog, unreal } = realCatalog(pluginFaultCatalog(leaderlessSystem));
    expect(unreal).toEqual(['disk-corrupt', 'disk-fsync-fail', 'disk-stall', 'disk-full']);
    const planned: { timeNs: number; action: () => void }[] = [];
    const nemesis = new Nemesis(world, catalog, (timeNs, action) => planned.push({ timeNs, action }));
    nemesis.plan(
      [
        { atMs: 1, kind: 'partition-isolate', role: 'freshest', durationMs: 5 },
        { atMs: 2, kind: 'coordinator-stall', role: 'stalest', durationMs: 5 },
        { atMs: 3, kind: 'disk-full', node: 'n2', durationMs: 5 },
        { atMs: 4, kind: 'drop', probability: 0.5, durationMs: 100 },
      ],
      50e6,
    );
    for (const { action } of planned.sort((a, b) => a.timeNs - b.timeNs)) action();
    await world.drain();
    const kinds = nemesis.records.map((record) => `${record.kind}.${record.phase}`);
    expect(kinds).toEqual([
      'partition-isolate.start',
      'coordinator-stall.start',
      'disk-full.skip',
      'drop.start',
      'partition-isolate.stop',
      'coordinator-stall.stop',
      'heal.start',
    ]);
    expect(nemesis.records[0]!.fields).toMatchObject({ node: 'n3', touched: 'n3' });
    expect(String(nemesis.records[2]!.fields.reason)).toMatch(/cannot apply for real/);
    expect(injected).toEqual([
      ['n1', { type: 'll.stall', on: true }],
      ['n1', { type: 'll.stall', on: false }],
    ]);
    // The isolation reached the proxies, and the heal left every proxy with no rule at all.
    expect(calls).toContain('rules n3 4');
    expect([...rules.values()].every((list) => list.length === 0)).toBe(true);
    expect(world.errors).toEqual([]);
    expect(NO_LINK_FAULTS.dropNum).toBe(0);
    await world.stop();
  });
});
