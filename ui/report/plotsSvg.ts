// Plots over the run's time, drawn as Jepsen draws them: latency of every op (a point per op at its
// invoke time, its latency on a log scale, shape and colour by outcome), throughput (completions per
// second per outcome), and node status lanes (whatever fields each node reports), all on one time
// axis with the fault bands behind, so a fault's effect on latency and progress reads at a glance.
import type { FaultBand } from '../model/faults.js';
import type { StatusLanes } from '../model/nodeStatus.js';
import { FAULT_COLOURS, HIGHLIGHT_COLOUR, OUTCOME_COLOURS } from '../model/palette.js';
import type { OpOutcome, Timeline } from '../model/timeline.js';
import { escapeHtml, ms, px } from './markup.js';

export const PLOT_WIDTH_PX = 1160;
const LEFT_PX = 80;
const RIGHT_PX = 20;
const PLOT_HEIGHT_PX = 220;
const TOP_PX = 12;
const BOTTOM_PX = 30;
/** Points drawn at most on the latency plot; beyond, every n-th op (the page says so). */
export const LATENCY_POINTS_MAX = 20_000;
const THROUGHPUT_BUCKETS = 120;
const STATUS_ROW_PX = 22;

export interface TimeAxis {
  t0: number;
  t1: number;
  x(t: number): number;
}

export function timeAxis(t0: number, t1: number): TimeAxis {
  const span = Math.max(1, t1 - t0);
  const plot = PLOT_WIDTH_PX - LEFT_PX - RIGHT_PX;
  return { t0, t1, x: (t) => LEFT_PX + ((Math.min(Math.max(t, t0), t1) - t0) / span) * plot };
}

/** The shape of an outcome, so states differ by more than colour. */
export function outcomeMark(outcome: OpOutcome, x: number, y: number): string {
  const colour = OUTCOME_COLOURS[outcome];
  if (outcome === 'ok') return `<circle cx="${px(x)}" cy="${px(y)}" r="2.6" fill="${colour}"/>`;
  if (outcome === 'fail') return `<path d="M${px(x - 3)},${px(y - 3)}L${px(x + 3)},${px(y + 3)}M${px(x - 3)},${px(y + 3)}L${px(x + 3)},${px(y - 3)}" stroke="${colour}" stroke-width="1.6"/>`;
  if (outcome === 'info') return `<path d="M${px(x)},${px(y - 3.5)}L${px(x + 3.5)},${px(y + 3)}L${px(x - 3.5)},${px(y + 3)}Z" fill="${colour}"/>`;
  return `<rect x="${px(x - 2.5)}" y="${px(y - 2.5)}" width="5" height="5" fill="none" stroke="${colour}"/>`;
}

function bands(axis: TimeAxis, faults: readonly FaultBand[], top: number, height: number): string {
  return faults
    .filter((band) => (band.endNs ?? band.startNs) >= axis.t0 && band.startNs <= axis.t1)
    .map((band) => {
      const x0 = axis.x(band.startNs);
      const x1 = band.endNs === null ? x0 + 1.5 : Math.max(x0 + 1.5, axis.x(band.endNs));
      return `<rect class="plot-band" x="${px(x0)}" y="${px(top)}" width="${px(x1 - x0)}" height="${px(height)}" fill="${FAULT_COLOURS[band.family]}" fill-opacity="0.13"><title>${escapeHtml(band.label)}</title></rect>`;
    })
    .join('');
}

function xTicks(axis: TimeAxis, y: number, top: number): string {
  const parts: string[] = [];
  for (let i = 0; i <= 8; i++) {
    const t = axis.t0 + ((axis.t1 - axis.t0) * i) / 8;
    const x = axis.x(t);
    parts.push(`<line class="grid" x1="${px(x)}" y1="${px(top)}" x2="${px(x)}" y2="${px(y)}"/><text class="axis" x="${px(x)}" y="${px(y + 14)}" text-anchor="middle">${escapeHtml(ms(t).replace(/\.\d+ms$/, 'ms'))}</text>`);
  }
  return parts.join('');
}

