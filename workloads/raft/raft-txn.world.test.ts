// Transactions in the Raft KV, end to end in the World: the list-append and rw-register workloads
// against five correct nodes are strict serializable, and each planted transaction bug changes
// what the real node does (a probe client sends one request and keeps every reply).
import { describe, expect, it } from 'vitest';
import { NS_PER_MS, NS_PER_S, type ClientHost, type Message, type NodeId, type Process } from '../../nodes/host.js';
import { createRaftNode, RaftNode, type KvReply, type KvRequest, type TxnMicroOp } from '../../nodes/raft/index.js';
import { World } from '../../sim/index.js';
import type { History } from '../../histories/schema.js';
import type { WorkloadParams } from '../system.js';
import { listAppendWorkload } from '../list-append.js';
import { rwRegisterWorkload } from '../rw-register.js';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];

function params(): WorkloadParams {
  return { nodes: NODES, clients: 4, opsMax: 400, opsPerSecond: 100, options: { keys: 3 }, timeoutNs: NS_PER_S, stopInvokingAtNs: 5 * NS_PER_S };
}

function runWorkload(workload: typeof listAppendWorkload, bugs: string[] = []): History {
  const p = params();
  const clients = Array.from({ length: p.clients }, (_, index) => ({ id: `c${index}`, factory: workload.client(p, index) }));
  const world = new World({ seed: 3, nodes: NODES, node: createRaftNode, clients, bugs });
  world.start();
  world.runUntil(8 * NS_PER_S, () => world.clientsDone());
  expect(world.failures()).toEqual([]);
  return world.history().map((record) => ({ ...record }));
}

/** Sends `requests` one at a time at the given times to `to`, and keeps every reply. */
function probe(replies: KvReply[], sends: { atNs: number; to: () => NodeId; request: KvRequest }[]): (host: ClientHost) => Process {
  return (host) => ({
    start: () => sends.forEach((send, i) => host.setTimer(send.atNs, `send${i}`)),
    onFsync: () => {},
    onTimer: (tag) => {
      const send = sends[Number(String(tag).slice(4))]!;
      host.send(send.to(), send.request);
    },
    onMessage: (_from: NodeId, message: Message) => {
      if ((message as KvReply).type === 'kv.reply') replies.push(message as KvReply);
    },
  });
}

const txn = (seq: number, ops: TxnMicroOp[]): KvRequest => ({ type: 'kv.request', client: 'p', seq, op: { f: 'txn', key: 'txn', value: ops } });

function leaderOf(world: World): NodeId {
  const leader = NODES.find((id) => world.status(id).role === 'leader');
  expect(leader).toBeDefined();
  return leader!;
}

