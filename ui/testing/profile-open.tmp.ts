import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../histories/store.js';
import { bigHistory } from './fixtures.js';
import { buildRunModel } from '../model/run.js';
const dir = mkdtempSync(join(tmpdir(), 'crucible-m-'));
const store = RunStore.open(join(dir, 'runs.db'));
const history = bigHistory(100_000, 10);
const id = store.saveRun({ system: 'raft', seed: 1, scenario: {}, verdict: 'invalid', checkers: [], ops: 1, events: 1, faults: 0 }, { history });
for (let i = 0; i < 5; i++) {
  const c0 = process.cpuUsage();
  const h = store.history(id);
  const c1 = process.cpuUsage(c0);
  const run = store.getRun(id)!;
  const c2 = process.cpuUsage();
  const m = buildRunModel(run, h, []);
  const c3 = process.cpuUsage(c2);
  console.log('history cpu', Math.round((c1.user + c1.system) / 1000), 'model cpu', Math.round((c3.user + c3.system) / 1000), m.timeline.ops.length);
}
