// Paints rows of the terminal viewer as coloured text segments. Pure functions of the model and the
// state, so what a row shows is tested without ink; the components only turn segments into <Text>.
import type { StoredRun, TraceEventRow } from '../../histories/store.js';
import { bandsAt, bandsStartingIn } from '../model/faults.js';
import { FAULT_COLOURS, FAULT_LETTERS, HIGHLIGHT_COLOUR, OUTCOME_COLOURS, faultFamilyColour } from '../model/palette.js';
import type { RunModel } from '../model/run.js';
import { describeOp, formatTime, opRunningAt, type TimelineOp } from '../model/timeline.js';
import { describeTraceEvent } from '../model/traceWindow.js';
import { faultFamily } from '../model/faults.js';
import type { LineTone, ToneLine } from './evidenceLines.js';

export interface Segment {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

export const VERDICT_COLOURS: Readonly<Record<string, string>> = {
  valid: OUTCOME_COLOURS.ok,
  invalid: OUTCOME_COLOURS.fail,
  unknown: OUTCOME_COLOURS.info,
};

const GUTTER_WIDTH = 3;
const TIME_WIDTH = 11;
/** The op-number column: `12345 ` (ops are numbered 1.. in invoke order; `#n` is the history index). */
const NUMBER_WIDTH = 6;

/** Each op state has its own shape as well as its colour: the row's own mark, and a running bar. */
export const OUTCOME_MARKS: Readonly<Record<TimelineOp['outcome'], { mark: string; running: string }>> = {
  ok: { mark: '●', running: '│' },
  info: { mark: '▲', running: '┆' },
  fail: { mark: '✕', running: '╎' },
  pending: { mark: '○', running: '┊' },
};
export const OFFENDING_MARK = '◆';
/** Lanes take at most this share of the width; the op text needs the rest. */
const LANES_SHARE = 0.4;

/** The width of a segment list. */
export function segmentsWidth(segments: readonly Segment[]): number {
  let width = 0;
  for (const segment of segments) width += [...segment.text].length;
  return width;
}

/**
 * Cuts segments to `width` characters; with `pad`, fills the rest with spaces so an inverse
 * (cursor) row is a bar across the whole width. Rows without it stay short: every character a
 * frame holds costs ink a width measurement.
 */
export function fitSegments(segments: readonly Segment[], width: number, pad = false): Segment[] {
  const fitted: Segment[] = [];
  let left = width;
  for (const segment of segments) {
    if (left <= 0) break;
    const chars = [...segment.text];
    if (chars.length <= left) {
      fitted.push(segment);
      left -= chars.length;
    } else {
      fitted.push({ ...segment, text: `${chars.slice(0, Math.max(0, left - 1)).join('')}…` });
      left = 0;
    }
  }
  if (pad && left > 0) fitted.push({ text: ' '.repeat(left) });
  return mergeSegments(fitted);
}

function sameStyle(a: Segment, b: Segment): boolean {
  return a.color === b.color && a.bold === b.bold && a.dim === b.dim && a.inverse === b.inverse;
}

/** Joins neighbours of the same style: fewer <Text> nodes make each frame cheaper to draw. */
export function mergeSegments(segments: readonly Segment[]): Segment[] {
  const merged: Segment[] = [];
  for (const segment of segments) {
    const last = merged[merged.length - 1];
    if (last !== undefined && sameStyle(last, segment)) merged[merged.length - 1] = { ...last, text: last.text + segment.text };
    else merged.push(segment);
  }
  return merged;
}

/** How many lane columns fit in `cols`. */
export function lanesShown(model: RunModel, cols: number): number {
  const budget = Math.max(2, Math.floor((cols * LANES_SHARE) / 2));
  return Math.min(model.timeline.lanes.length, budget);
}

/** The timeline's column header, aligned with `timelineRow`: every column named. */
export function timelineHeader(model: RunModel, cols: number, position: number, shown: number = model.timeline.ops.length, filter = ''): Segment[] {
  const lanes = lanesShown(model, cols);
  // Lane columns are headed by the first process of each lane (lanes are in process order).
  let laneText = '';
  for (let lane = 0; lane < lanes; lane++) laneText += `p${model.timeline.lanes[lane]!.processes[0]}`.slice(0, 2).padEnd(2);
  const overflow = model.timeline.lanes.length > lanes ? '»' : '';
  const total = model.timeline.ops.length;
  const filtered = filter === '' ? '' : `, filter ${filter}`;
  const where = shown === 0 ? `no ops${filtered}` : shown === total && filter === '' ? `op ${position + 1} of ${total}` : `op ${position + 1} of ${shown} shown${filtered}, ${total} in all`;
  return fitSegments(
    [
      { text: 'FLT'.padEnd(GUTTER_WIDTH + 1), bold: true },
      { text: `TIME (${model.timeline.timeUnit === 'ns' ? 'ms' : 'idx'})`.padStart(TIME_WIDTH) + ' ', bold: true },
      { text: laneText + overflow + ' ', bold: true },
      { text: 'OP'.padStart(NUMBER_WIDTH - 1) + ' ', bold: true },
      { text: `OPERATION, #history index  (${where}, ${model.timeline.lanes.length} lanes)`, bold: true },
    ],
    cols,
  );
}

/** One timeline row: active fault letters, time, a mark per lane, the op, faults starting here. */
export function timelineRow(model: RunModel, opId: number, cols: number, options: { cursor: boolean; match: boolean; highlighted: boolean }): Segment[] {
  const { timeline, bands } = model;
  const op = timeline.ops[opId]!;
  const segments: Segment[] = [];
  // Fault gutter: one letter per family of fault active at the op's invoke.
  const active = timeline.timeUnit === 'ns' ? bandsAt(bands, op.invokeNs) : [];
  const families: string[] = [];
  for (const band of active) if (band.endNs !== null && !families.includes(band.family)) families.push(band.family);
  for (let i = 0; i < GUTTER_WIDTH; i++) {
    const family = families[i];
    if (family === undefined) segments.push({ text: ' ' });
    else if (i === GUTTER_WIDTH - 1 && families.length > GUTTER_WIDTH) segments.push({ text: '+', bold: true });
    else segments.push({ text: FAULT_LETTERS[family as keyof typeof FAULT_LETTERS], color: FAULT_COLOURS[family as keyof typeof FAULT_COLOURS], bold: true });
  }
  segments.push({ text: ' ' });
  segments.push({ text: formatTime(op.invokeNs, timeline.timeUnit).padStart(TIME_WIDTH) + ' ', dim: !options.cursor });
  // Lanes: the row's op as a dot in its outcome colour; ops still running as bars in theirs.
  const lanes = lanesShown(model, cols);
  for (let lane = 0; lane < lanes; lane++) {
    if (lane === op.lane) {
      segments.push({ text: `${options.highlighted ? OFFENDING_MARK : OUTCOME_MARKS[op.outcome].mark} `, color: options.highlighted ? HIGHLIGHT_COLOUR : OUTCOME_COLOURS[op.outcome], bold: true });
      continue;
    }
    const running = opRunningAt(timeline, lane, op);
    segments.push(running === null ? { text: '  ' } : { text: `${OUTCOME_MARKS[running.outcome].running} `, color: OUTCOME_COLOURS[running.outcome] });
  }
  if (timeline.lanes.length > lanes) {
    segments.push(op.lane >= lanes ? { text: OUTCOME_MARKS[op.outcome].mark, color: OUTCOME_COLOURS[op.outcome] } : { text: ' ' });
  }
  segments.push({ text: ' ' });
  segments.push({ text: String(opId + 1).padStart(NUMBER_WIDTH - 1) + ' ', dim: !options.cursor });
  const mark = options.highlighted ? '✗ ' : options.match ? '» ' : '';
  const detail = `${mark}#${op.invokeIndex} ${describeOp(op)}${op.node !== undefined ? ` @${op.node}` : ''}${durationText(op, timeline.timeUnit)}`;
  segments.push({
    text: detail,
    color: options.highlighted ? HIGHLIGHT_COLOUR : OUTCOME_COLOURS[op.outcome],
    bold: options.highlighted || options.match,
  });
  // Faults that started since the previous row, so bands have a visible beginning.
  if (timeline.timeUnit === 'ns') {
    const previous = opId > 0 ? timeline.ops[opId - 1]!.invokeNs : Number.NEGATIVE_INFINITY;
    for (const band of bandsStartingIn(bands, previous, op.invokeNs).slice(0, 3)) {
      segments.push({ text: `  ▸${band.label}`, color: FAULT_COLOURS[band.family] });
    }
  }
  const fitted = fitSegments(segments, cols, options.cursor);
  return options.cursor ? fitted.map((segment) => ({ ...segment, inverse: true })) : fitted;
}

function durationText(op: TimelineOp, unit: 'ns' | 'index'): string {
  if (op.completeNs === null || unit !== 'ns') return '';
  return ` (${((op.completeNs - op.invokeNs) / 1_000_000).toFixed(3)}ms)`;
}

const TONE_STYLE: Readonly<Record<LineTone, Omit<Segment, 'text'>>> = {
  title: { bold: true },
  plain: {},
  dim: { dim: true },
  offending: { color: HIGHLIGHT_COLOUR, bold: true },
  prefix: { color: OUTCOME_COLOURS.ok },
  invalid: { color: OUTCOME_COLOURS.fail, bold: true },
  unknown: { color: OUTCOME_COLOURS.info, bold: true },
};

export function evidenceRow(line: ToneLine, cols: number, cursorIndex: number | null): Segment[] {
  const onCursor = line.index !== undefined && line.index === cursorIndex;
  const segments = fitSegments([{ text: line.text, ...TONE_STYLE[line.tone] }], cols, onCursor);
  return onCursor ? segments.map((segment) => ({ ...segment, inverse: true })) : segments;
}

export function traceRow(event: TraceEventRow, cols: number, atCursor: boolean): Segment[] {
  const family = event.kind.startsWith('fault.') || event.node === null ? faultFamily(event.kind, event.fields ?? {}) : null;
  // The nodes' own events (any kind the kernel does not record) stand out; no role is named here.
  const own = event.node !== null && !/^(msg|timer|disk|proc|client|fault)\./.test(event.kind);
  const style: Omit<Segment, 'text'> = family !== null ? { color: faultFamilyColour(family) } : /^proc\.(crash|restart|pause|resume)/.test(event.kind) ? { color: FAULT_COLOURS.process } : own ? { bold: true } : {};
  return fitSegments([{ text: atCursor ? '▶ ' : '  ', bold: true }, { text: describeTraceEvent(event, cols), ...style }], cols);
}

export function listHeader(cols: number): Segment[] {
  return fitSegments([{ text: `${'RUN'.padEnd(7)}${'CREATED'.padEnd(20)}${'SYSTEM'.padEnd(12)}${'SEED'.padEnd(12)}${'VERDICT'.padEnd(9)}${'OPS'.padStart(8)}${'FAULTS'.padStart(8)}  BUG`, bold: true }], cols);
}

export function listRow(run: StoredRun, cols: number, cursor: boolean): Segment[] {
  const segments: Segment[] = [
    { text: `#${run.id}`.padEnd(7) },
    { text: run.createdAt.slice(0, 19).replace('T', ' ').padEnd(20), dim: !cursor },
    { text: run.system.slice(0, 11).padEnd(12) },
    { text: String(run.seed ?? '-').slice(0, 11).padEnd(12) },
    { text: run.verdict.padEnd(9), color: VERDICT_COLOURS[run.verdict], bold: run.verdict !== 'valid' },
    { text: String(run.ops).padStart(8) },
    { text: String(run.faults).padStart(8) },
    { text: `  ${run.bug ?? ''}`, dim: true },
  ];
  const fitted = fitSegments(segments, cols, cursor);
  return cursor ? fitted.map((segment) => ({ ...segment, inverse: true })) : fitted;
}
