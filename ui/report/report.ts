// The self-contained HTML report of one run: one string with inline CSS, SVG and a small script, no
// network at view time. Header with the repro command, the violation in one sentence (the ops that
// made a read stale named) and a jump link; the per-key view of the linearization the checker found
// with a step-through of the model states; the operation timeline in proportional time with zoom;
// latency, throughput and node status over time with the fault bands; the topology at the first
// violation (elkjs layout, computed here); a filterable message sequence diagram around it; the
// evidence; the faults. Large runs are capped and the page says where and why.
import type { TraceEventRow } from '../../histories/store.js';
import { clusterAt, serverNodes } from '../model/cluster.js';
import { describeEvidenceOp, prettyEvidence, type EvidenceOp, type Violation } from '../model/evidence.js';
import { FAULT_COLOURS, OUTCOME_COLOURS, type FaultFamily } from '../model/palette.js';
import type { RunModel, RunSource } from '../model/run.js';
import { loadRunModel, runEndOf } from '../model/run.js';
import { formatTime, opAtIndex } from '../model/timeline.js';
import { escapeHtml, ms } from './markup.js';
import { REPORT_CSS, REPORT_SCRIPT } from './page.js';
import { backgroundRule } from '../model/background.js';
import { keyLinearization, staleness } from '../model/linearization.js';
import { readStatusEvents, STATUS_KIND, statusLanes } from '../model/nodeStatus.js';
import { renderKeyView } from './keySvg.js';
import { renderLatencySvg, renderStatusSvg, renderThroughputSvg, timeAxis } from './plotsSvg.js';
import { renderSequenceSvg, SEQUENCE_ROWS_MAX } from './sequenceSvg.js';
import { chooseWindow, opLabel, renderTimelineSvg } from './timelineSvg.js';
import { renderTopologySvg } from './topologySvg.js';
import { renderCycleSvg } from './cycleSvg.js';
import { CYCLES_SHOWN_MAX, cycleLine, readTxnCycles, type TxnCycleView } from '../model/txnCycles.js';

export interface ReportInput {
  model: RunModel;
  /** Trace events around the focus instant (the first violation), in time order. */
  trace: readonly TraceEventRow[];
  /** The events node status is read from, over the whole run (process events and the nodes' own logs). */
  statusEvents?: readonly TraceEventRow[];
}

export interface ReportOptions {
  /** Ops drawn on the timeline at most (default OPS_SHOWN_DEFAULT). */
  opsMax?: number;
}

export interface Report {
  html: string;
  opsShown: number;
  opsTotal: number;
  capped: boolean;
  sequenceRows: number;
  /** The instant the topology and the sequence diagram show. */
  focusNs: number | null;
}

export const OPS_SHOWN_DEFAULT = 1_500;
export const OPS_SHOWN_MAX = 20_000;
/** Trace read around the focus for the sequence diagram: this far before and after, this many rows. */
export const SEQUENCE_BEFORE_NS = 300_000_000;
export const SEQUENCE_AFTER_NS = 100_000_000;
export const SEQUENCE_FETCH_LIMIT = 20_000;
/** Evidence ops listed per table; the rest are counted. */
const EVIDENCE_ROWS_MAX = 60;
const FAULT_ROWS_MAX = 500;

/** The instant a report centres on: the first offending op's invoke, else the first fault, else null. */
export function focusOf(model: RunModel): number | null {
  if (model.timeline.timeUnit !== 'ns') return null;
  if (model.firstViolationOp !== null) return model.timeline.ops[model.firstViolationOp]!.invokeNs;
  const first = model.bands[0];
  return first === undefined ? null : first.startNs;
}

/** Reads a run and the trace around its focus from the store; undefined when the run is missing. */
export function loadReportInput(source: RunSource, runId: number): ReportInput | undefined {
  const model = loadRunModel(source, runId);
  if (model === undefined) return undefined;
  const focus = focusOf(model);
  const trace =
    focus === null
      ? source.trace(runId, { limit: SEQUENCE_ROWS_MAX * 4 })
      : source.trace(runId, { fromNs: Math.max(0, focus - SEQUENCE_BEFORE_NS), toNs: focus + SEQUENCE_AFTER_NS, limit: SEQUENCE_FETCH_LIMIT });
  return { model, trace, statusEvents: readStatusEvents(source, runId, runEndOf(model)) };
}

