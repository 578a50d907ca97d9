import { parseScenario } from '../faults/scenario.js';
import { runScenario } from '../faults/runner.js';
import { raftSystem } from '../workloads/raft/plugin.js';
const noMon = { ...raftSystem, invariants: undefined, workloads: { ...raftSystem.workloads, 'lin-kv': { ...raftSystem.workloads['lin-kv']!, check: () => [] } } };
const withMon = { ...noMon, invariants: raftSystem.invariants };
const s = parseScenario({ system: 'raft', nodes: 5, workload: { clients: 40, opsMax: 12000, opsPerSecond: 1000, keys: 8, timeoutMs: 1000 }, durationMs: 10000, livenessMs: 2000, faults: { kinds: ['all'] } }, 'b');
for (const [name, plugin] of [['no monitor', noMon], ['monitor', withMon]] as const) {
  const t = performance.now();
  const r = runScenario(s, 1, { plugin: plugin as never, traceLimit: 1000 });
  const wall = performance.now() - t;
  console.log(name, Math.round(wall), 'ms', r.events, 'events', Math.round(r.events / wall * 1000), 'ev/s', (r.simMs / wall).toFixed(1), 'x', r.ops, 'ops');
}
