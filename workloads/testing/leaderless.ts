// A deliberately different system for proving the contract: a leaderless replicated register per
// key in the style of ABD (Attiya, Bar-Noy and Dolev). There is no leader and no term: any node
// coordinates any request. A write asks a majority for the highest tag (timestamp, writer), then
// stores the value under a higher tag at a majority; a read asks a majority for the highest tag and
// writes that value back to a majority before it answers, so a later read can never see less.
// Replicas fsync a store before they acknowledge it.
//
// Its own words for the nemesis: target sets `freshest` and `stalest` (the replicas holding the
// highest and the lowest tags) and a fault kind of its own, `coordinator-stall` (a node stops
// coordinating client requests while it lasts). Planted bugs:
//   leaderless.read-one       a read answers from the coordinator's own replica, without a quorum;
//   leaderless.no-write-back  a read answers after the query phase, without writing the value back.
// It speaks the KV protocol of workloads/kv-protocol.ts (read and write; cas is refused), so the
// lin-kv clients drive it. Registered only in tests, never in workloads/registry.ts.
import { z } from 'zod';
import { NS_PER_MS, type Host, type Message, type NodeId, type Process } from '../../nodes/host.js';
import { eventSchema } from '../../faults/kernel-kinds.js';
import { isSkipped, type FaultKindSpec, type TargetSets } from '../../faults/kind.js';
import { checkLiveness } from '../../checkers/liveness.js';
import type { KvReply, KvRequest } from '../kv-protocol.js';
import { checkLinKv, LIN_KV_SHRINK, linKvClient, linKvOptionsSchema } from '../lin-kv.js';
import { majorityHealthyStretches } from '../fault-windows.js';
import type { SystemPlugin, Workload } from '../system.js';

/** A value's tag: compared by timestamp, then by writer id. */
interface Tag {
  ts: number;
  writer: string;
}

interface Stored extends Tag {
  value: number | null;
}

type Query = { type: 'll.query'; op: number; key: string };
type QueryReply = { type: 'll.query-reply'; op: number; stored: Stored };
type Store = { type: 'll.store'; op: number; key: string; stored: Stored };
type StoreAck = { type: 'll.store-ack'; op: number };
type Stall = { type: 'll.stall'; on: boolean };
type Peer = Query | QueryReply | Store | StoreAck;

/** One client request being coordinated: its phase and the replies counted so far. */
interface Coordinating {
  client: NodeId;
  request: KvRequest;
  phase: 'query' | 'store';
  from: Set<NodeId>;
  best: Stored;
  /** What the store phase writes (a write's new value, or a read's write-back). */
  storing: Stored | null;
  timer: number;
}

const FILE = 'register.json';
const TEMP = 'register.json.tmp';
const EMPTY: Stored = { ts: 0, writer: '', value: null };
/** A request that found no quorum in this long is answered `unavailable` (only before it stored anything). */
const PHASE_TIMEOUT_NS = 300 * NS_PER_MS;
/** Requests coordinated at once; more are refused `unavailable`, so a flood cannot grow the table. */
const COORDINATING_MAX = 256;

function newer(a: Tag, b: Tag): boolean {
  return a.ts !== b.ts ? a.ts > b.ts : a.writer > b.writer;
}

