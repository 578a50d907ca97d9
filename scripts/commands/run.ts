// `crucible run --system S --seed N [...]`: one simulated run. Prints a banner of every parameter,
// runs the safety and liveness phases, checks, stores the run and prints the verdict; a failure
// starts with the command that reproduces it.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { EXIT, UsageError, type Command, type CommandContext, type ExitCode } from '../cli/command.js';
import { openRunStore } from '../cli/store-path.js';
import { runScenario, type RunProgress, type RunResult } from '../lab/runner.js';
import { ScenarioError, type ScenarioInput } from '../lab/scenario.js';
import type { SystemPlugin } from '../../workloads/system.js';
import type { Verdict } from '../../checkers/verdict.js';
import { bannerLines, verdictLines } from '../lab/banner.js';
import { failureSummary, saveResult } from '../lab/persist.js';
import { PLUGIN_FLAG } from '../lab/plugin.js';
import { CLI, pluginWords, runRepro, SCENARIO_FLAGS, scenarioAndSystem, scenarioFlags } from '../lab/scenario-args.js';

export function exitFor(verdict: Verdict): ExitCode {
  return verdict === 'valid' ? EXIT.OK : verdict === 'invalid' ? EXIT.VIOLATION : EXIT.UNKNOWN;
}

/** Runs a scenario for a command, turning scenario errors into usage errors; measures wall time. */
/** A run's wall-clock budget when none is given: a run that needs more is refused early, said. */
export const RUN_TIME_LIMIT_S_DEFAULT = 600;
/** Simulated time between the wall-clock checks of a time-limited run (slicing changes nothing in the run). */
const TIME_CHECK_EVERY_MS = 1_000;

/**
 * Runs a scenario within `timeLimitS` of wall time. The run is checked every simulated second:
 * past the limit it stops; and once a tenth of it (at least 2 s of wall time) has run, a run whose
 * pace says it would need more than the limit stops at once with its estimated cost, instead of
 * making its user wait to learn that.
 */