describe('transactions in the Raft KV', () => {
  it('list-append against correct nodes is strict serializable, with reads that see appends', () => {
    const history = runWorkload(listAppendWorkload);
    const oks = history.filter((record) => record.type === 'ok');
    expect(oks.length).toBeGreaterThan(100);
    const longReads = oks.flatMap((record) => (record.value as TxnMicroOp[]).filter((op) => op[0] === 'r' && Array.isArray(op[2]) && op[2].length >= 3));
    expect(longReads.length).toBeGreaterThan(20);
    const [result] = listAppendWorkload.check(history, { nodes: NODES, healedAtNs: null, endNs: 8 * NS_PER_S, params: {} });
    expect(result!.verdict).toBe('valid');
  });

  it('rw-register against correct nodes is strict serializable', () => {
    const history = runWorkload(rwRegisterWorkload);
    expect(history.filter((record) => record.type === 'ok').length).toBeGreaterThan(100);
    const [result] = rwRegisterWorkload.check(history, { nodes: NODES, healedAtNs: null, endNs: 8 * NS_PER_S, params: {} });
    expect(result!.verdict).toBe('valid');
  });

  it('a transaction is one entry: its reads see its own writes, applied on every replica', () => {
    const replies: KvReply[] = [];
    let world!: World;
    const client = probe(replies, [{ atNs: NS_PER_S, to: () => leaderOf(world), request: txn(1, [['append', 'x', 1], ['r', 'x', null], ['w', 'y', 5], ['r', 'y', null]]) }]);
    world = new World({ seed: 1, nodes: NODES, node: createRaftNode, clients: [{ id: 'p', factory: client }] });
    world.start();
    world.runUntil(2 * NS_PER_S);
    expect(replies).toEqual([{ type: 'kv.reply', seq: 1, outcome: 'ok', value: null, txn: [['append', 'x', 1], ['r', 'x', [1]], ['w', 'y', 5], ['r', 'y', 5]] }]);
    const log = (world.process(leaderOf(world)) as RaftNode).coreForTesting()!.log;
    const txnEntries = log.slice(log.snapshotIndex + 1, log.lastIndex(), 1000).filter((entry) => entry.data.kind === 'kv');
    expect(txnEntries).toHaveLength(1);
  });

  it('raft.txn-non-atomic: the same transaction becomes one entry per micro-op', () => {
    const replies: KvReply[] = [];
    let world!: World;
    const client = probe(replies, [{ atNs: NS_PER_S, to: () => leaderOf(world), request: txn(1, [['append', 'x', 1], ['r', 'x', null], ['append', 'x', 2]]) }]);
    world = new World({ seed: 1, nodes: NODES, node: createRaftNode, clients: [{ id: 'p', factory: client }], bugs: ['raft.txn-non-atomic'] });
    world.start();
    world.runUntil(2 * NS_PER_S);
    expect(replies).toEqual([{ type: 'kv.reply', seq: 1, outcome: 'ok', value: null, txn: [['append', 'x', 1], ['r', 'x', [1]], ['append', 'x', 2]] }]);
    const log = (world.process(leaderOf(world)) as RaftNode).coreForTesting()!.log;
    const parts = log.slice(log.snapshotIndex + 1, log.lastIndex(), 1000).flatMap((entry) => (entry.data.kind === 'kv' ? [entry.data.client] : []));
    expect(parts).toEqual(['p/part0', 'p/part1', 'p/part2']);
  });

  it('raft.txn-stale-snapshot-read: a follower answers a read-only transaction itself', () => {
    for (const bug of [[], ['raft.txn-stale-snapshot-read']]) {
      const replies: KvReply[] = [];
      let world!: World;
      const follower = () => NODES.find((id) => world.status(id).role === 'follower')!;
      const client = probe(replies, [{ atNs: NS_PER_S, to: follower, request: txn(1, [['r', 'x', null]]) }]);
      world = new World({ seed: 1, nodes: NODES, node: createRaftNode, clients: [{ id: 'p', factory: client }], bugs: bug });
      world.start();
      world.runUntil(2 * NS_PER_S);
      expect(replies.map((reply) => reply.outcome)).toEqual([bug.length === 0 ? 'redirect' : 'ok']);
    }
  });

  it('raft.txn-read-uncommitted: a cut-off leader answers a read with an append it never committed', () => {
    for (const bug of [[], ['raft.txn-read-uncommitted']]) {
      const replies: KvReply[] = [];
      let world!: World;
      let leader: NodeId = 'n1';
      const client = probe(replies, [
        { atNs: NS_PER_S + 10 * NS_PER_MS, to: () => leader, request: txn(1, [['append', 'x', 7]]) },
        { atNs: NS_PER_S + 20 * NS_PER_MS, to: () => leader, request: txn(2, [['r', 'x', null]]) },
      ]);
      world = new World({ seed: 1, nodes: NODES, node: createRaftNode, clients: [{ id: 'p', factory: client }], bugs: bug });
      world.start();
      world.runUntil(NS_PER_S);
      leader = leaderOf(world);
      // The leader alone on one side; the client still reaches every server.
      world.partition({ kind: 'groups', groups: [[leader], NODES.filter((id) => id !== leader)] });
      world.runUntil(NS_PER_S + 100 * NS_PER_MS);
      const answered = replies.filter((reply) => reply.outcome === 'ok');
      if (bug.length === 0) expect(answered).toEqual([]);
      else expect(answered).toEqual([{ type: 'kv.reply', seq: 2, outcome: 'ok', value: null, txn: [['r', 'x', [7]]] }]);
    }
  });
});
