// Benchmarks of the run store and the JSONL codec: what a fuzz campaign (saving runs) and `check`
// (reading big histories) feel.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { HistoryRecord } from '../../histories/schema.js';
import { readJsonlStream, writeJsonl } from '../../histories/jsonl.js';
import { RunStore } from '../../histories/store.js';
import type { BenchResult } from './index.js';

const HISTORY_OPS = 100_000;
const SMALL_RUNS = 2_000;

function history(length: number): HistoryRecord[] {
  const records: HistoryRecord[] = [];
  for (let index = 0; index < length; index += 1) {
    records.push({
      index,
      process: (index >> 1) % 10,
      type: index % 2 === 0 ? 'invoke' : 'ok',
      f: index % 3 === 0 ? 'write' : 'read',
      key: `k${index % 8}`,
      value: index % 3 === 0 ? index : null,
      time: index * 1_000,
      node: index % 2 === 0 ? undefined : `n${index % 3}`,
    });
  }
  return records;
}

export async function runSuite(): Promise<BenchResult[]> {
  const directory = mkdtempSync(join(tmpdir(), 'crucible-bench-store-'));
  try {
    const store = RunStore.open(join(directory, 'runs.db'));
    const records = history(HISTORY_OPS);
    const run = { system: 'bench', seed: 1, scenario: {}, verdict: 'invalid' as const, checkers: [], ops: HISTORY_OPS, events: 0, faults: 0 };

    let started = performance.now();
    const id = store.saveRun(run, { history: records });
    const insertMs = performance.now() - started;

    started = performance.now();
    const back = store.history(id);
    const readMs = performance.now() - started;
    if (back.length !== HISTORY_OPS) throw new Error(`read back ${back.length} of ${HISTORY_OPS} ops`);

    started = performance.now();
    for (let seed = 0; seed < SMALL_RUNS; seed += 1) store.saveRun({ ...run, seed, verdict: 'valid', ops: 1000 });
    const smallRunsPerSecond = SMALL_RUNS / ((performance.now() - started) / 1000);
    store.close();

    const file = join(directory, 'history.jsonl');
    writeJsonl(file, records);
    started = performance.now();
    let streamed = 0;
    for await (const record of readJsonlStream(file)) streamed += record.index >= 0 ? 1 : 0;
    const streamRecordsPerSecond = streamed / ((performance.now() - started) / 1000);
    if (streamed !== HISTORY_OPS) throw new Error(`streamed ${streamed} of ${HISTORY_OPS} records`);

    return [
      { name: 'store.insert100k', value: Math.round(insertMs), unit: 'ms' },
      { name: 'store.read100k', value: Math.round(readMs), unit: 'ms' },
      { name: 'store.smallRuns', value: Math.round(smallRunsPerSecond), unit: 'runs/s' },
      { name: 'jsonl.stream', value: Math.round(streamRecordsPerSecond), unit: 'records/s' },
    ];
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
