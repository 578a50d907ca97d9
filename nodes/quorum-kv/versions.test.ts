// Dotted version vectors: merge is a join (commutative, associative, idempotent), no write is lost
// unless a write that saw it replaced it, and the planted merge bug really drops concurrent siblings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_CONTEXT, EMPTY_OBJECT, canonical, contextOf, covers, liveValues, merge, nextTag, resolveLww, winner, writeVersion, type VersionedObject } from './versions.js';

const ACTORS = ['n1.1', 'n2.1', 'n3.1'];

/** A replicated history: each step writes at one actor (blind or after syncing from another), or syncs two. */
type Step = { kind: 'write'; at: number; readFrom: number | null; blind: boolean } | { kind: 'sync'; from: number; to: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), at: fc.nat(2), readFrom: fc.option(fc.nat(2)), blind: fc.boolean() }),
  fc.record({ kind: fc.constant('sync' as const), from: fc.nat(2), to: fc.nat(2) }),
);

interface Outcome {
  replicas: VersionedObject[];
  written: number[];
  replaced: Set<number>;
}

function play(steps: readonly Step[]): Outcome {
  const replicas: VersionedObject[] = ACTORS.map(() => EMPTY_OBJECT);
  const written: number[] = [];
  const replaced = new Set<number>();
  let value = 0;
  for (const s of steps) {
    if (s.kind === 'sync') {
      replicas[s.to] = merge(replicas[s.to]!, replicas[s.from]!);
      continue;
    }
    // The client read from some replica and writes at `at` with that context (or blind).
    const seen = s.readFrom === null ? replicas[s.at]! : replicas[s.readFrom]!;
    const context = s.blind ? EMPTY_CONTEXT : contextOf(seen);
    if (!s.blind) for (const v of liveValues(seen)) replaced.add(v);
    // The coordinator first merges what it was sent, as the node's read phase does.
    const base = s.blind ? replicas[s.at]! : merge(replicas[s.at]!, seen);
    value += 1;
    replicas[s.at] = writeVersion(base, context, ACTORS[s.at]!, nextTag(value, contextOf(base).tag), value);
    written.push(value);
  }
  return { replicas, written, replaced };
}

function mergeAll(objects: readonly VersionedObject[]): VersionedObject {
  return objects.reduce((acc, object) => merge(acc, object), EMPTY_OBJECT);
}

describe('versions', () => {
  it('merge is commutative, associative and idempotent over replicated histories', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const [a, b, c] = play(steps).replicas as [VersionedObject, VersionedObject, VersionedObject];
        expect(canonical(merge(a, b))).toBe(canonical(merge(b, a)));
        expect(canonical(merge(merge(a, b), c))).toBe(canonical(merge(a, merge(b, c))));
        expect(canonical(merge(a, a))).toBe(canonical(a));
      }),
    );
  });

  it('keeps every written value that no write replaced, and drops every replaced one', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const { replicas, written, replaced } = play(steps);
        const all = new Set(liveValues(mergeAll(replicas)));
        for (const value of written) expect(all.has(value)).toBe(!replaced.has(value));
      }),
    );
  });

  it('the kv.vv-merge bug drops a concurrent sibling that has a smaller tag', () => {
    const a = writeVersion(EMPTY_OBJECT, EMPTY_CONTEXT, 'n1.1', 10, 1);
    const b = writeVersion(EMPTY_OBJECT, EMPTY_CONTEXT, 'n2.1', 20, 2);
    expect(liveValues(merge(a, b))).toEqual([1, 2]);
    expect(liveValues(merge(a, b, true))).toEqual([2]);
  });

  it('a write with a context replaces what it saw and keeps what it did not', () => {
    const a = writeVersion(EMPTY_OBJECT, EMPTY_CONTEXT, 'n1.1', 10, 1);
    const seen = contextOf(a);
    const concurrent = merge(a, writeVersion(EMPTY_OBJECT, EMPTY_CONTEXT, 'n2.1', 5, 2));
    const next = writeVersion(concurrent, seen, 'n1.1', nextTag(3, seen.tag), 3);
    expect(liveValues(next)).toEqual([2, 3]);
    expect(covers(next.vv, { actor: 'n1.1', counter: 1 })).toBe(true);
  });

  it('tags: one past the newest seen even when the wall clock lags; raw wall clock under the bug', () => {
    expect(nextTag(100, 500)).toBe(501);
    expect(nextTag(900, 500)).toBe(900);
    expect(nextTag(100, 500, true)).toBe(100);
    const older = writeVersion(EMPTY_OBJECT, EMPTY_CONTEXT, 'n1.1', 500, 1);
    const newer = merge(older, writeVersion(EMPTY_OBJECT, EMPTY_CONTEXT, 'n2.1', nextTag(100, 500), 2));
    expect(winner(newer)?.value).toBe(2);
    expect(liveValues(resolveLww(newer))).toEqual([2]);
  });

  it("refuses a version whose context claims the actor's own events its copy does not hold", () => {
    expect(() => writeVersion(EMPTY_OBJECT, { vv: { 'n1.1': 3 }, tag: 0 }, 'n1.1', 1, 1)).toThrow(/own copy/);
  });
});