function scenarioFacts(scenario: unknown): [string, string][] {
  if (scenario === null || typeof scenario !== 'object') return [];
  const value = scenario as Record<string, unknown>;
  const facts: [string, string][] = [];
  const add = (name: string, text: unknown): void => {
    if (text !== undefined && text !== null) facts.push([name, typeof text === 'string' ? text : JSON.stringify(text)]);
  };
  add('nodes', value.nodes);
  const workload = value.workload as Record<string, unknown> | undefined;
  if (workload !== undefined && typeof workload === 'object') {
    add('workload', `${String(workload.name ?? 'default')}: ${String(workload.clients ?? '?')} clients, up to ${String(workload.opsMax ?? '?')} ops at ${String(workload.opsPerSecond ?? '?')}/s over ${String(workload.keys ?? '?')} keys`);
  }
  if (typeof value.durationMs === 'number') add('phases', `safety ${value.durationMs} ms (faults), then liveness ${String(value.livenessMs ?? 0)} ms (healed)`);
  if (Array.isArray(value.faults)) add('fault schedule', `${value.faults.length} event${value.faults.length === 1 ? '' : 's'}`);
  add('bug', value.bug);
  return facts;
}

function opLink(model: RunModel, drawn: { from: number; to: number }, index: number | undefined, text: string): string {
  if (index === undefined) return escapeHtml(text);
  const id = opAtIndex(model.timeline, index);
  if (id === null || id < drawn.from || id >= drawn.to) return escapeHtml(text);
  const anchor = `op-${model.timeline.ops[id]!.invokeIndex}`;
  return `<a href="#${anchor}" data-op="${anchor}">${escapeHtml(text)}</a>`;
}

/** Each violation's anomaly cycles (transactional evidence), drawn; elkjs lays out asynchronously. */
async function drawCycles(violations: readonly Violation[]): Promise<Map<Violation, { cycles: TxnCycleView[]; svgs: string[] }>> {
  const drawn = new Map<Violation, { cycles: TxnCycleView[]; svgs: string[] }>();
  let index = 0;
  for (const violation of violations) {
    const cycles = readTxnCycles(violation.evidence);
    if (cycles === null) continue;
    const svgs: string[] = [];
    for (const cycle of cycles.slice(0, CYCLES_SHOWN_MAX)) svgs.push(await renderCycleSvg(cycle, index++));
    drawn.set(violation, { cycles, svgs });
  }
  return drawn;
}

function evidenceSection(model: RunModel, drawn: { from: number; to: number }, cycles: Map<Violation, { cycles: TxnCycleView[]; svgs: string[] }>): string {
  if (model.violations.length === 0) return '<p>Every checker says valid: there is no violation to explain.</p>';
  const blocks: string[] = [];
  for (const violation of model.violations) blocks.push(violationBlock(model, drawn, violation, cycles.get(violation)));
  return blocks.join('\n');
}

/** A transactional violation: each anomaly's cycle drawn, then its edges in words, as the checker explains them. */
function txnBlock(head: string, violation: Violation, drawn: { cycles: TxnCycleView[]; svgs: string[] }): string {
  const sections = drawn.cycles.slice(0, CYCLES_SHOWN_MAX).map((cycle, index) => {
    const rows = cycle.edges
      .map((edge, position) => {
        const from = cycle.txns[position]!;
        const to = cycle.txns[(position + 1) % cycle.txns.length]!;
        return `<tr><td class="mono">T${from.id} → T${to.id}</td><td><b>${escapeHtml(edge.kind)}</b></td><td class="mono">${escapeHtml(edge.key ?? '')}</td><td class="mono">${escapeHtml(edge.values ?? '')}</td><td>${escapeHtml(edge.why)}</td></tr>`;
      })
      .join('\n');
    return `<div class="txn-cycle"><h4>${escapeHtml(cycle.cls)}: ${cycle.txns.length} transaction${cycle.txns.length === 1 ? '' : 's'}</h4>
<p class="mono">${escapeHtml(cycleLine(cycle))}</p>
${drawn.svgs[index] ?? ''}
<table><tr><th>Edge</th><th>Kind</th><th>Key</th><th>Values</th><th>Why it exists</th></tr>
${rows}
</table></div>`;
  });
  const more = drawn.cycles.length > CYCLES_SHOWN_MAX ? `<p class="muted">${drawn.cycles.length - CYCLES_SHOWN_MAX} more cycles are in the raw evidence.</p>` : '';
  const none = drawn.cycles.length === 0 ? '<p class="muted">No cycle: the anomalies found are of the kinds a single transaction shows (listed in the raw evidence).</p>' : '';
  return `<div class="evidence txn">${head}${sections.join('\n')}${more}${none}
<details><summary>Raw evidence (JSON)</summary><pre>${escapeHtml(prettyEvidence(violation.evidence, 400).join('\n'))}</pre></details>
</div>`;
}

