import { runScenario } from './scripts/lab/runner.js';
import { raftSystem as plugin } from './workloads/raft/plugin.js';
import { checkHistory } from './checkers/linearizability.js';
import { models } from './checkers/models/index.js';
import { pairOps } from './checkers/paired-ops.js';
const r = runScenario({ system: 'raft', durationMs: Number(process.argv[2]), workload: { opsMax: 1_000_000 }, faults: { kinds: ['all'] } }, 1, { plugin, traceLimit: 0 });
const model = models['cas-register-absent']!;
console.log('valueFlow', typeof model.valueFlow);
for (const split of [true, false]) {
  const t = performance.now();
  const res = checkHistory(r.history, model, { split });
  console.log(split, Math.round(performance.now() - t), 'ms', res.verdict, res.parts, res.steps, JSON.stringify(res.split));
}
const { ops } = pairOps(r.history);
const byKey = new Map<string, number>();
for (const op of ops) byKey.set(op.key ?? '', (byKey.get(op.key ?? '') ?? 0) + 1);
console.log([...byKey]);
import { partsOf } from './checkers/linearizability.js';
import { splitAtQuiescence } from './checkers/quiescent.js';
const { parts } = partsOf(ops, model, true);
console.log(parts.map((p) => p.ops.length));
for (const p of parts) { const s = splitAtQuiescence(p.ops, model); console.log(s.segments.length, s.resolved, s.dropped, Math.max(...s.segments.map((x) => x.length))); }
const types = new Map<string, number>(); for (const op of ops) types.set(op.type + ':' + op.f, (types.get(op.type + ':' + op.f) ?? 0) + 1); console.log([...types]);
