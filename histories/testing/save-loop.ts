// Test helper for store.test.ts: saves runs into the store at argv[2] forever, printing one JSON
// line per run only after saveRun has returned (committed). The test SIGKILLs it mid-way.
import { RunStore } from '../store.js';
import type { HistoryRecord } from '../schema.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: save-loop.ts STORE_PATH');
const store = RunStore.open(path);
// Bounded, so a test that fails to kill it does not fill the disk.
const RUNS_MAX = 10_000;
for (let run = 0; run < RUNS_MAX; run += 1) {
  const ops = 2_000 + (run % 7) * 100;
  const history: HistoryRecord[] = [];
  for (let index = 0; index < ops; index += 1) {
    history.push({ index, process: index % 5, type: index % 2 === 0 ? 'invoke' : 'ok', f: 'write', value: { run, index }, time: index });
  }
  const trace = Array.from({ length: ops / 2 }, (_, seq) => ({ time: seq, node: 'n1', kind: 'step', fields: { seq } }));
  const id = store.saveRun(
    { system: 'test', seed: run, scenario: { run }, verdict: 'invalid', checkers: [], ops, events: trace.length, faults: 0 },
    { history, trace },
  );
  process.stdout.write(`${JSON.stringify({ id, ops, trace: trace.length })}\n`);
}
store.close();
