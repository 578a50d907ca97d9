// Transactional violations explain themselves: the report draws each anomaly cycle (elkjs), with its
// edges and why each exists, and the viewer lists the same cycle, from the checker's real evidence.
import { describe, expect, it } from 'vitest';
import type { History } from '../../histories/schema.js';
import { checkTxnHistory } from '../../checkers/txn/check.js';
import { buildRunModel } from '../model/run.js';
import { cycleLine, readTxnCycles } from '../model/txnCycles.js';
import { evidenceLines } from '../viewer/evidenceLines.js';
import { storedRun } from '../testing/fixtures.js';
import { buildReport } from './report.js';
import { escapeHtml } from './markup.js';

/** Write skew: each transaction reads the key the other appends to, and both commit. */
function writeSkew(): History {
  const txns = [
    [['r', 'x', []], ['append', 'y', 1]],
    [['r', 'y', []], ['append', 'x', 1]],
  ];
  const history: History = [];
  txns.forEach((ops, process) => {
    history.push({ index: history.length, process, type: 'invoke', f: 'txn', value: ops.map(([f, k, v]) => [f, k, f === 'r' ? null : v]), time: history.length * 1_000 });
    history.push({ index: history.length, process, type: 'ok', f: 'txn', value: ops, time: history.length * 1_000 + 500 });
  });
  return history;
}

describe('transactional evidence in the report and the viewer', () => {
  const history = writeSkew();
  const result = checkTxnHistory(history, { model: 'list-append', consistency: 'serializable', process: false, realtime: false });
  const model = buildRunModel(storedRun({ id: 7, verdict: 'invalid', checkers: [result], ops: 2 }), history, []);

  it('reads the cycles back from the stored evidence', () => {
    expect(result.verdict).toBe('invalid');
    const cycles = readTxnCycles(result.evidence)!;
    expect(cycles.map((cycle) => cycle.cls)).toEqual(['G2-item']);
    expect(cycle(cycles).txns.map((txn) => txn.process).sort()).toEqual([0, 1]);
    expect(cycleLine(cycle(cycles))).toMatch(/^G2-item: T\d+ -rw\([xy]\)-> T\d+ -rw\([xy]\)-> T\d+$/);
    expect(readTxnCycles({ stuck: [] })).toBeNull();
  });

  it('draws each cycle with its transactions and labelled edges, and says why each edge exists', async () => {
    const html = (await buildReport({ model, trace: [] })).html;
    const svg = /<svg[^>]*class="cycle"[^>]*data-class="G2-item"[\s\S]*?<\/svg>/.exec(html)?.[0];
    expect(svg).toBeDefined();
    expect(svg!.match(/<g class="txn"/g)?.length).toBe(2);
    expect(svg!.match(/<g class="edge rw"/g)?.length).toBe(2);
    expect(svg).toContain('[:append y 1]');
    for (const edge of result.evidence.cycles[0]!.edges) expect(html).toContain(escapeHtml(edge.why));
  });

  it('lists the cycle in the viewer, each edge pointing at its transaction', () => {
    const lines = evidenceLines(model.violations);
    expect(lines.some((line) => line.tone === 'title' && line.text.startsWith('G2-item: T'))).toBe(true);
    const edges = lines.filter((line) => line.tone === 'offending');
    expect(edges.length).toBe(2);
    expect(edges.every((line) => line.text.startsWith('  rw: ') && line.index !== undefined)).toBe(true);
  });
});

function cycle<T>(cycles: readonly T[]): T {
  expect(cycles.length).toBeGreaterThan(0);
  return cycles[0]!;
}