function focusRule(axis: TimeAxis, focusNs: number | null, top: number, bottom: number): string {
  if (focusNs === null) return '';
  const x = axis.x(focusNs);
  return `<line class="focus-rule" x1="${px(x)}" y1="${px(top)}" x2="${px(x)}" y2="${px(bottom)}" stroke="${HIGHLIGHT_COLOUR}" stroke-width="1.5" stroke-dasharray="5 3"><title>the first violation</title></line>`;
}

/** Latency per op on a log scale, by outcome. */
export function renderLatencySvg(timeline: Timeline, faults: readonly FaultBand[], axis: TimeAxis, focusNs: number | null): { svg: string; sampled: boolean } {
  const done = timeline.ops.filter((op) => op.completeNs !== null);
  const step = Math.max(1, Math.ceil(done.length / LATENCY_POINTS_MAX));
  const latencies = done.map((op) => Math.max(1, op.completeNs! - op.invokeNs));
  const low = Math.min(...latencies, 1_000_000);
  const high = Math.max(...latencies, low * 10);
  const logLow = Math.floor(Math.log10(low));
  const logHigh = Math.ceil(Math.log10(high));
  const bottom = TOP_PX + PLOT_HEIGHT_PX;
  const yOf = (ns: number): number => bottom - ((Math.log10(ns) - logLow) / Math.max(1, logHigh - logLow)) * PLOT_HEIGHT_PX;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="plot latency" width="${PLOT_WIDTH_PX}" height="${TOP_PX + PLOT_HEIGHT_PX + BOTTOM_PX}" role="img" aria-label="latency per op">`];
  parts.push(bands(axis, faults, TOP_PX, PLOT_HEIGHT_PX));
  for (let decade = logLow; decade <= logHigh; decade++) {
    const y = yOf(10 ** decade);
    const label = 10 ** decade >= 1_000_000 ? `${10 ** (decade - 6)} ms` : `${10 ** (decade - 3)} µs`;
    parts.push(`<line class="grid" x1="${LEFT_PX}" y1="${px(y)}" x2="${PLOT_WIDTH_PX - RIGHT_PX}" y2="${px(y)}"/><text class="axis" x="${LEFT_PX - 6}" y="${px(y + 4)}" text-anchor="end">${label}</text>`);
  }
  parts.push(xTicks(axis, bottom, TOP_PX));
  for (let i = 0; i < done.length; i += step) {
    const op = done[i]!;
    parts.push(outcomeMark(op.outcome, axis.x(op.invokeNs), yOf(latencies[i]!)));
  }
  parts.push(focusRule(axis, focusNs, TOP_PX, bottom));
  parts.push('</svg>');
  return { svg: parts.join(''), sampled: step > 1 };
}

/** Completions per second, per outcome, in equal time buckets. */
export function renderThroughputSvg(timeline: Timeline, faults: readonly FaultBand[], axis: TimeAxis, focusNs: number | null): string {
  const bucketNs = Math.max(1, (axis.t1 - axis.t0) / THROUGHPUT_BUCKETS);
  const outcomes: OpOutcome[] = ['ok', 'info', 'fail'];
  const counts = new Map(outcomes.map((outcome) => [outcome, new Array<number>(THROUGHPUT_BUCKETS).fill(0)]));
  for (const op of timeline.ops) {
    if (op.completeNs === null || op.outcome === 'pending') continue;
    const bucket = Math.min(THROUGHPUT_BUCKETS - 1, Math.max(0, Math.floor((op.completeNs - axis.t0) / bucketNs)));
    counts.get(op.outcome)![bucket]!++;
  }
  const perSecond = (count: number): number => count / (bucketNs / 1e9);
  const high = Math.max(1, ...[...counts.values()].flat().map(perSecond));
  const bottom = TOP_PX + PLOT_HEIGHT_PX;
  const yOf = (rate: number): number => bottom - (rate / high) * PLOT_HEIGHT_PX;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="plot throughput" width="${PLOT_WIDTH_PX}" height="${TOP_PX + PLOT_HEIGHT_PX + BOTTOM_PX}" role="img" aria-label="throughput">`];
  parts.push(bands(axis, faults, TOP_PX, PLOT_HEIGHT_PX));
  for (let i = 0; i <= 4; i++) {
    const rate = (high * i) / 4;
    parts.push(`<line class="grid" x1="${LEFT_PX}" y1="${px(yOf(rate))}" x2="${PLOT_WIDTH_PX - RIGHT_PX}" y2="${px(yOf(rate))}"/><text class="axis" x="${LEFT_PX - 6}" y="${px(yOf(rate) + 4)}" text-anchor="end">${rate.toFixed(rate < 10 ? 1 : 0)}/s</text>`);
  }
  parts.push(xTicks(axis, bottom, TOP_PX));
  for (const outcome of outcomes) {
    const series = counts.get(outcome)!;
    if (series.every((count) => count === 0)) continue;
    const points = series.map((count, bucket) => `${px(axis.x(axis.t0 + (bucket + 0.5) * bucketNs))},${px(yOf(perSecond(count)))}`).join(' ');
    parts.push(`<polyline class="series ${outcome}" points="${points}" fill="none" stroke="${OUTCOME_COLOURS[outcome]}" stroke-width="${outcome === 'ok' ? 2 : 1.5}"${outcome === 'ok' ? '' : ' stroke-dasharray="4 2"'}/>`);
  }
  parts.push(focusRule(axis, focusNs, TOP_PX, bottom));
  parts.push('</svg>');
  return parts.join('');
}

