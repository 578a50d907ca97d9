import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../histories/schema.js';
import { bigHistory } from '../testing/fixtures.js';
import { buildTimeline, describeOp, firstOpAtOrAfter, opAtIndex, opMatches, opRunningAt, type Timeline, type TimelineOp } from './timeline.js';

function records(rows: [number, HistoryRecord['type'], string, unknown, number?][]): HistoryRecord[] {
  return rows.map(([process, type, f, value, time], index) => {
    const record: HistoryRecord = { index, process, type, f, value };
    if (time !== undefined) record.time = time;
    return record;
  });
}

/** The obviously right twin of opRunningAt: scan every op of the lane. */
function runningByScan(timeline: Timeline, lane: number, row: TimelineOp): TimelineOp | null {
  for (const op of timeline.ops) {
    if (op.lane !== lane || op.id >= row.id) continue;
    if (op.completeIndex === null || op.completeIndex > row.invokeIndex) return op;
  }
  return null;
}

describe('timeline model', () => {
  it('pairs each invoke with its completion and keeps outcome, result, times and node', () => {
    const history = records([
      [0, 'invoke', 'write', 1, 10],
      [1, 'invoke', 'read', null, 11],
      [0, 'ok', 'write', 1, 15],
      [1, 'info', 'read', null, 40],
      [2, 'invoke', 'cas', [1, 2], 41],
      [2, 'fail', 'cas', [1, 2], 45],
      [0, 'invoke', 'read', null, 50],
    ]);
    history[2]!.node = 'n2';
    const timeline = buildTimeline(history);
    expect(timeline.timeUnit).toBe('ns');
    expect(timeline.ops.map((op) => [op.process, op.f, op.outcome, op.invokeIndex, op.completeIndex])).toEqual([
      [0, 'write', 'ok', 0, 2],
      [1, 'read', 'info', 1, 3],
      [2, 'cas', 'fail', 4, 5],
      [0, 'read', 'pending', 6, null],
    ]);
    expect(timeline.ops[0]!.node).toBe('n2');
    expect(timeline.ops[0]!.completeNs).toBe(15);
    expect(timeline.ops[3]!.completeNs).toBeNull();
    expect([timeline.startNs, timeline.endNs]).toEqual([10, 50]);
    expect(timeline.anomalies).toBe(0);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((index) => opAtIndex(timeline, index))).toEqual([0, 1, 0, 1, 2, 2, 3, null]);
  });

  it('uses history indexes as time when records have none, and counts unpaired records', () => {
    const timeline = buildTimeline(records([[0, 'ok', 'read', 1], [0, 'invoke', 'read', null], [0, 'invoke', 'read', null], [0, 'ok', 'read', 2]]));
    expect(timeline.timeUnit).toBe('index');
    expect(timeline.anomalies).toBe(2);
    expect(timeline.ops.map((op) => op.outcome)).toEqual(['pending', 'ok']);
    expect(timeline.ops[1]!.invokeNs).toBe(2);
  });

  it('refuses records out of index order', () => {
    const history = records([[0, 'invoke', 'read', null], [0, 'ok', 'read', 1]]);
    history[1]!.index = 0;
    expect(() => buildTimeline(history)).toThrow(/increasing index order/);
  });

  it('packs processes into lanes: a process after an info reuses the lane of its predecessor', () => {
    const timeline = buildTimeline(
      records([
        [0, 'invoke', 'write', 1, 1],
        [1, 'invoke', 'write', 2, 2],
        [0, 'info', 'write', 1, 3],
        [2, 'invoke', 'read', null, 4],
        [1, 'ok', 'write', 2, 5],
        [2, 'ok', 'read', 2, 6],
      ]),
    );
    expect(timeline.lanes.map((lane) => lane.processes)).toEqual([[0, 2], [1]]);
    expect(timeline.ops.map((op) => op.lane)).toEqual([0, 1, 0]);
  });

  it('never overlaps two ops in one lane, and opRunningAt agrees with a plain scan', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 12 }), (ops, processes) => {
        const timeline = buildTimeline(bigHistory(ops, processes));
        expect(timeline.ops.length).toBe(ops);
        for (const ids of timeline.laneOps) {
          for (let i = 1; i < ids.length; i++) {
            const previous = timeline.ops[ids[i - 1]!]!;
            expect(previous.completeIndex).not.toBeNull();
            expect(previous.completeIndex!).toBeLessThan(timeline.ops[ids[i]!]!.invokeIndex);
          }
        }
        for (let index = 0; index < Math.min(200, 2 * ops); index++) {
          const owner = timeline.ops.find((op) => op.invokeIndex === index || op.completeIndex === index);
          expect(opAtIndex(timeline, index)).toBe(owner?.id ?? null);
        }
        for (const row of timeline.ops.slice(0, 60)) {
          for (let lane = 0; lane < timeline.lanes.length; lane++) {
            expect(opRunningAt(timeline, lane, row)?.id ?? null).toBe(runningByScan(timeline, lane, row)?.id ?? null);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('finds the first op at or after a time', () => {
    const timeline = buildTimeline(bigHistory(300, 5));
    for (const probe of [0, timeline.ops[17]!.invokeNs, timeline.ops[17]!.invokeNs + 1, timeline.endNs + 1]) {
      const expected = timeline.ops.findIndex((op) => op.invokeNs >= probe);
      expect(firstOpAtOrAfter(timeline, probe)).toBe(expected === -1 ? timeline.ops.length : expected);
    }
  });

  it('describes and searches ops', () => {
    const timeline = buildTimeline(records([[3, 'invoke', 'read', null, 1], [3, 'ok', 'read', 7, 2], [4, 'invoke', 'cas', [1, 2], 3], [4, 'fail', 'cas', [1, 2], 4]]));
    expect(describeOp(timeline.ops[0]!)).toBe('p3 read -> ok 7');
    expect(describeOp(timeline.ops[1]!)).toBe('p4 cas [1,2] -> fail');
    expect(opMatches(timeline.ops[0]!, 'READ')).toBe(true);
    expect(opMatches(timeline.ops[1]!, 'read')).toBe(false);
    expect(opMatches(timeline.ops[1]!, 'fail')).toBe(true);
    expect(opMatches(timeline.ops[1]!, ' ')).toBe(false);
  });
});

describe('lane order', () => {
  it('puts lanes in process order, whichever process invoked first', () => {
    const timeline = buildTimeline(
      records([
        [2, 'invoke', 'read', null, 1],
        [0, 'invoke', 'write', 1, 2],
        [1, 'invoke', 'write', 2, 3],
        [2, 'ok', 'read', null, 4],
        [0, 'ok', 'write', 1, 5],
        [1, 'ok', 'write', 2, 6],
      ]),
    );
    expect(timeline.lanes.map((lane) => lane.processes)).toEqual([[0], [1], [2]]);
    expect(timeline.ops.map((op) => [op.process, op.lane])).toEqual([[2, 2], [0, 0], [1, 1]]);
    expect(timeline.laneOps).toEqual([[1], [2], [0]]);
  });
});
