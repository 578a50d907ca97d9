import { parseScenario } from '../faults/scenario.js';
import { explicitScenario } from '../faults/explicit.js';
import { findSystem } from '../workloads/registry.js';
const s = parseScenario({ system: 'raft', faults: { kinds: ['all'] } }, 'x');
let runs = 0, events = 0;
const kinds: Record<string, number> = {};
for (let seed = 0; seed < 300; seed++) {
  const e = explicitScenario(s, seed, findSystem('raft')!);
  let hit = false;
  for (const f of e.faults) {
    kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
    if (f.kind === 'partition-one-way' && f.to.length < f.from.length && (f.durationMs ?? 99999) > 1700) { events++; hit = true; }
  }
  if (hit) runs++;
}
console.log({ runs, events }, kinds);
