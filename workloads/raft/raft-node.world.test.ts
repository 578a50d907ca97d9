// End to end: the Raft node of nodes/raft/ in the real World (sim/), five nodes and a trivial inline
// client. It lives here, not in nodes/raft/, because nodes/ may import nothing but nodes/host.ts.
// The leader is crashed and a new one must be elected within one simulated second (election
// timeouts of 150-300 ms); the cluster keeps serving, replicas agree, and the invariants hold.
import { describe, expect, it } from 'vitest';
import { NS_PER_MS, NS_PER_S, type ClientHost, type Message, type NodeId, type Process } from '../../nodes/host.js';
import { createRaftNode, raftInvariantMonitor, RaftNode, type KvReply } from '../../nodes/raft/index.js';
import { World } from '../../sim/index.js';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];

/** Writes 1, 2, 3, ... to key `k` one at a time (at most `limit`), following redirects. */
function writer(acked: number[], limit: number): (host: ClientHost) => Process {
  return (host) => {
    let seq = 0;
    let value = 0;
    let target: NodeId = 'n1';
    let timer = -1;
    const send = () => host.send(target, { type: 'kv.request', client: host.id, seq, op: { f: 'write', key: 'k', value } });
    const next = () => {
      if (value >= limit) return;
      seq++;
      value++;
      send();
      timer = host.setTimer(300 * NS_PER_MS, 'timeout');
    };
    return {
      start: () => next(),
      onFsync: () => {},
      onTimer: (tag) => {
        if (tag !== 'timeout') return;
        // No answer: try another node with the same seq (the session keeps it to one application).
        target = NODES[(NODES.indexOf(target) + 1) % NODES.length]!;
        send();
        timer = host.setTimer(300 * NS_PER_MS, 'timeout');
      },
      onMessage: (_from: NodeId, message: Message) => {
        const reply = message as KvReply;
        if (reply.type !== 'kv.reply' || reply.seq !== seq) return;
        if (reply.outcome === 'ok') {
          host.cancelTimer(timer);
          acked.push(value);
          next();
        } else if (reply.outcome === 'redirect' && reply.leader) {
          target = reply.leader;
          send();
        }
      },
    };
  };
}

function leaderOf(world: World): NodeId | undefined {
  return NODES.find((id) => world.status(id).role === 'leader');
}

describe('raft node in the World', () => {
  it('elects a new leader within 1 s of a leader crash and keeps serving', () => {
    const acked: number[] = [];
    const world = new World({ seed: 7, nodes: NODES, node: createRaftNode, clients: [{ id: 'c1', factory: writer(acked, 400) }] });
    const monitor = raftInvariantMonitor();
    world.observe((event, w) => monitor.onTrace(event, w));
    world.start();
    world.runUntil(NS_PER_S);
    const first = leaderOf(world);
    expect(first).toBeDefined();
    const ackedBefore = acked.length;
    expect(ackedBefore).toBeGreaterThan(10);

    world.crash(first!);
    const crashedAt = world.nowNs();
    world.runUntil(crashedAt + 2 * NS_PER_S, () => leaderOf(world) !== undefined);
    const second = leaderOf(world);
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(world.nowNs() - crashedAt).toBeLessThan(NS_PER_S);

    world.runUntil(crashedAt + 2 * NS_PER_S);
    world.restart(first!);
    world.runUntil(crashedAt + 6 * NS_PER_S);
    // All 400 writes were acknowledged, in order, and (after a heartbeat carried the last commit)
    // every replica, the restarted one included, holds the last.
    expect(acked).toEqual(acked.map((_, k) => k + 1));
    expect(acked.length).toBe(400);
    for (const id of NODES) {
      const node = world.process(id) as RaftNode;
      expect(node.valueOf('k')).toBe(400);
    }
    expect(world.failures()).toEqual([]);
    expect(monitor.result().verdict).toBe('valid');
  });
});
