// `simulate`: one deterministic run of a system under a scenario and a seed, as a library call. It
// wraps the lab's runner (scripts/lab/runner.ts) unchanged and adds what a test wants back: a
// `valid` flag, the capsule, and for a failing run the capsule written and its replay command.
import { runScenario, type RunResult } from '../scripts/lab/runner.js';
import { capsuleOf, type Capsule } from '../scripts/lab/capsule.js';
import { failureSummary } from '../scripts/lab/persist.js';
import type { ExplicitScenario, ScenarioInput } from '../scripts/lab/scenario.js';
import type { CheckerResult, HistoryRecord, Verdict } from '../nodes/host.js';
import { systemOf, type SystemRef } from './system.js';
import { CAPSULE_DIR_DEFAULT, saveCapsule } from './capsules.js';

/** A scenario without its system (the call names it): workload, duration, faults, bug, ... */
export type ScenarioSpec = Omit<ScenarioInput, 'system'>;

export interface SimulateOptions {
  /** Your SystemPlugin object, or a built-in system's name (`'raft'`). */
  system: SystemRef;
  /** The root seed: same system, scenario and seed give the same run, byte for byte. */
  seed: number;
  /** The scenario (scenario file fields); absent: the system's defaults with no faults. */
  scenario?: ScenarioSpec;
  /** Where a failing run's capsule goes (default `.crucible/capsules`); `false` writes none. */
  capsules?: string | false;
  /** The plugin module relative to the project, recorded in the capsule (replays without a config). */
  module?: string;
  /** Trace events kept in memory (the fingerprint covers all of them). */
  traceLimit?: number;
}

export interface Simulation {
  seed: number;
  /** True when every checker said valid. */
  valid: boolean;
  verdict: Verdict;
  /** The invalid checkers' names joined with `+`, or null. */
  violation: string | null;
  checkers: CheckerResult[];
  history: HistoryRecord[];
  fingerprint: string;
  /** The explicit scenario: drawn faults written out, so it replays with `seed` alone. */
  scenario: ExplicitScenario;
  ops: number;
  faultEvents: number;
  /** The checkers' complaints in one line (empty for a valid run). */
  summary: string;
  /** The run as a capsule (written only for a failing run, unless `capsules: false`). */
  capsule: Capsule;
  /** The capsule file written for a failing run, else null. */
  capsuleFile: string | null;
  /** The command that replays the failing run (`npx crucible replay FILE`), else null. */
  repro: string | null;
  /** Everything the runner returned (trace, fault rows, event counts). */
  run: RunResult;
}

/** The Simulation of a finished run; writes the capsule of a failing one. */
export function simulationOf(run: RunResult, options: Pick<SimulateOptions, 'capsules' | 'module'>, origin: Parameters<typeof capsuleOf>[1] = {}): Simulation {
  const capsule = capsuleOf(run, { ...origin, plugin: options.module ?? null });
  const summary = failureSummary(run);
  let capsuleFile: string | null = null;
  let repro: string | null = null;
  if (run.verdict !== 'valid' && options.capsules !== false) {
    const saved = saveCapsule(capsule, summary, options.capsules ?? CAPSULE_DIR_DEFAULT);
    capsuleFile = saved.file;
    repro = saved.repro;
  }
  return {
    seed: run.seed,
    valid: run.verdict === 'valid',
    verdict: run.verdict,
    violation: run.violation,
    checkers: run.checkers,
    history: run.history,
    fingerprint: run.fingerprint,
    scenario: run.scenario,
    ops: run.ops,
    faultEvents: run.faultEvents,
    summary,
    capsule,
    capsuleFile,
    repro,
    run,
  };
}

/**
 * One run. Throws a ScenarioError (its message names the field) for a scenario the system cannot
 * run, and an Error naming the known systems for an unknown built-in name.
 */
export function simulate(options: SimulateOptions): Simulation {
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) throw new RangeError(`simulate: seed ${options.seed}: a non-negative integer`);
  const plugin = systemOf(options.system);
  const scenario: ScenarioInput = { ...(options.scenario ?? {}), system: plugin.name };
  const run = runScenario(scenario, options.seed, { plugin, source: 'simulate({ scenario })', ...(options.traceLimit === undefined ? {} : { traceLimit: options.traceLimit }) });
  return simulationOf(run, options);
}
