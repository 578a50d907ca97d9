// The report's operation timeline as one SVG, drawn the way Jepsen draws it: a column per lane of
// client processes in process order, time flowing down in proportion (so latencies and gaps can be
// judged), each op a box from its invoke to its completion in its outcome's colour and labelled with
// its value (a read that found nothing says `null (absent)`). Fault bands run across all lanes; the
// ops the evidence names get a red band across the page and a heavy outline. Every element carries
// its base coordinates (`data-y0`, `data-y1`) so the page's zoom redraws it without a round trip.
import { FAULT_COLOURS, HIGHLIGHT_COLOUR, OUTCOME_COLOURS } from '../model/palette.js';
import type { FaultBand } from '../model/faults.js';
import type { RunModel } from '../model/run.js';
import { valueLabel } from '../model/linearization.js';
import { formatTime, formatValue, type TimelineOp } from '../model/timeline.js';
import { escapeHtml, px } from './markup.js';

export interface OpWindow {
  /** First op id shown (inclusive) and the end (exclusive). */
  from: number;
  to: number;
  /** True when ops were left out: the page says so. */
  capped: boolean;
}

export interface TimelineSvg {
  svg: string;
  /** The lane names, drawn above the scrolling timeline. */
  head: string;
  /** Base pixels per nanosecond (zoom 1) and the zoom the page opens at. */
  pxPerNs: number;
  initialZoom: number;
  /** Op ids drawn, for the tooltip data. */
  window: OpWindow;
  /** The SVG element id of the first offending op, when it is drawn. */
  firstViolationAnchor: string | null;
}

const LANE_WIDTH_PX = 132;
const LANE_GAP_PX = 8;
const AXIS_WIDTH_PX = 86;
const FAULT_COLUMN_PX = 10;
const FAULT_COLUMNS_MAX = 8;
/** The label column is at least this wide, and wide enough for the longest fault label: never cut. */
const LABELS_WIDTH_PX = 420;
const LABEL_CHAR_PX = 6.4;
/** Room above the first op; the lane names are a separate header that stays put while the ops scroll. */
const HEADER_PX = 8;
const HEAD_HEIGHT_PX = 34;

/**
 * The ops to draw: all when there are at most `opsMax`, otherwise `opsMax` of them around the first
 * offending op (a third before it, the rest after), or the first `opsMax` when nothing is named.
 */
export function chooseWindow(model: RunModel, opsMax: number): OpWindow {
  if (!(Number.isInteger(opsMax) && opsMax >= 1)) throw new Error(`opsMax must be a positive integer, got ${opsMax}`);
  const total = model.timeline.ops.length;
  if (total <= opsMax) return { from: 0, to: total, capped: false };
  const focus = model.firstViolationOp ?? 0;
  const from = Math.max(0, Math.min(focus - Math.floor(opsMax / 3), total - opsMax));
  return { from, to: from + opsMax, capped: true };
}

/** The base height of the drawn window at zoom 1: about this many pixels per op, within bounds. */
const PX_PER_OP = 8;
const BASE_HEIGHT_MIN_PX = 500;
const BASE_HEIGHT_MAX_PX = 6_000;
/** A label needs this much room below its op's start to be drawn without touching the next. */
export const LABEL_ROOM_PX = 14;
/** An op at least this tall carries its label inside; a shorter one has it just below. */
export const LABEL_INSIDE_PX = 13;
/** Zoom steps the page offers; the largest keeps the SVG far below browsers' size limits. */
export const ZOOM_MAX = 512;
const OP_HEIGHT_MIN_PX = 3;

/** Band columns in the fault gutter: a band takes the first column free at its start. */
function bandColumns(bands: readonly FaultBand[]): number[] {
  const ends: number[] = [];
  return bands.map((band) => {
    const end = band.endNs ?? band.startNs;
    let column = ends.findIndex((columnEnd) => columnEnd < band.startNs);
    if (column === -1) {
      column = ends.length < FAULT_COLUMNS_MAX ? ends.length : FAULT_COLUMNS_MAX - 1;
      if (column === ends.length) ends.push(end);
      else ends[column] = Math.max(ends[column]!, end);
    } else {
      ends[column] = end;
    }
    return column;
  });
}

