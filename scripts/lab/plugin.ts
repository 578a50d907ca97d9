// Finding the system a command runs: a registered one by name, one loaded from a module file
// (`--plugin FILE`, exporting `system`), or one the project's config names (scripts/lab/config.ts),
// which is how a user's own system, or a test's, plugs in without editing the registry. Worker
// processes and cluster nodes load the same file, so fuzzing and real clusters work for all three.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError, type FlagSpec } from '../cli/command.js';
import type { SystemPlugin } from '../../workloads/system.js';
import { findSystem, systems } from '../../workloads/registry.js';
import { findProjectConfig, type ProjectConfig } from './config.js';

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
export async function loadPluginModule(path: string, label = `--plugin ${path}`): Promise<SystemPlugin> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`${label}: cannot load the module (${(error as Error).message.split('\n')[0]})`);
  }
  // A CommonJS module imported from ESM arrives as its `module.exports` under `default`.
  const nested = module.default as Record<string, unknown> | undefined;
  const candidate = module.system ?? (typeof nested === 'object' && nested !== null && 'system' in nested ? nested.system : nested);
  if (!looksLikePlugin(candidate)) {
    throw new UsageError(`${label}: the module must export \`system\`, a SystemPlugin (name, node, workloads, defaultWorkload)`);
  }
  return candidate;
}

/** A registered (built-in) system by name; an unknown name is one UsageError line naming the known ones. */
export function builtInSystem(name: string): SystemPlugin {
  const plugin = findSystem(name);
  if (plugin === undefined) throw new UsageError(`system "${name}": not a built-in system (built in: ${systems.map((system) => system.name).join(', ')}); pass your SystemPlugin object instead`);
  return plugin;
}

/** A system and the module it came from (absolute; null for a registered one). */
export interface ResolvedSystem {
  plugin: SystemPlugin;
  module: string | null;
}

/** The systems the project's config names, each loaded from its module, in the config's order. */
export async function configuredSystems(config: ProjectConfig | null = findProjectConfig()): Promise<ResolvedSystem[]> {
  if (config === null) return [];
  const found: ResolvedSystem[] = [];
  for (const module of config.plugins) found.push({ plugin: await loadPluginModule(module, `${config.source}: plugin ${module}`), module });
  return found;
}

/**
 * The system a command runs. `--plugin FILE` first (`--system`, when given, must match it), then a
 * registered system, then the project's config; with no name at all, the plugin's system or the
 * config's default (its `system`, or its only plugin's).
 */
export async function resolveSystem(name: string | undefined, pluginPath: string | undefined, cwd: string = process.cwd()): Promise<ResolvedSystem> {
  if (pluginPath !== undefined) {
    const plugin = await loadPluginModule(pluginPath);
    if (name !== undefined && plugin.name !== name) throw new UsageError(`--plugin ${pluginPath}: the module's system is "${plugin.name}", not "${name}"`);
    return { plugin, module: resolve(cwd, pluginPath) };
  }
  const registered = name === undefined ? undefined : findSystem(name);
  if (registered !== undefined) return { plugin: registered, module: null };
  const config = findProjectConfig(cwd);
  const configured = await configuredSystems(config);
  const wanted = name ?? config?.system ?? (configured.length === 1 ? configured[0]!.plugin.name : undefined);
  if (wanted === undefined) {
    throw new UsageError(
      config === null
        ? 'missing --system S (or a --scenario file naming its system, or a crucible.config.json naming your plugin modules)'
        : `missing --system S: ${config.source} names ${configured.length} systems (${configured.map((entry) => entry.plugin.name).join(', ')}); pick one or set "system"`,
    );
  }
  const chosen = configured.find((entry) => entry.plugin.name === wanted) ?? (findSystem(wanted) === undefined ? undefined : { plugin: findSystem(wanted)!, module: null });
  if (chosen === undefined) {
    const known = [...systems.map((system) => system.name), ...configured.map((entry) => entry.plugin.name)].join(', ') || 'none registered yet';
    throw new UsageError(`--system ${wanted}: unknown system (known: ${known}; or load one with --plugin FILE or name it in crucible.config.json)`);
  }
  return chosen;
}

/** The system named `name`: from the plugin module when given (its name must match), else the registry or the config. */
export async function resolvePlugin(name: string, pluginPath: string | undefined): Promise<SystemPlugin> {
  return (await resolveSystem(name, pluginPath)).plugin;
}
