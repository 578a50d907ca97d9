import { describe, expect, it } from 'vitest';
import { makeConfig } from './config.js';
import { encodeRecords, parseFile, recover, walFileName, type WalRecord } from './wal.js';
import type { Entry } from './types.js';

const HS = { term: 2, vote: 'n1', commit: 1 };

function noops(from: number, count: number, term: number): Entry[] {
  return Array.from({ length: count }, (_, k) => ({ index: from + k, term, data: { kind: 'noop' as const } }));
}

function file(records: WalRecord[]): Uint8Array {
  return encodeRecords(records).slice();
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe('WAL', () => {
  const base: WalRecord = { t: 'base', gen: 1, snap: null, hs: { term: 0, vote: null, commit: 0 } };

  it('replays entries with truncation and the newest hard state', () => {
    const bytes = file([base, { t: 'ent', e: noops(1, 5, 1) }, { t: 'hs', hs: HS }, { t: 'ent', e: noops(3, 2, 2) }]);
    const result = recover(new Map([[walFileName(1), bytes]]));
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    expect(result.state.entries.map((e) => `${e.index}/${e.term}`)).toEqual(['1/1', '2/1', '3/2', '4/2']);
    expect(result.state.hardState).toEqual(HS);
    expect(result.truncateTo).toBeNull();
  });

  it('treats a cut or garbled last record as a torn tail and truncates it', () => {
    const good = file([base, { t: 'ent', e: noops(1, 3, 1) }]);
    const tail = file([{ t: 'hs', hs: HS }]);
    for (const keep of [3, 9, tail.length - 1]) {
      const torn = concat(good, tail.slice(0, keep));
      const result = recover(new Map([[walFileName(1), torn]]));
      expect(result.kind).toBe('ok');
      if (result.kind === 'ok') {
        expect(result.truncateTo).toBe(good.length);
        expect(result.state.entries.length).toBe(3);
        expect(result.state.hardState.term).toBe(0);
      }
    }
    const garbled = concat(good, tail);
    garbled[garbled.length - 2] ^= 0xff;
    const result = recover(new Map([[walFileName(1), garbled]]));
    expect(result.kind === 'ok' && result.truncateTo === good.length).toBe(true);
  });

  it('refuses to serve a corrupted record followed by good ones', () => {
    const first = file([base, { t: 'ent', e: noops(1, 3, 1) }]);
    const rest = file([{ t: 'hs', hs: HS }, { t: 'ent', e: noops(4, 1, 2) }]);
    const bytes = concat(first, rest);
    bytes[first.length + 12] ^= 0x01;
    const result = recover(new Map([[walFileName(1), bytes]]));
    expect(result.kind).toBe('corrupt');
    if (result.kind === 'corrupt') expect(result.reason).toMatch(new RegExp(`corrupt wal record at offset ${first.length} of wal-0000000001`));
    expect(parseFile(bytes).problem?.kind).toBe('corrupt');
  });

  it('prefers the newest generation and falls back when its base never became durable', () => {
    const snap = { meta: { index: 10, term: 3, config: makeConfig(['n1']), chain: 7 }, data: '{"v":[],"s":[]}' };
    const older = file([base, { t: 'ent', e: noops(1, 12, 1) }]);
    const newer = file([{ t: 'base', gen: 2, snap, hs: HS }, { t: 'ent', e: noops(11, 2, 3) }]);
    const both = recover(new Map([[walFileName(1), older], [walFileName(2), newer]]));
    expect(both.kind === 'ok' && both.state.snapshot?.meta.index === 10 && both.state.entries[0]!.index === 11).toBe(true);
    expect(both.kind === 'ok' && both.stale).toEqual([walFileName(1)]);
    const headless = recover(new Map([[walFileName(1), older], [walFileName(2), newer.slice(0, 5)]]));
    expect(headless.kind === 'ok' && headless.file === walFileName(1) && headless.stale.includes(walFileName(2))).toBe(true);
  });

  it('reports a gap in the entries as corruption', () => {
    const bytes = file([base, { t: 'ent', e: noops(1, 2, 1) }, { t: 'ent', e: noops(5, 1, 1) }]);
    expect(recover(new Map([[walFileName(1), bytes]])).kind).toBe('corrupt');
  });

  it('round-trips every field of every record kind, non-ASCII text and large numbers included', () => {
    const snap = { meta: { index: 2 ** 40, term: 7, config: { voters: ['n1', 'nœud-2'], outgoing: ['n3'], learners: ['n4'] }, chain: 0xfffffffe }, data: '{"v":[["ключ",1]],"s":[]}' };
    const entries: Entry[] = [
      { index: 2 ** 40 + 1, term: 7, data: { kind: 'kv', client: 'c1', seq: 0, op: { f: 'read', key: 'k', value: null } } },
      { index: 2 ** 40 + 2, term: 7, data: { kind: 'kv', client: 'c'.repeat(200), seq: 2 ** 53 - 1, op: { f: 'write', key: 'é', value: -1.5 } } },
      { index: 2 ** 40 + 3, term: 8, data: { kind: 'kv', client: 'c2', seq: 3, op: { f: 'cas', key: 'k', value: [1e300, -0] } } },
      { index: 2 ** 40 + 4, term: 8, data: { kind: 'config', config: { voters: ['n1'], outgoing: [], learners: [] } } },
      { index: 2 ** 40 + 5, term: 8, data: { kind: 'noop' } },
      // String documents and creates (an embedding system's state: see embedded.ts).
      { index: 2 ** 40 + 6, term: 8, data: { kind: 'kv', client: 'n1#raft.x', seq: 1, op: { f: 'write', key: 'p0', value: '{"leader":"n2","isr":["n1"]}' } } },
      { index: 2 ** 40 + 7, term: 8, data: { kind: 'kv', client: 'n1#raft.x', seq: 2, op: { f: 'cas', key: 'owner', value: [null, 'n1'] } } },
      { index: 2 ** 40 + 8, term: 8, data: { kind: 'kv', client: 'n1#raft.x', seq: 3, op: { f: 'cas', key: 'owner', value: ['n1', 7] } } },
    ];
    const records: WalRecord[] = [{ t: 'base', gen: 3, snap, hs: { term: 7, vote: 'nœud-2', commit: 2 ** 40 } }, { t: 'ent', e: entries, c: 2 ** 40 + 2 }, { t: 'hs', hs: { term: 8, vote: null, commit: 2 ** 40 + 3 } }, { t: 'ent', e: [] }];
    const parsed = parseFile(file(records));
    expect(parsed.problem).toBeNull();
    expect(parsed.records).toEqual(records);
  });
});
