import { describe, expect, it } from 'vitest';
import type { TraceEventRow } from '../../histories/store.js';
import { buildRunModel } from '../model/run.js';
import { clusterAt } from '../model/cluster.js';
import { backgroundRule, isBackgroundEvent } from '../model/background.js';
import { keyLinearization, staleness } from '../model/linearization.js';
import { statusAt, statusLanes } from '../model/nodeStatus.js';
import { checkHistory, toCheckerResult } from '../../checkers/linearizability.js';
import { models } from '../../checkers/models/index.js';
import { bigHistory, FAILING_OPS, failingModel, failingTrace, historyOf, storedRun } from '../testing/fixtures.js';
import { escapeHtml, embedJson } from './markup.js';
import { buildReport, focusOf } from './report.js';
import { pickSequenceEvents, renderSequenceSvg, SEQUENCE_ROWS_MAX } from './sequenceSvg.js';
import { chooseWindow, opLabel, renderTimelineSvg } from './timelineSvg.js';
import { renderTopologySvg } from './topologySvg.js';

function count(text: string, needle: RegExp): number {
  return (text.match(needle) ?? []).length;
}

describe('HTML report', () => {
  it('is one self-contained page: repro first, no external resources', async () => {
    const model = failingModel(2);
    const report = await buildReport({ model, trace: failingTrace() });
    const html = report.html;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.indexOf('npm run --silent crucible -- replay 2')).toBeLessThan(html.indexOf('id="timeline"'));
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/@import|url\(http/);
    expect(count(html, /<g class="op /g)).toBe(11);
    expect(count(html, /<g class="op [a-z]+ offending"/g)).toBe(1);
    expect(html).toContain('id="jump-to-violation"');
    expect(report).toMatchObject({ opsShown: 11, opsTotal: 11, capped: false });
    expect(report.focusNs).toBe(70_000_000);
  });

  it('escapes everything that came from the run', async () => {
    const evil = '<script>alert("x")</script>';
    const history = [
      { index: 0, process: 0, type: 'invoke' as const, f: 'write', value: evil, key: evil, time: 1 },
      { index: 1, process: 0, type: 'ok' as const, f: 'write', value: evil, key: evil, time: 2, node: '<b>n1</b>' },
    ];
    const model = buildRunModel(storedRun({ id: 3, system: '<i>sys</i>', verdict: 'invalid', checkers: [{ checker: '<c>', verdict: 'invalid', summary: evil, evidence: { note: evil } }] }), history, [{ time: 1, kind: '<k>.start', fields: { node: evil } }]);
    const { html } = await buildReport({ model, trace: [{ time: 1, node: '<n>', kind: 'msg.send', fields: { to: evil, type: evil } }] });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<b>n1</b>');
    expect(html).not.toContain('<i>sys</i>');
    expect(html).toContain(escapeHtml(evil));
    expect(embedJson({ text: '</script>' })).not.toContain('</script>');
  });

  it('caps big runs around the first violation and says so on the page', async () => {
    const history = bigHistory(3_000, 8);
    const target = history.find((record) => record.type === 'ok' && record.index > 4_000)!;
    const model = buildRunModel(
      storedRun({ id: 4, verdict: 'invalid', checkers: [{ checker: 'set', verdict: 'invalid', summary: 'lost one', evidence: { lost: [{ index: target.index }] } }] }),
      history,
      [],
    );
    expect(model.firstViolationOp).not.toBeNull();
    const window = chooseWindow(model, 200);
    expect(window.capped).toBe(true);
    expect(window.to - window.from).toBe(200);
    expect(model.firstViolationOp!).toBeGreaterThanOrEqual(window.from);
    expect(model.firstViolationOp!).toBeLessThan(window.to);
    const report = await buildReport({ model, trace: [] }, { opsMax: 200 });
    expect(report).toMatchObject({ opsShown: 200, opsTotal: 3_000, capped: true });
    expect(count(report.html, /<g class="op /g)).toBe(200);
    expect(report.html).toContain('This run has 3000 operations; the timeline shows 200 of them');
    expect(report.html).toContain(`id="op-${model.timeline.ops[model.firstViolationOp!]!.invokeIndex}"`);
    expect(chooseWindow(model, 5_000)).toEqual({ from: 0, to: 3_000, capped: false });
  });

  it('gives a cluster run its own command as the repro, never `replay ID`', async () => {
    const command = 'npm run --silent crucible -- cluster test --system raft --nodes 3';
    const model = buildRunModel(storedRun({ id: 22, kind: 'cluster', seed: null, repro: command, verdict: 'invalid', checkers: failingModel().run.checkers }), historyOf(FAILING_OPS), []);
    const { html } = await buildReport({ model, trace: [] });
    expect(html).toContain(`<code class="repro" id="repro">${escapeHtml(command)}</code>`);
    expect(html).not.toContain('replay 22');
    const imported = buildRunModel(storedRun({ id: 23, kind: 'import', seed: null, repro: null }), historyOf(FAILING_OPS), []);
    expect((await buildReport({ model: imported, trace: [] })).html).toContain('run 23 is an import run with no stored command to reproduce it');
  });

  it('says when a run kept no history', async () => {
    const model = buildRunModel(storedRun({ id: 5, verdict: 'valid', checkers: [{ checker: 'linearizable', verdict: 'valid', summary: 'fine' }] }), [], []);
    const { html } = await buildReport({ model, trace: [] });
    expect(html).toContain('No history is stored for this run');
    expect(html).toContain('Every checker says valid');
    expect(focusOf(model)).toBeNull();
  });
});

describe('message sequence diagram', () => {
  const heuristic = backgroundRule(null);

  it('pairs sends with deliveries by message id, marks drops, and keeps background rows hidden until asked', () => {
    const events: TraceEventRow[] = [
      { time: 1, node: 'n1', kind: 'msg.send', fields: { to: 'n2', type: 'vote', id: 1 } },
      { time: 2, node: 'n1', kind: 'msg.send', fields: { to: 'n2', type: 'vote', id: 2 } },
      { time: 3, node: 'n2', kind: 'msg.deliver', fields: { from: 'n1', type: 'vote', id: 2 } },
      { time: 4, node: 'n1', kind: 'msg.drop', fields: { from: 'n1', to: 'n2', type: 'vote', id: 1 } },
      { time: 5, node: 'n2', kind: 'timer.fire', fields: { tag: 'tick' } },
      { time: 5, node: 'n1', kind: 'msg.send', fields: { to: 'n2', type: 'raft.heartbeat', id: 9, body: 'the whole body' } },
      { time: 6, node: 'n2', kind: 'raft.become-leader', fields: { term: 3 } },
      { time: 7, node: 'n2', kind: 'msg.send', fields: { to: 'c0', type: 'ok', id: 3 } },
    ];
    const diagram = renderSequenceSvg({ events, focusNs: 6, servers: ['n1', 'n2'], background: heuristic });
    expect(diagram.rows).toBe(8);
    expect(diagram.backgroundRows).toBe(2);
    expect(diagram.messages).toBe(4);
    expect(count(diagram.svg, /class="msg dropped"/g)).toBe(1);
    expect(count(diagram.svg, /class="msg"/g)).toBe(1);
    expect(count(diagram.svg, /class="msg undelivered"/g)).toBe(1);
    expect(count(diagram.svg, /class="msg bg undelivered"/g)).toBe(1);
    expect(count(diagram.svg, /<g class="row bg"/g)).toBe(2);
    expect(diagram.svg).toContain('become-leader term=3');
    // The message body is in the hover text.
    expect(diagram.svg).toContain('the whole body');
    // Filters: a box per lifeline; background types start unchecked, the others checked.
    expect(diagram.controls).toMatch(/class="seq-type" value="raft.heartbeat">/);
    expect(diagram.controls).toMatch(/class="seq-type" value="vote" checked>/);
    expect(count(diagram.controls, /class="seq-node"/g)).toBe(3);
    // One label per send row, so labels cannot overlap: each row holds at most one msg-label.
    const rows = diagram.svg.split('\n').filter((line) => line.startsWith('<g class="row'));
    for (const row of rows) expect(count(row, /class="msg-label"/g)).toBeLessThanOrEqual(1);
    expect(diagram.svg.indexOf('>n1</text>')).toBeLessThan(diagram.svg.indexOf('>c0</text>'));
    expect(count(diagram.svg, /class="focus"/g)).toBe(1);
  });

  it('takes the background list from the run when it has one', () => {
    const rule = backgroundRule({ backgroundMessages: ['gossip.sync'] });
    const send = (type: string): TraceEventRow => ({ time: 1, node: 'n1', kind: 'msg.send', fields: { to: 'n2', type } });
    expect(isBackgroundEvent(send('gossip.sync'), rule)).toBe(true);
    expect(isBackgroundEvent(send('raft.heartbeat'), rule)).toBe(false);
    expect(isBackgroundEvent(send('raft.heartbeat'), heuristic)).toBe(true);
    expect(isBackgroundEvent(send('raft.prevote.resp'), heuristic)).toBe(true);
    expect(isBackgroundEvent(send('raft.append'), heuristic)).toBe(false);
    expect(isBackgroundEvent({ time: 1, node: 'n1', kind: 'timer.fire', fields: { tag: 'tick' } }, heuristic)).toBe(true);
  });

  it('keeps at most SEQUENCE_ROWS_MAX events, centred on the focus', () => {
    const events: TraceEventRow[] = Array.from({ length: SEQUENCE_ROWS_MAX + 1_000 }, (_, index) => ({ time: index * 10, node: 'n1', kind: 'raft.tick', fields: {} }));
    const focus = (SEQUENCE_ROWS_MAX / 2 + 500) * 10;
    const { picked, omitted } = pickSequenceEvents(events, focus);
    expect(picked).toHaveLength(SEQUENCE_ROWS_MAX);
    expect(omitted).toBe(1_000);
    expect(picked[0]!.time).toBeLessThan(focus);
    expect(picked[picked.length - 1]!.time).toBeGreaterThan(focus);
  });
});

describe('what the report says about the violation', () => {
  it('labels every op with its value, a read that found nothing as null (absent)', () => {
    const history = historyOf([
      { process: 0, f: 'write', value: 1, type: 'ok', startMs: 1, endMs: 2, node: 'n1' },
      { process: 1, f: 'read', value: null, result: null, type: 'ok', startMs: 3, endMs: 4, node: 'n2' },
      { process: 2, f: 'read', value: null, result: 1, type: 'ok', startMs: 5, endMs: 6, node: 'n1' },
    ]);
    const timeline = buildRunModel(storedRun(), history, []).timeline;
    expect(timeline.ops.map(opLabel)).toEqual(['write x 1', 'read x → null (absent)', 'read x → 1']);
  });

  it('names the ops that made the stale read stale, and the linearization points sit inside each op', async () => {
    const model = failingModel();
    const lin = keyLinearization(model)!;
    expect(lin.key).toBe('x');
    expect(lin.steps.map((step) => step.op.f)).toEqual(['write', 'read', 'cas', 'read', 'write']);
    let previous = -Infinity;
    for (const step of lin.steps) {
      expect(step.pointNs).toBeGreaterThanOrEqual(step.op.invokeNs);
      expect(step.pointNs).toBeLessThanOrEqual(step.op.completeNs!);
      expect(step.pointNs).toBeGreaterThanOrEqual(previous);
      previous = step.pointNs;
    }
    expect(lin.steps.at(-1)!.stateAfter).toBe('3');
    const stale = staleness(lin)!;
    // The read returned 2 (written by the cas 1 -> 2); the write of 3 completed before it began.
    expect(stale.read.invokeNs).toBe(70_000_000);
    expect(stale.wroteIt!.f).toBe('cas');
    expect(stale.overwrittenBy.map((op) => [op.f, op.value])).toEqual([['write', 3]]);
    expect(stale.sentence).toContain('p0 read x returned 2 at 70.000ms from n1');
    const { html } = await buildReport({ model, trace: failingTrace() });
    expect(html).toContain('id="violation-banner"');
    expect(html).toContain(escapeHtml(stale.sentence));
    expect(count(html, /<g class="lin-point" data-step=/g)).toBe(5);
    expect(count(html, /<tr class="step stuck"/g)).toBe(1);
    expect(count(html, /class="violation-band"/g)).toBe(1);
  });

  it('a read of nothing after a write is stale, said in words', () => {
    const history = historyOf([
      { process: 0, f: 'write', value: 1, type: 'ok', startMs: 1, endMs: 2, node: 'n1' },
      { process: 0, f: 'read', value: null, result: null, type: 'ok', startMs: 3, endMs: 4, node: 'n5' },
    ]);
    const checkers = [toCheckerResult(checkHistory([...history], models['cas-register-absent']!))];
    expect(checkers[0]!.verdict).toBe('invalid');
    const model = buildRunModel(storedRun({ verdict: 'invalid', checkers }), history, []);
    const stale = staleness(keyLinearization(model)!);
    expect(stale?.wroteIt).toBeNull();
    expect(stale?.sentence).toMatch(/^p0 read x returned null \(absent\) at 3\.000ms from n5, the value of the initial state; but p0 write 1 \(op #0 on n1\), completed at 2\.000ms before that read began/);
  });

  it('draws time in proportion: an op twice as long is twice as tall', async () => {
    const history = historyOf([
      { process: 0, f: 'write', value: 1, type: 'ok', startMs: 0, endMs: 100, node: 'n1' },
      { process: 1, f: 'write', value: 2, type: 'ok', startMs: 0, endMs: 200, node: 'n1' },
      { process: 2, f: 'write', value: 3, type: 'ok', startMs: 300, endMs: 400, node: 'n1' },
    ]);
    const model = buildRunModel(storedRun(), history, []);
    const svg = renderTimelineSvg(model, chooseWindow(model, 100)).svg;
    const ys = [...svg.matchAll(/data-y0="([\d.]+)" data-y1="([\d.]+)"/g)].map((match) => [Number(match[1]), Number(match[2])]);
    expect(ys).toHaveLength(3);
    expect(ys[1]![1] - ys[1]![0]).toBeCloseTo(2 * (ys[0]![1] - ys[0]![0]), 0);
    // The gap between 200 ms and 300 ms is drawn, not skipped.
    expect(ys[2]![0]).toBeCloseTo(3 * (ys[0]![1] - ys[0]![0]), 0);
  });

  it('opens at a zoom where nine ops in ten show their label', () => {
    for (const model of [failingModel(), buildRunModel(storedRun(), bigHistory(300, 6), [])]) {
      const svg = renderTimelineSvg(model, chooseWindow(model, 1_500)).svg;
      const ops = count(svg, /<g class="op /g);
      expect(count(svg, /visibility="hidden"/g)).toBeLessThanOrEqual(Math.floor(ops / 10));
    }
  });

  it('keeps fault labels whole: the label column is as wide as the longest', () => {
    const label = { time: 1_000_000, kind: 'partition-bridge.start', fields: { event: 0, bridge: 'n2', left: 'n1,n5,n7,n9,n11', right: 'n3,n4,n6,n8,n10,n12' } };
    const model = buildRunModel(storedRun(), historyOf(FAILING_OPS), [label]);
    const svg = renderTimelineSvg(model, chooseWindow(model, 100)).svg;
    const text = /<text class="fault-label"[^>]* x="([\d.]+)"[^>]*>([^<]*)<\/text>/.exec(svg)!;
    expect(text[2]).toContain('right=n3,n4,n6,n8,n10,n12');
    expect(text[2]).not.toContain('…');
    const width = Number(/<svg [^>]*width="([\d.]+)"/.exec(svg)![1]);
    expect(Number(text[1]) + text[2].length * 6.4).toBeLessThanOrEqual(width);
  });

  it('plots latency and throughput with the fault bands, and node status lanes', async () => {
    const { html } = await buildReport({ model: failingModel(), trace: failingTrace() });
    expect(count(html, /<svg [^>]*class="plot latency"/g)).toBe(1);
    expect(count(html, /<svg [^>]*class="plot throughput"/g)).toBe(1);
    expect(count(html.slice(html.indexOf('class="plot latency"')), /class="plot-band"/g)).toBeGreaterThan(0);
    // Shapes by outcome: circles for ok, crosses for fail, triangles for info.
    const latency = html.slice(html.indexOf('class="plot latency"'), html.indexOf('class="plot throughput"'));
    expect(count(latency, /<circle /g)).toBe(9);
    expect(count(latency, /<path d="M[^"]*Z"/g)).toBe(1);
    expect(html).toContain('class="plot status"');
  });
});

describe('node status lanes', () => {
  const servers = ['n1', 'n2'];

  it('reads the plugin status records when the run has them, and never invents a field', () => {
    const lanes = statusLanes(
      [
        { time: 0, node: 'n1', kind: 'node.status', fields: { colour: 'green', epoch: 1 } },
        { time: 5, node: 'n1', kind: 'proc.crash' },
        { time: 9, node: 'n1', kind: 'proc.restart' },
        { time: 9, node: 'n1', kind: 'node.status', fields: { colour: 'red', epoch: 2 } },
      ],
      servers,
      20,
    );
    expect(lanes.source).toBe('status-events');
    expect(lanes.segments.filter((segment) => segment.node === 'n1').map((segment) => [segment.startNs, segment.endNs, segment.label])).toEqual([
      [0, 5, 'colour=green epoch=1'],
      [5, 9, 'down: crashed'],
      [9, 20, 'colour=red epoch=2'],
    ]);
    expect(statusAt(lanes, 6).get('n1')!.down).toBe('crashed');
    expect(statusAt(lanes, 6).get('n2')).toBeNull();
  });

  it('falls back to the fields most of the nodes\' own log events carry', () => {
    const lanes = statusLanes(
      [
        { time: 1, node: 'n1', kind: 'sys.campaign', fields: { epoch: 1 } },
        { time: 2, node: 'n1', kind: 'sys.won', fields: { epoch: 1, lastIndex: 4 } },
        { time: 3, node: 'n1', kind: 'sys.sent', fields: { to: 'n2', epoch: 1 } },
        { time: 4, node: 'n1', kind: 'sys.compact', fields: { index: 3 } },
      ],
      servers,
      10,
    );
    expect(lanes.source).toBe('log-heuristic');
    expect(lanes.segments.map((segment) => segment.label)).toEqual(['campaign epoch=1', 'won epoch=1', 'sent epoch=1']);
  });
});

describe('topology (elkjs)', () => {
  it('lays the partition sides apart and marks the crashed node and the cut links', async () => {
    const cluster = clusterAt(failingModel(), 70_000_000);
    const svg = await renderTopologySvg(cluster);
    expect(count(svg, /<g class="node /g)).toBe(3);
    expect(svg).toContain('<g class="node crashed" data-node="n3">');
    expect(count(svg, /<g class="cut">/g)).toBe(2);
    expect(count(svg, /<rect class="side"/g)).toBe(2);
    // elkjs placed side A (n1) left of side B (n2, n3).
    const xOf = (node: string): number => Number(new RegExp(`data-node="${node}"><title>[^<]*</title><rect x="([\\d.]+)"`).exec(svg)![1]);
    expect(xOf('n1')).toBeLessThan(xOf('n2'));
    expect(xOf('n1')).toBeLessThan(xOf('n3'));
  });

  it('draws a whole cluster as a mesh when nothing is cut', async () => {
    const svg = await renderTopologySvg({ timeNs: 0, nodes: ['n1', 'n2', 'n3', 'n4', 'n5'], crashed: [], paused: ['n4'], partition: null, groups: [], cuts: [] });
    expect(count(svg, /<line class="link"/g)).toBe(10);
    expect(svg).toContain('<g class="node paused" data-node="n4">');
    expect(await renderTopologySvg({ timeNs: 0, nodes: [], crashed: [], paused: [], partition: null, groups: [], cuts: [] })).toContain('No server nodes');
  });
});