export function timedRun(scenario: ScenarioInput, seed: number, plugin: SystemPlugin, source: string, timeLimitS = RUN_TIME_LIMIT_S_DEFAULT): { result: RunResult; wallMs: number } {
  const started = performance.now();
  const limitMs = timeLimitS * 1000;
  const onProgress = (progress: RunProgress): void => {
    if (progress.done) return;
    const elapsedMs = performance.now() - started;
    const fraction = progress.simMs / Math.max(progress.endMs, 1);
    const estimateMs = fraction > 0 ? elapsedMs / fraction : Infinity;
    const where = `at ${progress.simMs} of ${progress.endMs} simulated ms after ${(elapsedMs / 1000).toFixed(1)} s`;
    if (elapsedMs > limitMs) throw new UsageError(`${source}: stopped ${where}: over --time-limit ${timeLimitS} s; shorten durationMs or raise --time-limit`);
    if (fraction >= 0.1 && elapsedMs >= 2_000 && estimateMs > limitMs) {
      throw new UsageError(`${source}: refused ${where}: at this pace the whole run needs about ${Math.round(estimateMs / 1000)} s, over --time-limit ${timeLimitS} s; shorten durationMs or raise --time-limit`);
    }
  };
  try {
    const result = runScenario(scenario, seed, { plugin, source, onProgress, progressEveryMs: TIME_CHECK_EVERY_MS });
    return { result, wallMs: performance.now() - started };
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
}

/** The JSON answer of run (and of `cluster test`-like commands): DESIGN.md's fields, then extras. */
export function runJson(runId: number, result: RunResult, wallMs: number, repro: string): Record<string, unknown> {
  return {
    runId,
    system: result.scenario.system,
    seed: result.seed,
    verdict: result.verdict,
    checkers: result.checkers,
    ops: result.ops,
    events: result.events,
    simMs: result.simMs,
    wallMs: Math.round(wallMs),
    fingerprint: result.fingerprint,
    repro,
    violation: result.violation,
    faultEvents: result.faultEvents,
    bug: result.scenario.bug,
  };
}

/** Prints a run for a person: banner, verdict, and for a failure the repro line first of all. */
export function printRun(context: CommandContext, result: RunResult, wallMs: number, repro: string, runId: number, kept = false): void {
  for (const line of bannerLines(result.scenario, result.seed, result.schedule)) context.out(line);
  context.out('');
  if (result.verdict !== 'valid') {
    context.out(`${repro}  # ${result.verdict}: ${failureSummary(result)}`);
  }
  for (const line of verdictLines(result, wallMs)) context.out(line);
  context.out(`stored as run ${runId}; replay with: ${repro}`);
  const cli = CLI;
  if (result.verdict !== 'valid' || kept) {
    context.out(`view it with: ${cli} view ${runId}   (HTML: ${cli} report ${runId} --html run-${runId}.html)`);
  } else {
    context.out(`passing runs keep only their verdicts: add --keep to keep the history for ${cli} view ${runId}`);
  }
}

export const command: Command = {
  name: 'run',
  summary: 'One simulated run of a system under faults, checked and stored',
  usage: 'crucible run [--system S] --seed N [--scenario F] [--faults LIST|all] [--swarm] [--bug NAME] [--nodes K] [--ops M] [--duration MS] [--keep] [--json]',
  flags: [
    ...SCENARIO_FLAGS,
    { name: 'seed', type: 'int', valueName: 'N', description: 'The root seed: the run is a pure function of it and the scenario', required: true },
    { name: 'keep', type: 'boolean', description: 'Keep history, faults and trace in the store even when the run passes' },
    { name: 'save-scenario', type: 'string', valueName: 'FILE', description: 'Write the explicit scenario (drawn faults included) to FILE, to edit or rerun with --scenario' },
    { name: 'time-limit', type: 'int', valueName: 'S', default: RUN_TIME_LIMIT_S_DEFAULT, description: 'Wall seconds the run may take; one whose pace says it needs more is stopped early with its estimated cost (exit 2)' },
    PLUGIN_FLAG,
  ],
  details: [
    'Without --faults (or a scenario with faults) the run has no faults. --faults all turns every fault kind',
    'on at the default intensity; groups: partition, network, process, clock, disk, membership, admin.',
    'The banner lists every parameter the run used; the run is stored with its explicit scenario, so',
    '`crucible replay RUN_ID` or the printed command repeats it exactly.',
    'The system: --system S, a --plugin FILE module, or the one your crucible.config.json names.',
    'Exit codes: 0 valid, 1 violation, 2 bad usage or input, 3 a checker could not decide.',
  ].join('\n'),
  async run(args, context) {
    const flags = scenarioFlags(args);
    const seed = args.flags.seed as number;
    if (seed < 0) throw new UsageError(`--seed ${seed}: a seed is a non-negative integer`);
    const { scenario, system } = await scenarioAndSystem(flags, args.flags.plugin as string | undefined);
    const timeLimitS = args.flags['time-limit'] as number;
    if (timeLimitS < 1) throw new UsageError(`--time-limit ${timeLimitS}: seconds, at least 1`);
    const { result, wallMs } = timedRun(scenario, seed, system.plugin, flags.scenario ?? 'flags', timeLimitS);
    const repro = runRepro(flags, seed) + pluginWords(system);
    const saveTo = args.flags['save-scenario'] as string | undefined;
    if (saveTo !== undefined) writeFileSync(saveTo, `${JSON.stringify(result.scenario, null, 2)}\n`);
    const store = openRunStore(context.store);
    let runId: number;
    try {
      runId = saveResult(store, result, { wallMs, repro, keep: args.flags.keep === true });
    } finally {
      store.close();
    }
    if (context.json) context.out(JSON.stringify(runJson(runId, result, wallMs, repro)));
    else printRun(context, result, wallMs, repro, runId, args.flags.keep === true);
    return exitFor(result.verdict);
  },
};
