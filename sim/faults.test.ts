// Property tests of fault semantics, each against the test's own model of what the fault means.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WALL_EPOCH_NS } from './clock.js';
import type { NodeId } from '../nodes/host.js';
import { echoClient, floodNode } from './testing/flood.js';
import { recorderNode, type RecorderEntry } from './testing/recorder.js';
import { World } from './world.js';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
const MS = 1_000_000;

type PartitionStep =
  | { atMs: number; kind: 'groups'; assignment: number[] }
  | { atMs: number; kind: 'isolate'; node: number; merge: boolean }
  | { atMs: number; kind: 'one-way'; from: number; to: number; merge: boolean }
  | { atMs: number; kind: 'heal' };

const partitionStep: fc.Arbitrary<PartitionStep> = fc.oneof(
  fc.record({ atMs: fc.integer({ min: 0, max: 150 }), kind: fc.constant('groups' as const), assignment: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 5, maxLength: 5 }) }),
  fc.record({ atMs: fc.integer({ min: 0, max: 150 }), kind: fc.constant('isolate' as const), node: fc.integer({ min: 0, max: 6 }), merge: fc.boolean() }),
  fc.record({ atMs: fc.integer({ min: 0, max: 150 }), kind: fc.constant('one-way' as const), from: fc.integer({ min: 0, max: 4 }), to: fc.integer({ min: 0, max: 4 }), merge: fc.boolean() }),
  fc.record({ atMs: fc.integer({ min: 0, max: 150 }), kind: fc.constant('heal' as const) }),
);

