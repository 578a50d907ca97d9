import { describe, expect, it } from 'vitest';
import type { Host } from '../nodes/host.js';
import { echoClient, floodNode } from './testing/flood.js';
import { recorderNode, type RecorderCommand, type RecorderEntry } from './testing/recorder.js';
import type { TraceEvent } from './trace.js';
import { World, compareIds, type WorldConfig } from './world.js';

const LATENCY = 1_000_000;
const constant = { latency: { kind: 'constant' as const, ns: LATENCY } };

function recorderWorld(log: RecorderEntry[], extra: Partial<WorldConfig> = {}, onStart?: (host: Host) => void): World {
  const world = new World({ seed: 1, nodes: ['n1', 'n2', 'n3'], node: recorderNode(log, onStart), network: constant, ...extra });
  world.start();
  return world;
}

function command(world: World, to: string, cmd: RecorderCommand): void {
  world.inject('admin', to, cmd);
}

describe('world: messages and timers', () => {
  it('delivers a message after its link latency, with from and type in the trace', () => {
    const log: RecorderEntry[] = [];
    const world = recorderWorld(log);
    command(world, 'n1', { type: 'do', action: 'send', to: 'n2', payload: { type: 'hello' } });
    world.runUntil(10 * LATENCY);
    const injected = log.find((entry) => entry.node === 'n1' && entry.call === 'message');
    expect((injected?.detail as { from: string }).from).toBe('admin');
    expect(world.endpoints()).toEqual(['n1', 'n2', 'n3', 'admin']);
    const hello = log.find((entry) => entry.node === 'n2' && entry.call === 'message');
    expect(hello?.detail).toEqual({ from: 'n1', message: { type: 'hello' } });
    const delivers = world.trace().filter((event) => event.kind === 'msg.deliver');
    expect(delivers.map((event) => [event.time, event.node, event.fields?.type])).toEqual([
      [LATENCY, 'n1', 'do'],
      [2 * LATENCY, 'n2', 'hello'],
    ]);
    expect(world.stats().messagesDelivered).toBe(2);
  });

  it('fires timers after their node-clock delay, stretched by drift; cancelled timers never fire', () => {
    const log: RecorderEntry[] = [];
    const world = recorderWorld(log);
    world.clockDrift('n1', 250_000); // the clock runs 25% fast: 5 ms of clock take 4 ms of true time
    command(world, 'n1', { type: 'do', action: 'timer', delayNs: 5_000_000, tag: 'a' });
    command(world, 'n1', { type: 'do', action: 'timer', delayNs: 2_000_000, tag: 'b' });
    command(world, 'n1', { type: 'do', action: 'cancel-last-timer' });
    world.runUntil(20_000_000);
    const fired = world.trace().filter((event) => event.kind === 'timer.fire');
    expect(fired.map((event) => [event.node, event.fields?.tag, event.time])).toEqual([['n1', 'a', LATENCY + 4_000_000]]);
    expect(log.filter((entry) => entry.call === 'timer')).toHaveLength(1);
  });

  it('orders equal-time events by scheduling order', () => {
    const log: RecorderEntry[] = [];
    const world = recorderWorld(log);
    for (const tag of ['x', 'y', 'z']) command(world, 'n1', { type: 'do', action: 'timer', delayNs: 1000, tag });
    world.runUntil(5 * LATENCY);
    expect(log.filter((entry) => entry.call === 'timer').map((entry) => (entry.detail as { tag: string }).tag)).toEqual(['x', 'y', 'z']);
  });

  it('runUntil stops early when asked, and time never goes back', () => {
    const world = new World({ seed: 3, nodes: ['n1', 'n2'], node: floodNode(), network: constant, traceLimit: 0 });
    world.start();
    world.runUntil(50 * LATENCY, () => world.stats().messagesDelivered >= 10);
    expect(world.stats().messagesDelivered).toBe(10);
    expect(world.nowNs()).toBeLessThan(50 * LATENCY);
    expect(() => world.runUntil(world.nowNs() - 1)).toThrow();
    world.runUntil(60 * LATENCY);
    expect(world.nowNs()).toBe(60 * LATENCY);
  });

  it('drops messages to unknown destinations and to external senders, and says why', () => {
    const log: RecorderEntry[] = [];
    const world = recorderWorld(log);
    command(world, 'n1', { type: 'do', action: 'send', to: 'nobody', payload: 1 });
    command(world, 'n1', { type: 'do', action: 'send', to: 'admin', payload: 2 });
    world.runUntil(10 * LATENCY);
    const drops = world.trace().filter((event) => event.kind === 'msg.drop');
    expect(drops.map((event) => [event.fields?.to, event.fields?.reason])).toEqual([
      ['nobody', 'unknown-destination'],
      ['admin', 'no-process'],
    ]);
  });
});

