// Same seed and config: same fingerprint, history and trace. Different seeds: different runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PartitionSpec } from './partition.js';
import { echoClient, floodNode } from './testing/flood.js';
import { World, type WorldConfig } from './world.js';

const MS = 1_000_000;
const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];

function config(seed: number, extra: Partial<WorldConfig> = {}): WorldConfig {
  return {
    seed,
    nodes: NODES,
    node: floodNode({ burst: 2, hopsMax: 5, durableEcho: true }),
    clients: ['c1', 'c2'].map((id, index) => ({ id, factory: echoClient({ opsMax: 30, intervalNs: MS, timeoutNs: 10 * MS, process: index, processStride: 2 }) })),
    network: { latency: { kind: 'exponential', minNs: 200_000, meanNs: MS, maxNs: 20 * MS }, dropNum: 5, dupNum: 5, reorderNum: 5, den: 1000 },
    clock: { offsetNsMax: 5 * MS, driftPpmMax: 100 },
    faultPoints: { enabled: true, numerator: 1, denominator: 50 },
    ...extra,
  };
}

/** One fault action of every kind the World offers, with its parameters. */
type FaultAction =
  | { kind: 'partition'; spec: PartitionSpec }
  | { kind: 'heal' }
  | { kind: 'link'; dropNum: number; dupNum: number; reorderNum: number; uniformMaxMs: number }
  | { kind: 'clear-link' }
  | { kind: 'clog'; from: number; to: number; forMs: number }
  | { kind: 'crash'; node: number; mode: 'lose' | 'tear' | undefined }
  | { kind: 'restart'; node: number }
  | { kind: 'pause'; node: number }
  | { kind: 'resume'; node: number }
  | { kind: 'clock-offset'; node: number; ms: number }
  | { kind: 'clock-drift'; node: number; ppm: number }
  | { kind: 'clock-jump'; node: number; ms: number }
  | { kind: 'disk'; node: number; corruptReads: boolean; fsyncFail: boolean; stallMs: number; full: boolean }
  | { kind: 'add'; name: string }
  | { kind: 'remove'; node: number }
  | { kind: 'inject'; node: number };

const node = fc.integer({ min: 0, max: 4 });
const partitionSpec: fc.Arbitrary<PartitionSpec> = fc.oneof(
  node.map((index): PartitionSpec => ({ kind: 'isolate', node: NODES[index]! })),
  fc.constant<PartitionSpec>({ kind: 'halves' }),
  fc.constant<PartitionSpec>({ kind: 'bridge' }),
  fc.constant<PartitionSpec>({ kind: 'ring' }),
  fc.tuple(node, node).filter(([a, b]) => a !== b).map(([a, b]): PartitionSpec => ({ kind: 'one-way', from: NODES[a]!, to: NODES[b]!, merge: true })),
  node.map((index): PartitionSpec => ({ kind: 'client-reach', client: 'c1', reach: [NODES[index]!] })),
);
const faultAction: fc.Arbitrary<FaultAction> = fc.oneof(
  partitionSpec.map((spec) => ({ kind: 'partition' as const, spec })),
  fc.constant({ kind: 'heal' as const }),
  fc.record({ kind: fc.constant('link' as const), dropNum: fc.integer({ min: 0, max: 300 }), dupNum: fc.integer({ min: 0, max: 300 }), reorderNum: fc.integer({ min: 0, max: 300 }), uniformMaxMs: fc.integer({ min: 1, max: 10 }) }),
  fc.constant({ kind: 'clear-link' as const }),
  fc.record({ kind: fc.constant('clog' as const), from: node, to: node, forMs: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant('crash' as const), node, mode: fc.constantFrom('lose' as const, 'tear' as const, undefined) }),
  fc.record({ kind: fc.constant('restart' as const), node }),
  fc.record({ kind: fc.constant('pause' as const), node }),
  fc.record({ kind: fc.constant('resume' as const), node }),
  fc.record({ kind: fc.constant('clock-offset' as const), node, ms: fc.integer({ min: -50, max: 50 }) }),
  fc.record({ kind: fc.constant('clock-drift' as const), node, ppm: fc.integer({ min: -1000, max: 1000 }) }),
  fc.record({ kind: fc.constant('clock-jump' as const), node, ms: fc.integer({ min: -50, max: 50 }) }),
  fc.record({ kind: fc.constant('disk' as const), node, corruptReads: fc.boolean(), fsyncFail: fc.boolean(), stallMs: fc.integer({ min: 0, max: 20 }), full: fc.boolean() }),
  fc.record({ kind: fc.constant('add' as const), name: fc.constantFrom('n6', 'n7') }),
  fc.record({ kind: fc.constant('remove' as const), node }),
  fc.record({ kind: fc.constant('inject' as const), node }),
);
const schedule = fc.array(fc.record({ atMs: fc.integer({ min: 0, max: 120 }), action: faultAction }), { maxLength: 25 });

