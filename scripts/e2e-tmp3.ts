import { parseScenario } from '../faults/scenario.js';
import { runScenario } from '../faults/runner.js';
const bug = process.argv[3] === 'null' ? null : process.argv[3];
const kinds = (process.argv[4] ?? 'partition-one-way').split(',');
const s = parseScenario({ system: 'raft', workload: { clients: 5, opsMax: 3000, opsPerSecond: 200 }, faults: { kinds, intensity: { ratePerSecond: 0.3, durationMsMin: 3000, durationMsMax: 8000, eventsMax: 4 } }, bug }, 'x');
const r = runScenario(s, Number(process.argv[2]), { traceLimit: 2_000_000 });
let last = 0, gapMax = 0, at = 0;
for (const h of r.history) if (h.type === 'ok') { if (h.time! - last > gapMax) { gapMax = h.time! - last; at = last; } last = h.time!; }
console.log(r.verdict, 'faults', r.faultEvents, 'ops', r.ops, 'ok', r.history.filter(h => h.type === 'ok').length, 'gapMax ms', Math.round(gapMax / 1e6), 'at', Math.round(at / 1e6), 'leaders', r.trace.filter(e => e.kind === 'raft.leader').length);
console.log(JSON.stringify(r.scenario.faults));
