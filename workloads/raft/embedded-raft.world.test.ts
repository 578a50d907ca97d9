// Raft as a library (nodes/raft/embedded.ts over nodes/embed.ts) in the real World: three outer
// nodes of a made-up system each run a Raft KV inside themselves and keep JSON documents in it, as
// the broker keeps its partition state. It lives here because nodes/ may not import sim/.
import { describe, expect, it } from 'vitest';
import { NS_PER_MS, NS_PER_S, type Host, type Message, type NodeId, type NodeStatus, type Process, type TimerTag } from '../../nodes/host.js';
import { EmbeddedRaftKv, raftInvariantMonitor, raftNodeOf, type KvReply, type RaftNode } from '../../nodes/raft/index.js';
import { World } from '../../sim/index.js';

const NODES = ['n1', 'n2', 'n3'];
const TIMEOUT_NS = 2 * NS_PER_S;

/** The outer system: an application with a file of its own and a Raft KV inside. */
class DocNode implements Process {
  readonly raft: EmbeddedRaftKv;
  readonly changed: (string | null)[] = [];

  constructor(readonly host: Host) {
    this.raft = new EmbeddedRaftKv(host, { onApplied: (keys) => this.changed.push(...(keys ?? [null])) });
  }

  start(): void {
    this.host.disk.append('app.log', new TextEncoder().encode('started\n'));
    this.raft.start();
  }

  onMessage(from: NodeId, message: Message): void {
    if (this.raft.onMessage(from, message)) return;
    throw new Error(`the outer node got a message that was not the embedding's: ${JSON.stringify(message)}`);
  }

  onTimer(tag: TimerTag): void {
    if (!this.raft.onTimer(tag)) throw new Error(`the outer node got a timer that was not the embedding's: ${tag}`);
  }

  onFsync(tag: TimerTag, ok: boolean): void {
    this.raft.onFsync(tag, ok);
  }

  status(): NodeStatus {
    return this.raft.status();
  }

  hostedRaftNode(): RaftNode {
    return this.raft.node;
  }
}

function doc(world: World, id: NodeId): DocNode {
  return world.process(id) as DocNode;
}

function leaderOf(world: World): NodeId | undefined {
  return NODES.find((id) => world.process(id) !== null && doc(world, id).raft.isLeader());
}

/** Proposes from `id` and runs the world until the call is done; returns what it got. */
function proposeAndWait(world: World, id: NodeId, op: Parameters<EmbeddedRaftKv['propose']>[0]): KvReply | null | 'pending' {
  let got: KvReply | null | 'pending' = 'pending';
  doc(world, id).raft.propose(op, TIMEOUT_NS, (reply) => (got = reply));
  world.runFor(TIMEOUT_NS + NS_PER_MS, () => got !== 'pending');
  return got;
}

function started(seed: number): { world: World; monitor: ReturnType<typeof raftInvariantMonitor> } {
  const world = new World({ seed, nodes: NODES, node: (host) => new DocNode(host) });
  const monitor = raftInvariantMonitor();
  world.observe((event, w) => monitor.onTrace(event, w));
  world.start();
  world.runUntil(2 * NS_PER_S, () => leaderOf(world) !== undefined);
  return { world, monitor };
}

describe('an embedded Raft KV', () => {
  it('elects a leader among the outer nodes and commits string documents proposed from a follower', () => {
    const { world, monitor } = started(3);
    const leader = leaderOf(world);
    expect(leader).toBeDefined();
    const follower = NODES.find((id) => id !== leader)!;
    const document = JSON.stringify({ leader: 'n2', epoch: 4, isr: ['n1', 'n2'] });

    const reply = proposeAndWait(world, follower, { f: 'write', key: 'p0', value: document });
    expect(reply).toMatchObject({ outcome: 'ok', value: document });
    world.runFor(NS_PER_S);
    for (const id of NODES) {
      expect(doc(world, id).raft.read('p0')).toBe(document);
      expect(doc(world, id).changed).toContain('p0');
    }
    expect(world.failures()).toEqual([]);
    expect(monitor.result().verdict).toBe('valid');
  });

  it('lets exactly one of two concurrent creates win (cas from null)', () => {
    const { world } = started(5);
    const results: (KvReply | null)[] = [];
    doc(world, 'n1').raft.propose({ f: 'cas', key: 'owner', value: [null, 'n1'] }, TIMEOUT_NS, (reply) => results.push(reply));
    doc(world, 'n3').raft.propose({ f: 'cas', key: 'owner', value: [null, 'n3'] }, TIMEOUT_NS, (reply) => results.push(reply));
    world.runFor(TIMEOUT_NS + NS_PER_MS, () => results.length === 2);
    expect(results.map((reply) => reply?.outcome).sort()).toEqual(['fail', 'ok']);
    const winner = results.find((reply) => reply?.outcome === 'ok')!.value;
    expect(results.find((reply) => reply?.outcome === 'fail')).toMatchObject({ error: 'cas-mismatch', value: winner });
    world.runFor(NS_PER_S);
    for (const id of NODES) expect(doc(world, id).raft.read('owner')).toBe(winner);
  });

  it('keeps its files in a folder of its own, apart from the outer node’s', () => {
    const { world } = started(7);
    const names = world.disk('n1').list();
    expect(names).toContain('app.log');
    const inner = names.filter((name) => name !== 'app.log');
    expect(inner.length).toBeGreaterThan(0);
    for (const name of inner) expect(name.startsWith('raft/')).toBe(true);
    expect(new TextDecoder().decode(world.disk('n1').read('app.log')!)).toBe('started\n');
  });

  it('applies a command sent after a restart (a new session, not a duplicate of the old seq 1)', () => {
    const { world, monitor } = started(11);
    const node = NODES.find((id) => id !== leaderOf(world))!;
    expect(proposeAndWait(world, node, { f: 'write', key: 'k', value: 'before' })).toMatchObject({ outcome: 'ok' });
    world.crash(node, 'lose');
    world.runFor(100 * NS_PER_MS);
    world.restart(node);
    world.runFor(NS_PER_S);
    expect(world.failures()).toEqual([]);
    // The restarted node's first call has seq 1 again; under the old session it would be answered
    // with the first life's result and never applied.
    expect(proposeAndWait(world, node, { f: 'write', key: 'k', value: 'after' })).toMatchObject({ outcome: 'ok', value: 'after' });
    world.runFor(NS_PER_S);
    for (const id of NODES) expect(doc(world, id).raft.read('k')).toBe('after');
    expect(raftNodeOf(world.process(node))).toBe(doc(world, node).raft.node);
    expect(monitor.result().verdict).toBe('valid');
  });

  it('answers null when no leader can be reached by the deadline', () => {
    const { world } = started(13);
    const node = NODES[0]!;
    for (const other of NODES.slice(1)) world.crash(other);
    world.runFor(NS_PER_S);
    expect(proposeAndWait(world, node, { f: 'write', key: 'k', value: 1 })).toBeNull();
  });
});