function violationBlock(model: RunModel, drawn: { from: number; to: number }, violation: Violation, cycles?: { cycles: TxnCycleView[]; svgs: string[] }): string {
  const head = `<h3><span class="verdict ${violation.verdict}">${violation.verdict}</span> ${escapeHtml(violation.checker)}</h3><p>${escapeHtml(violation.summary)}</p>`;
  if (cycles !== undefined) return txnBlock(head, violation, cycles);
  const lin = violation.linearizability;
  if (lin === null) {
    return `<div class="evidence generic">${head}<pre>${escapeHtml(prettyEvidence(violation.evidence, 400).join('\n'))}</pre></div>`;
  }
  const row = (op: EvidenceOp, kind: 'prefix' | 'stuck'): string =>
    `<tr class="${kind}"><td class="op">${opLink(model, drawn, op.invokeIndex, describeEvidenceOp(op, 60))}</td><td class="mono">${escapeHtml(op.stateBefore ?? '')}</td></tr>`;
  const hidden = Math.max(0, lin.prefix.length - EVIDENCE_ROWS_MAX);
  const where = [lin.key !== undefined ? `key <code>${escapeHtml(lin.key)}</code>` : null, lin.model !== undefined ? `model <code>${escapeHtml(lin.model)}</code>` : null].filter((part) => part !== null).join(', ');
  return `<div class="evidence linearizability">${head}
<p>${where !== '' ? `${where}: ` : ''}the longest linearizable prefix has <b>${lin.prefix.length}</b> ops${lin.stateAfterPrefix !== undefined ? `, leaving the model in state <code>${escapeHtml(lin.stateAfterPrefix)}</code>` : ''}; <b>${lin.stuck.length}</b> op${lin.stuck.length === 1 ? '' : 's'} cannot follow it.</p>
<table><tr><th>Cannot follow the prefix</th><th>Model state before</th></tr>
${lin.stuck.slice(0, EVIDENCE_ROWS_MAX).map((op) => row(op, 'stuck')).join('\n')}
</table>
<details${lin.prefix.length <= 20 ? ' open' : ''}><summary>The linearizable prefix (${lin.prefix.length} ops${hidden > 0 ? `, the last ${EVIDENCE_ROWS_MAX} shown` : ''})</summary>
<table><tr><th>Op, in linearization order</th><th>Model state before</th></tr>
${lin.prefix.slice(hidden).map((op) => row(op, 'prefix')).join('\n')}
</table></details>
<details><summary>Raw evidence (JSON)</summary><pre>${escapeHtml(prettyEvidence(violation.evidence, 400).join('\n'))}</pre></details>
</div>`;
}

function legend(): string {
  const outcomes: [string, string][] = [
    ['ok', OUTCOME_COLOURS.ok],
    ['info (unknown)', OUTCOME_COLOURS.info],
    ['fail', OUTCOME_COLOURS.fail],
    ['invoked, never completed', OUTCOME_COLOURS.pending],
  ];
  const families = Object.keys(FAULT_COLOURS) as FaultFamily[];
  return `<p class="legend">${outcomes.map(([name, colour]) => `<span><i class="swatch" style="background:${colour}"></i>${escapeHtml(name)}</span>`).join('')}<span><i class="swatch" style="background:#fff;border:3px solid var(--hl)"></i>named by the evidence</span></p>
<p class="legend muted">Faults: ${families.map((family) => `<span><i class="swatch" style="background:${FAULT_COLOURS[family]}"></i>${family}</span>`).join('')}</p>`;
}