describe('world: clients and history', () => {
  it('clients record invoke and completion with true time and increasing index, then finish', () => {
    const world = new World({
      seed: 5,
      nodes: ['n1', 'n2', 'n3'],
      node: floodNode({ burst: 1 }),
      clients: [
        { id: 'c1', factory: echoClient({ opsMax: 5, process: 0, processStride: 2 }) },
        { id: 'c2', factory: echoClient({ opsMax: 5, process: 1, processStride: 2 }) },
      ],
    });
    world.start();
    let previousTime = 0;
    world.observe((event) => {
      previousTime = event.time;
    });
    world.runUntil(1_000_000_000, () => world.clientsDone());
    expect(world.clientsDone()).toBe(true);
    const history = world.history();
    expect(history).toHaveLength(20);
    history.forEach((record, index) => {
      expect(record.index).toBe(index);
      expect(Number.isSafeInteger(record.time)).toBe(true);
      if (index > 0) expect(record.time).toBeGreaterThanOrEqual(history[index - 1]!.time);
    });
    expect(history.filter((record) => record.type === 'invoke')).toHaveLength(10);
    expect(history.filter((record) => record.type === 'ok').every((record) => record.node?.startsWith('n'))).toBe(true);
    expect(previousTime).toBeLessThanOrEqual(world.nowNs());
    expect(world.trace().filter((event) => event.kind === 'client.done').map((event) => event.node)).toEqual(expect.arrayContaining(['c1', 'c2']));
  });

  it('record() and done() are for clients only; a bad record fails its client', () => {
    const log: RecorderEntry[] = [];
    const world = recorderWorld(log, {}, (host) => {
      if (host.id === 'n1') (host as unknown as { record(r: unknown): void }).record({ process: 0, type: 'ok', f: 'x', value: 1 });
    });
    expect(world.failures().map((failure) => failure.node)).toEqual(['n1']);
    expect(world.failures()[0]!.message).toMatch(/not a client/);
    expect(world.status('n1')).toEqual({ down: 'crashed' });
  });
});

