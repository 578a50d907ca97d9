// `replay(capsule)`: a capsule (object or file) run again, with whether its fingerprint matched.
// The system comes from the call, else from the capsule's plugin module (relative to the project),
// a built-in system, or the project's crucible.config.json, as `crucible replay` finds it.
import { runScenario } from '../scripts/lab/runner.js';
import { codeDrift, parseCapsule, readCapsule, type Capsule } from '../scripts/lab/capsule.js';
import { fromProjectRelative } from '../scripts/lab/config.js';
import { resolveSystem } from '../scripts/lab/plugin.js';
import type { ScenarioInput } from '../scripts/lab/scenario.js';
import { simulationOf, type Simulation } from './simulate.js';
import { systemOf, type SystemRef } from './system.js';

export interface ReplayOptions {
  /** The system to run it on (default: found from the capsule, as the CLI does). */
  system?: SystemRef;
  /** Where the replay's own capsule goes if it fails (default: none: the capsule exists already). */
  capsules?: string | false;
}

export interface Replay extends Simulation {
  /** The fingerprint the capsule recorded, and whether this run gave it. */
  expected: string;
  matched: boolean;
  /** Why the capsule's code differs from this process's (commit, Node, package-lock), or null. */
  drift: string | null;
}

export async function replay(capsule: Capsule | string, options: ReplayOptions = {}): Promise<Replay> {
  const parsed = typeof capsule === 'string' ? readCapsule(capsule) : parseCapsule(capsule, 'replay(capsule)');
  const plugin =
    options.system !== undefined
      ? systemOf(options.system)
      : (await resolveSystem(parsed.system, parsed.plugin === undefined ? undefined : fromProjectRelative(parsed.plugin))).plugin;
  const run = runScenario(parsed.scenario as ScenarioInput, parsed.seed, { plugin, source: typeof capsule === 'string' ? capsule : 'replay(capsule)' });
  const simulation = simulationOf(run, { capsules: options.capsules ?? false, ...(parsed.plugin === undefined ? {} : { module: parsed.plugin }) });
  return { ...simulation, expected: parsed.expected.fingerprint, matched: run.fingerprint === parsed.expected.fingerprint, drift: codeDrift(parsed) };
}
