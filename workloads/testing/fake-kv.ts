// A tiny deterministic harness for testing KV clients without the World or a Raft node: one event
// loop in true time, and a "cluster" that is a single linearizable KV with exactly-once sessions,
// reached through any node id, that misbehaves on purpose as `FakeBehaviour` says (drops, late and
// duplicated replies, redirects, unavailable). It logs what it applied, so a test can hold the
// client's history against what really happened.
import type { ClientHost, ClientRecord, Disk, NodeId, Process, ProcessFactory, TimerId, TimerTag } from '../../nodes/host.js';
import { SimRandom } from '../../sim/random.js';
import type { HistoryRecord } from '../../histories/schema.js';
import type { KvOp, KvReply, KvRequest } from '../kv-protocol.js';
import { CAS_MISMATCH } from '../kv-protocol.js';

/** Chances in percent per request, checked in this order; what is left is a plain `ok`. */
export interface FakeBehaviour {
  /** The request is lost: nothing happens. */
  dropRequestPercent: number;
  /** Not the leader: a redirect to a random node (or null). */
  redirectPercent: number;
  unavailablePercent: number;
  /** Applied, but the reply is lost. */
  dropReplyPercent: number;
  /** Applied, and the reply arrives twice, the second much later. */
  duplicateReplyPercent: number;
  /** Applied, and the reply comes only after `slowNs`. */
  slowPercent: number;
  /** A planted bug: a write is acknowledged `ok` but never stored. */
  forgetWritePercent: number;
  latencyNs: number;
  slowNs: number;
}

export interface AppliedOp {
  client: string;
  seq: number;
  op: KvOp;
  timeNs: number;
  reply: KvReply;
}

export interface FakeRun {
  history: HistoryRecord[];
  applied: AppliedOp[];
  /** Clients that called done(), in order. */
  done: string[];
  endNs: number;
}

interface Event {
  timeNs: number;
  order: number;
  run: () => void;
  cancelled: boolean;
}

const EVENTS_MAX = 2_000_000;

const noDisk: Disk = {
  read: () => null,
  write: () => fail(),
  append: () => fail(),
  truncate: () => fail(),
  rename: () => fail(),
  delete: () => fail(),
  list: () => [],
  size: () => 0,
  fsync: () => fail(),
};

function fail(): never {
  throw new Error('fake-kv: clients have no disk');
}

