// The per-key view, as Porcupine draws a failing partition: time left to right in proportion, a row
// per client process that touched the key, each op a bar from invoke to completion labelled with its
// value, the linearization the checker found as numbered points (the instant each op took effect)
// joined in order, and the op it got stuck on in red. The step-through under it (driven by the
// page's script) walks the model state from the first point to where the checker got stuck.
import { HIGHLIGHT_COLOUR, OUTCOME_COLOURS } from '../model/palette.js';
import { shownValue, valueLabel, type KeyLinearization } from '../model/linearization.js';
import { formatTime, type TimelineOp } from '../model/timeline.js';
import { escapeHtml, px } from './markup.js';
import { opLabel, opTooltip } from './timelineSvg.js';

const ROW_PX = 44;
const LEFT_PX = 90;
const TOP_PX = 30;
const BAR_PX = 18;
/** Ops drawn at most in the per-key view: around the stuck op when there are more. */
export const KEY_OPS_MAX = 400;
const WIDTH_MIN_PX = 1100;
const PX_PER_OP = 46;

export interface KeyView {
  svg: string;
  /** The step table and the step-through controls. */
  steps: string;
  opsDrawn: number;
}

export function renderKeyView(lin: KeyLinearization): KeyView {
  const stuckIds = new Set(lin.stuck.map((stuck) => stuck.op.id));
  const stepOf = new Map(lin.steps.map((step) => [step.op.id, step]));
  // Around the stuck op when the key has more ops than a person can follow.
  // Up to where the checker got stuck, and a little after: what follows is not part of the story.
  let ops: TimelineOp[] = lin.keyOps;
  const stuckEnd = Math.max(...lin.stuck.map((stuck) => stuck.op.completeNs ?? stuck.op.invokeNs));
  if (Number.isFinite(stuckEnd)) {
    const first = ops[0]?.invokeNs ?? 0;
    const margin = Math.max(1, (stuckEnd - first) * 0.04);
    ops = ops.filter((op) => op.invokeNs <= stuckEnd + margin);
  }
  if (ops.length > KEY_OPS_MAX) {
    const at = Math.max(0, ops.findIndex((op) => stuckIds.has(op.id)));
    const from = Math.max(0, Math.min(at - Math.floor((KEY_OPS_MAX * 2) / 3), ops.length - KEY_OPS_MAX));
    ops = ops.slice(from, from + KEY_OPS_MAX);
  }
  const processes = [...new Set(ops.map((op) => op.process))].sort((a, b) => a - b);
  const row = new Map(processes.map((process, index) => [process, index]));
  const t0 = Math.min(...ops.map((op) => op.invokeNs));
  const t1 = Math.max(...ops.map((op) => op.completeNs ?? op.invokeNs));
  const width = Math.max(WIDTH_MIN_PX, ops.length * PX_PER_OP);
  const plotWidth = width - LEFT_PX - 130;
  const xOf = (t: number): number => LEFT_PX + ((t - t0) / Math.max(1, t1 - t0)) * plotWidth;
  const height = TOP_PX + processes.length * ROW_PX + 40;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="keyview" width="${px(width)}" height="${px(height)}" role="img" aria-label="per-key linearization">`];
  // A time axis: ten ticks.
  for (let i = 0; i <= 10; i++) {
    const t = t0 + ((t1 - t0) * i) / 10;
    const x = xOf(t);
    parts.push(`<line class="tick" x1="${px(x)}" y1="${TOP_PX - 6}" x2="${px(x)}" y2="${px(height - 30)}"/><text class="axis" x="${px(x)}" y="${px(height - 14)}" text-anchor="middle">${escapeHtml(formatTime(t, 'ns'))}</text>`);
  }
  processes.forEach((process, index) => {
    parts.push(`<text class="row-head" x="6" y="${px(TOP_PX + index * ROW_PX + BAR_PX - 4)}">process ${process}</text>`);
  });
  // A label is drawn only where it fits before the next op of its row starts (hover tells the rest).
  const nextX = new Map<number, number>();
  for (const process of processes) {
    const mine = ops.filter((op) => op.process === process);
    for (let i = 0; i < mine.length - 1; i++) nextX.set(mine[i]!.id, xOf(mine[i + 1]!.invokeNs));
  }
  for (const op of ops) {
    const y = TOP_PX + row.get(op.process)! * ROW_PX;
    const x0 = xOf(op.invokeNs);
    const x1 = Math.max(x0 + 3, xOf(op.completeNs ?? t1));
    const step = stepOf.get(op.id);
    const stuck = stuckIds.has(op.id);
    const classes = ['kop', op.outcome, step !== undefined ? 'linearized' : stuck ? 'stuck' : 'unplaced'].join(' ');
    const label = opLabel(op).replace(op.key !== undefined ? ` ${op.key}` : '', '');
    const room = (nextX.get(op.id) ?? width) - x0;
    // The stuck op's label is always whole; a linearized op's is cut to fit; others only when they fit.
    const fits = stuck || (step !== undefined ? room >= 14 : room >= label.length * 6.2 + 4);
    const text = !fits ? '' : stuck || label.length * 6.2 + 4 <= room ? label : `${label.slice(0, Math.max(1, Math.floor((room - 10) / 6.2)))}…`;
    const stroke = stuck ? ` stroke="${HIGHLIGHT_COLOUR}" stroke-width="3"` : '';
    parts.push(
      `<g class="${classes}" data-step="${step?.step ?? ''}" id="key-op-${op.invokeIndex}"><title>${escapeHtml(`${opTooltip(op, 'ns')}${step !== undefined ? `\nlinearized as step ${step.step}: state ${step.stateBefore ?? '?'} → ${step.stateAfter ?? '?'}` : stuck ? '\nthe checker got stuck here: no state reached can produce it' : '\nnot placed by the checker'}`)}</title>` +
        `<rect x="${px(x0)}" y="${px(y)}" width="${px(x1 - x0)}" height="${BAR_PX}" rx="3" fill="${OUTCOME_COLOURS[op.outcome]}"${stroke}/>` +
        (text === '' ? '' : `<text x="${px(x0 + 2)}" y="${px(y + BAR_PX + 11)}" class="klabel${stuck ? ' stuck-label' : ''}">${escapeHtml(text)}</text>`) +
        '</g>',
    );
  }
  // The linearization: a point per step inside its op's bar, joined in order.
  const drawn = lin.steps.filter((step) => row.has(step.op.process) && ops.includes(step.op));
  const points = drawn.map((step) => ({ step, x: xOf(step.pointNs), y: TOP_PX + row.get(step.op.process)! * ROW_PX + BAR_PX / 2 }));
  if (points.length > 1) parts.push(`<polyline class="lin-path" points="${points.map((p) => `${px(p.x)},${px(p.y)}`).join(' ')}" fill="none"/>`);
  for (const point of points) {
    parts.push(
      `<g class="lin-point" data-step="${point.step.step}"><title>${escapeHtml(`step ${point.step.step}: #${point.step.op.invokeIndex} ${point.step.op.f} ${valueLabel(shownValue(point.step.op))} at ${formatTime(point.step.pointNs, 'ns')}; state ${point.step.stateBefore ?? '?'} → ${point.step.stateAfter ?? '?'}`)}</title>` +
        `<circle cx="${px(point.x)}" cy="${px(point.y)}" r="7"/><text x="${px(point.x)}" y="${px(point.y + 3.5)}" text-anchor="middle" class="lin-num">${point.step.step}</text></g>`,
    );
  }
  for (const stuck of lin.stuck) {
    if (!ops.includes(stuck.op)) continue;
    const x = xOf(stuck.op.invokeNs);
    const y = TOP_PX + row.get(stuck.op.process)! * ROW_PX;
    const anchor = x > width - 220 ? 'end' : 'start';
    parts.push(`<text class="stuck-mark" x="${px(x)}" y="${px(y - 4)}" text-anchor="${anchor}" fill="${HIGHLIGHT_COLOUR}">✗ stuck: state ${escapeHtml(stuck.stateBefore ?? '?')}</text>`);
  }
  parts.push('</svg>');

  // The step table: one row per step and a last row for where it got stuck; the controls show one.
  const rows = lin.steps.map(
    (step) =>
      `<tr class="step" data-step="${step.step}"><td>${step.step}</td><td class="mono"><a href="#key-op-${step.op.invokeIndex}">#${step.op.invokeIndex}</a> p${step.op.process} ${escapeHtml(opLabel(step.op))}</td><td class="mono">${escapeHtml(formatTime(step.pointNs, 'ns'))}</td><td class="mono">${escapeHtml(step.stateBefore ?? '?')}</td><td class="mono">${escapeHtml(step.stateAfter ?? '?')}</td></tr>`,
  );
  const stuckRows = lin.stuck.map(
    (stuck) =>
      `<tr class="step stuck" data-step="${lin.steps.length + 1}" data-say="${escapeHtml(`stuck: from state ${stuck.stateBefore ?? '?'} no op left can produce #${stuck.op.invokeIndex} ${opLabel(stuck.op)}${stuck.reason !== null ? ` (${stuck.reason})` : ''}`)}"><td>✗</td><td class="mono">#${stuck.op.invokeIndex} p${stuck.op.process} ${escapeHtml(opLabel(stuck.op))}</td><td class="mono">${escapeHtml(formatTime(stuck.op.invokeNs, 'ns'))}</td><td class="mono">${escapeHtml(stuck.stateBefore ?? '?')}</td><td class="mono">none${stuck.reason !== null ? ` (${escapeHtml(stuck.reason)})` : ''}</td></tr>`,
  );
  const last = lin.steps.length + (lin.stuck.length > 0 ? 1 : 0);
  const steps = `<div class="stepper" data-last="${last}">
<button type="button" data-go="first">◀◀ first</button> <button type="button" data-go="prev">◀ step back</button> <button type="button" data-go="next">step ▶</button> <button type="button" data-go="last" id="step-to-stuck">where it got stuck ▶▶</button>
<span class="step-state mono" id="step-state">state: ${escapeHtml(lin.steps[0]?.stateBefore ?? lin.stuckState ?? '?')} (before step 1)</span></div>
<table class="steps"><tr><th>step</th><th>op, in linearization order</th><th>takes effect</th><th>state before</th><th>state after</th></tr>
${rows.join('\n')}
${stuckRows.join('\n')}
</table>`;
  return { svg: parts.join('\n'), steps, opsDrawn: ops.length };
}
