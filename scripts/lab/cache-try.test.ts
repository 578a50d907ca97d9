import { it } from 'vitest';
import { parseScenario } from './scenario.js';
import { runScenario } from './runner.js';
import { cacheSystem } from '../../workloads/cache/plugin.js';
it('try', () => {
  const scenario = parseScenario({ system: 'cache', durationMs: 4_000, livenessMs: 6_000, faults: [], workload: { opsMax: 600, opsPerSecond: 200 } }, 't');
  const t0 = Date.now();
  const r = runScenario(scenario, 1, { plugin: cacheSystem, traceLimit: 200_000 });
  console.log(Date.now() - t0, 'ms', r.ops);
  for (const c of r.checkers) console.log(c.checker, c.verdict, c.summary);
  const counts: Record<string, number> = {};
  for (const h of r.history) counts[`${h.f}.${h.type}`] = (counts[`${h.f}.${h.type}`] ?? 0) + 1;
  console.log(counts);
  const kinds: Record<string, number> = {};
  for (const e of r.trace) kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
  console.log(kinds);
  console.log(r.trace.filter((e) => e.kind === 'cache.client-op').slice(0, 5).map((e) => JSON.stringify(e)));
});
