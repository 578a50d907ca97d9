// Calibration: the longest wait for progress in majority-healthy stretches, per seed.
import { parseScenario } from '../faults/scenario.js';
import { runScenario } from '../faults/runner.js';
import { majorityHealthyStretches } from '../workloads/fault-windows.js';
const [from, to] = [Number(process.argv[2]), Number(process.argv[3])];
const bug = process.argv[4] === 'null' ? null : process.argv[4];
const kinds = (process.argv[5] ?? 'all').split(',');
const s = parseScenario({ system: 'raft', faults: { kinds }, bug }, 'x');
const waits: number[] = [];
for (let seed = from; seed < to; seed++) {
  const r = runScenario(s, seed, { traceLimit: 1000 });
  const nodes = Array.from({ length: r.scenario.nodes }, (_, i) => `n${i + 1}`);
  const healthy = majorityHealthyStretches(r.faultRows, nodes, r.simMs * 1e6);
  const oks = r.history.filter((h) => h.type === 'ok').map((h) => h.time!).sort((a, b) => a - b);
  let w = 0, wat = 0;
  for (const h of r.history) {
    if (h.type !== 'invoke') continue;
    const t = h.time!;
    const st = healthy.find((x) => x.startNs <= t && t <= x.endNs);
    if (!st) continue;
    const grace = st.startNs === 0 ? 0 : 3e9;
    if (t < st.startNs + grace || t + 1e6 > st.endNs) continue;
    let c = oks.find((o) => o >= t) ?? Infinity;
    if (h.f === 'cas') { const done = r.history.find((x) => x.process === h.process && x.index > h.index); if (done?.type === 'fail') c = Math.min(c, done.time!); }
    const waited = Math.min(c, st.endNs) - t;
    if (waited > w) { w = waited; wat = t; }
  }
  waits.push(Math.round(w / 1e6));
  if (w > 1.0e9) console.log('seed', seed, 'max wait ms', Math.round(w / 1e6), 'at', Math.round(wat / 1e6), JSON.stringify(r.scenario.faults.filter((f) => f.atMs * 1e6 <= wat + 1e9 && f.atMs * 1e6 + (f.durationMs ?? 1e9) * 1e6 >= wat - 1e9)));
}
waits.sort((a, b) => a - b);
console.log('n', waits.length, 'p50', waits[Math.floor(waits.length / 2)], 'p99', waits[Math.floor(waits.length * 0.99)], 'max', waits.at(-1));
