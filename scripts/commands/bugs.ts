// `crucible bugs [--system S]`: the planted bugs of every registered system, and of the systems the
// project's config (or --plugin) names, one line each.
import { EXIT, UsageError, type Command } from '../cli/command.js';
import { systems as registered } from '../../workloads/registry.js';
import type { SystemPlugin } from '../../workloads/system.js';
import { configuredSystems, loadPluginModule, PLUGIN_FLAG } from '../lab/plugin.js';

export interface BugLine {
  system: string;
  name: string;
  description: string;
}

/** The planted bugs of the named system, or of every system; an unknown name is a usage error. */
export function listBugs(system: string | undefined, systems: readonly SystemPlugin[] = registered): BugLine[] {
  const chosen = system === undefined ? systems : systems.filter((plugin) => plugin.name === system);
  if (system !== undefined && chosen.length === 0) {
    const known = systems.map((plugin) => plugin.name).join(', ') || 'none registered yet';
    throw new UsageError(`--system ${system}: unknown system (known: ${known})`);
  }
  return chosen.flatMap((plugin) =>
    plugin.bugs.map((bug) => ({ system: plugin.name, name: bug.name, description: bug.description })),
  );
}

export const command: Command = {
  name: 'bugs',
  summary: 'List the planted bugs each system can switch on with --bug',
  usage: 'crucible bugs [--system S] [--plugin FILE] [--json]',
  flags: [{ name: 'system', type: 'string', valueName: 'S', description: 'Only the bugs of this system' }, PLUGIN_FLAG],
  details: [
    'A planted bug is a real mistake a system can be built with (`run --bug NAME`), so the checkers',
    'and the fuzzer can be shown to find it. With --json: one JSON array of {system, name, description}.',
  ].join('\n'),
  async run(args, context) {
    const pluginPath = args.flags.plugin as string | undefined;
    const own = pluginPath === undefined ? (await configuredSystems()).map((entry) => entry.plugin) : [await loadPluginModule(pluginPath)];
    const names = new Set(registered.map((plugin) => plugin.name));
    const bugs = listBugs(args.flags.system as string | undefined, [...registered, ...own.filter((plugin) => !names.has(plugin.name))]);
    if (context.json) {
      context.out(JSON.stringify(bugs));
      return EXIT.OK;
    }
    if (bugs.length === 0) {
      context.out('No planted bugs registered.');
      return EXIT.OK;
    }
    const width = Math.max(...bugs.map((bug) => bug.name.length));
    for (const bug of bugs) context.out(`${bug.name.padEnd(width)}  ${bug.description}`);
    return EXIT.OK;
  },
};
