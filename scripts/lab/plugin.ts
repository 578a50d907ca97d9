// Finding the system a command runs: a registered one by name, or one loaded from a module file
// (`--plugin FILE`, exporting `system`), which is how a user's own system, or a test's, plugs in
// without editing the registry. Worker threads load the same file, so fuzzing works for both.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError, type FlagSpec } from '../cli/command.js';
import type { SystemPlugin } from '../../workloads/system.js';
import { findSystem, systems } from '../../workloads/registry.js';

export const PLUGIN_FLAG: FlagSpec = {
  name: 'plugin',
  type: 'string',
  valueName: 'FILE',
  description: 'Load the system from a module exporting `system` (a SystemPlugin) instead of the registry',
};

function looksLikePlugin(value: unknown): value is SystemPlugin {
  const plugin = value as SystemPlugin;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof plugin.name === 'string' &&
    typeof plugin.node === 'function' &&
    typeof plugin.workloads === 'object' &&
    typeof plugin.defaultWorkload === 'string'
  );
}

/** Imports a plugin module; a missing file or a module without `system` is one UsageError line. */
export async function loadPluginModule(path: string): Promise<SystemPlugin> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--plugin ${path}: cannot load the module (${(error as Error).message.split('\n')[0]})`);
  }
  const candidate = module.system ?? module.default;
  if (!looksLikePlugin(candidate)) {
    throw new UsageError(`--plugin ${path}: the module must export \`system\`, a SystemPlugin (name, node, workloads, defaultWorkload)`);
  }
  return candidate;
}

/** The system named `name`: from the plugin module when given (its name must match), else the registry. */
export async function resolvePlugin(name: string, pluginPath: string | undefined): Promise<SystemPlugin> {
  if (pluginPath !== undefined) {
    const plugin = await loadPluginModule(pluginPath);
    if (plugin.name !== name) throw new UsageError(`--plugin ${pluginPath}: the module's system is "${plugin.name}", not "${name}"`);
    return plugin;
  }
  const plugin = findSystem(name);
  if (plugin === undefined) {
    const known = systems.map((system) => system.name).join(', ') || 'none registered yet';
    throw new UsageError(`--system ${name}: unknown system (known: ${known}; or load one with --plugin FILE)`);
  }
  return plugin;
}
