// The report's operation timeline as one SVG, drawn the way Jepsen draws it: a column per lane of
// client processes, time flowing down (one slot per history record, so concurrent ops line up by
// their real order), each op a box from its invoke to its completion in its outcome's colour. Fault
// bands run across all lanes; the ops the evidence names get a heavy red outline.
import { FAULT_COLOURS, HIGHLIGHT_COLOUR, OUTCOME_COLOURS } from '../model/palette.js';
import type { FaultBand } from '../model/faults.js';
import type { RunModel } from '../model/run.js';
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
  /** Op ids drawn, for the tooltip data. */
  window: OpWindow;
  /** The SVG element id of the first offending op, when it is drawn. */
  firstViolationAnchor: string | null;
}

export const SLOT_PX = 12;
const LANE_WIDTH_PX = 132;
const LANE_GAP_PX = 8;
const AXIS_WIDTH_PX = 86;
const FAULT_COLUMN_PX = 10;
const FAULT_COLUMNS_MAX = 8;
const LABELS_WIDTH_PX = 260;
const HEADER_PX = 34;

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

/** The y of each history record drawn: records in index order, one slot each. */
interface Slots {
  indexes: number[];
  times: number[];
  slotOf: Map<number, number>;
}

function slotsOf(ops: readonly TimelineOp[]): Slots {
  const entries: { index: number; time: number }[] = [];
  for (const op of ops) {
    entries.push({ index: op.invokeIndex, time: op.invokeNs });
    if (op.completeIndex !== null) entries.push({ index: op.completeIndex, time: op.completeNs! });
  }
  entries.sort((a, b) => a.index - b.index);
  const slotOf = new Map<number, number>();
  entries.forEach((entry, slot) => slotOf.set(entry.index, slot));
  return { indexes: entries.map((entry) => entry.index), times: entries.map((entry) => entry.time), slotOf };
}

/** The slot of the first record at or after time `t` (slot count when none). */
function slotAtTime(slots: Slots, t: number): number {
  let low = 0;
  let high = slots.times.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (slots.times[middle]! < t) low = middle + 1;
    else high = middle;
  }
  return low;
}

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

/** Op details for the hover box and the `<title>` fallback. */
export function opTooltip(op: TimelineOp, unit: 'ns' | 'index'): string {
  const lines = [
    `op #${op.invokeIndex}${op.completeIndex !== null ? `–#${op.completeIndex}` : ''}  process ${op.process}  ${op.outcome}`,
    `${op.f}${op.key !== undefined ? ` key ${op.key}` : ''}${op.value === null || op.value === undefined ? '' : ` ${formatValue(op.value, 120)}`}`,
  ];
  if (op.outcome !== 'pending') lines.push(`result ${formatValue(op.result, 120)}`);
  lines.push(`invoked ${formatTime(op.invokeNs, unit)}${op.completeNs !== null ? `, completed ${formatTime(op.completeNs, unit)}` : ', never completed'}`);
  if (op.node !== undefined) lines.push(`served by ${op.node}`);
  return lines.join('\n');
}