/** The label of an op: `read k0 → null (absent)`, `write k1 6`, `cas k1 [2,3] ✗`. */
export function opLabel(op: TimelineOp): string {
  const key = op.key !== undefined ? ` ${op.key}` : '';
  const asked = op.value === null || op.value === undefined ? '' : ` ${formatValue(op.value, 14)}`;
  if (op.outcome === 'pending') return `${op.f}${key}${asked} …`;
  if (op.outcome === 'ok' && (op.value === null || op.value === undefined)) return `${op.f}${key} → ${valueLabel(op.result, 14)}`;
  if (op.outcome === 'ok' && op.result !== undefined && formatValue(op.result, 14) !== formatValue(op.value, 14)) return `${op.f}${key}${asked} → ${valueLabel(op.result, 14)}`;
  return `${op.f}${key}${asked}${op.outcome === 'fail' ? ' ✗' : op.outcome === 'info' ? ' ?' : ''}`;
}

/** Op details for the hover box and the `<title>` fallback. */
export function opTooltip(op: TimelineOp, unit: 'ns' | 'index'): string {
  const lines = [
    `op #${op.invokeIndex}${op.completeIndex !== null ? `–#${op.completeIndex}` : ''}  process ${op.process}  ${op.outcome}`,
    `${op.f}${op.key !== undefined ? ` key ${op.key}` : ''}${op.value === null || op.value === undefined ? '' : ` ${formatValue(op.value, 120)}`}`,
  ];
  if (op.outcome !== 'pending') lines.push(`result ${valueLabel(op.result, 120)}`);
  lines.push(`invoked ${formatTime(op.invokeNs, unit)}${op.completeNs !== null ? `, completed ${formatTime(op.completeNs, unit)} (${formatTime(op.completeNs - op.invokeNs, unit)})` : ', never completed'}`);
  if (op.node !== undefined) lines.push(`served by ${op.node}`);
  return lines.join('\n');
}

/**
 * The zoom the page opens at: the smallest power of two at which nine ops in ten have room for
 * their label and the median op is a few pixels tall, within a page height browsers draw well.
 */
function chooseZoom(ops: readonly TimelineOp[], rooms: readonly number[], pxPerNs: number, baseHeight: number): number {
  const durations = ops.filter((op) => op.completeNs !== null).map((op) => op.completeNs! - op.invokeNs).sort((a, b) => a - b);
  const median = durations[Math.floor(durations.length / 2)] ?? 0;
  const sortedRooms = [...rooms].sort((a, b) => a - b);
  const tenth = sortedRooms[Math.floor(sortedRooms.length / 10)] ?? LABEL_ROOM_PX;
  let zoom = 1;
  while (zoom < 64 && (median * pxPerNs * zoom < 6 || tenth * zoom < LABEL_ROOM_PX) && baseHeight * zoom * 2 <= 40_000) zoom *= 2;
  return zoom;
}