describe('fault semantics (properties)', () => {
  it('no message crosses a partition that is active when it arrives', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.array(partitionStep, { minLength: 1, maxLength: 8 }), (seed, steps) => {
        const clients = ['c1', 'c2'];
        const all = [...NODES, ...clients];
        const world = new World({
          seed,
          nodes: NODES,
          node: floodNode({ burst: 2, hopsMax: 4, durableEcho: false }),
          clients: clients.map((id, index) => ({ id, factory: echoClient({ opsMax: 40, intervalNs: MS, timeoutNs: 10 * MS, process: index, processStride: 2 }) })),
          traceLimit: 0,
        });
        // The test's own model of the cut links, updated by the same control events as the world.
        let cut = new Set<string>();
        const violations: string[] = [];
        world.observe((event) => {
          if (event.kind !== 'msg.deliver') return;
          const link = `${event.fields!.from}>${event.fields!.to}`;
          if (cut.has(link)) violations.push(`${event.time}: ${link}`);
        });
        for (const step of steps) {
          world.at(step.atMs * MS, (w) => {
            const next = new Set(step.kind !== 'heal' && 'merge' in step && step.merge ? cut : []);
            switch (step.kind) {
              case 'groups': {
                w.partition({ kind: 'groups', groups: [0, 1, 2].map((group) => NODES.filter((_, index) => step.assignment[index] === group)) });
                for (const a of NODES) for (const b of NODES) if (step.assignment[NODES.indexOf(a)] !== step.assignment[NODES.indexOf(b)]) next.add(`${a}>${b}`);
                break;
              }
              case 'isolate': {
                const node = all[step.node]!;
                w.partition({ kind: 'isolate', node, merge: step.merge });
                for (const other of all) if (other !== node) next.add(`${node}>${other}`).add(`${other}>${node}`);
                break;
              }
              case 'one-way': {
                if (step.from === step.to) return;
                w.partition({ kind: 'one-way', from: NODES[step.from]!, to: NODES[step.to]!, merge: step.merge });
                next.add(`${NODES[step.from]}>${NODES[step.to]}`);
                break;
              }
              case 'heal':
                w.heal();
                break;
            }
            cut = next;
          });
        }
        world.start();
        world.runUntil(200 * MS);
        expect(violations).toEqual([]);
        expect(world.stats().messagesDelivered).toBeGreaterThan(0);
      }),
      { numRuns: 40 },
    );
  });

  it('acknowledged (fsynced) writes survive any crashes; a lose crash keeps exactly the durable bytes', () => {
    const crashStep = fc.record({
      atMs: fc.integer({ min: 1, max: 180 }),
      node: fc.integer({ min: 0, max: 2 }),
      mode: fc.constantFrom('lose' as const, 'tear' as const, undefined),
      downMs: fc.integer({ min: 0, max: 30 }),
      fsyncFail: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.array(crashStep, { minLength: 1, maxLength: 6 }), (seed, steps) => {
        const nodes = NODES.slice(0, 3);
        const clients = ['c1', 'c2'];
        const world = new World({
          seed,
          nodes,
          node: floodNode({ burst: 0, durableEcho: true }),
          clients: clients.map((id, index) => ({ id, factory: echoClient({ opsMax: 60, intervalNs: MS, timeoutNs: 8 * MS, process: index, processStride: 2 }) })),
          traceLimit: 0,
        });
        const loseMismatches: string[] = [];
        world.observe((event, w) => {
          if (event.kind !== 'proc.crash' || event.fields?.mode !== 'lose') return;
          const disk = w.disk(event.node!);
          const read = disk.read('echo.log');
          const durable = disk.durableContents('echo.log');
          if (JSON.stringify(read && [...read]) !== JSON.stringify(durable && [...durable])) loseMismatches.push(event.node!);
        });
        for (const step of steps) {
          const node = nodes[step.node]!;
          world.at(step.atMs * MS, (w) => {
            w.diskFault(node, { fsyncFail: step.fsyncFail });
            w.crash(node, step.mode);
          });
          world.at((step.atMs + step.downMs) * MS, (w) => {
            w.diskFault(node, { fsyncFail: false });
            w.restart(node);
          });
        }
        world.start();
        world.runUntil(300 * MS);
        expect(loseMismatches).toEqual([]);
        const acknowledged = world.history().filter((record) => record.type === 'ok');
        expect(acknowledged.length).toBeGreaterThan(0);
        const decoder = new TextDecoder();
        for (const record of acknowledged) {
          const durable = decoder.decode(world.disk(record.node!).durableContents('echo.log') ?? new Uint8Array());
          const value = record.value as number;
          const line = `${clients[record.process % 2]} ${Math.floor(value / 1000)} ${value}\n`;
          expect(durable.includes(line), `acknowledged ${line.trim()} missing from ${record.node}`).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('paused processes handle nothing until resumed, then get their held events in arrival order', () => {
    const pauseStep = fc.record({ node: fc.integer({ min: 0, max: 2 }), atMs: fc.integer({ min: 0, max: 100 }), forMs: fc.integer({ min: 0, max: 40 }) });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.array(pauseStep, { minLength: 1, maxLength: 5 }), (seed, steps) => {
        const nodes = NODES.slice(0, 3);
        const world = new World({ seed, nodes, node: floodNode({ burst: 2, hopsMax: 6 }), traceLimit: 0 });
        const paused = new Map<NodeId, number>();
        const held = new Map<NodeId, number[]>();
        const afterResume = new Map<NodeId, number[][]>();
        const violations: string[] = [];
        world.observe((event) => {
          const node = event.node;
          if (node === null) return;
          const handled = event.kind === 'msg.deliver' || event.kind === 'timer.fire' || event.kind === 'disk.fsync';
          if (handled && (paused.get(node) ?? 0) > 0) violations.push(`${event.time} ${node} ${event.kind} while paused`);
          if (event.kind === 'msg.hold') held.get(node)!.push(event.fields!.id as number);
          if (event.kind === 'msg.deliver') for (const list of afterResume.get(node) ?? []) list.push(event.fields!.id as number);
        });
        const orders: { node: NodeId; held: number[]; delivered: number[] }[] = [];
        for (const step of steps) {
          const node = nodes[step.node]!;
          world.at(step.atMs * MS, (w) => {
            // Nested pauses of one node count as one: the model pauses only a running node.
            if ((paused.get(node) ?? 0) > 0) return;
            paused.set(node, 1);
            held.set(node, []);
            w.pause(node);
          });
          world.at((step.atMs + step.forMs) * MS, (w) => {
            if ((paused.get(node) ?? 0) === 0) return;
            paused.set(node, 0);
            const record = { node, held: held.get(node)!, delivered: [] as number[] };
            orders.push(record);
            afterResume.set(node, [...(afterResume.get(node) ?? []), record.delivered]);
            w.resume(node);
          });
        }
        world.start();
        world.runUntil(200 * MS);
        expect(violations).toEqual([]);
        for (const order of orders) {
          const heldSet = new Set(order.held);
          expect(order.delivered.filter((id) => heldSet.has(id))).toEqual(order.held);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('wall clocks stay within the configured skew and drift; monotonic clocks only drift, and timers never fire early on them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 100 * MS }), fc.integer({ min: 0, max: 5000 }), (seed, offsetNsMax, driftPpmMax) => {
        const readings: { trueNs: number; clockNs: number; monoNs: number; node: NodeId; setAt: number; delay: number }[] = [];
        const world = new World({
          seed,
          nodes: ['n1', 'n2', 'n3'],
          clock: { offsetNsMax, driftPpmMax },
          traceLimit: 0,
          node: (host) => {
            let setAt = 0;
            let delay = 0;
            const arm = () => {
              setAt = host.monotonicNow();
              delay = host.random.range(0, 20 * MS);
              host.setTimer(delay, 't');
            };
            return {
              start: arm,
              onMessage: () => {},
              onFsync: () => {},
              onTimer: () => {
                readings.push({ trueNs: world.nowNs(), clockNs: host.wallNow(), monoNs: host.monotonicNow(), node: host.id, setAt, delay });
                arm();
              },
            };
          },
        });
        world.start();
        world.runUntil(2000 * MS);
        expect(readings.length).toBeGreaterThan(100);
        for (const reading of readings) {
          const bound = offsetNsMax + (driftPpmMax * reading.trueNs) / 1e6 + 1;
          expect(Math.abs(reading.clockNs - WALL_EPOCH_NS - reading.trueNs)).toBeLessThanOrEqual(bound);
          // Timers count on the monotonic clock, which only drift moves: never early there.
          expect(reading.monoNs - reading.setAt).toBeGreaterThanOrEqual(reading.delay - 1);
          expect(Math.abs(reading.monoNs - reading.trueNs)).toBeLessThanOrEqual((driftPpmMax * reading.trueNs) / 1e6 + 1);
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('fault semantics (examples)', () => {
  const constant = { latency: { kind: 'constant' as const, ns: MS } };

  it('link faults: loss drops everything at den/den; duplication delivers twice; reordering delays', () => {
    const run = (spec: Parameters<World['setLinkFaults']>[0]) => {
      const world = new World({ seed: 2, nodes: ['n1', 'n2', 'n3'], node: floodNode({ burst: 2, hopsMax: 1 }), network: constant });
      world.start();
      world.setLinkFaults(spec);
      world.runUntil(30 * MS);
      return world;
    };
    const lossy = run({ dropNum: 100, den: 100 });
    expect(lossy.stats().messagesDelivered).toBe(0);
    expect(lossy.trace().filter((event) => event.kind === 'msg.drop').every((event) => event.fields?.reason === 'loss')).toBe(true);

    const duplicating = run({ dupNum: 1, den: 1 });
    const delivered = duplicating.trace().filter((event) => event.kind === 'msg.deliver');
    const counts = new Map<unknown, number>();
    for (const event of delivered) counts.set(event.fields!.id, (counts.get(event.fields!.id) ?? 0) + 1);
    expect(delivered.length).toBeGreaterThan(10);
    expect([...counts.values()].every((count) => count === 2)).toBe(true);

    const reordering = run({ reorderNum: 1, den: 2, reorderNsMax: 5 * MS });
    const sends = new Map(reordering.trace().filter((event) => event.kind === 'msg.send').map((event) => [event.fields!.id, event.time]));
    const delays = reordering.trace().filter((event) => event.kind === 'msg.deliver').map((event) => event.time - sends.get(event.fields!.id)!);
    expect(Math.min(...delays)).toBe(MS);
    expect(Math.max(...delays)).toBeGreaterThan(2 * MS);
    expect(delays.every((delay) => delay <= 6 * MS)).toBe(true);
  });

  it('a link fault narrowed to one link leaves the others alone; per-link latency overrides apply', () => {
    const world = new World({
      seed: 2,
      nodes: ['n1', 'n2', 'n3'],
      node: floodNode({ burst: 2, hopsMax: 1 }),
      network: { ...constant, links: [{ from: 'n2', to: 'n3', latency: { kind: 'constant', ns: 3 * MS } }] },
    });
    world.start();
    world.setLinkFaults({ from: 'n1', to: 'n2', dropNum: 1, den: 1 });
    world.runUntil(30 * MS);
    const trace = world.trace();
    const sends = new Map(trace.filter((event) => event.kind === 'msg.send').map((event) => [event.fields!.id, event.time]));
    const delivered = trace.filter((event) => event.kind === 'msg.deliver');
    expect(delivered.some((event) => event.fields!.from === 'n1' && event.fields!.to === 'n2')).toBe(false);
    expect(delivered.some((event) => event.fields!.from === 'n1' && event.fields!.to === 'n3')).toBe(true);
    const n2n3 = delivered.filter((event) => event.fields!.from === 'n2' && event.fields!.to === 'n3');
    expect(n2n3.length).toBeGreaterThan(0);
    expect(n2n3.every((event) => event.time - sends.get(event.fields!.id)! === 3 * MS)).toBe(true);
  });

  it('a clogged link holds its messages until the given time, then releases them in order', () => {
    const world = new World({ seed: 4, nodes: ['n1', 'n2'], node: floodNode({ burst: 3, hopsMax: 1 }), network: constant });
    world.start();
    world.at(5 * MS + 1, (w) => w.clog('n1', 'n2', 20 * MS + 7));
    world.runUntil(30 * MS);
    const trace = world.trace();
    const n1n2 = trace.filter((event) => event.kind === 'msg.deliver' && event.fields!.from === 'n1');
    expect(n1n2.filter((event) => event.time > 5 * MS + 1 && event.time < 20 * MS + 7)).toEqual([]);
    const released = n1n2.filter((event) => event.time === 20 * MS + 7).map((event) => event.fields!.id as number);
    expect(released.length).toBeGreaterThan(10);
    expect(released).toEqual([...released].sort((a, b) => a - b));
    // The other direction was never clogged.
    expect(trace.some((event) => event.kind === 'msg.deliver' && event.fields!.from === 'n2' && event.time > 6 * MS && event.time < 20 * MS)).toBe(true);
  });

  it('disk faults through the world: fsync failure reports ok=false; a full disk fails the writer', () => {
    const log: RecorderEntry[] = [];
    const world = new World({ seed: 1, nodes: ['n1', 'n2'], node: recorderNode(log), network: constant });
    world.start();
    world.diskFault('n1', { fsyncFail: true, stallNs: 7 * MS });
    world.inject('admin', 'n1', { type: 'do', action: 'append', file: 'wal', text: 'abc', fsyncTag: 'w1' });
    world.diskFault('n2', { full: true });
    world.inject('admin', 'n2', { type: 'do', action: 'append', file: 'wal', text: 'abc', fsyncTag: 'w2' });
    world.runUntil(20 * MS);
    const fsync = log.find((entry) => entry.call === 'fsync');
    expect(fsync?.detail).toEqual({ tag: 'w1', ok: false });
    expect(world.trace().find((event) => event.kind === 'disk.fsync')!.time).toBeGreaterThanOrEqual(8 * MS);
    expect(world.disk('n1').durableContents('wal')).toBeNull();
    expect(world.failures().map((failure) => [failure.node, failure.message])).toEqual([['n2', expect.stringMatching(/ENOSPC|disk full/)]]);
  });
});