/** The per-key section: the linearization's picture, its step-through, and the staleness sentence. */
function perKeySection(model: RunModel): { html: string; banner: string | null } {
  const lin = keyLinearization(model);
  if (lin === null) return { html: '<p class="muted">No checker gave a linearization to show: the per-key view is for linearizability evidence.</p>', banner: null };
  const stale = staleness(lin);
  const view = renderKeyView(lin);
  const intro = `<p>Key <code>${escapeHtml(lin.key ?? '?')}</code>${lin.model !== null ? `, model <code>${escapeHtml(lin.model)}</code>` : ''}: the checker linearized <b>${lin.steps.length}</b> op${lin.steps.length === 1 ? '' : 's'} (numbered points: the instant each took effect, inside its own bar) and then got stuck on <b>${lin.stuck.length}</b>, drawn in red: from state <code>${escapeHtml(lin.stuckState ?? '?')}</code> no op left can produce ${lin.stuck.length === 1 ? 'it' : 'them'}. ${view.opsDrawn < lin.keyOps.length ? `${view.opsDrawn} of the key's ${lin.keyOps.length} ops are drawn: those up to where the checker got stuck.` : `All ${lin.keyOps.length} ops on the key are drawn.`} Faded bars were not placed.</p>`;
  const html = `${intro}${stale !== null ? `<p class="banner">${escapeHtml(stale.sentence)}</p>` : ''}<div class="scroll wide">${view.svg}</div>${view.steps}`;
  return { html, banner: stale?.sentence ?? null };
}

