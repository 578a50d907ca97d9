// The flags `run`, `replay` and `fuzz` share to describe a scenario, turned into a Scenario (from a
// file, with flags on top) and back into the exact command line that repeats it.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { UsageError, type FlagSpec, type ParsedArgs } from '../cli/command.js';
import { parseScenario, parseScenarioText, ScenarioError, type Scenario } from './scenario.js';
import { resolveSystem, type ResolvedSystem } from './plugin.js';
import { cliPrefix } from './config.js';

/** How a person runs the CLI here (DESIGN.md's contract in this repository, `npx crucible` in a user's project). */
export const CLI = cliPrefix();

export const SCENARIO_FLAGS: FlagSpec[] = [
  { name: 'system', type: 'string', valueName: 'S', description: 'The system under test (see crucible bugs)' },
  { name: 'scenario', type: 'string', valueName: 'FILE', description: 'A scenario file (JSON); other flags override its fields' },
  { name: 'faults', type: 'list', valueName: 'LIST', description: 'Fault kinds or groups drawn from the seed, comma-separated, or all' },
  { name: 'swarm', type: 'boolean', description: 'Swarm mode: the seed also draws which fault kinds are on and how hard' },
  { name: 'bug', type: 'string', valueName: 'NAME', description: 'Switch on a planted bug, by its full name as `crucible bugs` lists it' },
  { name: 'nodes', type: 'int', valueName: 'K', description: 'Cluster size (default: the system default)' },
  { name: 'ops', type: 'int', valueName: 'M', description: 'Client operations at most, all clients together' },
  { name: 'clients', type: 'int', valueName: 'C', description: 'Client processes' },
  { name: 'duration', type: 'int', valueName: 'MS', description: 'Safety phase (faults) in simulated ms; a liveness phase follows' },
  { name: 'fault-points', type: 'string', valueName: 'N/D', description: 'Turn fault points (BUGGIFY) on: each answers yes with odds N/D' },
];

export interface ScenarioFlags {
  system?: string;
  scenario?: string;
  faults?: string[];
  swarm?: boolean;
  bug?: string;
  nodes?: number;
  ops?: number;
  clients?: number;
  duration?: number;
  faultPoints?: string;
}

export function scenarioFlags(args: ParsedArgs): ScenarioFlags {
  const flags = args.flags;
  const pick = <T>(name: string): T | undefined => flags[name] as T | undefined;
  return {
    system: pick<string>('system'),
    scenario: pick<string>('scenario'),
    faults: pick<string[]>('faults'),
    swarm: pick<boolean>('swarm') === true ? true : undefined,
    bug: pick<string>('bug'),
    nodes: pick<number>('nodes'),
    ops: pick<number>('ops'),
    clients: pick<number>('clients'),
    duration: pick<number>('duration'),
    faultPoints: pick<string>('fault-points'),
  };
}

/** Reads a scenario file; every problem is one UsageError line naming the file (and the field). */
export function readScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--scenario ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return parseScenarioText(text, path);
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
}

/** The scenario the flags describe. Flags given override the file's fields. */
export function scenarioFromFlags(flags: ScenarioFlags): Scenario {
  const base: Record<string, unknown> = flags.scenario === undefined ? {} : structuredClone(readScenarioFile(flags.scenario));
  if (flags.system !== undefined) base.system = flags.system;
  if (base.system === undefined) throw new UsageError('missing --system S (or a --scenario file naming its system)');
  if (flags.faults !== undefined || flags.swarm === true) {
    const kinds = flags.faults ?? ['all'];
    base.faults = { kinds, swarm: flags.swarm === true };
  }
  if (flags.bug !== undefined) base.bug = flags.bug;
  if (flags.nodes !== undefined) base.nodes = flags.nodes;
  if (flags.duration !== undefined) base.durationMs = flags.duration;
  if (flags.faultPoints !== undefined) {
    const odds = /^(\d+)\/(\d+)$/.exec(flags.faultPoints);
    if (odds === null || Number(odds[2]) < 1 || Number(odds[1]) > Number(odds[2])) {
      throw new UsageError(`--fault-points ${flags.faultPoints}: expected odds N/D with 0 <= N <= D, e.g. 1/100`);
    }
    base.faultPoints = { enabled: Number(odds[1]) > 0, numerator: Number(odds[1]), denominator: Number(odds[2]) };
  }
  if (flags.ops !== undefined || flags.clients !== undefined) {
    const workload = { ...((base.workload as Record<string, unknown> | undefined) ?? {}) };
    if (flags.ops !== undefined) workload.opsMax = flags.ops;
    if (flags.clients !== undefined) workload.clients = flags.clients;
    base.workload = workload;
  }
  try {
    return parseScenario(base, flags.scenario ?? 'flags');
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The scenario the flags describe and the system it runs: `--system`, else the scenario file's,
 * else the `--plugin` module's or the project config's default, so `run --plugin F` and a project
 * with one configured system need no `--system`. The system found is written into the flags, so
 * the repro line names it.
 */
export async function scenarioAndSystem(flags: ScenarioFlags, pluginPath: string | undefined): Promise<{ scenario: Scenario; system: ResolvedSystem }> {
  const fromFile = flags.system === undefined && flags.scenario !== undefined ? readScenarioFile(flags.scenario).system : undefined;
  const system = await resolveSystem(flags.system ?? fromFile, pluginPath);
  if (flags.system === undefined && fromFile === undefined) flags.system = system.plugin.name;
  return { scenario: scenarioFromFlags(flags), system };
}

/** ` --plugin PATH` (relative to the working directory) for a system loaded from a module, else ''. */
export function pluginWords(system: ResolvedSystem, cwd: string = process.cwd()): string {
  if (system.module === null) return '';
  const path = relative(cwd, system.module);
  return ` --plugin ${quote(path === '' || path.startsWith('..') ? system.module : path)}`;
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The flags as command-line words, in a fixed order, so equal runs print equal repro lines. */
export function scenarioFlagWords(flags: ScenarioFlags): string[] {
  const words: string[] = [];
  if (flags.scenario !== undefined) words.push('--scenario', quote(flags.scenario));
  if (flags.system !== undefined) words.push('--system', quote(flags.system));
  if (flags.faults !== undefined) words.push('--faults', quote(flags.faults.join(',')));
  if (flags.swarm === true) words.push('--swarm');
  if (flags.bug !== undefined) words.push('--bug', quote(flags.bug));
  if (flags.nodes !== undefined) words.push('--nodes', String(flags.nodes));
  if (flags.ops !== undefined) words.push('--ops', String(flags.ops));
  if (flags.clients !== undefined) words.push('--clients', String(flags.clients));
  if (flags.duration !== undefined) words.push('--duration', String(flags.duration));
  if (flags.faultPoints !== undefined) words.push('--fault-points', flags.faultPoints);
  return words;
}

/** `npm run --silent crucible -- run --system raft --seed 42 ...`: repeats the run exactly. */
export function runRepro(flags: ScenarioFlags, seed: number): string {
  const words = scenarioFlagWords(flags);
  // The seed goes right after the system (or the file) so the line reads naturally.
  const at = flags.system !== undefined ? words.indexOf('--system') + 2 : flags.scenario !== undefined ? 2 : 0;
  words.splice(at, 0, '--seed', String(seed));
  return `${CLI} run ${words.join(' ')}`;
}

export function replayRepro(target: string): string {
  return `${CLI} replay ${quote(target)}`;
}
