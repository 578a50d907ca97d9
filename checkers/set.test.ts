import { describe, expect, it } from 'vitest';
import type { History, HistoryRecord } from '../histories/schema.js';
import { checkSet, type SetEvidence } from './set.js';

type Draft = Omit<HistoryRecord, 'index'>;

function history(drafts: Draft[]): History {
  return drafts.map((draft, index) => ({ ...draft, index }));
}

/** A process adds `element` and the add ends `type`. */
function add(process: number, element: number, type: 'ok' | 'fail' | 'info', key = 'c0'): Draft[] {
  return [
    { process, type: 'invoke', f: 'add', value: element, key },
    { process, type, f: 'add', value: element, key },
  ];
}

function read(process: number, elements: number[], key = 'c0'): Draft[] {
  return [
    { process, type: 'invoke', f: 'read', value: null, key },
    { process, type: 'ok', f: 'read', value: elements, key },
  ];
}

function evidenceOf(result: ReturnType<typeof checkSet>): SetEvidence {
  return result.evidence as SetEvidence;
}

describe('checkSet', () => {
  it('passes a clean history, with an info add either present or absent', () => {
    const result = checkSet(history([...add(0, 1, 'ok'), ...add(0, 2, 'info'), ...add(1, 3, 'fail'), ...read(2, [1, 2]), ...read(3, [1, 2])]));
    expect(result.verdict).toBe('valid');
    expect(evidenceOf(result).recovered).toBe(1);
    const absent = checkSet(history([...add(0, 1, 'ok'), ...add(0, 2, 'info'), ...read(2, [1])]));
    expect(absent.verdict).toBe('valid');
    expect(evidenceOf(absent).recovered).toBe(0);
  });

  it('finds an acknowledged add missing from a later read', () => {
    const result = checkSet(history([...add(0, 1, 'ok'), ...add(0, 2, 'ok'), ...read(1, [2])]));
    expect(result.verdict).toBe('invalid');
    const evidence = evidenceOf(result);
    expect(evidence.counts.lost).toBe(1);
    expect(evidence.lost[0]).toMatchObject({ key: 'c0', element: 1, readIndex: 5, sinceIndex: 1 });
  });

  it('does not demand an add that completed after the read was invoked', () => {
    const drafts: Draft[] = [
      { process: 0, type: 'invoke', f: 'add', value: 7, key: 'c0' },
      { process: 1, type: 'invoke', f: 'read', value: null, key: 'c0' },
      { process: 0, type: 'ok', f: 'add', value: 7, key: 'c0' },
      { process: 1, type: 'ok', f: 'read', value: [], key: 'c0' },
    ];
    expect(checkSet(history(drafts)).verdict).toBe('valid');
  });

  it('finds an element nobody added, and one whose only add failed', () => {
    const result = checkSet(history([...add(0, 1, 'ok'), ...add(0, 2, 'fail'), ...read(1, [1, 2, 9])]));
    expect(result.verdict).toBe('invalid');
    const evidence = evidenceOf(result);
    expect(evidence.unexpected.map((finding) => finding.element)).toEqual([9]);
    expect(evidence.failedPresent.map((finding) => finding.element)).toEqual([2]);
  });

  it('finds an element that a later read no longer has (stale)', () => {
    const result = checkSet(history([...add(0, 5, 'info'), ...read(1, [5]), ...read(2, [])]));
    expect(result.verdict).toBe('invalid');
    expect(evidenceOf(result).stale[0]).toMatchObject({ element: 5, sinceIndex: 3, readIndex: 5 });
  });

  it('judges each key on its own', () => {
    // Element 1 went to set c0; a read of set c1 without it is fine, one of c0 is not.
    const fine = checkSet(history([...add(0, 1, 'ok', 'c0'), ...read(1, [], 'c1'), ...read(2, [1], 'c0')]));
    expect(fine.verdict).toBe('valid');
    const lost = checkSet(history([...add(0, 1, 'ok', 'c0'), ...read(1, [], 'c0')]));
    expect(lost.verdict).toBe('invalid');
  });

  it('says unknown when an add may have happened and no read can tell', () => {
    const result = checkSet(history([...add(0, 1, 'ok')]));
    expect(result.verdict).toBe('unknown');
    expect(evidenceOf(result).unread).toEqual(['c0']);
  });
});
