// The proxies' rules for a network state: cross-checked against the simulator's own partition
// planner, so a partition shape cuts the same links on both substrates.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../nodes/host.js';
import { SimRandom } from '../../sim/index.js';
import { planPartition, type PartitionSpec } from '../../sim/partition.js';
import { NO_LINK_FAULTS, type PartitionShape } from '../../faults/world-port.js';
import { type LinkRule, ruleFor } from '../tcp/proxy.js';
import { HEALTHY_NETWORK, linkKey, partitionCuts, proxyRules } from './link-rules.js';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];

/** The simulator's cut links for a shape, through the same specs scripts/lab/world-adapter.ts sends. */
function simulatorCuts(shape: PartitionShape): Set<string> {
  const specs: PartitionSpec[] =
    shape.shape === 'isolate'
      ? [{ kind: 'isolate', node: shape.node }]
      : shape.shape === 'halves'
        ? [{ kind: 'halves', minority: [...shape.side] }]
        : shape.shape === 'bridge'
          ? [{ kind: 'bridge', bridge: shape.bridge, left: [...shape.left], right: [...shape.right] }]
          : shape.shape === 'ring'
            ? [{ kind: 'ring', order: [...shape.order] }]
            : shape.from.flatMap((from) => shape.to.filter((to) => to !== from).map((to): PartitionSpec => ({ kind: 'one-way', from, to })));
  const cuts = new Set<string>();
  for (const spec of specs) for (const [a, b] of planPartition(spec, NODES, NODES, SimRandom.stream(1, 'test')).cuts) cuts.add(linkKey(a, b));
  return cuts;
}

const shapes: fc.Arbitrary<PartitionShape> = fc.shuffledSubarray(NODES, { minLength: NODES.length }).chain((order) =>
  fc.oneof(
    fc.constant<PartitionShape>({ shape: 'isolate', node: order[0]! }),
    fc.integer({ min: 1, max: 4 }).map((cut): PartitionShape => ({ shape: 'halves', side: order.slice(0, cut) })),
    fc.integer({ min: 1, max: 3 }).map((cut): PartitionShape => ({ shape: 'bridge', bridge: order[0]!, left: order.slice(1, cut + 1), right: order.slice(cut + 1) })),
    fc.constant<PartitionShape>({ shape: 'ring', order }),
    fc.integer({ min: 1, max: 4 }).map((cut): PartitionShape => ({ shape: 'one-way', from: order.slice(0, cut), to: order.slice(cut) })),
  ),
);

/** Whether the proxies let a frame from `from` reach `to` (the rule on `to`'s proxy decides). */
function passes(rules: Map<NodeId, LinkRule[]>, from: NodeId, to: NodeId): boolean {
  return ruleFor(rules.get(to) ?? [], from, to)?.cut !== true;
}

describe('proxy rules of the nemesis network state', () => {
  it('cut exactly the links between servers the simulator cuts, for every partition shape', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const { cuts, isolated } = partitionCuts(shape, NODES);
        expect([...cuts].sort()).toEqual([...simulatorCuts(shape)].sort());
        const rules = proxyRules(NODES, { ...HEALTHY_NETWORK, cuts, isolated });
        for (const from of NODES) for (const to of NODES) if (from !== to) expect(passes(rules, from, to)).toBe(!cuts.has(linkKey(from, to)));
        // Clients reach every node but an isolated one, both ways (the simulator isolates from every endpoint).
        for (const node of NODES) {
          expect(passes(rules, 'c0', node)).toBe(!isolated.has(node));
          expect(ruleFor(rules.get(node)!, node, 'c0')?.cut === true).toBe(isolated.has(node));
        }
        expect(isolated.size).toBe(shape.shape === 'isolate' ? 1 : 0);
      }),
    );
  });

  it('put link faults on every link, clogs on theirs, and nothing at all on a healthy network', () => {
    expect([...proxyRules(NODES, HEALTHY_NETWORK).values()].every((list) => list.length === 0)).toBe(true);
    const faults = { ...NO_LINK_FAULTS, dropNum: 100_000, dupNum: 50_000, reorderNum: 20_000, reorderDelayNsMax: 7.2e6, delayNsMin: 3e6, delayNsMax: 10e6 };
    const rules = proxyRules(NODES, { ...HEALTHY_NETWORK, faults, clogs: new Set([linkKey('n1', 'n2')]) });
    const expected = { lossPercent: 10, dupPercent: 5, reorderPercent: 2, reorderMsMax: 8, delayMs: 3, jitterMs: 7 };
    for (const [from, to] of [
      ['n1', 'n2'],
      ['n3', 'n1'],
      ['c0', 'n4'],
      ['n4', 'c0'],
    ] as const) {
      const rule = ruleFor(rules.get(to.startsWith('n') ? to : from)!, from, to);
      expect(rule).toMatchObject({ ...expected, cut: false });
      expect(rule?.hold === true).toBe(from === 'n1' && to === 'n2');
    }
  });
});
