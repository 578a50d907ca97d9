import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TraceEventRow } from '../../histories/store.js';
import { scanTrace, TRACE_FETCH_LIMIT } from './traceWindow.js';

/** A store's trace query over an array in time order: a range, then the first `limit` rows. */
function sourceOf(events: readonly TraceEventRow[]): { trace: (runId: number, range: { fromNs?: number; toNs?: number; limit?: number }) => TraceEventRow[]; queries: number } {
  const source = {
    queries: 0,
    trace(_runId: number, range: { fromNs?: number; toNs?: number; limit?: number }): TraceEventRow[] {
      source.queries++;
      const rows = events.filter((event) => event.time >= (range.fromNs ?? 0) && event.time <= (range.toNs ?? Number.MAX_SAFE_INTEGER));
      return rows.slice(0, range.limit ?? rows.length);
    },
  };
  return source;
}

describe('scanning the trace forwards', () => {
  it('visits every event from the start instant once, in order, even when one instant spans pages', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 60 }), fc.integer({ min: 0, max: TRACE_FETCH_LIMIT - 1 }), fc.integer({ min: 0, max: 50_000_000 }), (gaps, crowd, from) => {
        // A crowd of events at one instant (more than a page) among sparse ones.
        const events: TraceEventRow[] = [];
        let time = 0;
        for (const gap of gaps) {
          time += gap * 1_000_000;
          events.push({ time, node: 'n1', kind: 'k', fields: { n: events.length } });
        }
        const crowdAt = Math.floor(time / 2);
        for (let i = 0; i < crowd; i++) events.push({ time: crowdAt, node: 'n2', kind: 'k', fields: { n: events.length } });
        events.sort((a, b) => a.time - b.time || (a.fields!.n as number) - (b.fields!.n as number));
        const seen: TraceEventRow[] = [];
        scanTrace(sourceOf(events), 1, from, time, (event) => (seen.push(event), false));
        expect(seen).toEqual(events.filter((event) => event.time >= from));
      }),
      { numRuns: 60 },
    );
  });

  it('goes past an instant that holds more than a page, with its first page read, and never loops', () => {
    const events: TraceEventRow[] = Array.from({ length: 2 * TRACE_FETCH_LIMIT }, (_, index) => ({ time: 5, node: 'n1', kind: 'k', fields: { n: index } }));
    events.push({ time: 9, node: 'n1', kind: 'after' });
    const source = sourceOf(events);
    const seen: TraceEventRow[] = [];
    scanTrace(source, 1, 0, 10, (event) => (seen.push(event), false));
    expect(seen.slice(0, TRACE_FETCH_LIMIT)).toEqual(events.slice(0, TRACE_FETCH_LIMIT));
    expect(seen.at(-1)!.kind).toBe('after');
    expect(source.queries).toBeLessThan(10);
  });

  it('stops when the visitor says so', () => {
    const events = Array.from({ length: 5_000 }, (_, index) => ({ time: index * 1_000, node: 'n1', kind: 'k' }));
    const source = sourceOf(events);
    let count = 0;
    scanTrace(source, 1, 0, 5_000_000, () => ++count === 10);
    expect(count).toBe(10);
    expect(source.queries).toBe(1);
  });
});
