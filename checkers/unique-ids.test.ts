import { describe, expect, it } from 'vitest';
import type { History, HistoryRecord } from '../histories/schema.js';
import { canonicalJson, checkUniqueIds, type UniqueIdsEvidence } from './unique-ids.js';

function history(drafts: Omit<HistoryRecord, 'index'>[]): History {
  return drafts.map((draft, index) => ({ ...draft, index }));
}

function generate(process: number, id: unknown, type: 'ok' | 'fail' | 'info' = 'ok'): Omit<HistoryRecord, 'index'>[] {
  return [
    { process, type: 'invoke', f: 'generate', value: null },
    { process, type, f: 'generate', value: type === 'ok' ? id : null },
  ];
}

describe('checkUniqueIds', () => {
  it('passes distinct ids of any JSON type', () => {
    const result = checkUniqueIds(history([...generate(0, 1), ...generate(1, '1'), ...generate(2, [1, 2]), ...generate(3, { a: 1 }), ...generate(4, null, 'info')]));
    expect(result.verdict).toBe('valid');
    expect(result.summary).toMatch(/all 4 ids distinct/);
  });

  it('finds an id returned twice, objects compared without key order', () => {
    const result = checkUniqueIds(history([...generate(0, { node: 'n1', n: 1 }), ...generate(1, 'x'), ...generate(2, { n: 1, node: 'n1' })]));
    expect(result.verdict).toBe('invalid');
    const evidence = result.evidence as UniqueIdsEvidence;
    expect(evidence.duplicates).toEqual([{ id: { node: 'n1', n: 1 }, indexes: [1, 5] }]);
  });

  it('is unknown with no ok op, or an ok op without an id', () => {
    expect(checkUniqueIds(history(generate(0, null, 'fail'))).verdict).toBe('unknown');
    expect(checkUniqueIds(history([...generate(0, 1), { process: 1, type: 'invoke', f: 'generate', value: null }, { process: 1, type: 'ok', f: 'generate', value: null }])).verdict).toBe('unknown');
  });

  it('writes canonical JSON', () => {
    expect(canonicalJson({ b: [1, { d: 2, c: 3 }], a: 'x' })).toBe('{"a":"x","b":[1,{"c":3,"d":2}]}');
  });
});