export function runFakeKv(options: {
  seed: number;
  nodes: readonly NodeId[];
  clients: ProcessFactory<ClientHost>[];
  behaviour: FakeBehaviour;
  untilNs: number;
}): FakeRun {
  const { behaviour, nodes } = options;
  const events: Event[] = [];
  let order = 0;
  let nowNs = 0;
  const schedule = (delayNs: number, run: () => void): Event => {
    const event = { timeNs: nowNs + Math.max(0, delayNs), order: order++, run, cancelled: false };
    events.push(event);
    return event;
  };
  const history: HistoryRecord[] = [];
  const applied: AppliedOp[] = [];
  const done: string[] = [];
  const store = new Map<string, number | null>();
  const sessions = new Map<string, { seq: number; reply: KvReply }>();
  const net = SimRandom.stream(options.seed, 'fake-kv.net');
  const processes = new Map<NodeId, Process>();

  const apply = (request: KvRequest): KvReply => {
    const session = sessions.get(request.client);
    if (session !== undefined && session.seq === request.seq) return session.reply;
    if (session !== undefined && session.seq > request.seq) return { type: 'kv.reply', seq: request.seq, outcome: 'fail', error: 'stale-seq' };
    const { op } = request;
    const current = store.get(op.key) ?? null;
    let reply: KvReply;
    if (op.f === 'read') reply = { type: 'kv.reply', seq: request.seq, outcome: 'ok', value: current };
    else if (op.f === 'write') {
      if (!net.chance(behaviour.forgetWritePercent, 100)) store.set(op.key, op.value as number);
      reply = { type: 'kv.reply', seq: request.seq, outcome: 'ok', value: op.value as number };
    } else {
      const [expected, next] = op.value as [number, number];
      if (current === expected) {
        store.set(op.key, next);
        reply = { type: 'kv.reply', seq: request.seq, outcome: 'ok' };
      } else reply = { type: 'kv.reply', seq: request.seq, outcome: 'fail', error: CAS_MISMATCH };
    }
    applied.push({ client: request.client, seq: request.seq, op, timeNs: nowNs, reply });
    sessions.set(request.client, { seq: request.seq, reply });
    return reply;
  };

  const deliverToClient = (client: NodeId, from: NodeId, reply: KvReply, delayNs: number) => {
    schedule(delayNs, () => processes.get(client)?.onMessage(from, reply));
  };

  const onRequest = (node: NodeId, client: NodeId, request: KvRequest) => {
    let roll = net.int(100);
    const take = (percent: number) => {
      const hit = roll < percent;
      roll -= percent;
      return hit;
    };
    const latency = behaviour.latencyNs;
    // Answers that say "not done" can be late or doubled too; a client must not mistake an old one
    // for the answer to a later attempt.
    const refuse = (reply: KvReply) => {
      const slow = net.chance(behaviour.slowPercent, 100);
      deliverToClient(client, node, reply, slow ? behaviour.slowNs : latency);
      if (net.chance(behaviour.duplicateReplyPercent, 100)) deliverToClient(client, node, reply, behaviour.slowNs);
    };
    if (take(behaviour.dropRequestPercent)) return;
    if (take(behaviour.redirectPercent)) {
      const leader = net.chance(1, 4) ? null : net.pick(nodes);
      refuse({ type: 'kv.reply', seq: request.seq, outcome: 'redirect', leader });
      return;
    }
    if (take(behaviour.unavailablePercent)) {
      refuse({ type: 'kv.reply', seq: request.seq, outcome: 'unavailable' });
      return;
    }
    const reply = apply(request);
    if (take(behaviour.dropReplyPercent)) return;
    if (take(behaviour.duplicateReplyPercent)) {
      deliverToClient(client, node, reply, latency);
      deliverToClient(client, node, reply, behaviour.slowNs);
      return;
    }
    deliverToClient(client, node, reply, take(behaviour.slowPercent) ? behaviour.slowNs : latency);
  };

  options.clients.forEach((factory, index) => {
    const id = `c${index}`;
    const timers = new Map<TimerId, Event>();
    let nextTimer = 1;
    const host: ClientHost = {
      id,
      peers: () => nodes,
      wallNow: () => nowNs,
      monotonicNow: () => nowNs,
      send: (to, message) => {
        const request = message as KvRequest;
        if (request.type !== 'kv.request' || !nodes.includes(to)) throw new Error(`fake-kv: bad send to ${to}`);
        schedule(behaviour.latencyNs, () => onRequest(to, id, request));
      },
      setTimer: (delay: number, tag: TimerTag): TimerId => {
        const event = schedule(delay, () => processes.get(id)?.onTimer(tag));
        timers.set(nextTimer, event);
        return nextTimer++;
      },
      cancelTimer: (timer: TimerId) => {
        const event = timers.get(timer);
        if (event !== undefined) event.cancelled = true;
        timers.delete(timer);
      },
      disk: noDisk,
      random: SimRandom.stream(options.seed, `fake-kv.client.${id}`),
      log: () => {},
      faultPoint: () => false,
      bug: () => false,
      record: (record: ClientRecord) => {
        history.push({ ...record, index: history.length, time: nowNs });
      },
      done: () => {
        if (done.includes(id)) throw new Error(`fake-kv: ${id} called done twice`);
        done.push(id);
      },
    };
    processes.set(id, factory(host));
  });
  for (const process of processes.values()) process.start();

  let handled = 0;
  while (events.length > 0) {
    let best = 0;
    for (let i = 1; i < events.length; i++) {
      const a = events[i]!;
      const b = events[best]!;
      if (a.timeNs < b.timeNs || (a.timeNs === b.timeNs && a.order < b.order)) best = i;
    }
    const event = events[best]!;
    if (event.timeNs > options.untilNs) break;
    events.splice(best, 1);
    if (event.cancelled) continue;
    nowNs = event.timeNs;
    event.run();
    handled += 1;
    if (handled > EVENTS_MAX) throw new Error('fake-kv: event limit reached');
  }
  return { history, applied, done, endNs: nowNs };
}

export const CALM: FakeBehaviour = {
  dropRequestPercent: 0,
  redirectPercent: 0,
  unavailablePercent: 0,
  dropReplyPercent: 0,
  duplicateReplyPercent: 0,
  slowPercent: 0,
  forgetWritePercent: 0,
  latencyNs: 1_000_000,
  slowNs: 400_000_000,
};
