// The scheduler node's decisions on a store without Raft (MapKv: one node that always leads), under
// a hand-driven clock: acknowledgements wait for the commit, tokens come from the stored counter,
// and an inherited lease gets a full TTL. Each planted bug that lives here is shown changing that.
import { describe, expect, it } from 'vitest';
import type { Host, Message, NodeId, TimerTag } from '../host.js';
import { NS_PER_MS } from '../host.js';
import { SchedulerNode, SCHEDULER_DEFAULTS } from './node.js';
import { MapKv } from './testing/map-kv.js';
import { shardKey, shardOf, TOKEN_KEY, type ShardDoc } from './store.js';
import type { SchedReply, SchedRequest } from './protocol.js';

class ManualHost {
  nowNs = 0;
  readonly sent: { to: NodeId; message: Message }[] = [];
  private timers: { atNs: number; tag: TimerTag; id: number }[] = [];
  private nextId = 1;
  process: SchedulerNode | null = null;

  constructor(private readonly bugs: readonly string[] = []) {}

  host(): Host {
    return {
      id: 'n1',
      peers: () => ['n1'],
      wallNow: () => this.nowNs,
      monotonicNow: () => this.nowNs,
      send: (to, message) => this.sent.push({ to, message }),
      setTimer: (delay, tag) => {
        const id = this.nextId++;
        this.timers.push({ atNs: this.nowNs + delay, tag, id });
        return id;
      },
      cancelTimer: (id) => (this.timers = this.timers.filter((timer) => timer.id !== id)),
      disk: undefined as never,
      random: undefined as never,
      log: () => {},
      faultPoint: () => false,
      bug: (name) => this.bugs.includes(name),
    };
  }

  /** Fires every timer due within `ns`, in time order. */
  advance(ns: number): void {
    const endNs = this.nowNs + ns;
    for (;;) {
      this.timers.sort((a, b) => a.atNs - b.atNs || a.id - b.id);
      const next = this.timers[0];
      if (next === undefined || next.atNs > endNs) break;
      this.timers.shift();
      this.nowNs = next.atNs;
      this.process!.onTimer(next.tag);
    }
    this.nowNs = endNs;
  }

  replies(): SchedReply[] {
    return this.sent.map((sent) => sent.message as SchedReply).filter((message) => message.type === 'sched.reply');
  }
}

function boot(bugs: readonly string[] = [], seed?: (kv: MapKv) => void): { manual: ManualHost; node: SchedulerNode; kv: MapKv } {
  const manual = new ManualHost(bugs);
  let kv: MapKv | null = null;
  const node = new SchedulerNode(manual.host(), (host) => {
    kv = new MapKv(host);
    return kv;
  });
  manual.process = node;
  seed?.(kv!);
  node.start();
  manual.advance(SCHEDULER_DEFAULTS.tickNs); // the first tick takes leadership
  return { manual, node, kv: kv! };
}

function request(node: SchedulerNode, id: number, op: SchedRequest['op']): void {
  node.onMessage('c1', { type: 'sched.request', id, op } satisfies SchedRequest);
}

const TTL = SCHEDULER_DEFAULTS.leaseTtlNs;

describe('the scheduler node', () => {
  it('acknowledges a submission only once its change has committed (and at once with ack-before-commit)', () => {
    const correct = boot();
    request(correct.node, 1, { f: 'submit', job: 'j', tenant: 't' });
    expect(correct.manual.replies()).toEqual([]);
    correct.manual.advance(1);
    expect(correct.manual.replies()).toMatchObject([{ id: 1, ok: true }]);
    expect(correct.kv.read(shardKey(shardOf('j')))).toMatch(/"j"/);

    const buggy = boot(['sched.ack-before-commit']);
    request(buggy.node, 1, { f: 'submit', job: 'j', tenant: 't' });
    expect(buggy.manual.replies()).toMatchObject([{ id: 1, ok: true }]);
  });

  it('draws each token from the stored counter (not with local-token-counter)', () => {
    for (const bugs of [[], ['sched.local-token-counter']]) {
      const { manual, node, kv } = boot(bugs);
      request(node, 1, { f: 'submit', job: 'a', tenant: 't' });
      request(node, 2, { f: 'submit', job: 'b', tenant: 't' });
      manual.advance(1);
      request(node, 3, { f: 'acquire', holder: 'w1' });
      manual.advance(1);
      request(node, 4, { f: 'acquire', holder: 'w2' });
      manual.advance(1);
      const tokens = manual.replies().filter((reply) => reply.lease !== undefined).map((reply) => reply.lease!.token);
      expect(tokens).toEqual([1, 2]);
      expect(kv.read(TOKEN_KEY)).toBe(bugs.length === 0 ? 2 : null);
    }
  });

  it('gives a lease it inherited a full TTL from its takeover (and none with lease-reset-on-failover)', () => {
    const inherited: ShardDoc = { next: 1, jobs: { j: { tenant: 't', state: 'leased', attempts: 1, token: 9, holder: 'w0', seq: 0, quota: null, released: false } }, zombies: [] };
    const seed = (kv: MapKv): void => void kv.values.set(shardKey(shardOf('j')), JSON.stringify(inherited));
    const stateOf = (kv: MapKv): string => (JSON.parse(kv.read(shardKey(shardOf('j'))) as string) as ShardDoc).jobs.j!.state;

    const correct = boot([], seed);
    correct.manual.advance(TTL - 2 * SCHEDULER_DEFAULTS.tickNs);
    expect(stateOf(correct.kv)).toBe('leased');
    correct.manual.advance(3 * SCHEDULER_DEFAULTS.tickNs);
    expect(stateOf(correct.kv)).toBe('queued');

    const buggy = boot(['sched.lease-reset-on-failover'], seed);
    buggy.manual.advance(3 * SCHEDULER_DEFAULTS.tickNs);
    expect(stateOf(buggy.kv)).toBe('queued');
  });

  it('renews only the current lease, and lets a completed job be completed again with the same token only', () => {
    const { manual, node } = boot();
    request(node, 1, { f: 'submit', job: 'a', tenant: 't' });
    manual.advance(1);
    request(node, 2, { f: 'acquire', holder: 'w1' });
    manual.advance(1);
    request(node, 3, { f: 'renew', job: 'a', token: 1 });
    request(node, 4, { f: 'renew', job: 'a', token: 7 });
    manual.advance(1);
    request(node, 5, { f: 'complete', job: 'a', token: 1 });
    manual.advance(1);
    request(node, 6, { f: 'complete', job: 'a', token: 1 });
    request(node, 7, { f: 'complete', job: 'a', token: 2 });
    manual.advance(400 * NS_PER_MS);
    const byId = new Map(manual.replies().map((reply) => [reply.id, reply]));
    expect(byId.get(3)).toMatchObject({ ok: true });
    expect(byId.get(4)).toMatchObject({ ok: false, error: 'lease-lost' });
    expect(byId.get(5)).toMatchObject({ ok: true });
    expect(byId.get(6)).toMatchObject({ ok: true });
    expect(byId.get(7)).toMatchObject({ ok: false, error: 'lease-lost' });
  });
});
