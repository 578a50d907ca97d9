// The TTL checker: late and early expiry against true time with the allowed skew.
import { describe, expect, it } from 'vitest';
import type { History, HistoryRecord } from '../histories/schema.js';
import { checkTtl, type TtlEvidence } from './ttl.js';

type Draft = Omit<HistoryRecord, 'index'>;
const MS = 1_000_000;

function history(drafts: Draft[]): History {
  return drafts.map((draft, index) => ({ ...draft, index }));
}

function op(process: number, f: 'read' | 'write', key: string, value: number | null, atMs: number, doneMs: number, result: number | null = value): Draft[] {
  return [
    { process, type: 'invoke', f, value: f === 'read' ? null : value, key, time: atMs * MS },
    { process, type: 'ok', f, value: result, key, time: doneMs * MS },
  ];
}

const OPTIONS = { ttlMs: 400, skewMs: 50 };

describe('checkTtl', () => {
  it('accepts values seen before expiry and gone after it, within the skew', () => {
    const h = history([...op(0, 'write', 'a', 7, 0, 10), ...op(1, 'read', 'a', null, 200, 210, 7), ...op(1, 'read', 'a', null, 450, 460, 7), ...op(1, 'read', 'a', null, 400, 420, null)]);
    expect(checkTtl(h, OPTIONS).verdict).toBe('valid');
  });

  it('refuses a value read past its latest expiry, and one gone before its earliest', () => {
    const late = checkTtl(history([...op(0, 'write', 'a', 7, 0, 10), ...op(1, 'read', 'a', null, 600, 610, 7)]), OPTIONS);
    expect(late.verdict).toBe('invalid');
    expect((late.evidence as TtlEvidence).late).toBe(1);
    const early = checkTtl(history([...op(0, 'write', 'a', 7, 0, 10), ...op(1, 'read', 'a', null, 100, 120, null)]), OPTIONS);
    expect(early.verdict).toBe('invalid');
    expect((early.evidence as TtlEvidence).early).toBe(1);
  });

  it('lets an indefinite write take effect late: its timeout bounds nothing', () => {
    const info: Draft[] = [
      { process: 0, type: 'invoke', f: 'write', value: 7, key: 'a', time: 0 },
      { process: 0, type: 'info', f: 'write', value: 7, key: 'a', time: 1_000 * MS },
    ];
    expect(checkTtl(history([...info, ...op(1, 'read', 'a', null, 1_300, 1_310, 7)]), OPTIONS).verdict).toBe('valid');
  });

  it('cannot judge a key written twice or a read of a value never written there', () => {
    expect(checkTtl(history([...op(0, 'write', 'a', 7, 0, 10), ...op(0, 'write', 'a', 8, 20, 30)]), OPTIONS).verdict).toBe('unknown');
    expect(checkTtl(history([...op(0, 'write', 'a', 7, 0, 10), ...op(1, 'read', 'a', null, 20, 30, 9)]), OPTIONS).verdict).toBe('unknown');
  });
});
