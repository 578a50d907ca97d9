// The request wrapper: options stamped per op kind, no blind resend of a write whose fate is
// unknown, session tokens carried per key.
import { describe, expect, it } from 'vitest';
import type { ClientHost, Message, NodeId } from '../../nodes/host.js';
import { QuorumClientHost } from './client-host.js';
import { AP_QUORUM_LWW, CP_QUORUM } from './options.js';

function fakeHost(): { host: ClientHost; sent: { to: NodeId; message: Record<string, unknown> }[] } {
  const sent: { to: NodeId; message: Record<string, unknown> }[] = [];
  const host = { id: 'c0', send: (to: NodeId, message: Message) => sent.push({ to, message: message as Record<string, unknown> }) } as unknown as ClientHost;
  return { host, sent };
}

const write = (seq: number, key = 'k0') => ({ type: 'kv.request', client: 'c0', seq, op: { f: 'write', key, value: seq } });
const read = (seq: number, key = 'k0') => ({ type: 'kv.request', client: 'c0', seq, op: { f: 'read', key, value: null } });

describe('QuorumClientHost', () => {
  it('stamps requests and never resends a write until its earlier attempt was refused', () => {
    const { host, sent } = fakeHost();
    const wrapper = new QuorumClientHost(host, { read: CP_QUORUM, write: CP_QUORUM });
    wrapper.host.send('n1', write(1));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.message.q).toEqual(CP_QUORUM);
    // The attempt at n1 timed out: its fate is unknown, so the retry to n2 is held back.
    wrapper.host.send('n2', write(1));
    expect(sent).toHaveLength(1);
    // n1 says it did nothing: now one more attempt may go.
    wrapper.observe('n1', { type: 'kv.reply', seq: 1, outcome: 'unavailable' });
    wrapper.host.send('n2', write(1));
    expect(sent.map((s) => s.to)).toEqual(['n1', 'n2']);
    // Reads have no effect, so their retries always go.
    wrapper.host.send('n1', read(2));
    wrapper.host.send('n2', read(2));
    expect(sent).toHaveLength(4);
  });

  it('carries the largest tag seen per key as a session token on writes', () => {
    const { host, sent } = fakeHost();
    const wrapper = new QuorumClientHost(host, { read: AP_QUORUM_LWW, write: AP_QUORUM_LWW, session: true });
    wrapper.host.send('n1', write(1, 'k0'));
    expect(sent[0]!.message.q).toEqual(AP_QUORUM_LWW);
    wrapper.observe('n1', { type: 'kv.reply', seq: 1, outcome: 'ok', value: 1, tag: 500 });
    wrapper.host.send('n1', write(2, 'k0'));
    expect((sent[1]!.message.q as { context: unknown }).context).toEqual({ vv: {}, tag: 500 });
    // Another key has its own token (none yet).
    wrapper.host.send('n1', write(3, 'k1'));
    expect((sent[2]!.message.q as { context?: unknown }).context).toBeUndefined();
  });
});
