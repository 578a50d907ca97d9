// Hand-built runs for the viewer's and the report's tests: a small failing register run (a stale
// read after a partition, the shape of raft.stale-local-read) with faults, a trace and checker
// results, a passing run that kept nothing, and a generator of big histories for the size checks.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryRecord } from '../../histories/schema.js';
import { RunStore, type FaultEvent, type NewRun, type StoredCheckerResult, type StoredRun, type TraceEventRow } from '../../histories/store.js';
import { buildRunModel, type RunModel } from '../model/run.js';
import { checkHistory, toCheckerResult } from '../../checkers/linearizability.js';
import { models } from '../../checkers/models/index.js';

const MS = 1_000_000;

export interface FixtureStore {
  path: string;
  failingRunId: number;
  passingRunId: number;
  /** History index of the stale read, the op the evidence names. */
  staleReadIndex: number;
}

interface OpSpec {
  process: number;
  f: 'read' | 'write' | 'cas';
  value: unknown;
  result?: unknown;
  type: 'ok' | 'fail' | 'info';
  startMs: number;
  endMs: number;
  node: string;
}

/** Turns op specs into a history: records ordered by time, then by op order. */
export function historyOf(ops: readonly OpSpec[], key = 'x'): HistoryRecord[] {
  const events: { time: number; order: number; record: Omit<HistoryRecord, 'index'> }[] = [];
  ops.forEach((op, order) => {
    events.push({ time: op.startMs * MS, order: order * 2, record: { process: op.process, type: 'invoke', f: op.f, value: op.f === 'read' ? null : op.value, key, time: op.startMs * MS } });
    events.push({ time: op.endMs * MS, order: order * 2 + 1, record: { process: op.process, type: op.type, f: op.f, value: op.f === 'read' ? (op.result ?? null) : op.value, key, time: op.endMs * MS, node: op.node } });
  });
  events.sort((a, b) => a.time - b.time || a.order - b.order);
  return events.map((event, index) => ({ index, ...event.record }));
}

/** The failing run's ops: writes 1, 2, 3 then a read on the old leader n1 that returns 1. */
export const FAILING_OPS: readonly OpSpec[] = [
  { process: 0, f: 'write', value: 1, type: 'ok', startMs: 10, endMs: 14, node: 'n1' },
  { process: 1, f: 'read', value: null, result: 1, type: 'ok', startMs: 12, endMs: 15, node: 'n1' },
  { process: 2, f: 'cas', value: [1, 2], type: 'ok', startMs: 20, endMs: 26, node: 'n1' },
  { process: 0, f: 'read', value: null, result: 2, type: 'ok', startMs: 28, endMs: 30, node: 'n1' },
  // The partition isolates n1 at 40 ms; n2 becomes leader and takes the write of 3.
  { process: 1, f: 'write', value: 3, type: 'info', startMs: 41, endMs: 91, node: 'n1' },
  { process: 2, f: 'write', value: 3, type: 'ok', startMs: 60, endMs: 66, node: 'n2' },
  // The stale read: n1 still believes it leads and answers from its own state.
  { process: 0, f: 'read', value: null, result: 2, type: 'ok', startMs: 70, endMs: 72, node: 'n1' },
  { process: 2, f: 'cas', value: [2, 4], type: 'fail', startMs: 75, endMs: 79, node: 'n2' },
  { process: 3, f: 'read', value: null, result: 3, type: 'ok', startMs: 95, endMs: 98, node: 'n2' },
  { process: 0, f: 'write', value: 5, type: 'ok', startMs: 100, endMs: 104, node: 'n2' },
  { process: 2, f: 'read', value: null, result: 5, type: 'ok', startMs: 106, endMs: 108, node: 'n3' },
];

export const FAILING_FAULTS: readonly FaultEvent[] = [
  { time: 40 * MS, kind: 'partition-isolate.start', fields: { event: 0, node: 'n1' } },
  { time: 50 * MS, kind: 'crash.start', fields: { event: 1, node: 'n3', mode: 'lose' } },
  { time: 55 * MS, kind: 'clock-jump.start', fields: { event: 2, node: 'n2', jumpMs: -20 } },
  { time: 80 * MS, kind: 'crash.stop', fields: { event: 1 } },
  { time: 90 * MS, kind: 'heal.start', fields: {} },
];

/** A trace with messages between the nodes and clients, role changes and the faults. */
export function failingTrace(): TraceEventRow[] {
  const trace: TraceEventRow[] = [];
  const send = (timeMs: number, from: string, to: string, type: string, id: number): void => {
    trace.push({ time: timeMs * MS, node: from, kind: 'msg.send', fields: { to, type, id } });
  };
  const deliver = (timeMs: number, from: string, to: string, type: string, id: number): void => {
    trace.push({ time: timeMs * MS, node: to, kind: 'msg.deliver', fields: { from, type, id } });
  };
  let id = 0;
  for (let t = 2; t < 110; t += 4) {
    for (const follower of ['n2', 'n3']) {
      id++;
      const cut = t >= 40 && t < 90;
      send(t, 'n1', follower, 'append', id);
      if (cut) trace.push({ time: (t + 1) * MS, node: 'n1', kind: 'msg.drop', fields: { from: 'n1', to: follower, type: 'append', id } });
      else deliver(t + 1, 'n1', follower, 'append', id);
    }
  }
  trace.push({ time: 40 * MS, node: null, kind: 'fault.partition', fields: { shape: 'isolate', node: 'n1' } });
  trace.push({ time: 50 * MS, node: 'n3', kind: 'proc.crash', fields: {} });
  trace.push({ time: 52 * MS, node: 'n2', kind: 'raft.become-candidate', fields: { term: 2 } });
  trace.push({ time: 54 * MS, node: 'n2', kind: 'raft.become-leader', fields: { term: 2 } });
  id++;
  send(70, 'c0', 'n1', 'read', id);
  deliver(70.5, 'c0', 'n1', 'read', id);
  id++;
  send(71, 'n1', 'c0', 'read-ok', id);
  deliver(72, 'n1', 'c0', 'read-ok', id);
  trace.push({ time: 80 * MS, node: 'n3', kind: 'proc.restart', fields: {} });
  trace.sort((a, b) => a.time - b.time);
  return trace.map((event) => ({ ...event, time: Math.round(event.time) }));
}

