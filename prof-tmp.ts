import { runScenario } from './scripts/lab/runner.js';
import { raftSystem as plugin } from './workloads/raft/plugin.js';
const durationMs = Number(process.argv[2]);
const t = performance.now();
let simDone = 0; let peak = 0;
const r = runScenario({ system: 'raft', durationMs, workload: { opsMax: 1_000_000 }, faults: { kinds: ['all'] } }, 1, { plugin, traceSink: { write() {} }, onProgress: (p) => { peak = Math.max(peak, process.memoryUsage.rss()); if (p.done) simDone = performance.now() - t; } });
const lin = r.checkers.find((c) => c.checker === 'linearizable')!;
const infos = r.history.filter((h) => h.type === 'info').length;
console.log(durationMs, 'sim', Math.round(simDone), 'total', Math.round(performance.now() - t), 'events', r.events, 'faults', r.faultEvents, 'ops', r.ops, 'info', infos, 'peakMB', Math.round(peak / 2**20), 'endMB', Math.round(process.memoryUsage.rss() / 2**20), lin.summary);