describe('world: process lifecycle', () => {
  it('a crash drops the process, cancels its timers and fsyncs, and drops messages while down', () => {
    const log: RecorderEntry[] = [];
    const world = recorderWorld(log);
    command(world, 'n2', { type: 'do', action: 'timer', delayNs: 5 * LATENCY, tag: 'old' });
    command(world, 'n2', { type: 'do', action: 'append', file: 'wal', text: 'x', fsyncTag: 'sync' });
    world.at(1_500_000, (w) => w.crash('n2', 'lose'));
    world.at(1_600_000, (w) => w.inject('admin', 'n2', { type: 'ping' }));
    world.at(3 * LATENCY, (w) => w.restart('n2'));
    world.runUntil(20 * LATENCY);
    const n2 = log.filter((entry) => entry.node === 'n2');
    expect(n2.map((entry) => [entry.call, entry.incarnation])).toEqual([
      ['start', 0],
      ['message', 0],
      ['message', 0],
      ['start', 1],
    ]);
    // The unsynced append was lost with the crash: the restarted node sees no files.
    expect(n2[3]!.detail).toEqual([]);
    const drop = world.trace().find((event) => event.kind === 'msg.drop');
    expect(drop?.fields?.reason).toBe('down');
    expect(world.process('n2')).not.toBeNull();
    expect(world.stats().crashes).toBe(1);
    expect(world.stats().restarts).toBe(1);
  });

  it('records a throwing handler as a failure, crashes that process, and runs on', () => {
    const log: RecorderEntry[] = [];
    const world = recorderWorld(log);
    command(world, 'n1', { type: 'do', action: 'throw', message: 'assertion: commit went back' });
    command(world, 'n2', { type: 'do', action: 'timer', delayNs: 5 * LATENCY, tag: 'later' });
    world.runUntil(20 * LATENCY);
    expect(world.failures()).toEqual([{ time: LATENCY, node: 'n1', message: 'Error: assertion: commit went back' }]);
    expect(world.process('n1')).toBeNull();
    expect(world.trace().some((event) => event.kind === 'proc.failure' && event.node === 'n1')).toBe(true);
    expect(log.some((entry) => entry.node === 'n2' && entry.call === 'timer')).toBe(true);
  });

  it('pause holds events in arrival order and delivers them after resume; nothing runs in between', () => {
    const world = new World({ seed: 9, nodes: ['n1', 'n2', 'n3'], node: floodNode({ burst: 3 }), network: constant });
    world.start();
    const pauseAt = 10_500_000;
    const resumeAt = 30_500_000;
    world.at(pauseAt, (w) => w.pause('n2'));
    world.at(resumeAt, (w) => w.resume('n2'));
    world.runUntil(40_000_000);
    const trace = world.trace();
    const handledByN2 = (event: TraceEvent) => event.node === 'n2' && ['msg.deliver', 'timer.fire', 'disk.fsync'].includes(event.kind);
    expect(trace.filter((event) => handledByN2(event) && event.time >= pauseAt && event.time < resumeAt)).toEqual([]);
    // Every message that arrived at n2 while it was paused is delivered at resume, in order.
    const arrivedWhilePaused = trace
      .filter((event) => event.kind === 'msg.send' && event.fields?.to === 'n2' && event.time + LATENCY >= pauseAt && event.time + LATENCY < resumeAt)
      .map((event) => event.fields?.id);
    expect(arrivedWhilePaused.length).toBeGreaterThan(20);
    const atResume = trace.filter((event) => event.kind === 'msg.deliver' && event.node === 'n2' && event.time === resumeAt).map((event) => event.fields?.id);
    expect(atResume).toEqual(arrivedWhilePaused);
    expect(trace.some((event) => event.kind === 'timer.fire' && event.node === 'n2' && event.time === resumeAt)).toBe(true);
  });

  it('a paused process holds at most holdMax events; beyond that they are dropped', () => {
    const world = new World({ seed: 9, nodes: ['n1', 'n2', 'n3'], node: floodNode({ burst: 3 }), network: constant, holdMax: 5 });
    world.start();
    world.at(10_500_000, (w) => w.pause('n2'));
    world.at(30_500_000, (w) => w.resume('n2'));
    world.runUntil(31_000_000);
    expect(world.trace().filter((event) => event.kind === 'msg.deliver' && event.node === 'n2' && event.time === 30_500_000)).toHaveLength(5);
    expect(world.trace().some((event) => event.kind === 'msg.drop' && event.fields?.reason === 'hold-full')).toBe(true);
  });

  it('faults that do not apply are recorded as no-ops', () => {
    const world = new World({ seed: 1, nodes: ['n1'], node: floodNode(), network: constant });
    world.start();
    world.resume('n1');
    world.restart('n1');
    world.crash('n1');
    world.crash('n1');
    const faults = world.trace().filter((event) => event.node === null);
    expect(faults.map((event) => [event.kind, event.fields?.noop])).toEqual([
      ['fault.resume', true],
      ['fault.restart', true],
      ['fault.crash', false],
      ['fault.crash', true],
    ]);
    expect(world.stats().crashes).toBe(1);
  });

  it('membership: addNode starts a fresh node that peers() lists; removeNode takes one out', () => {
    const log: RecorderEntry[] = [];
    const peersSeen: string[][] = [];
    const world = recorderWorld(log, {}, (host) => peersSeen.push([host.id, ...host.peers()]));
    world.addNode('n10');
    expect(world.nodes()).toEqual(['n1', 'n2', 'n3', 'n10']);
    expect(peersSeen.at(-1)).toEqual(['n10', 'n1', 'n2', 'n3', 'n10']);
    world.removeNode('n2');
    expect(world.nodes()).toEqual(['n1', 'n3', 'n10']);
    expect(world.process('n2')).toBeNull();
    expect(world.status('n2')).toEqual({ down: 'removed' });
    command(world, 'n2', { type: 'ping' } as unknown as RecorderCommand);
    world.runUntil(5 * LATENCY);
    expect(log.filter((entry) => entry.node === 'n2' && entry.call === 'message')).toEqual([]);
    world.addNode('n2');
    expect(world.process('n2')).not.toBeNull();
    expect(world.nodes()).toEqual(['n1', 'n2', 'n3', 'n10']);
  });

  it('ids sort numerically', () => {
    expect(['n10', 'n2', 'n1', 'c3', 'n2a'].sort(compareIds)).toEqual(['c3', 'n1', 'n2', 'n2a', 'n10']);
  });

  it('fault points answer from their own stream when enabled; bugs come from the config', () => {
    const answers: boolean[] = [];
    const make = (enabled: boolean) =>
      new World({
        seed: 1,
        nodes: ['n1'],
        bugs: ['demo.bug'],
        faultPoints: { enabled, numerator: 1, denominator: 1 },
        node: (host) => ({
          start: () => {
            answers.push(host.faultPoint('x'), host.bug('demo.bug'), host.bug('other.bug'));
          },
          onMessage: () => {},
          onTimer: () => {},
          onFsync: () => {},
        }),
      });
    make(true).start();
    make(false).start();
    expect(answers).toEqual([true, true, false, false, true, false]);
  });

  it('validates its config', () => {
    const node = floodNode();
    expect(() => new World({ seed: -1, nodes: ['n1'], node })).toThrow(/seed/);
    expect(() => new World({ seed: 1, nodes: ['n1', 'n1'], node })).toThrow(/unique/);
    expect(() => new World({ seed: 1, nodes: ['n1'], node, network: { den: 0 } })).toThrow(/den/);
    expect(() => new World({ seed: 1, nodes: ['n1'], node, network: { latency: { kind: 'uniform', minNs: 5, maxNs: 1 } } })).toThrow(/minNs/);
  });
});