/** A stable pale colour per status label, so equal statuses look equal across nodes. */
function labelColour(label: string): string {
  if (label.startsWith('down')) return '#d6d8dc';
  if (label === '') return '#f1f3f6';
  const word = label.split(' ')[0] ?? '';
  let hash = 0;
  for (const char of word) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360}, 55%, 84%)`;
}

/** One lane per server node: segments labelled with the node's own status fields. */
export function renderStatusSvg(lanes: StatusLanes, faults: readonly FaultBand[], axis: TimeAxis, focusNs: number | null): string {
  const height = TOP_PX + lanes.nodes.length * STATUS_ROW_PX + BOTTOM_PX;
  const bottom = TOP_PX + lanes.nodes.length * STATUS_ROW_PX;
  const row = new Map(lanes.nodes.map((node, index) => [node, index]));
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="plot status" width="${PLOT_WIDTH_PX}" height="${height}" role="img" aria-label="node status lanes">`];
  parts.push(bands(axis, faults, TOP_PX, bottom - TOP_PX));
  for (const node of lanes.nodes) parts.push(`<text class="row-head" x="6" y="${px(TOP_PX + row.get(node)! * STATUS_ROW_PX + 15)}">${escapeHtml(node)}</text>`);
  for (const segment of lanes.segments) {
    if (segment.endNs < axis.t0 || segment.startNs > axis.t1) continue;
    const x0 = axis.x(segment.startNs);
    const x1 = Math.max(x0 + 1, axis.x(segment.endNs));
    const y = TOP_PX + row.get(segment.node)! * STATUS_ROW_PX + 2;
    // A label only where it fits: about 6 px per character.
    const fits = Math.floor((x1 - x0 - 6) / 6.8);
    const label = segment.label === '' ? 'no status yet' : segment.label;
    const text = fits >= 3 ? (label.length > fits ? `${label.slice(0, fits - 1)}…` : label) : '';
    parts.push(
      `<g class="status-seg${segment.down !== null ? ' down' : ''}" data-node="${escapeHtml(segment.node)}"><title>${escapeHtml(`${segment.node} ${ms(segment.startNs)} – ${ms(segment.endNs)}: ${segment.label || '(no status reported)'}`)}</title>` +
        `<rect x="${px(x0)}" y="${px(y)}" width="${px(x1 - x0)}" height="${STATUS_ROW_PX - 4}" fill="${labelColour(segment.label)}" stroke="#fff" stroke-width="0.5"/>` +
        (text === '' ? '' : `<text x="${px(x0 + 3)}" y="${px(y + 13)}" class="status-label">${escapeHtml(text)}</text>`) +
        '</g>',
    );
  }
  parts.push(xTicks(axis, bottom, TOP_PX));
  parts.push(focusRule(axis, focusNs, TOP_PX, bottom));
  parts.push('</svg>');
  return parts.join('');
}
