// Which system a call of the library runs: a plugin object the caller wrote, or the name of a
// built-in one (`'raft'`, `'quorum-kv'`). Built-ins come from the registry through scripts/lab/plugin.ts,
// which imports only the systems themselves (no store, no viewer).
import type { SystemPlugin } from '../workloads/system.js';
import { builtInSystem, resolveSystem } from '../scripts/lab/plugin.js';

export type SystemRef = SystemPlugin | string;

/** The plugin object for `system`; an unknown name throws one line naming the known ones. */
export function systemOf(system: SystemRef): SystemPlugin {
  if (typeof system !== 'string') return system;
  return builtInSystem(system);
}

/** Like `systemOf`, but a name may also be a system the project's crucible.config.json names. */
export async function findSystemByName(name: string, cwd?: string): Promise<SystemPlugin> {
  return (await resolveSystem(name, undefined, cwd)).plugin;
}
