import { describe, expect, it } from 'vitest';
import { SimRandom } from '../../sim/random.js';
import type { Body } from './protocol.js';
import { LinKvService, LwwKvService, SEQ_VERSIONS_KEPT, SeqKvService, createService } from './services.js';

let msgId = 0;
function request(type: string, fields: Record<string, unknown>): Body {
  msgId += 1;
  return { type, msg_id: msgId, ...fields };
}

describe('lin-kv', () => {
  it('reads, writes and compare-and-sets with the documented errors', () => {
    const kv = new LinKvService();
    const read = request('read', { key: 'x' });
    expect(kv.handle('n1', read)).toMatchObject({ type: 'error', code: 20, in_reply_to: read.msg_id });
    expect(kv.handle('n1', request('cas', { key: 'x', from: 1, to: 2 }))).toMatchObject({ type: 'error', code: 20 });
    expect(kv.handle('n1', request('cas', { key: 'x', from: 1, to: 2, create_if_not_exists: true }))).toMatchObject({ type: 'cas_ok' });
    expect(kv.handle('n2', request('read', { key: 'x' }))).toMatchObject({ type: 'read_ok', value: 2 });
    expect(kv.handle('n2', request('cas', { key: 'x', from: 1, to: 3 }))).toMatchObject({ type: 'error', code: 22 });
    expect(kv.handle('n2', request('write', { key: 'x', value: { deep: [1] } }))).toMatchObject({ type: 'write_ok' });
    expect(kv.handle('n1', request('cas', { key: 'x', from: { deep: [1] }, to: 4 }))).toMatchObject({ type: 'cas_ok' });
    expect(kv.handle('n1', request('read', { key: 'x' }))).toMatchObject({ value: 4 });
  });

  it('refuses what it does not serve', () => {
    const kv = new LinKvService();
    expect(kv.handle('n1', request('append', { key: 'x', value: 1 }))).toMatchObject({ type: 'error', code: 10 });
    expect(kv.handle('n1', request('read', {}))).toMatchObject({ type: 'error', code: 12 });
    expect(kv.handle('n1', request('write', { key: 'x' }))).toMatchObject({ type: 'error', code: 12 });
  });

  it('keeps keys of different JSON types apart', () => {
    const kv = new LinKvService();
    kv.handle('n1', request('write', { key: 1, value: 'number' }));
    kv.handle('n1', request('write', { key: '1', value: 'string' }));
    expect(kv.handle('n1', request('read', { key: 1 }))).toMatchObject({ value: 'number' });
  });
});

describe('seq-kv', () => {
  it('serves stale reads, never older than what the caller has seen, and updates the newest version', () => {
    const kv = new SeqKvService(SimRandom.stream(1, 'seq-kv'));
    for (let value = 1; value <= 10; value += 1) kv.handle('n1', request('write', { key: 'x', value }));
    // n2 has seen nothing: its reads may be old, but each read is at least as new as the last.
    let last = -1;
    const seen: unknown[] = [];
    for (let i = 0; i < 30; i += 1) {
      const reply = kv.handle('n2', request('read', { key: 'x' }));
      const value = reply.type === 'read_ok' ? (reply.value as number) : 0;
      expect(value).toBeGreaterThanOrEqual(last);
      last = value;
      seen.push(value);
    }
    expect(new Set(seen).size).toBeGreaterThan(1);
    // The writer itself never reads before its own write.
    for (let i = 0; i < 20; i += 1) expect(kv.handle('n1', request('read', { key: 'x' }))).toMatchObject({ value: 10 });
    // A cas compares against the newest version, whatever the caller saw.
    expect(kv.handle('n3', request('cas', { key: 'x', from: 10, to: 11 }))).toMatchObject({ type: 'cas_ok' });
    expect(kv.handle('n3', request('read', { key: 'x' }))).toMatchObject({ value: 11 });
  });

  it(`keeps ${SEQ_VERSIONS_KEPT} versions: a read is never older than that`, () => {
    const kv = new SeqKvService(SimRandom.stream(2, 'seq-kv'));
    for (let value = 1; value <= 100; value += 1) kv.handle('n1', request('write', { key: 'x', value }));
    for (let i = 0; i < 50; i += 1) {
      const reply = kv.handle(`c${i}`, request('read', { key: 'x' }));
      expect(reply.value as number).toBeGreaterThan(100 - SEQ_VERSIONS_KEPT);
    }
  });
});

describe('lww-kv', () => {
  it('answers from one replica at a time, so reads are stale until the replicas gossip', () => {
    const kv = new LwwKvService(SimRandom.stream(1, 'lww'), { replicas: 5, gossipMs: 100, skewMsMax: 0 });
    kv.handle('n1', request('write', { key: 'x', value: 1 }), 1);
    const before = Array.from({ length: 20 }, () => kv.handle('n2', request('read', { key: 'x' }), 2).type);
    expect(before).toContain('error');
    expect(before).toContain('read_ok');
    for (let nowMs = 100; nowMs <= 2_000; nowMs += 100) kv.tick(nowMs);
    for (let i = 0; i < 20; i += 1) expect(kv.handle('n2', request('read', { key: 'x' }), 2_000)).toMatchObject({ value: 1 });
  });

  it('keeps the write with the higher stamp once the replicas converge', () => {
    const kv = new LwwKvService(SimRandom.stream(3, 'lww'), { replicas: 3, gossipMs: 10, skewMsMax: 0 });
    kv.handle('n1', request('write', { key: 'x', value: 'old' }), 10);
    kv.handle('n2', request('write', { key: 'x', value: 'new' }), 20);
    for (let nowMs = 30; nowMs <= 2_000; nowMs += 10) kv.tick(nowMs);
    for (let i = 0; i < 10; i += 1) expect(kv.handle('n3', request('read', { key: 'x' }), 2_000)).toMatchObject({ value: 'new' });
  });
});

describe('createService', () => {
  it('makes each service by its id', () => {
    for (const id of ['lin-kv', 'seq-kv', 'lww-kv'] as const) expect(createService(id, SimRandom.stream(1, id)).id).toBe(id);
  });
});
