// How fast the viewer opens and scrolls a 100,000-op run: a script a person runs, not a timed test
// (`npx tsx ui/testing/measure-open.tsx [ops]`). It stores a big run in a temp store, then times
// reading it, building the model, drawing the first frame, and redrawing after key presses; then what
// the viewer does after the first frame (node status) and a trace search that finds nothing.
import React from 'react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { RunStore, type TraceEventRow } from '../../histories/store.js';
import { buildReport, loadReportInput } from '../report/report.js';
import { ViewerSession } from '../viewer/session.js';
import { Viewer } from '../viewer/Viewer.js';
import { initialState } from '../viewer/state.js';
import { bigHistory } from './fixtures.js';

const ops = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'crucible-measure-'));
const path = join(dir, 'runs.db');
const history = bigHistory(ops, 10);
const endNs = history[history.length - 1]!.time!;
// Three trace events per op, spread over the run: a realistic load for the trace pane's queries.
const trace: TraceEventRow[] = [];
for (let i = 0; i < ops * 3; i++) trace.push({ time: Math.floor((endNs * i) / (ops * 3)), node: `n${1 + (i % 3)}`, kind: i % 2 === 0 ? 'msg.send' : 'msg.deliver', fields: { to: `n${1 + ((i + 1) % 3)}`, type: 'append', id: i } });
const target = history.find((record) => record.type === 'ok' && record.index > history.length / 2)!;
const store = RunStore.open(path);
const runId = store.saveRun(
  {
    system: 'raft',
    seed: 1,
    scenario: { system: 'raft', nodes: 3 },
    verdict: 'invalid',
    checkers: [{ checker: 'linearizable', verdict: 'invalid', summary: 'stale read', evidence: { key: 'k1', prefix: [], stuck: [{ invokeIndex: target.index - 1, completeIndex: target.index, process: target.process, f: target.f, value: target.value, outcome: 'ok', stateBefore: '1' }], indexes: [target.index] } }],
    ops,
    events: trace.length,
    faults: 2,
  },
  { history, faults: [{ time: Math.floor(endNs / 3), kind: 'partition-halves.start', fields: { event: 0, side: 'n1' } }, { time: Math.floor(endNs / 2), kind: 'heal.start', fields: {} }], trace },
);
store.close();

const reader = RunStore.open(path, { readonly: true });
const session = new ViewerSession(reader);
// CPU time as well as wall time: on a shared machine the wall clock measures the neighbours too.
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const model = session.model(runId)!;
const t1 = performance.now();
const instance = render(<Viewer session={session} runId={runId} rows={50} cols={160} storeLabel="measure" />);
const firstFrame = instance.lastFrame() ?? '';
const t2 = performance.now();
const openCpu = process.cpuUsage(cpu0);
if (!firstFrame.includes(`op 1 of ${ops}`)) throw new Error(`first frame does not show the run:\n${firstFrame}`);

/** Mean wall and CPU milliseconds per key, from the key press to its new frame. */
async function pressAll(keys: readonly string[]): Promise<{ wall: number; cpu: number }> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  for (const key of keys) {
    const frames = instance.frames.length;
    instance.stdin.write(key);
    while (instance.frames.length === frames) await new Promise((done) => setImmediate(done));
  }
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - start) / keys.length, cpu: (used.user + used.system) / 1000 / keys.length };
}
const downMs = await pressAll(Array.from({ length: 200 }, () => 'j'));
const pageMs = await pressAll(Array.from({ length: 50 }, () => '\u001B[6~'));
const jumpMs = await pressAll(['G', 'g', 'e']);
const violationShown = (instance.lastFrame() ?? '').includes('first violation');
instance.unmount();

// After the first frame: the node status lanes (the whole trace read once) and a trace search that
// finds nothing (the worst case: it reads the whole trace after the cursor).
const fresh = new ViewerSession(reader);
fresh.model(runId);
const s0 = performance.now();
fresh.loadStatus(runId);
const s1 = performance.now();
const state = { ...initialState({ rows: 50, cols: 160, runId }) };
fresh.findTrace(state, 'no-such-event-anywhere', 0);
const s2 = performance.now();

const r0 = performance.now();
const report = await buildReport(loadReportInput(reader, runId)!);
const r1 = performance.now();
reader.close();
rmSync(dir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    ops,
    traceEvents: trace.length,
    loadAndModelMs: Math.round(t1 - t0),
    firstFrameMs: Math.round(t2 - t1),
    openTotalMs: Math.round(t2 - t0),
    openCpuMs: Math.round((openCpu.user + openCpu.system) / 1000),
    lanes: model.timeline.lanes.length,
    msPerKeyDown: Number(downMs.wall.toFixed(2)),
    cpuMsPerKeyDown: Number(downMs.cpu.toFixed(2)),
    msPerPageDown: Number(pageMs.wall.toFixed(2)),
    cpuMsPerPageDown: Number(pageMs.cpu.toFixed(2)),
    msPerJump: Number(jumpMs.wall.toFixed(2)),
    statusAfterFirstFrameMs: Math.round(s1 - s0),
    traceSearchMissMs: Math.round(s2 - s1),
    violationShown,
    reportMs: Math.round(r1 - r0),
    reportKiB: Math.round(Buffer.byteLength(report.html) / 1024),
    rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
  }),
);
