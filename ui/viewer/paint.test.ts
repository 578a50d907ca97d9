import { describe, expect, it } from 'vitest';
import { HIGHLIGHT_COLOUR, OUTCOME_COLOURS } from '../model/palette.js';
import { failingModel } from '../testing/fixtures.js';
import { fitSegments, lanesShown, mergeSegments, OUTCOME_MARKS, segmentsWidth, timelineHeader, timelineRow, traceRow } from './paint.js';

const text = (segments: { text: string }[]): string => segments.map((segment) => segment.text).join('');

describe('painting rows', () => {
  it('fits segments to a width, cutting with an ellipsis and padding only when asked', () => {
    const segments = [{ text: 'abc', color: 'red' }, { text: 'defgh' }];
    expect(text(fitSegments(segments, 5))).toBe('abcd…');
    expect(segmentsWidth(fitSegments(segments, 5))).toBe(5);
    expect(text(fitSegments(segments, 12))).toBe('abcdefgh');
    expect(text(fitSegments(segments, 12, true))).toBe('abcdefgh    ');
    expect(fitSegments(segments, 0)).toEqual([]);
  });

  it('merges neighbours of the same style only', () => {
    expect(mergeSegments([{ text: 'a' }, { text: 'b' }, { text: 'c', bold: true }, { text: 'd', bold: true }, { text: 'e' }])).toEqual([
      { text: 'ab' },
      { text: 'cd', bold: true },
      { text: 'e' },
    ]);
  });

  it('draws an op row: fault letters, time, lane marks, the op in its colour, faults starting there', () => {
    const model = failingModel();
    const id = model.timeline.ops.findIndex((op) => op.invokeNs === 60_000_000);
    const row = timelineRow(model, id, 140, { cursor: false, match: false, highlighted: false });
    const line = text(row);
    expect(line.startsWith('PC ')).toBe(true);
    expect(line).toContain('60.000ms');
    expect(line).toContain(`${String(id + 1).padStart(5)} #9 p2 write x 3 -> ok @n2 (6.000ms)`);
    expect(line).toContain('▸crash mode=lose n3');
    expect(line).toContain('▸clock-jump jumpMs=-20 n2');
    // The info op of lane 1 is still running at 60 ms: a bar in its colour.
    expect(row.some((segment) => segment.text.startsWith('┆') && segment.color === OUTCOME_COLOURS.info)).toBe(true);
    expect(row.some((segment) => segment.text.includes('●') && segment.color === OUTCOME_COLOURS.ok)).toBe(true);
    expect(segmentsWidth(row)).toBeLessThanOrEqual(140);
  });

  it('gives each op state a shape as well as a colour, and bolds no role word', () => {
    expect(new Set(Object.values(OUTCOME_MARKS).map((marks) => marks.mark)).size).toBe(4);
    expect(new Set(Object.values(OUTCOME_MARKS).map((marks) => marks.running)).size).toBe(4);
    const model = failingModel();
    const fail = model.timeline.ops.find((op) => op.outcome === 'fail')!;
    expect(text(timelineRow(model, fail.id, 140, { cursor: false, match: false, highlighted: false }))).toContain('✕');
    // A node's own event is bold whatever its name; a kernel event is not.
    const boldText = (kind: string, fields: Record<string, string> = {}): boolean => traceRow({ time: 1, node: 'n1', kind, fields }, 80, false).some((segment) => segment.bold === true && segment.text.includes(kind));
    expect(boldText('raft.become-leader')).toBe(true);
    expect(boldText('sys.anything')).toBe(true);
    expect(boldText('msg.send', { type: 'term-leader-follower' })).toBe(false);
  });

  it('marks the offending op and the cursor row', () => {
    const model = failingModel();
    const id = model.highlighted[0]!;
    const row = timelineRow(model, id, 100, { cursor: true, match: false, highlighted: true });
    expect(text(row)).toContain('◆');
    expect(text(row)).toContain('✗ #11 p0 read x -> ok 2 @n1');
    expect(row.every((segment) => segment.inverse === true)).toBe(true);
    expect(row.some((segment) => segment.color === HIGHLIGHT_COLOUR)).toBe(true);
    expect(segmentsWidth(row)).toBe(100);
  });

  it('keeps lanes within their share of narrow terminals and aligns the header', () => {
    const model = failingModel();
    expect(lanesShown(model, 200)).toBe(model.timeline.lanes.length);
    expect(lanesShown(model, 10)).toBe(2);
    // Four processes in three lanes: p3 starts after p1's info ended, so it takes p1's lane.
    expect(model.timeline.lanes.map((lane) => lane.processes)).toEqual([[0], [1, 3], [2]]);
    const header = text(timelineHeader(model, 160, 3));
    expect(header).toContain('op 4 of 11, 3 lanes');
    // Every column is named; lanes are headed by their first process.
    expect(header).toMatch(/^FLT +TIME \(ms\) p0p1p2 +OP OPERATION, #history index/);
    expect(text(timelineHeader(model, 160, 0, 4, 'key:x'))).toContain('op 1 of 4 shown, filter key:x, 11 in all');
    expect(text(traceRow({ time: 70_000_000, node: null, kind: 'fault.partition', fields: { node: 'n1' } }, 80, true))).toBe('▶ 70.000ms world fault.partition node=n1');
  });
});
