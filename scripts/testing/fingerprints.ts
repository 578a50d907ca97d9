// Prints one JSON line per seed: the fingerprint of a short all-fault Raft run. The cross-process
// determinism test runs this in two separate processes and compares the lines.
import { runScenario } from '../lab/runner.js';
import { findSystem } from '../../workloads/registry.js';

const [system = 'raft', from = '1', count = '8'] = process.argv.slice(2);
const seedFirst = Number(from);
const plugin = findSystem(system);
if (plugin === undefined) throw new Error(`unknown system ${system}`);
for (let seed = seedFirst; seed < seedFirst + Number(count); seed++) {
  const result = runScenario({ system, durationMs: 3_000, livenessMs: 2_000, faults: { kinds: ['all'], swarm: false } }, seed, { plugin });
  process.stdout.write(`${JSON.stringify({ seed, fingerprint: result.fingerprint, verdict: result.verdict, events: result.events })}\n`);
}