export function renderTimelineSvg(model: RunModel, window: OpWindow): TimelineSvg {
  const { timeline } = model;
  const ops = timeline.ops.slice(window.from, window.to);
  const laneCount = timeline.lanes.length;
  const highlighted = new Set(model.highlighted);
  const faultGutter = FAULT_COLUMN_PX * FAULT_COLUMNS_MAX;
  const lanesX = AXIS_WIDTH_PX + faultGutter + LANE_GAP_PX;
  const lanesWidth = laneCount * (LANE_WIDTH_PX + LANE_GAP_PX);
  const longest = Math.max(0, ...model.bands.map((band) => `${formatTime(band.startNs, 'ns')} ${band.label}`.length));
  const width = lanesX + lanesWidth + Math.max(LABELS_WIDTH_PX, longest * LABEL_CHAR_PX + 24);
  const t0 = ops[0]?.invokeNs ?? timeline.startNs;
  let t1 = t0;
  for (const op of ops) t1 = Math.max(t1, op.completeNs ?? op.invokeNs);
  if (window.to === timeline.ops.length) t1 = Math.max(t1, timeline.endNs);
  const spanNs = Math.max(1, t1 - t0);
  const baseHeight = Math.min(BASE_HEIGHT_MAX_PX, Math.max(BASE_HEIGHT_MIN_PX, ops.length * PX_PER_OP));
  const pxPerNs = baseHeight / spanNs;
  const yOf = (t: number): number => (Math.min(Math.max(t, t0), t1) - t0) * pxPerNs;
  // Each op's room for its label: from its start to the next op of its lane.
  const nextStart = new Map<number, number>();
  for (const ids of timeline.laneOps) for (let i = 0; i < ids.length - 1; i++) nextStart.set(ids[i]!, timeline.ops[ids[i + 1]!]!.invokeNs);
  const roomOf = (op: TimelineOp): number => (nextStart.has(op.id) ? yOf(nextStart.get(op.id)!) : baseHeight + 1000) - yOf(op.invokeNs);
  const zoom = chooseZoom(ops, ops.map(roomOf), pxPerNs, baseHeight);
  const Y = (base: number): number => HEADER_PX + base * zoom;
  const height = HEADER_PX + baseHeight * zoom + 24;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${px(width)}" height="${px(height)}" data-header="${HEADER_PX}" data-base-height="${px(baseHeight)}" data-t0="${t0}" data-px-per-ns="${pxPerNs}" data-unit="${timeline.timeUnit}" data-zoom="${zoom}" role="img" aria-label="operation timeline">`,
  );

  // Lane headers (which processes ran in each lane) in their own SVG, and the lane rules here.
  const head: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="timeline-head" width="${px(width)}" height="${HEAD_HEIGHT_PX}" role="img" aria-label="timeline lanes">`];
  head.push(`<text class="lane-head" x="4" y="14">time</text><text class="lane-procs" x="${px(AXIS_WIDTH_PX)}" y="14">faults</text><text class="lane-procs" x="${px(lanesX + lanesWidth + 10)}" y="14">fault started, in time order</text>`);
  for (const lane of timeline.lanes) {
    const x = lanesX + lane.lane * (LANE_WIDTH_PX + LANE_GAP_PX);
    const processes = lane.processes.length > 4 ? `${lane.processes.slice(0, 4).join(', ')}, … (${lane.processes.length})` : lane.processes.join(', ');
    head.push(`<text class="lane-head" x="${px(x)}" y="14">${lane.processes.length === 1 ? `process ${lane.processes[0]}` : `lane ${lane.lane}`}</text>`);
    if (lane.processes.length > 1) head.push(`<text class="lane-procs" x="${px(x)}" y="27">processes ${escapeHtml(processes)}</text>`);
    parts.push(`<line class="lane-rule" data-full="1" x1="${px(x - LANE_GAP_PX / 2)}" y1="0" x2="${px(x - LANE_GAP_PX / 2)}" y2="${px(height)}"/>`);
  }
  head.push('</svg>');
  parts.push(`<g class="axis-ticks"></g>`);

  // Fault bands behind the ops, only those overlapping the drawn window.
  const visibleBands = timeline.timeUnit === 'ns' ? model.bands.filter((band) => (band.endNs ?? band.startNs) >= t0 && band.startNs <= t1) : [];
  const columns = bandColumns(visibleBands);
  visibleBands.forEach((band, index) => {
    const colour = FAULT_COLOURS[band.family];
    const y0 = yOf(band.startNs);
    const y1 = band.endNs === null ? y0 : yOf(band.endNs);
    const title = `<title>${escapeHtml(`${band.label}\n${formatTime(band.startNs, 'ns')}${band.endNs !== null ? ` – ${formatTime(band.endNs, 'ns')}${band.open ? ' (end of run)' : ''}` : ' (instant)'}`)}</title>`;
    const gx = AXIS_WIDTH_PX + columns[index]! * FAULT_COLUMN_PX;
    if (band.endNs === null) {
      parts.push(`<g class="fault-point" data-kind="${escapeHtml(band.kind)}">${title}<line data-y0="${px(y0)}" x1="${px(gx)}" y1="${px(Y(y0))}" x2="${px(lanesX + lanesWidth)}" y2="${px(Y(y0))}" stroke="${colour}" stroke-dasharray="4 3" stroke-width="2"/></g>`);
    } else {
      parts.push(
        `<g class="fault-band" data-kind="${escapeHtml(band.kind)}">${title}` +
          `<rect data-y0="${px(y0)}" data-y1="${px(y1)}" x="${px(lanesX - LANE_GAP_PX / 2)}" y="${px(Y(y0))}" width="${px(lanesWidth)}" height="${px(Math.max(2, (y1 - y0) * zoom))}" fill="${colour}" fill-opacity="0.10"/>` +
          `<rect data-y0="${px(y0)}" data-y1="${px(y1)}" x="${px(gx)}" y="${px(Y(y0))}" width="${px(FAULT_COLUMN_PX - 2)}" height="${px(Math.max(2, (y1 - y0) * zoom))}" fill="${colour}" rx="2"/></g>`,
      );
    }
    // Labels in the right column, whole; the page pushes them down so they never overlap.
    parts.push(`<text class="fault-label" data-y0="${px(y0)}" x="${px(lanesX + lanesWidth + 10)}" y="${px(Y(y0) + 9)}" fill="${colour}">${escapeHtml(`${formatTime(band.startNs, 'ns')} ${band.label}`)}</text>`);
  });

  // The violation band: a red stripe across the page at each offending op, under the ops.
  for (const op of ops) {
    if (!highlighted.has(op.id)) continue;
    const y0 = yOf(op.invokeNs);
    const y1 = yOf(op.completeNs ?? t1);
    parts.push(`<rect class="violation-band" data-y0="${px(y0)}" data-y1="${px(y1)}" data-pad="6" x="0" y="${px(Y(y0) - 6)}" width="${px(width)}" height="${px(Math.max(OP_HEIGHT_MIN_PX, (y1 - y0) * zoom) + 12)}" fill="${HIGHLIGHT_COLOUR}" fill-opacity="0.16"/>`);
    parts.push(`<text class="violation-label" data-y0="${px(y0)}" x="${px(width - 8)}" y="${px(Y(y0) + 4)}" text-anchor="end" fill="${HIGHLIGHT_COLOUR}">${escapeHtml(`✗ violation: p${op.process} ${opLabel(op)} (op #${op.invokeIndex})`)}</text>`);
  }

  // The ops; each knows how much room its label has before the next op of its lane starts.
  let firstViolationAnchor: string | null = null;
  for (const op of ops) {
    const x = lanesX + op.lane * (LANE_WIDTH_PX + LANE_GAP_PX);
    const y0 = yOf(op.invokeNs);
    const y1 = op.completeNs === null ? yOf(t1) : yOf(op.completeNs);
    const room = roomOf(op);
    const isHighlighted = highlighted.has(op.id);
    const id = `op-${op.invokeIndex}`;
    if (isHighlighted && op.id === model.firstViolationOp) firstViolationAnchor = id;
    const classes = `op ${op.outcome}${isHighlighted ? ' offending' : ''}`;
    const stroke = isHighlighted ? ` stroke="${HIGHLIGHT_COLOUR}" stroke-width="3"` : '';
    const label = opLabel(op);
    const shown = isHighlighted || room * zoom >= LABEL_ROOM_PX;
    const h = Math.max(OP_HEIGHT_MIN_PX, (y1 - y0) * zoom);
    const labelY = Y(y0) + (h >= LABEL_INSIDE_PX ? 10 : h + 9);
    parts.push(
      `<g class="${classes}" id="${id}" data-op="${op.id}" data-y0="${px(y0)}" data-y1="${px(y1)}" data-room="${px(room)}"><title>${escapeHtml(opTooltip(op, timeline.timeUnit))}</title>` +
        `<rect x="${px(x)}" y="${px(Y(y0))}" width="${LANE_WIDTH_PX}" height="${px(h)}" rx="2" fill="${OUTCOME_COLOURS[op.outcome]}"${stroke}/>` +
        `<text x="${px(x + 4)}" y="${px(labelY)}"${shown ? '' : ' visibility="hidden"'}${isHighlighted ? ' class="offending-label"' : ''}>${escapeHtml(label.length > 26 ? `${label.slice(0, 25)}…` : label)}</text></g>`,
    );
  }
  parts.push('</svg>');
  return { svg: parts.join('\n'), head: head.join(''), window, firstViolationAnchor, pxPerNs, initialZoom: zoom };
}
