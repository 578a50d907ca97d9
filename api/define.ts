// `defineSystem`: a SystemPlugin checked where it is written, so a mistake (a default workload that
// does not exist, a cluster size outside its own bounds, a bug declared twice) is one
// line at import time instead of a puzzle at the first run.
import type { SystemPlugin } from '../workloads/system.js';

export function defineSystem<T extends SystemPlugin>(system: T): T {
  const where = `defineSystem(${JSON.stringify(system.name)})`;
  if (!/^[a-z][a-z0-9-]*$/.test(system.name)) throw new TypeError(`${where}: name must be lower-case words joined by "-" (it names files and flags)`);
  if (system.workloads[system.defaultWorkload] === undefined) {
    throw new TypeError(`${where}: defaultWorkload "${system.defaultWorkload}" is not one of its workloads (${Object.keys(system.workloads).join(', ') || 'none'})`);
  }
  const { min, max } = system.nodes;
  if (!(Number.isInteger(min) && min >= 1 && min <= system.nodes.default && system.nodes.default <= max)) {
    throw new TypeError(`${where}: nodes must satisfy 1 <= min <= default <= max (got ${min}, ${system.nodes.default}, ${max})`);
  }
  const bugs = new Set<string>();
  for (const bug of system.bugs) {
    if (bugs.has(bug.name)) throw new TypeError(`${where}: bug "${bug.name}" is declared twice`);
    bugs.add(bug.name);
  }
  for (const [name, workload] of Object.entries(system.workloads)) {
    if (workload.name !== name) throw new TypeError(`${where}: workloads.${name} is named "${workload.name}"; the key and the name must agree`);
  }
  return system;
}
