// The Maelstrom network and its World: what the nemesis sets is what happens to envelopes.
import { afterEach, describe, expect, it } from 'vitest';
import { NO_LINK_FAULTS } from '../../faults/world-port.js';
import type { Envelope } from '../../workloads/maelstrom/protocol.js';
import { createRandom } from '../tcp/random.js';
import { MaelstromNetwork } from './network.js';
import { MaelstromWorld } from './world.js';

const NODES = ['n1', 'n2', 'n3'];
let network: MaelstromNetwork | null = null;

afterEach(() => network?.stop());

function setup(latencyMs = 0, clock: () => number = () => 0): { net: MaelstromNetwork; world: MaelstromWorld; got: Envelope[] } {
  const got: Envelope[] = [];
  const net = new MaelstromNetwork({
    nodes: NODES,
    random: createRandom(1, 'test'),
    latencyMs,
    deliver: (envelope) => {
      if (envelope.dest === 'nobody') return false;
      got.push(envelope);
      return true;
    },
  });
  network = net;
  return { net, world: new MaelstromWorld(net, NODES, clock), got };
}

function envelope(src: string, dest: string, msgId = 1): Envelope {
  return { src, dest, body: { type: 'ping', msg_id: msgId } };
}

const settle = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('MaelstromNetwork', () => {
  it('delivers, and answers an unknown destination with node-not-found', async () => {
    const { net, got } = setup();
    net.send(envelope('n1', 'n2'));
    net.send(envelope('c1', 'nobody', 7));
    await settle();
    expect(got[0]).toEqual(envelope('n1', 'n2'));
    expect(got[1]).toEqual({ src: 'nobody', dest: 'c1', body: { type: 'error', in_reply_to: 7, code: 1, text: 'no node nobody in this test' } });
    expect(net.stats).toMatchObject({ serverMessages: 1, otherMessages: 1, unknownDestination: 1 });
  });

  it('cuts the links a partition cuts, and an isolated node off from its clients too', async () => {
    const { net, world, got } = setup();
    world.partition({ shape: 'halves', side: ['n1'] });
    net.send(envelope('n1', 'n2'));
    net.send(envelope('n2', 'n3'));
    net.send(envelope('c1', 'n1'));
    await settle();
    expect(got.map((e) => `${e.src}>${e.dest}`)).toEqual(['n2>n3', 'c1>n1']);
    world.partition({ shape: 'isolate', node: 'n1' });
    net.send(envelope('c1', 'n1'));
    net.send(envelope('n1', 'lin-kv'));
    await settle();
    expect(got).toHaveLength(2);
    expect(net.stats.droppedByPartition).toBe(3);
    world.heal();
    net.send(envelope('n1', 'n2'));
    await settle();
    expect(got).toHaveLength(3);
  });

  it('holds a clogged link until the clog lifts, in order', async () => {
    const { net, world, got } = setup();
    world.clog('n1', 'n2', Number.MAX_SAFE_INTEGER);
    net.send(envelope('n1', 'n2', 1));
    net.send(envelope('n1', 'n2', 2));
    net.send(envelope('n2', 'n1', 3));
    await settle();
    expect(got.map((e) => e.body.msg_id)).toEqual([3]);
    world.clog('n1', 'n2', 0);
    await settle();
    expect(got.map((e) => e.body.msg_id)).toEqual([3, 1, 2]);
  });

  it('lets a timed clog go by itself at its end', async () => {
    const startedMs = Date.now();
    const { net, world, got } = setup(0, () => (Date.now() - startedMs) * 1e6);
    world.clog('n1', 'n2', 40e6);
    net.send(envelope('n1', 'n2'));
    await settle(10);
    expect(got).toHaveLength(0);
    await settle(80);
    expect(got).toHaveLength(1);
  });

  it('drops every message when the loss is certain, and delays by the latency', async () => {
    const { net, world, got } = setup();
    world.setLinkFaults({ ...NO_LINK_FAULTS, dropNum: NO_LINK_FAULTS.den });
    net.send(envelope('n1', 'n2'));
    await settle();
    expect(got).toHaveLength(0);
    expect(net.stats.droppedByLoss).toBe(1);
    const slow = setup(40);
    slow.net.send(envelope('n1', 'n2'));
    await settle(10);
    expect(slow.got).toHaveLength(0);
    await settle(60);
    expect(slow.got).toHaveLength(1);
    slow.net.stop();
  });

  it('says what a Maelstrom node cannot suffer, and takes the heal\'s zero clock settings as no change', () => {
    const { world } = setup();
    world.clockDrift('n1', 0);
    expect(world.errors).toEqual([]);
    world.crash('n1', 'lose');
    world.clockOffset('n2', 5);
    expect(world.errors).toEqual(['crash n1 cannot be done to a Maelstrom node (only network faults apply)', 'clock offset on n2 cannot be done to a Maelstrom node (only network faults apply)']);
  });
});
