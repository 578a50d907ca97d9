import { describe, expect, it } from 'vitest';
import type { ClientHost, TimerTag } from '../nodes/host.js';
import { SimRandom } from '../sim/random.js';
import { KvCaller, type CallResult, type KvCallerConfig } from './kv-caller.js';
import type { KvReply, KvRequest } from './kv-protocol.js';

/** A host driven by hand: sends are collected, timers fire when the test says. */
function manualHost() {
  const sent: { to: string; request: KvRequest }[] = [];
  const timers = new Map<number, TimerTag>();
  let nextTimer = 1;
  const host = {
    id: 'c0',
    peers: () => [],
    now: () => 0,
    send: (to: string, message: unknown) => sent.push({ to, request: message as KvRequest }),
    setTimer: (_delay: number, tag: TimerTag) => {
      timers.set(nextTimer, tag);
      return nextTimer++;
    },
    cancelTimer: (id: number) => timers.delete(id),
    random: SimRandom.stream(1, 'manual'),
    record: () => {},
    done: () => {},
  } as unknown as ClientHost;
  /** Fires the pending timer with this tag, as the World would. */
  const fire = (caller: KvCaller, tag: string) => {
    const entry = [...timers].find(([, value]) => value === tag);
    if (entry === undefined) throw new Error(`no pending ${tag} timer`);
    timers.delete(entry[0]);
    caller.onTimer(tag);
  };
  return { host, sent, timers, fire };
}

const CONFIG = (nodes: string[]): KvCallerConfig => ({
  nodes,
  timeoutNs: 1000,
  attemptTimeoutNs: 250,
  attemptsMax: 5,
  backoffNs: 50,
  leaderBiasQuarters: 4,
});

function reply(seq: number, outcome: KvReply['outcome'], extra: Partial<KvReply> = {}): KvReply {
  return { type: 'kv.reply', seq, outcome, ...extra };
}

describe('KvCaller', () => {
  it('follows a redirect to the leader and reports who served the op', () => {
    const { host, sent } = manualHost();
    const results: CallResult[] = [];
    const caller = new KvCaller(host, CONFIG(['n1', 'n2', 'n3']), (result) => results.push(result));
    caller.call({ f: 'write', key: 'k', value: 5 });
    const first = sent[0]!;
    const leader = first.to === 'n2' ? 'n3' : 'n2';
    caller.onMessage(first.to, reply(1, 'redirect', { leader }));
    expect(sent[1]).toEqual({ to: leader, request: { ...first.request } });
    caller.onMessage(leader, reply(1, 'ok', { value: 5 }));
    expect(results).toEqual([{ outcome: 'ok', value: 5, node: leader }]);
    expect(caller.knownLeader()).toBe(leader);
    // The next call goes to the leader it learnt, with the next seq.
    caller.call({ f: 'read', key: 'k', value: null });
    expect(sent[2]).toMatchObject({ to: leader, request: { seq: 2 } });
  });

  it('ends in fail only when every attempt was refused', () => {
    const { host, sent, fire } = manualHost();
    const results: CallResult[] = [];
    const caller = new KvCaller(host, CONFIG(['n1', 'n2']), (result) => results.push(result));
    caller.call({ f: 'write', key: 'k', value: 1 });
    caller.onMessage(sent[0]!.to, reply(1, 'unavailable'));
    fire(caller, 'kv.backoff');
    expect(sent[1]!.to).not.toBe(sent[0]!.to);
    caller.onMessage(sent[1]!.to, reply(1, 'redirect', { leader: null }));
    fire(caller, 'kv.deadline');
    expect(results).toEqual([{ outcome: 'fail', error: 'op timeout', node: sent[1]!.to }]);
  });

  it('ends in info when an attempt timed out, even if a later one was refused', () => {
    const { host, sent, fire } = manualHost();
    const results: CallResult[] = [];
    const caller = new KvCaller(host, CONFIG(['n1', 'n2']), (result) => results.push(result));
    caller.call({ f: 'write', key: 'k', value: 1 });
    fire(caller, 'kv.attempt');
    caller.onMessage(sent[1]!.to, reply(1, 'unavailable'));
    fire(caller, 'kv.deadline');
    expect(results).toEqual([{ outcome: 'info', node: sent[1]!.to, reason: 'op timeout' }]);
  });

  it('does not take an old refusal from a node for the answer to a second attempt there', () => {
    const { host, sent, fire } = manualHost();
    const results: CallResult[] = [];
    // One node only: every attempt goes to it.
    const caller = new KvCaller(host, CONFIG(['n1']), (result) => results.push(result));
    caller.call({ f: 'write', key: 'k', value: 1 });
    const refusal = reply(1, 'redirect', { leader: null });
    caller.onMessage('n1', refusal);
    fire(caller, 'kv.backoff');
    expect(sent).toHaveLength(2);
    // A duplicate of the first refusal arrives; the second attempt may yet be applied.
    caller.onMessage('n1', refusal);
    fire(caller, 'kv.deadline');
    expect(results.map((result) => result.outcome)).toEqual(['info']);
  });

  it('ignores answers from other nodes and old seqs, and takes a cas mismatch as fail', () => {
    const { host, sent } = manualHost();
    const results: CallResult[] = [];
    const caller = new KvCaller(host, CONFIG(['n1', 'n2', 'n3']), (result) => results.push(result));
    caller.call({ f: 'cas', key: 'k', value: [1, 2] });
    const target = sent[0]!.to;
    const other = ['n1', 'n2', 'n3'].find((node) => node !== target)!;
    caller.onMessage(other, reply(1, 'unavailable'));
    caller.onMessage(target, reply(0, 'ok'));
    expect(caller.onMessage(target, { type: 'something else' })).toBe(false);
    expect(results).toEqual([]);
    expect(sent).toHaveLength(1);
    caller.onMessage(target, reply(1, 'fail', { error: 'cas-mismatch' }));
    expect(results).toEqual([{ outcome: 'fail', error: 'cas-mismatch', node: target }]);
  });

  it('gives up as info after its attempt budget when nothing certain came back', () => {
    const { host, sent, fire } = manualHost();
    const results: CallResult[] = [];
    const caller = new KvCaller(host, CONFIG(['n1', 'n2', 'n3']), (result) => results.push(result));
    caller.call({ f: 'read', key: 'k', value: null });
    for (let attempt = 0; attempt < 5; attempt++) fire(caller, 'kv.attempt');
    expect(sent).toHaveLength(5);
    expect(results.map((result) => result.outcome)).toEqual(['info']);
    expect(caller.idle()).toBe(true);
  });
});
