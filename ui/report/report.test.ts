import { describe, expect, it } from 'vitest';
import type { TraceEventRow } from '../../histories/store.js';
import { buildRunModel } from '../model/run.js';
import { clusterAt } from '../model/cluster.js';
import { bigHistory, failingModel, failingTrace, storedRun } from '../testing/fixtures.js';
import { escapeHtml, embedJson } from './markup.js';
import { buildReport, focusOf } from './report.js';
import { pickSequenceEvents, renderSequenceSvg, SEQUENCE_ROWS_MAX } from './sequenceSvg.js';
import { chooseWindow } from './timelineSvg.js';
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

  it('says when a run kept no history', async () => {
    const model = buildRunModel(storedRun({ id: 5, verdict: 'valid', checkers: [{ checker: 'linearizable', verdict: 'valid', summary: 'fine' }] }), [], []);
    const { html } = await buildReport({ model, trace: [] });
    expect(html).toContain('No history is stored for this run');
    expect(html).toContain('Every checker says valid');
    expect(focusOf(model)).toBeNull();
  });
});

describe('message sequence diagram', () => {
  it('pairs sends with deliveries by message id and marks drops', () => {
    const events: TraceEventRow[] = [
      { time: 1, node: 'n1', kind: 'msg.send', fields: { to: 'n2', type: 'vote', id: 1 } },
      { time: 2, node: 'n1', kind: 'msg.send', fields: { to: 'n2', type: 'vote', id: 2 } },
      { time: 3, node: 'n2', kind: 'msg.deliver', fields: { from: 'n1', type: 'vote', id: 2 } },
      { time: 4, node: 'n1', kind: 'msg.drop', fields: { from: 'n1', to: 'n2', type: 'vote', id: 1 } },
      { time: 5, node: 'n2', kind: 'timer.fire', fields: { tag: 'tick' } },
      { time: 6, node: 'n2', kind: 'raft.become-leader', fields: { term: 3 } },
      { time: 7, node: 'n2', kind: 'msg.send', fields: { to: 'c0', type: 'ok', id: 3 } },
    ];
    const diagram = renderSequenceSvg({ events, focusNs: 6, servers: ['n1', 'n2'] });
    expect(diagram.rows).toBe(6);
    expect(diagram.messages).toBe(3);
    expect(count(diagram.svg, /<g class="msg dropped">/g)).toBe(1);
    expect(count(diagram.svg, /<g class="msg">/g)).toBe(1);
    expect(count(diagram.svg, /<g class="msg undelivered">/g)).toBe(1);
    expect(diagram.svg).toContain('become-leader term=3');
    expect(diagram.svg).not.toContain('tick');
    // Lifelines: the servers first, then the client that appeared.
    expect(diagram.svg.indexOf('>n1</text>')).toBeLessThan(diagram.svg.indexOf('>c0</text>'));
    expect(count(diagram.svg, /class="focus"/g)).toBe(1);
  });

  it('keeps at most SEQUENCE_ROWS_MAX events, centred on the focus', () => {
    const events: TraceEventRow[] = Array.from({ length: 1_000 }, (_, index) => ({ time: index * 10, node: 'n1', kind: 'raft.tick', fields: {} }));
    const { picked, omitted } = pickSequenceEvents(events, 5_000);
    expect(picked).toHaveLength(SEQUENCE_ROWS_MAX);
    expect(omitted).toBe(1_000 - SEQUENCE_ROWS_MAX);
    expect(picked[0]!.time).toBeLessThan(5_000);
    expect(picked[picked.length - 1]!.time).toBeGreaterThan(5_000);
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
