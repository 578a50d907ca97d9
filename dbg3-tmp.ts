import { runScenario } from './scripts/lab/runner.js';
import { raftSystem as plugin } from './workloads/raft/plugin.js';
import { checkHistory, summarize } from './checkers/linearizability.js';
import { models } from './checkers/models/index.js';
const r = runScenario({ system: 'raft', durationMs: 300_000, workload: { opsMax: 1_000_000 }, faults: { kinds: ['all'] } }, 1, { plugin, traceLimit: 0 });
const res = checkHistory(r.history, models['cas-register-absent']!, {});
console.log(res.verdict, JSON.stringify(res.split), res.confirmedUnsplit, summarize(res));
const ev: any = res.evidence;
console.log(JSON.stringify(ev?.stuck?.slice(0, 5)), JSON.stringify(ev?.prefix?.slice(-5)));
