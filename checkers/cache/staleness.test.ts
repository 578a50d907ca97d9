import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { HistoryRecord } from '../../histories/schema.js';
import { checkBoundedStaleness } from './staleness.js';

const MS = 1_000_000;

/** Ops as [process, f, key, invokeMs, completeMs, type, value]; records are built in time order. */
type Op = [number, string, string, number, number, 'ok' | 'fail' | 'info', number | null];

function history(ops: readonly Op[]): HistoryRecord[] {
  const events: { time: number; order: number; record: Omit<HistoryRecord, 'index'> }[] = [];
  ops.forEach(([process, f, key, invokeMs, completeMs, type, value], order) => {
    events.push({ time: invokeMs * MS, order, record: { process, type: 'invoke', f, key, value: f === 'write' ? value : null, time: invokeMs * MS } });
    events.push({ time: completeMs * MS, order, record: { process, type, f, key, value, time: completeMs * MS } });
  });
  events.sort((a, b) => a.time - b.time || a.order - b.order);
  return events.map((event, index) => ({ index, ...event.record }));
}

const strict = { deltaNs: 0, freshAfterNs: 100 * MS };

describe('bounded staleness against the commit history', () => {
  it('accepts a read of the version acknowledged just before it', () => {
    const result = checkBoundedStaleness(history([[0, 'write', 'k', 0, 10, 'ok', 5], [1, 'read', 'k', 20, 25, 'ok', 5]]), strict);
    expect(result.verdict).toBe('valid');
  });

  it('flags a read of an older version after a newer one was acknowledged, naming the version that was current', () => {
    const ops: Op[] = [[0, 'write', 'k', 0, 10, 'ok', 5], [0, 'write', 'k', 20, 30, 'ok', 8], [1, 'read', 'k', 40, 45, 'ok', 5]];
    const result = checkBoundedStaleness(history(ops), strict);
    expect(result.verdict).toBe('invalid');
    const evidence = result.evidence as { examples: { why: string; current: number; value: number }[] };
    expect(evidence.examples[0]).toMatchObject({ why: 'stale', value: 5, current: 8 });
  });

  it('allows that stale read once delta covers the gap, and not a smaller delta', () => {
    const ops: Op[] = [[0, 'write', 'k', 0, 10, 'ok', 5], [0, 'write', 'k', 20, 30, 'ok', 8], [1, 'read', 'k', 40, 45, 'ok', 5]];
    expect(checkBoundedStaleness(history(ops), { ...strict, deltaNs: 11 * MS }).verdict).toBe('valid');
    expect(checkBoundedStaleness(history(ops), { ...strict, deltaNs: 9 * MS }).verdict).toBe('invalid');
  });

  it('accepts an older version while the newer write is still in flight (concurrent)', () => {
    const ops: Op[] = [[0, 'write', 'k', 0, 10, 'ok', 5], [0, 'write', 'k', 20, 50, 'ok', 8], [1, 'read', 'k', 30, 35, 'ok', 5]];
    expect(checkBoundedStaleness(history(ops), strict).verdict).toBe('valid');
  });

  it('never bounds an info write: it may have committed late or never', () => {
    const ops: Op[] = [[0, 'write', 'k', 0, 10, 'ok', 5], [0, 'write', 'k', 20, 30, 'info', 8], [1, 'read', 'k', 100, 105, 'ok', 5], [2, 'read', 'k', 110, 115, 'ok', 8]];
    expect(checkBoundedStaleness(history(ops), strict).verdict).toBe('valid');
  });

  it('flags a value never written and a value read before its write began', () => {
    const never = checkBoundedStaleness(history([[0, 'write', 'k', 0, 10, 'ok', 5], [1, 'read', 'k', 20, 25, 'ok', 6]]), strict);
    expect(never.verdict).toBe('invalid');
    expect((never.evidence as { neverWritten: number }).neverWritten).toBe(1);
    const future = checkBoundedStaleness(history([[1, 'read', 'k', 0, 5, 'ok', 5], [0, 'write', 'k', 10, 20, 'ok', 5]]), strict);
    expect(future.verdict).toBe('invalid');
    expect((future.evidence as { future: number }).future).toBe(1);
  });

  it('flags absent after an acknowledged write, and accepts absent before any', () => {
    expect(checkBoundedStaleness(history([[1, 'read', 'k', 0, 5, 'ok', null], [0, 'write', 'k', 1, 20, 'ok', 5]]), strict).verdict).toBe('valid');
    expect(checkBoundedStaleness(history([[0, 'write', 'k', 0, 10, 'ok', 5], [1, 'read', 'k', 20, 25, 'ok', null]]), strict).verdict).toBe('invalid');
  });

  it('judges keys apart: a newer version of another key does not make a read stale', () => {
    const ops: Op[] = [[0, 'write', 'a', 0, 10, 'ok', 5], [0, 'write', 'b', 20, 30, 'ok', 8], [1, 'read', 'a', 40, 45, 'ok', 5]];
    expect(checkBoundedStaleness(history(ops), strict).verdict).toBe('valid');
  });

  it('holds store reads to delta 0 whatever the cache is allowed', () => {
    const ops: Op[] = [[0, 'write', 'k', 0, 10, 'ok', 5], [0, 'write', 'k', 20, 30, 'ok', 8], [1, 'store-read', 'k', 40, 45, 'ok', 5]];
    expect(checkBoundedStaleness(history(ops), { ...strict, deltaNs: 1_000 * MS }).verdict).toBe('invalid');
  });

  it('demands freshness after the store settled: a cache read older than the settled value, past the bound, fails', () => {
    const base: Op[] = [[0, 'write', 'k', 0, 10, 'info', 5], [0, 'store-read', 'k', 20, 25, 'ok', 5]];
    expect(checkBoundedStaleness(history([...base, [1, 'read', 'k', 200, 205, 'ok', null]]), { deltaNs: 0, freshAfterNs: 100 * MS }).verdict).toBe('invalid');
    // Inside the bound the old copy may still be cached (its TTL has not run out).
    expect(checkBoundedStaleness(history([...base, [1, 'read', 'k', 50, 55, 'ok', null]]), { deltaNs: 0, freshAfterNs: 100 * MS }).verdict).toBe('valid');
  });

  it('says unknown for a history it cannot pair', () => {
    const broken: HistoryRecord[] = [{ index: 0, process: 0, type: 'ok', f: 'read', key: 'k', value: 1, time: 1 }];
    expect(checkBoundedStaleness(broken, strict).verdict).toBe('unknown');
  });

  // A register whose versions increase, written by one writer; readers return a version that was
  // current at a random instant inside [invoke - delta, complete]: always valid. Then one read is
  // rewritten to a version superseded well before its window: always invalid.
  it('accepts every history a correct cache could give and rejects each with one planted stale read', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 })), { minLength: 2, maxLength: 12 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 30 }), fc.nat()), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 50 }), (writeGaps, reads, deltaMs) => {
        const ops: Op[] = [];
        const commits: { version: number; atMs: number }[] = [{ version: 0, atMs: -Infinity }];
        let t = 0;
        writeGaps.forEach(([gap, length], i) => {
          const invoke = t + gap;
          const complete = invoke + length;
          const version = i + 1;
          ops.push([0, 'write', 'k', invoke, complete, 'ok', version]);
          commits.push({ version, atMs: invoke + Math.floor(length / 2) });
          t = complete;
        });
        const currentAt = (atMs: number): number => commits.filter((commit) => commit.atMs <= atMs).at(-1)!.version;
        reads.forEach(([invoke, length, pick], i) => {
          const from = invoke - deltaMs;
          const at = from + (pick % (invoke + length - from + 1));
          const version = currentAt(at);
          ops.push([i + 1, 'read', 'k', invoke, invoke + length, 'ok', version === 0 ? null : version]);
        });
        const options = { deltaNs: deltaMs * MS, freshAfterNs: 0 };
        expect(checkBoundedStaleness(history(ops), options).verdict).toBe('valid');
        // Planted: a read after the last write completed, returning the first version.
        const last = ops.filter((op) => op[1] === 'write').at(-1)!;
        const planted: Op = [99, 'read', 'k', last[4] + deltaMs + 1, last[4] + deltaMs + 2, 'ok', ops.length > 0 && writeGaps.length > 1 ? 1 : null];
        expect(checkBoundedStaleness(history([...ops, planted]), options).verdict).toBe('invalid');
      }),
      { numRuns: 200, seed: 14 },
    );
  });
});