/** FNV-1a over the text: catches torn and corrupted replica files. */
function checksum(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

function majority(count: number): number {
  return Math.floor(count / 2) + 1;
}

class LeaderlessNode implements Process {
  private replica = new Map<string, Stored>();
  private readonly coordinating = new Map<number, Coordinating>();
  /** Stores waiting for their fsync before the ack: fsync tag -> who to ack. */
  private readonly pendingAcks = new Map<number, { to: NodeId; op: number }>();
  private nextOp = 1;
  private nextFsync = 1;
  private stalled = false;
  /** Set when the replica file cannot be trusted: serving from less than it acknowledged would break quorums. */
  private down: string | undefined;
  /**
   * Names this incarnation in the tags it writes: with the op number it makes every write's tag
   * unique, across restarts too (two writes under one tag with different values would leave
   * replicas that disagree and never notice).
   */
  private readonly nonce: number;
  /** Each client's highest request seq this node took, so a duplicated request does not run twice. */
  private readonly lastSeq = new Map<NodeId, number>();

  constructor(private readonly host: Host) {
    this.nonce = host.random.int(2 ** 30);
  }

  start(): void {
    const bytes = this.host.disk.read(FILE);
    if (bytes === null) return;
    const text = new TextDecoder().decode(bytes);
    const cut = text.indexOf('\n');
    const body = text.slice(cut + 1);
    if (cut < 0 || text.slice(0, cut) !== String(checksum(body))) {
      this.down = 'the replica file fails its checksum';
      return;
    }
    this.replica = new Map(JSON.parse(body) as [string, Stored][]);
  }

  status() {
    let highest = 0;
    for (const stored of this.replica.values()) highest = Math.max(highest, stored.ts);
    return { down: this.down, highestTs: highest, coordinating: this.coordinating.size };
  }

  onMessage(from: NodeId, message: Message): void {
    if (this.down !== undefined) return;
    const m = message as { type?: unknown };
    if (m.type === 'kv.request') return this.onRequest(from, message as KvRequest);
    if (m.type === 'll.stall') {
      this.stalled = (message as Stall).on;
      return;
    }
    const peer = message as Peer;
    switch (peer.type) {
      case 'll.query':
        return this.host.send(from, { type: 'll.query-reply', op: peer.op, stored: this.replica.get(peer.key) ?? EMPTY });
      case 'll.store':
        return this.onStore(from, peer);
      case 'll.query-reply':
        return this.onQueryReply(from, peer);
      case 'll.store-ack':
        return this.onStoreAck(from, peer);
    }
  }

  onTimer(tag: string | number): void {
    const op = Number(tag);
    const call = this.coordinating.get(op);
    if (call === undefined) return;
    this.coordinating.delete(op);
    // After a store began the value may be at some replicas: only silence is honest then (the
    // client records `info`); before it, nothing happened and `unavailable` says so.
    if (call.phase === 'query') this.reply(call, { outcome: 'unavailable', error: 'no quorum answered' });
  }

  onFsync(tag: string | number, ok: boolean): void {
    const ack = this.pendingAcks.get(Number(tag));
    this.pendingAcks.delete(Number(tag));
    // A failed fsync acknowledges nothing: the coordinator waits for other replicas or times out.
    if (!ok || ack === undefined) return;
    this.host.send(ack.to, { type: 'll.store-ack', op: ack.op });
  }

  private onRequest(client: NodeId, request: KvRequest): void {
    if (this.stalled) return;
    if (request.seq <= (this.lastSeq.get(client) ?? 0)) return;
    this.lastSeq.set(client, request.seq);
    const { f, key } = request.op;
    if (f === 'cas') return this.host.send(client, { type: 'kv.reply', seq: request.seq, outcome: 'fail', error: 'unsupported' } satisfies KvReply);
    if (this.coordinating.size >= COORDINATING_MAX) {
      return this.host.send(client, { type: 'kv.reply', seq: request.seq, outcome: 'unavailable', error: 'busy' } satisfies KvReply);
    }
    if (f === 'read' && this.host.bug('leaderless.read-one')) {
      const stored = this.replica.get(key) ?? EMPTY;
      return this.host.send(client, { type: 'kv.reply', seq: request.seq, outcome: 'ok', value: stored.value } satisfies KvReply);
    }
    const op = this.nextOp++;
    const timer = this.host.setTimer(PHASE_TIMEOUT_NS, op);
    this.coordinating.set(op, { client, request, phase: 'query', from: new Set(), best: EMPTY, storing: null, timer });
    for (const peer of this.host.peers()) this.host.send(peer, { type: 'll.query', op, key } satisfies Query);
  }

  private onQueryReply(from: NodeId, reply: QueryReply): void {
    const call = this.coordinating.get(reply.op);
    if (call === undefined || call.phase !== 'query' || call.from.has(from)) return;
    call.from.add(from);
    if (newer(reply.stored, call.best)) call.best = reply.stored;
    if (call.from.size < majority(this.host.peers().length)) return;
    const { f, value } = call.request.op;
    if (f === 'read' && this.host.bug('leaderless.no-write-back')) {
      this.finish(reply.op, call, call.best.value);
      return;
    }
    const writer = `${this.host.id}.${this.nonce}.${reply.op}`;
    call.storing = f === 'write' ? { ts: call.best.ts + 1, writer, value: value as number } : call.best;
    call.phase = 'store';
    call.from = new Set();
    this.host.cancelTimer(call.timer);
    call.timer = this.host.setTimer(PHASE_TIMEOUT_NS, reply.op);
    const key = call.request.op.key;
    for (const peer of this.host.peers()) this.host.send(peer, { type: 'll.store', op: reply.op, key, stored: call.storing } satisfies Store);
  }

  private onStore(from: NodeId, store: Store): void {
    const current = this.replica.get(store.key) ?? EMPTY;
    if (newer(store.stored, current)) this.replica.set(store.key, store.stored);
    // Ack only once the replica's state (holding this value or a newer one) is durable. The whole
    // state goes to a temporary file renamed over the old one, so a crash leaves one or the other.
    const tag = this.nextFsync++;
    const body = JSON.stringify([...this.replica]);
    this.host.disk.write(TEMP, new TextEncoder().encode(`${checksum(body)}\n${body}`));
    this.host.disk.rename(TEMP, FILE);
    this.pendingAcks.set(tag, { to: from, op: store.op });
    this.host.disk.fsync(FILE, tag);
  }

  private onStoreAck(from: NodeId, ack: StoreAck): void {
    const call = this.coordinating.get(ack.op);
    if (call === undefined || call.phase !== 'store' || call.from.has(from)) return;
    call.from.add(from);
    if (call.from.size < majority(this.host.peers().length)) return;
    this.finish(ack.op, call, call.request.op.f === 'read' ? call.storing!.value : null);
  }

  private finish(op: number, call: Coordinating, value: number | null): void {
    this.host.cancelTimer(call.timer);
    this.coordinating.delete(op);
    this.reply(call, call.request.op.f === 'read' ? { outcome: 'ok', value } : { outcome: 'ok' });
  }

  private reply(call: Coordinating, reply: Pick<KvReply, 'outcome' | 'value' | 'error'>): void {
    this.host.send(call.client, { type: 'kv.reply', seq: call.request.seq, ...reply } satisfies KvReply);
  }
}

/** The replicas holding the highest and the lowest tags, by their own report; ties by id order. */
const targets: TargetSets = {
  names: ['freshest', 'stalest'],
  pick(name, view, live) {
    let best: NodeId | null = null;
    let bestTs = 0;
    for (const id of live) {
      const ts = view.status(id).highestTs;
      if (typeof ts !== 'number') continue;
      if (best === null || (name === 'freshest' ? ts > bestTs : ts < bestTs)) {
        best = id;
        bestTs = ts;
      }
    }
    return best;
  },
};

const stallSchema = eventSchema('coordinator-stall', { node: z.string().min(1).optional(), role: z.string().min(1).optional() });

/** A node stops coordinating client requests (it still serves as a replica) while the fault lasts. */
const coordinatorStall: FaultKindSpec<z.infer<typeof stallSchema>> = {
  name: 'coordinator-stall',
  description: 'a node drops the client requests it would coordinate, and still serves as a replica',
  groups: ['process'],
  schema: stallSchema,
  instant: false,
  targeted: true,
  weight: 2,
  nodesMin: 1,
  named: (event) => (event.node === undefined ? [] : [event.node]),
  draw: (random, atMs, durationMs, context) =>
    random.chance(1, 2) && context.targets.length > 0
      ? { atMs, durationMs, kind: 'coordinator-stall', role: random.pick(context.targets) }
      : { atMs, durationMs, kind: 'coordinator-stall', node: random.pick(context.nodes) },
  start(event, context) {
    const node = context.target(event);
    if (isSkipped(node)) return node;
    context.world.inject('admin', node, { type: 'll.stall', on: true } satisfies Stall);
    return {
      fields: { node },
      touched: [node],
      stop: () => context.world.inject('admin', node, { type: 'll.stall', on: false } satisfies Stall),
    };
  },
};

/**
 * Progress bounds, in client timeouts (the scenario's `timeoutMs`). Clients take one attempt per op
 * at a node picked at random, so a client whose node is faulted waits out its timeout: with one
 * faulted node of three, a stall needs every client to draw a faulted node three times in a row.
 * After the heal every node answers, so two timeouts suffice.
 */
const STALL_TIMEOUTS = 3.5;
const HEALED_TIMEOUTS = 2;

const registerWorkload: Workload = {
  name: 'register',
  description: 'reads and writes on a few keys against any node; linearizable per key (keys start absent)',
  options: linKvOptionsSchema,
  shrink: LIN_KV_SHRINK,
  // One attempt per op: this store has no exactly-once sessions, so a retry through another
  // coordinator would run a write twice, and the second run could land after a later write.
  client: (params, index) => linKvClient(params, index, { readPercent: 50, writePercent: 50 }, { attemptsMax: 1, attemptTimeoutNs: params.timeoutNs }),
  check(history, context) {
    const timeoutNs = context.workload?.timeoutNs ?? 1_000 * NS_PER_MS;
    const healthy = context.faults === undefined ? undefined : majorityHealthyStretches(context.faults, context.nodes, context.endNs);
    return [
      checkLinKv(history),
      checkLiveness(history, {
        healedAtNs: context.healedAtNs,
        endNs: context.endNs,
        boundNs: HEALED_TIMEOUTS * timeoutNs,
        answeredFails: [],
        ...(healthy === undefined ? {} : { healthy, stallBoundNs: STALL_TIMEOUTS * timeoutNs }),
      }),
    ];
  },
};

export const leaderlessSystem: SystemPlugin = {
  name: 'test-leaderless',
  description: 'a leaderless ABD register per key: any node coordinates, majorities for every phase (tests only)',
  node: (host) => new LeaderlessNode(host),
  nodes: { default: 3, min: 3, max: 5 },
  workloads: { register: registerWorkload },
  defaultWorkload: 'register',
  bugs: [
    { name: 'leaderless.read-one', description: "a read answers from the coordinator's own replica, without a quorum" },
    { name: 'leaderless.no-write-back', description: 'a read answers after its query phase, without writing the value back to a majority' },
  ],
  params: {},
  targets,
  faultKinds: [coordinatorStall],
};

/** For `--plugin workloads/testing/leaderless.ts`. */
export const system = leaderlessSystem;
