// `fuzz`: many seeds of one scenario, failures shrunk into capsules, as a library call. It drives
// the same campaign as `crucible fuzz` (scripts/fuzz/campaign.ts): in this process for a system
// object, or across worker processes when the system is a module the workers can load.
import { resolve } from 'node:path';
import { runCampaign } from '../scripts/fuzz/campaign.js';
import type { CampaignConfig, SeedDone, ShrinkDone } from '../scripts/fuzz/executor.js';
import { DEFAULT_TRACE_LIMIT } from '../scripts/lab/runner.js';
import { parseScenario } from '../scripts/lab/scenario.js';
import { fromProjectRelative, projectRelative } from '../scripts/lab/config.js';
import { builtInSystem, loadPluginModule } from '../scripts/lab/plugin.js';
import type { SystemPlugin } from '../workloads/system.js';
import { simulationOf, type ScenarioSpec, type Simulation } from './simulate.js';
import type { SystemRef } from './system.js';

export const FUZZ_SHRINK_RUNS_DEFAULT = 1000;

export interface FuzzOptions {
  /** Your SystemPlugin object, a built-in system's name, or `{ module }`: a plugin module's path (worker processes load it). */
  system: SystemRef | { module: string };
  /** The scenario each seed draws from; absent: the system's defaults with every fault kind on. */
  scenario?: ScenarioSpec;
  /** Seeds to run. */
  runs: number;
  seedStart?: number;
  /** Run every seed even after a failure (default: stop handing out seeds after the first). */
  keepGoing?: boolean;
  /** Shrink failures (default true). */
  shrink?: boolean;
  /** Runs one shrink may spend (default 1000). */
  shrinkRuns?: number;
  /** Failures shrunk at most (default 3); later ones are reported as found. */
  shrinkMax?: number;
  /** Where capsules go (default `.crucible/capsules`); `false` writes none. */
  capsules?: string | false;
  /** Worker processes (default 0: this process). More than 0 needs `system: { module }` or a built-in name. */
  workers?: number;
  /** Stop handing out seeds after this many wall milliseconds. */
  timeLimitMs?: number;
  /** The plugin module relative to the project, recorded in capsules (set for you with `system: { module }`). */
  module?: string;
}

export interface FuzzFailure {
  /** The campaign seed that failed. */
  seed: number;
  violation: string;
  /** The run as found, before shrinking. */
  found: { faultEvents: number; ops: number; fingerprint: string };
  /** The shrunk run (or the run as found when it was not shrunk): its capsule, file and replay command. */
  shrunk: Simulation;
  /** Whether the shrinker ran on it, with how many runs and which steps. */
  shrink: { runs: number; steps: string[] } | null;
}

export interface FuzzReport {
  runs: number;
  valid: number;
  invalid: number;
  unknown: number;
  /** Sorted by seed. */
  failures: FuzzFailure[];
  /** Tasks that threw (a bug of the lab or of the system's checker), with the seed. */
  errors: { seed: number; task: 'run' | 'shrink'; message: string }[];
  stopped: 'failure' | 'time-limit' | null;
  wallMs: number;
}

async function pluginFor(system: FuzzOptions['system']): Promise<{ plugin: SystemPlugin; module: string | null; inProcess: boolean }> {
  if (typeof system === 'string') return { plugin: builtInSystem(system), module: null, inProcess: false };
  if ('module' in system && typeof system.module === 'string' && !('node' in system)) {
    const path = resolve(fromProjectRelative(system.module));
    return { plugin: await loadPluginModule(path, `fuzz({ system: { module: ${system.module} } })`), module: path, inProcess: false };
  }
  return { plugin: system as SystemPlugin, module: null, inProcess: true };
}

/** Runs the campaign; resolves with every failure's shrunk capsule and replay command. */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  if (!Number.isSafeInteger(options.runs) || options.runs < 1) throw new RangeError(`fuzz: runs ${options.runs}: a positive integer`);
  const seedStart = options.seedStart ?? 0;
  const workers = options.workers ?? 0;
  const { plugin, module, inProcess } = await pluginFor(options.system);
  if (inProcess && workers > 0) throw new Error('fuzz: worker processes cannot be handed a system object; pass system: { module: "path/to/plugin.ts" } or workers: 0');
  const scenario = parseScenario({ faults: { kinds: ['all'] }, ...(options.scenario ?? {}), system: plugin.name }, 'fuzz({ scenario })');
  const config: CampaignConfig = { scenario, pluginPath: module, shrinkRunsMax: options.shrinkRuns ?? FUZZ_SHRINK_RUNS_DEFAULT, traceLimit: DEFAULT_TRACE_LIMIT };
  const named = options.module ?? (module === null ? undefined : projectRelative(module));
  const output = { capsules: options.capsules, module: named };
  const report: FuzzReport = { runs: 0, valid: 0, invalid: 0, unknown: 0, failures: [], errors: [], stopped: null, wallMs: 0 };
  /** Failures waiting for their shrink, by seed. */
  const found = new Map<number, SeedDone>();
  const shrink = options.shrink !== false;
  const shrinkMax = options.shrinkMax ?? 3;
  let failures = 0;
  const outcome = await runCampaign(
    {
      config,
      seeds: Array.from({ length: options.runs }, (_, index) => seedStart + index),
      workers,
      keepGoing: options.keepGoing === true,
      shrink,
      shrinkMax,
      timeLimitMs: options.timeLimitMs ?? null,
      ...(inProcess ? { plugin } : {}),
    },
    {
      seed(done: SeedDone) {
        report.runs++;
        report[done.result.verdict]++;
        if (done.result.violation === null) return;
        failures++;
        if (shrink && failures <= shrinkMax) found.set(done.seed, done);
        else report.failures.push({ seed: done.seed, violation: done.result.violation, found: sizeOf(done.result), shrunk: simulationOf(done.result, output), shrink: null });
      },
      shrunk(done: ShrinkDone) {
        const original = found.get(done.seed);
        found.delete(done.seed);
        const origin = { found: { seed: done.seed, ...done.original }, shrink: { runs: done.runs, steps: done.steps } };
        report.failures.push({
          seed: done.seed,
          violation: done.result.violation ?? original?.result.violation ?? 'unknown',
          found: done.original,
          shrunk: simulationOf(done.result, output, origin),
          shrink: { runs: done.runs, steps: done.steps },
        });
      },
      error(seed, task, message) {
        report.errors.push({ seed, task, message });
      },
    },
  );
  // Failures whose shrink never ran (a broken shrink is in `errors`): reported as found.
  for (const done of found.values()) report.failures.push({ seed: done.seed, violation: done.result.violation!, found: sizeOf(done.result), shrunk: simulationOf(done.result, output), shrink: null });
  report.failures.sort((a, b) => a.seed - b.seed);
  report.stopped = outcome.stopped;
  report.wallMs = outcome.wallMs;
  return report;
}

function sizeOf(result: SeedDone['result']): FuzzFailure['found'] {
  return { faultEvents: result.faultEvents, ops: result.ops, fingerprint: result.fingerprint };
}