/** The failing run's checker results: the real linearizability checker's, and a liveness pass. */
export function failingCheckers(history: readonly HistoryRecord[]): StoredCheckerResult[] {
  const linearizable = toCheckerResult(checkHistory([...history], models['cas-register']!));
  return [linearizable, { checker: 'liveness', verdict: 'valid', summary: 'an op completed ok 5.000ms after the heal' }];
}

function baseRun(overrides: Partial<NewRun>): NewRun {
  return {
    system: 'raft',
    seed: 42,
    scenario: { system: 'raft', nodes: 3, workload: { name: 'lin-kv', clients: 4, opsMax: 11, opsPerSecond: 100, keys: 1, timeoutMs: 50 }, durationMs: 90, livenessMs: 30, faults: [], bug: 'raft.stale-local-read' },
    verdict: 'valid',
    checkers: [],
    fingerprint: 'f1a2b3c4d5e6f708',
    ops: 0,
    events: 0,
    simMs: 120,
    wallMs: 5,
    faults: 0,
    ...overrides,
  };
}

/** Saves the failing run (and a passing one) into a fresh store under a temp dir. */
export function makeFixtureStore(dir = mkdtempSync(join(tmpdir(), 'crucible-ui-'))): FixtureStore {
  const path = join(dir, 'runs.db');
  const store = RunStore.open(path);
  try {
    const passingRunId = store.saveRun(baseRun({ seed: 7, bug: null, checkers: [{ checker: 'linearizable', verdict: 'valid', summary: 'all 200 ops linearizable' }], ops: 200, events: 5000, faults: 3, createdAt: '2025-01-01T10:00:00.000Z' }));
    const history = historyOf(FAILING_OPS);
    const trace = failingTrace();
    const failingRunId = store.saveRun(
      baseRun({ verdict: 'invalid', checkers: failingCheckers(history), ops: FAILING_OPS.length, events: trace.length, faults: 3, bug: 'raft.stale-local-read', createdAt: '2025-01-01T11:00:00.000Z' }),
      { history, faults: FAILING_FAULTS, trace },
    );
    const staleReadIndex = history.find((record) => record.type === 'invoke' && record.process === 0 && record.f === 'read' && record.time === 70 * MS)!.index;
    return { path, failingRunId, passingRunId, staleReadIndex };
  } finally {
    store.close();
  }
}

/**
 * A big history: `ops` operations over `processes` processes, times increasing, a few `info` ops
 * (whose process never returns, as the format requires) and `fail` ops. Deterministic.
 */
export function bigHistory(ops: number, processes = 10): HistoryRecord[] {
  const history: HistoryRecord[] = [];
  const next = new Array<number>(processes).fill(0).map((_, index) => index);
  let nextProcess = processes;
  let time = 0;
  let open: { slot: number; process: number; f: string; value: number; endAt: number }[] = [];
  let started = 0;
  let state = 1;
  const random = (): number => {
    // A small LCG: deterministic and fast, enough to vary the shape.
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const busy = new Set<number>();
  while (started < ops || open.length > 0) {
    time += 1_000 + Math.floor(random() * 50_000);
    const done = open.filter((op) => op.endAt <= time);
    open = open.filter((op) => op.endAt > time);
    for (const op of done) {
      const roll = random();
      const type = roll < 0.01 ? 'info' : roll < 0.05 ? 'fail' : 'ok';
      history.push({ index: history.length, process: op.process, type, f: op.f, value: op.value, key: `k${op.value % 5}`, time, node: `n${1 + (op.value % 3)}` });
      busy.delete(op.slot);
      if (type === 'info') next[op.slot] = nextProcess++;
    }
    if (started < ops) {
      const slot = Math.floor(random() * processes);
      if (!busy.has(slot)) {
        busy.add(slot);
        const f = random() < 0.5 ? 'read' : 'write';
        const value = started;
        history.push({ index: history.length, process: next[slot]!, type: 'invoke', f, value, key: `k${value % 5}`, time });
        open.push({ slot, process: next[slot]!, f, value, endAt: time + 100_000 + Math.floor(random() * 2_000_000) });
        started++;
      }
    }
  }
  return history;
}

/** A StoredRun as the store returns it, for pure tests that need no database. */
export function storedRun(overrides: Partial<StoredRun> = {}): StoredRun {
  return {
    id: 1,
    createdAt: '2025-01-01T11:00:00.000Z',
    kind: 'sim',
    system: 'raft',
    seed: 42,
    scenario: { system: 'raft', nodes: 3 },
    codeVersion: null,
    verdict: 'valid',
    checkers: [],
    fingerprint: null,
    ops: 0,
    events: 0,
    simMs: 120,
    wallMs: 5,
    faults: 0,
    bug: null,
    repro: null,
    kept: true,
    tags: [],
    notes: null,
    ...overrides,
  };
}

/** The failing run's model, built without a store. */
export function failingModel(runId = 2): RunModel {
  const history = historyOf(FAILING_OPS);
  return buildRunModel(storedRun({ id: runId, verdict: 'invalid', checkers: failingCheckers(history), ops: FAILING_OPS.length, faults: 3, bug: 'raft.stale-local-read' }), history, FAILING_FAULTS);
}
