import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventKind, EventQueue } from './queue.js';

type Op = { push: number } | { pop: true };

/** Replays ops on the queue and on a dumb model (a list sorted on demand); returns both pop sequences. */
function replay(ops: Op[], queue: EventQueue): { actual: [number, number][]; expected: [number, number][] } {
  const model: { time: number; seq: number; slot: number }[] = [];
  const actual: [number, number][] = [];
  const expected: [number, number][] = [];
  let seq = 0;
  for (const op of ops) {
    if ('push' in op) {
      const slot = queue.allocate(EventKind.message);
      if (slot < 0) continue;
      queue.push(op.push, slot);
      model.push({ time: op.push, seq: seq++, slot });
    } else {
      const slot = queue.pop();
      if (slot >= 0) {
        actual.push([queue.poppedTimeNs, slot]);
        queue.release(slot);
      }
      if (model.length > 0) {
        model.sort((a, b) => a.time - b.time || a.seq - b.seq);
        const first = model.shift()!;
        expected.push([first.time, first.slot]);
      }
    }
  }
  return { actual, expected };
}

const opsArbitrary = fc.array(
  fc.oneof(
    // Few distinct times, so ties (ordered by scheduling sequence) are common.
    fc.record({ push: fc.integer({ min: 0, max: 20 }) }),
    fc.record({ push: fc.integer({ min: 0, max: 2 ** 50 }) }),
    fc.constant({ pop: true as const }),
  ),
  { maxLength: 400 },
);

describe('event queue', () => {
  it('pops in (time, scheduling sequence) order, like a sorted list', () => {
    fc.assert(
      fc.property(opsArbitrary, (ops) => {
        const { actual, expected } = replay([...ops, ...ops.map(() => ({ pop: true as const }))], new EventQueue(2));
        expect(actual).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the order when sequence numbers are renumbered', () => {
    fc.assert(
      fc.property(opsArbitrary, (ops) => {
        const queue = new EventQueue(2, 1 << 22, 7);
        const { actual, expected } = replay([...ops, ...ops.map(() => ({ pop: true as const }))], queue);
        expect(actual).toEqual(expected);
        if (ops.filter((op) => 'push' in op).length > 7) expect(queue.renumbered).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  it('grows up to its stated maximum and then refuses', () => {
    const queue = new EventQueue(4, 16);
    const slots: number[] = [];
    for (let i = 0; i < 16; i++) slots.push(queue.allocate(EventKind.timer));
    expect(new Set(slots).size).toBe(16);
    expect(slots.every((slot) => slot >= 0 && slot < 16)).toBe(true);
    expect(queue.allocate(EventKind.timer)).toBe(-1);
    queue.release(slots[3]!);
    expect(queue.allocate(EventKind.timer)).toBe(slots[3]);
    expect(queue.liveMax).toBe(16);
  });

  it('asserts on misuse', () => {
    const queue = new EventQueue(4, 16);
    const slot = queue.allocate(EventKind.message);
    queue.release(slot);
    expect(() => queue.release(slot)).toThrow(/free slot/);
    expect(() => new EventQueue(8, 4)).toThrow();
    expect(queue.pop()).toBe(-1);
    expect(queue.peekTime()).toBe(Infinity);
  });
});
