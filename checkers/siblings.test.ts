import { describe, expect, it } from 'vitest';
import type { History, HistoryRecord } from '../histories/schema.js';
import { checkSiblings, type SiblingsEvidence } from './siblings.js';

type Draft = Omit<HistoryRecord, 'index'>;

function history(drafts: Draft[]): History {
  return drafts.map((draft, index) => ({ ...draft, index, time: index * 1_000_000 }));
}

function write(process: number, value: number, replaced: number[], type: 'ok' | 'fail' | 'info' = 'ok', key = 'k0'): Draft[] {
  return [
    { process, type: 'invoke', f: 'write', value: [value, replaced], key },
    { process, type, f: 'write', value: [value, replaced], key },
  ];
}

function finalRead(process: number, r: 'all' | 'one', siblings: number[], key = 'k0'): Draft[] {
  return [
    { process, type: 'invoke', f: 'final-read', value: r, key },
    { process, type: 'ok', f: 'final-read', value: siblings, key },
  ];
}

const evidence = (result: ReturnType<typeof checkSiblings>): SiblingsEvidence => result.evidence as SiblingsEvidence;

describe('checkSiblings', () => {
  it('passes concurrent siblings kept and a replaced one gone', () => {
    const result = checkSiblings(history([...write(0, 1, []), ...write(1, 2, []), ...write(0, 3, [1]), ...finalRead(2, 'all', [2, 3]), ...finalRead(2, 'one', [2, 3])]));
    expect(result.verdict).toBe('valid');
    expect(evidence(result).siblingsMax).toBe(2);
  });

  it('finds an acknowledged sibling that nothing replaced missing from the final read', () => {
    const result = checkSiblings(history([...write(0, 1, []), ...write(1, 2, []), ...finalRead(2, 'all', [2])]));
    expect(result.verdict).toBe('invalid');
    expect(evidence(result).lost).toEqual([expect.objectContaining({ key: 'k0', value: 1 })]);
  });

  it('lets a value go when a write that may have happened replaced it, but not when that write failed', () => {
    const info = checkSiblings(history([...write(0, 1, []), ...write(1, 2, [1], 'info'), ...finalRead(2, 'all', [])]));
    expect(info.verdict).toBe('valid');
    const failed = checkSiblings(history([...write(0, 1, []), ...write(1, 2, [1], 'fail'), ...finalRead(2, 'all', [])]));
    expect(failed.verdict).toBe('invalid');
  });

  it('finds a value replaced by an acknowledged write back in a final read', () => {
    const result = checkSiblings(history([...write(0, 1, []), ...write(0, 2, [1]), ...finalRead(2, 'all', [1, 2])]));
    expect(result.verdict).toBe('invalid');
    expect(evidence(result).counts.resurrected).toBe(1);
  });

  it('finds a value nobody wrote, and a replica that did not converge', () => {
    expect(evidence(checkSiblings(history([...write(0, 1, []), ...finalRead(2, 'all', [1, 9])]))).counts.unexpected).toBe(1);
    const diverged = checkSiblings(history([...write(0, 1, []), ...finalRead(2, 'all', [1]), ...finalRead(2, 'one', [])]));
    expect(diverged.verdict).toBe('invalid');
    expect(evidence(diverged).counts.diverged).toBe(1);
    // Before the convergence time, a replica may still lag.
    expect(checkSiblings(history([...write(0, 1, []), ...finalRead(2, 'all', [1]), ...finalRead(2, 'one', [])]), { convergedByNs: 10 ** 9 }).verdict).toBe('valid');
  });

  it('cannot judge a key with acknowledged writes and no final read of all replicas', () => {
    expect(checkSiblings(history([...write(0, 1, [])])).verdict).toBe('unknown');
  });
});