function apply(world: World, action: FaultAction): void {
  const id = (index: number) => NODES[index]!;
  switch (action.kind) {
    case 'partition':
      return world.partition(action.spec);
    case 'heal':
      return world.heal();
    case 'link':
      return world.setLinkFaults({ dropNum: action.dropNum, dupNum: action.dupNum, reorderNum: action.reorderNum, den: 1000, latency: { kind: 'uniform', minNs: 0, maxNs: action.uniformMaxMs * MS } });
    case 'clear-link':
      return world.clearLinkFaults();
    case 'clog':
      return world.clog(id(action.from), id(action.to), world.nowNs() + action.forMs * MS);
    case 'crash':
      return world.crash(id(action.node), action.mode);
    case 'restart':
      return world.restart(id(action.node));
    case 'pause':
      return world.pause(id(action.node));
    case 'resume':
      return world.resume(id(action.node));
    case 'clock-offset':
      return world.clockOffset(id(action.node), action.ms * MS);
    case 'clock-drift':
      return world.clockDrift(id(action.node), action.ppm);
    case 'clock-jump':
      return world.clockJump(id(action.node), action.ms * MS);
    case 'disk':
      return world.diskFault(id(action.node), { corruptReads: action.corruptReads, fsyncFail: action.fsyncFail, stallNs: action.stallMs * MS, full: action.full });
    case 'add':
      return world.addNode(action.name);
    case 'remove':
      return world.removeNode(id(action.node));
    case 'inject':
      return world.inject('admin', id(action.node), { type: 'echo.request', seq: 1, value: 7 });
  }
}

function run(seed: number, steps: { atMs: number; action: FaultAction }[], extra: Partial<WorldConfig> = {}) {
  const world = new World(config(seed, extra));
  for (const step of steps) world.at(step.atMs * MS, (w) => apply(w, step.action));
  world.start();
  world.runUntil(200 * MS);
  return world;
}

describe('determinism', () => {
  it('the same seed and config give the same fingerprint, history and trace', () => {
    const a = run(42, []);
    const b = run(42, []);
    expect(a.stats().messagesDelivered).toBeGreaterThan(1000);
    expect(a.history().length).toBeGreaterThan(50);
    expect(b.fingerprint()).toBe(a.fingerprint());
    expect(b.history()).toEqual(a.history());
    expect(b.trace()).toEqual(a.trace());
    expect(b.stats()).toEqual(a.stats());
  });

  it('different seeds give different fingerprints', () => {
    const fingerprints = new Set<string>();
    for (let seed = 0; seed < 12; seed++) fingerprints.add(run(seed, []).fingerprint());
    expect(fingerprints.size).toBe(12);
  });

  it('how much trace is kept, and who observes, does not change the fingerprint', () => {
    const full = run(7, [{ atMs: 10, action: { kind: 'crash', node: 1, mode: 'tear' } }]);
    const none = run(7, [{ atMs: 10, action: { kind: 'crash', node: 1, mode: 'tear' } }], { traceLimit: 0 });
    const some = run(7, [{ atMs: 10, action: { kind: 'crash', node: 1, mode: 'tear' } }], { traceLimit: 100 });
    expect(none.trace()).toEqual([]);
    expect(some.trace()).toEqual(full.trace().slice(0, 100));
    expect(none.fingerprint()).toBe(full.fingerprint());
    expect(some.fingerprint()).toBe(full.fingerprint());
    expect(none.stats().traceEvents).toBe(full.stats().traceEvents);
  });

  it('a fault changes the fingerprint', () => {
    const plain = run(3, []);
    const faulted = run(3, [{ atMs: 50, action: { kind: 'clock-jump', node: 0, ms: 1 } }]);
    expect(faulted.fingerprint()).not.toBe(plain.fingerprint());
  });

  it('any fault schedule (every fault kind) replays identically', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), schedule, (seed, steps) => {
        const a = run(seed, steps);
        const b = run(seed, steps);
        expect(b.fingerprint()).toBe(a.fingerprint());
        expect(b.history()).toEqual(a.history());
        expect(b.trace()).toEqual(a.trace());
        expect(b.failures()).toEqual(a.failures());
      }),
      { numRuns: 20 },
    );
  });
});