/** Builds the whole page. Async only because elkjs lays out asynchronously. */
export async function buildReport(input: ReportInput, options: ReportOptions = {}): Promise<Report> {
  const { model } = input;
  const run = model.run;
  const opsMax = options.opsMax ?? OPS_SHOWN_DEFAULT;
  if (!(Number.isInteger(opsMax) && opsMax >= 1 && opsMax <= OPS_SHOWN_MAX)) throw new Error(`opsMax must be 1 to ${OPS_SHOWN_MAX}, got ${opsMax}`);
  const window = chooseWindow(model, opsMax);
  const timeline = renderTimelineSvg(model, window);
  const focusNs = focusOf(model);
  const clusterTime = focusNs ?? model.timeline.endNs;
  const cluster = clusterAt(model, clusterTime);
  const topology = await renderTopologySvg(cluster);
  const cycles = await drawCycles(model.violations);
  const servers = serverNodes(model);
  const sequence = renderSequenceSvg({ events: input.trace, focusNs, servers, background: backgroundRule(run.scenario) });
  const total = model.timeline.ops.length;
  const unit = model.timeline.timeUnit;
  const firstOp = model.firstViolationOp === null ? null : model.timeline.ops[model.firstViolationOp]!;
  const perKey = perKeySection(model);

  // Plots over the whole run, on one time axis.
  const runEndNs = runEndOf(model);
  const axis = timeAxis(unit === 'ns' ? Math.min(model.timeline.startNs, 0) : model.timeline.startNs, unit === 'ns' ? runEndNs : model.timeline.endNs);
  const latency = unit === 'ns' && model.hasHistory ? renderLatencySvg(model.timeline, model.bands, axis, focusNs) : null;
  const throughput = unit === 'ns' && model.hasHistory ? renderThroughputSvg(model.timeline, model.bands, axis, focusNs) : null;
  const lanes = statusLanes(input.statusEvents ?? input.trace, servers, runEndNs);
  const statusSvg = unit === 'ns' && lanes.nodes.length > 0 ? renderStatusSvg(lanes, model.bands, axis, focusNs) : null;
  const statusSource =
    lanes.source === 'status-events'
      ? `each node's own status records (<code>${STATUS_KIND}</code> events)`
      : lanes.source === 'log-heuristic'
        ? "the nodes' own log events (the fields most of them carry; the plugin does not record its status yet)"
        : 'process events only (the nodes report no status fields)';

  const checkerRows = run.checkers
    .map((result) => `<tr><td><span class="verdict ${result.verdict}">${result.verdict}</span></td><td><b>${escapeHtml(result.checker)}</b></td><td>${escapeHtml(result.summary)}</td></tr>`)
    .join('\n');
  const facts: [string, string][] = [
    ['system', run.system],
    ['seed', String(run.seed ?? '-')],
    ['kind', run.kind],
    ['ops', String(run.ops)],
    ['events', String(run.events)],
    ['faults', String(run.faults)],
  ];
  if (run.simMs !== null) facts.push(['simulated', `${run.simMs} ms`]);
  if (run.wallMs !== null) facts.push(['wall', `${run.wallMs} ms`]);
  if (run.fingerprint !== null) facts.push(['fingerprint', run.fingerprint]);
  if (run.codeVersion !== null) facts.push(['code version', run.codeVersion]);
  facts.push(['stored', run.createdAt]);
  facts.push(...scenarioFacts(run.scenario));

  const jump =
    firstOp !== null && timeline.firstViolationAnchor !== null
      ? `<a class="jump" id="jump-to-violation" href="#${timeline.firstViolationAnchor}" data-op="${timeline.firstViolationAnchor}">Jump to the first violation: op #${firstOp.invokeIndex} (p${firstOp.process} ${escapeHtml(opLabel(firstOp))}) at ${escapeHtml(formatTime(firstOp.invokeNs, unit))}</a>`
      : model.violations.length > 0
        ? `<a class="jump" id="jump-to-violation" href="#evidence">Jump to the evidence</a>`
        : '';
  const firstViolation = model.violations[0];
  const banner =
    firstViolation === undefined
      ? ''
      : `<div class="banner" id="violation-banner"><b>${escapeHtml(firstViolation.checker)} ${firstViolation.verdict}</b>: ${escapeHtml(perKey.banner ?? firstViolation.summary)} <a href="#per-key" id="open-per-key">See the linearization →</a></div>`;
  const capNote = window.capped
    ? `<p class="note">This run has ${total} operations; the timeline shows ${window.to - window.from} of them (ops ${window.from + 1} to ${window.to}, ${model.firstViolationOp !== null ? 'around the first violation' : 'from the start'}), a cap of ${opsMax} that keeps the page light. <code>crucible report ${run.id} --ops-max N</code> draws more (up to ${OPS_SHOWN_MAX}); <code>crucible view ${run.id}</code> browses all of them.</p>`
    : '';
  const reproHtml = model.repro !== null ? `Reproduce it: <code class="repro" id="repro">${escapeHtml(model.repro)}</code>` : `<span class="note" id="repro">${escapeHtml(model.reproLine)}</span>`;
  const noHistory = model.hasHistory ? '' : `<p class="note">No history is stored for this run (passing runs keep only their verdicts). ${model.repro !== null ? `Reproduce it to see everything: <code>${escapeHtml(model.repro)}</code>` : escapeHtml(model.reproLine)}</p>`;
  const cutText = cluster.partition === null ? 'no partition' : `partition in force: ${escapeHtml(cluster.partition.label)}`;
  const topologyCaption = `At ${escapeHtml(ms(clusterTime))} (${focusNs !== null && firstOp !== null ? 'when the first offending op was invoked' : focusNs !== null ? 'when the first fault started' : 'the end of the run'}): ${cutText}; crashed: ${cluster.crashed.length > 0 ? escapeHtml(cluster.crashed.join(', ')) : 'none'}; paused: ${cluster.paused.length > 0 ? escapeHtml(cluster.paused.join(', ')) : 'none'}.`;
  const sequenceCaption =
    input.trace.length === 0
      ? 'No trace events are stored for this run.'
      : `${sequence.rows} trace events${focusNs !== null ? ` from ${escapeHtml(ms(Math.max(0, focusNs - SEQUENCE_BEFORE_NS)))} to ${escapeHtml(ms(focusNs + SEQUENCE_AFTER_NS))}, around the first offending op` : ' from the start of the run'} (${sequence.messages} messages; ${sequence.backgroundRows} background events hidden until asked)${sequence.omitted > 0 ? `; ${sequence.omitted} more in the window are left out (beyond ${SEQUENCE_ROWS_MAX} rows)` : ''}. Background types: the run's list, or until the plugin names them, the heartbeat-like names (ui/model/background.ts). Hover a message for its body.`;
  const faultRows = model.bands
    .slice(0, FAULT_ROWS_MAX)
    .map((band) => `<tr><td class="mono">${escapeHtml(ms(band.startNs))}</td><td class="mono">${band.endNs === null ? 'instant' : escapeHtml(ms(band.endNs)) + (band.open ? ' (end of run)' : '')}</td><td><i class="swatch" style="background:${FAULT_COLOURS[band.family]}"></i>${escapeHtml(band.label)}</td></tr>`)
    .join('\n');
  const plots =
    latency === null
      ? '<p class="muted">No timed history is stored for this run: nothing to plot.</p>'
      : `<h3>Latency of every op</h3><p class="muted">Log scale; ● ok, ▲ info (unknown), ✕ fail; shaded: fault bands; dashed red: the first violation.${latency.sampled ? ' Every n-th op is drawn: the run has more than the plot can hold.' : ''}</p>${latency.svg}
<h3>Throughput</h3><p class="muted">Completions per second: solid ok, dashed info and fail.</p>${throughput ?? ''}`;
  const status = statusSvg === null ? '<p class="muted">No server nodes to show.</p>' : `<p class="muted">One lane per node, from ${statusSource}; grey: crashed or paused.</p>${statusSvg}`;

  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Crucible run #${run.id} ${escapeHtml(run.system)} ${run.verdict}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header class="top" id="header">
<h1>Crucible run #${run.id}: ${escapeHtml(run.system)} <span class="verdict ${run.verdict}">${run.verdict}</span></h1>
<div>${reproHtml}</div>
${run.bug !== null ? `<div>Planted bug: <code>${escapeHtml(run.bug)}</code></div>` : ''}
${banner}
${jump}
</header>
<section id="per-key"><details id="per-key-details"><summary><h2 style="display:inline">Per-key view: the linearization the checker found</h2></summary>${perKey.html}</details></section>
<section id="timeline"><h2>Operation timeline</h2>
${noHistory}${capNote}${legend()}
<p class="muted">One column per client process, in process order; time flows down in proportion to real time. <span class="zoom">Zoom: <button type="button" data-zoom="out">−</button><button type="button" data-zoom="in">+</button><button type="button" data-zoom="1">whole run</button> <b id="zoom-level">${timeline.initialZoom}×</b></span> Labels show when there is room; hover an op for its details.</p>
${timeline.head}
<div class="scroll" id="timeline-scroll">${timeline.svg}</div>
</section>
<section id="plots"><h2>Latency and throughput over time</h2>${plots}</section>
<section id="status"><h2>Node status</h2>${status}</section>
<section id="topology"><h2>Cluster topology</h2><p class="muted">${topologyCaption}</p>${topology}</section>
<section id="sequence"><h2>Message sequence around the first violation</h2><p class="muted">${sequenceCaption} <b id="seq-count"></b></p>
${input.trace.length === 0 ? '' : sequence.controls}
<div class="scroll">${input.trace.length === 0 ? '' : sequence.svg}</div></section>
<section id="evidence"><h2>Evidence</h2>${evidenceSection(model, window, cycles)}</section>
<section id="summary"><h2>Run and scenario</h2>
<table>${facts.map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>
<h2>Checkers</h2><table>${checkerRows}</table>
<details><summary>The full scenario (JSON)</summary><pre>${escapeHtml(JSON.stringify(run.scenario, null, 2) ?? 'null')}</pre></details>
</section>
<section id="faults"><h2>Faults</h2>${model.bands.length === 0 ? '<p>No faults were injected.</p>' : `<table><tr><th>From</th><th>To</th><th>Fault</th></tr>${faultRows}</table>${model.bands.length > FAULT_ROWS_MAX ? `<p class="muted">… ${model.bands.length - FAULT_ROWS_MAX} more faults.</p>` : ''}`}</section>
<footer class="muted" style="margin: 0 28px 24px">Written by crucible report; every picture is drawn from the run store when the file was written, and this page loads nothing from the network.</footer>
<div id="tooltip"></div>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
  return { html, opsShown: window.to - window.from, opsTotal: total, capped: window.capped, sequenceRows: sequence.rows, focusNs };
}