export function renderTimelineSvg(model: RunModel, window: OpWindow): TimelineSvg {
  const { timeline } = model;
  const ops = timeline.ops.slice(window.from, window.to);
  const slots = slotsOf(ops);
  const laneCount = timeline.lanes.length;
  const highlighted = new Set(model.highlighted);
  const faultGutter = FAULT_COLUMN_PX * FAULT_COLUMNS_MAX;
  const lanesX = AXIS_WIDTH_PX + faultGutter + LANE_GAP_PX;
  const lanesWidth = laneCount * (LANE_WIDTH_PX + LANE_GAP_PX);
  const width = lanesX + lanesWidth + LABELS_WIDTH_PX;
  const slotCount = Math.max(1, slots.indexes.length);
  const height = HEADER_PX + slotCount * SLOT_PX + SLOT_PX;
  const yOfSlot = (slot: number): number => HEADER_PX + slot * SLOT_PX;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" role="img" aria-label="operation timeline">`);

  // Lane headers: which processes ran in each lane.
  for (const lane of timeline.lanes) {
    const x = lanesX + lane.lane * (LANE_WIDTH_PX + LANE_GAP_PX);
    const processes = lane.processes.length > 4 ? `${lane.processes.slice(0, 4).join(', ')}, … (${lane.processes.length})` : lane.processes.join(', ');
    parts.push(`<text class="lane-head" x="${px(x)}" y="14">lane ${lane.lane}</text>`);
    parts.push(`<text class="lane-procs" x="${px(x)}" y="27">process ${escapeHtml(processes)}</text>`);
    parts.push(`<line class="lane-rule" x1="${px(x - LANE_GAP_PX / 2)}" y1="${HEADER_PX}" x2="${px(x - LANE_GAP_PX / 2)}" y2="${px(height)}"/>`);
  }

  // Fault bands behind the ops, only those overlapping the drawn records.
  const firstTime = slots.times[0] ?? timeline.startNs;
  const lastTime = slots.times[slots.times.length - 1] ?? timeline.endNs;
  const visibleBands = timeline.timeUnit === 'ns' ? model.bands.filter((band) => (band.endNs ?? band.startNs) >= firstTime && band.startNs <= lastTime) : [];
  const columns = bandColumns(visibleBands);
  let labelY = -Infinity;
  visibleBands.forEach((band, index) => {
    const colour = FAULT_COLOURS[band.family];
    const y1 = yOfSlot(slotAtTime(slots, band.startNs)) - SLOT_PX / 2;
    const title = `<title>${escapeHtml(`${band.label}\n${formatTime(band.startNs, 'ns')}${band.endNs !== null ? ` – ${formatTime(band.endNs, 'ns')}${band.open ? ' (end of run)' : ''}` : ' (instant)'}`)}</title>`;
    const gx = AXIS_WIDTH_PX + columns[index]! * FAULT_COLUMN_PX;
    if (band.endNs === null) {
      parts.push(`<g class="fault-point" data-kind="${escapeHtml(band.kind)}">${title}<line x1="${px(gx)}" y1="${px(y1)}" x2="${px(lanesX + lanesWidth)}" y2="${px(y1)}" stroke="${colour}" stroke-dasharray="4 3" stroke-width="2"/></g>`);
    } else {
      const y2 = Math.max(y1 + 3, yOfSlot(slotAtTime(slots, band.endNs)) - SLOT_PX / 2);
      parts.push(
        `<g class="fault-band" data-kind="${escapeHtml(band.kind)}">${title}` +
          `<rect x="${px(lanesX - LANE_GAP_PX / 2)}" y="${px(y1)}" width="${px(lanesWidth)}" height="${px(y2 - y1)}" fill="${colour}" fill-opacity="0.10"/>` +
          `<rect x="${px(gx)}" y="${px(y1)}" width="${px(FAULT_COLUMN_PX - 2)}" height="${px(y2 - y1)}" fill="${colour}" rx="2"/></g>`,
      );
    }
    // Labels in the right column, pushed down so they never overlap.
    const y = Math.max(y1 + 9, labelY + 12);
    labelY = y;
    parts.push(`<text class="fault-label" x="${px(lanesX + lanesWidth + 6)}" y="${px(y)}" fill="${colour}">${escapeHtml(`${formatTime(band.startNs, 'ns')} ${band.label}`)}</text>`);
  });

  // The time axis: a label wherever the previous one is far enough above.
  let axisY = -Infinity;
  for (let slot = 0; slot < slots.indexes.length; slot++) {
    const y = yOfSlot(slot) + SLOT_PX - 3;
    if (y - axisY < 48) continue;
    axisY = y;
    parts.push(`<text class="axis" x="4" y="${px(y)}">${escapeHtml(formatTime(slots.times[slot]!, timeline.timeUnit))}</text>`);
  }

  // The ops.
  let firstViolationAnchor: string | null = null;
  for (const op of ops) {
    const x = lanesX + op.lane * (LANE_WIDTH_PX + LANE_GAP_PX);
    const startSlot = slots.slotOf.get(op.invokeIndex)!;
    const endSlot = op.completeIndex === null ? slotCount : slots.slotOf.get(op.completeIndex)!;
    const y = yOfSlot(startSlot) + 1;
    const h = Math.max(SLOT_PX - 2, (endSlot - startSlot + 1) * SLOT_PX - 2);
    const isHighlighted = highlighted.has(op.id);
    const id = `op-${op.invokeIndex}`;
    if (isHighlighted && op.id === model.firstViolationOp) firstViolationAnchor = id;
    const classes = `op ${op.outcome}${isHighlighted ? ' offending' : ''}`;
    const stroke = isHighlighted ? ` stroke="${HIGHLIGHT_COLOUR}" stroke-width="3"` : '';
    const value = op.value === null || op.value === undefined ? '' : ` ${formatValue(op.value, 12)}`;
    const result = op.outcome === 'ok' && op.result !== undefined && op.result !== null && formatValue(op.result, 12) !== formatValue(op.value, 12) ? ` → ${formatValue(op.result, 12)}` : '';
    const label = `${op.f}${op.key !== undefined ? ` ${op.key}` : ''}${value}${result}`;
    parts.push(
      `<g class="${classes}" id="${id}" data-op="${op.id}"><title>${escapeHtml(opTooltip(op, timeline.timeUnit))}</title>` +
        `<rect x="${px(x)}" y="${px(y)}" width="${LANE_WIDTH_PX}" height="${px(h)}" rx="3" fill="${OUTCOME_COLOURS[op.outcome]}"${stroke}/>` +
        `<text x="${px(x + 4)}" y="${px(y + SLOT_PX - 3)}">${escapeHtml(label.length > 24 ? `${label.slice(0, 23)}…` : label)}</text></g>`,
    );
  }
  parts.push('</svg>');
  return { svg: parts.join('\n'), window, firstViolationAnchor };
}
