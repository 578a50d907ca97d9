import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fingerprint, hashParts, hashString32 } from './fingerprint.js';

function digest(feed: (fp: Fingerprint) => void): string {
  const fp = new Fingerprint();
  feed(fp);
  return fp.hex();
}

describe('fingerprint', () => {
  it('is a 16-digit hex string, the same for the same inputs', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const a = digest((fp) => fp.value(value));
        expect(a).toMatch(/^[0-9a-f]{16}$/);
        expect(digest((fp) => fp.value(structuredClone(value)))).toBe(a);
      }),
      { numRuns: 200 },
    );
  });

  it('tells apart values that differ in order, type or content', () => {
    const cases: unknown[] = [1, '1', [1], { a: 1 }, { a: '1' }, [1, 2], [2, 1], { a: 1, b: 2 }, { b: 2, a: 1 }, null, undefined, true, false, 0, -0.5, 0.5, 2 ** 40, 'ab', 'ba', ''];
    const digests = cases.map((value) => digest((fp) => fp.value(value)));
    expect(new Set(digests).size).toBe(cases.length);
  });

  it('a prefix never collides with the whole; event fields all count', () => {
    expect(digest((fp) => fp.word(0))).not.toBe(digest((fp) => (fp.word(0), fp.word(0))));
    const base = digest((fp) => fp.event(1000, 1, 3, 7));
    expect(digest((fp) => fp.event(1001, 1, 3, 7))).not.toBe(base);
    expect(digest((fp) => fp.event(1000, 2, 3, 7))).not.toBe(base);
    expect(digest((fp) => fp.event(1000, 1, 4, 7))).not.toBe(base);
    expect(digest((fp) => fp.event(1000, 1, 3, 8))).not.toBe(base);
    expect(digest((fp) => fp.event(1000 + 2 ** 32, 1, 3, 7))).not.toBe(base);
    expect(digest((fp) => fp.event(1000, 1, 3, 7 + 2 ** 32))).not.toBe(base);
  });

  it('hex() does not disturb feeding', () => {
    const a = new Fingerprint();
    a.string('x');
    a.hex();
    a.number(5);
    expect(a.hex()).toBe(digest((fp) => (fp.string('x'), fp.number(5))));
  });

  it('few collisions over many distinct small inputs', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(hashParts(['k', i]));
    expect(seen.size).toBe(20_000);
    expect(hashString32('raft.append')).not.toBe(hashString32('raft.appenD'));
  });
});
