// `crucible soak --system S --duration 1h [...]`: one long run with faults all the way through, in
// bounded memory (the trace spooled beside the store), a progress line on a terminal, stopping at
// the first violation the invariants or assertions see, stored, and a failure written as a capsule
// (shrunk with --shrink).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { UsageError, type Command, type CommandContext } from '../cli/command.js';
import { openRunStore, prepareStorePath } from '../cli/store-path.js';
import { TraceSpool } from '../../histories/trace-spool.js';
import { runScenario, type RunResult } from '../lab/runner.js';
import { parseScenario, ScenarioError, SCENARIO_LIMITS, type Scenario } from '../lab/scenario.js';
import { CLI, SCENARIO_FLAGS, scenarioFlags, scenarioFlagWords, scenarioFromFlags } from '../lab/scenario-args.js';
import { PLUGIN_FLAG, resolvePlugin } from '../lab/plugin.js';
import { failureSummary, saveResult } from '../lab/persist.js';
import { capsuleFileName, capsuleOf, capsuleRepro, CAPSULE_DIR, writeCapsule } from '../lab/capsule.js';
import { formatSimMs, parseDurationMs, parsePhases, shrinkSoak, soakProgressLine } from '../lab/soak.js';
import { exitFor, printRun, runJson } from './run.js';

/** Ops a soak's clients may invoke unless told: the scenario's limit, so the clients never stop early. */
const SOAK_OPS_DEFAULT = SCENARIO_LIMITS.opsMax;
/** Simulated time between progress lines and violation checks. */
const SOAK_PROGRESS_EVERY_MS = 10_000;
/** Runs a shrink of a soak failure may spend unless told (each may be long). */
const SOAK_SHRINK_RUNS_DEFAULT = 200;

const OWN_FLAGS = new Set(['duration', 'ops']);

function durationFlag(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDurationMs(text);
  if (ms === null) throw new UsageError(`--${name} ${text}: expected a duration such as 1h, 30m, 90s, 500ms or 1h30m`);
  return ms;
}

/** The soak's scenario: the shared flags, its own duration and ops, phases, a late bug. */
export function soakScenario(args: Parameters<Command['run']>[0]): { scenario: Scenario; words: string[] } {
  const flags = scenarioFlags(args);
  const durationMs = durationFlag('duration', args.flags.duration as string | undefined);
  if (durationMs === undefined) throw new UsageError('missing --duration (e.g. --duration 1h): how much simulated time the soak runs');
  if (durationMs < 1 || durationMs > SCENARIO_LIMITS.durationMsMax) {
    throw new UsageError(`--duration ${String(args.flags.duration)}: a soak runs 1 ms to ${formatSimMs(SCENARIO_LIMITS.durationMsMax)} of simulated time`);
  }
  flags.duration = durationMs;
  flags.ops = (args.flags.ops as number | undefined) ?? SOAK_OPS_DEFAULT;
  // Faults all the way through unless a scenario file or the flags say which (a quiet long run is `run --duration`).
  if (flags.faults === undefined && flags.swarm !== true && flags.scenario === undefined) flags.faults = ['all'];
  const base = scenarioFromFlags(flags) as Record<string, unknown>;
  const words = scenarioFlagWords(flags);
  const phasesText = args.flags.phases as string | undefined;
  if (phasesText !== undefined) {
    const phases = parsePhases(phasesText);
    if (phases === null) throw new UsageError(`--phases ${phasesText}: expected FAULT/QUIET durations, e.g. 60s/30s`);
    base.phases = phases;
    words.push('--phases', phasesText);
  }
  const bugAtMs = durationFlag('bug-at', args.flags['bug-at'] as string | undefined);
  if (bugAtMs !== undefined) {
    if (base.bug === null || base.bug === undefined) throw new UsageError('--bug-at needs --bug NAME: which planted bug switches on late');
    base.bugAtMs = bugAtMs;
    words.push('--bug-at', String(bugAtMs));
  }
  try {
    return { scenario: parseScenario(base, flags.scenario ?? 'flags'), words };
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
}

/** Writes the progress line over itself on a terminal; nothing elsewhere (logs get the closing note). */
function progressWriter(enabled: boolean): { line(text: string): void; end(): void } {
  let shown = false;
  return {
    line(text) {
      if (!enabled) return;
      process.stdout.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    end() {
      if (enabled && shown) process.stdout.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/** The closing note: what the soak covered, in the terms a person checks it by. */
function closingNote(result: RunResult, wallMs: number, peakRssBytes: number, spooled: number): string {
  const quiet = result.quietWindows?.length ?? 0;
  return (
    `soak ${formatSimMs(result.simMs)} simulated in ${(wallMs / 1000).toFixed(1)} s wall: ${result.events} events, ${result.ops} ops, ` +
    `${result.faultEvents} faults started${quiet > 0 ? `, ${quiet} quiet windows judged` : ''}; trace ${spooled} events spooled; ` +
    `peak rss ${Math.round(peakRssBytes / 2 ** 20)} MB`
  );
}

export const command: Command = {
  name: 'soak',
  summary: 'One long simulated run (up to 1h) with faults throughout, in bounded memory, stopping at the first violation',
  usage: 'crucible soak --system S --duration 1h [--seed N] [--faults LIST|all] [--phases 60s/30s] [--bug NAME --bug-at 30m] [--shrink] [--keep] [--json]',
  flags: [
    ...SCENARIO_FLAGS.filter((flag) => !OWN_FLAGS.has(flag.name)),
    { name: 'duration', type: 'string', valueName: 'TIME', description: 'Safety phase in simulated time: 1h, 30m, 90s, 500ms (a liveness phase follows)', required: true },
    { name: 'ops', type: 'int', valueName: 'M', description: `Client operations at most (default ${SOAK_OPS_DEFAULT}: the clients never run out)` },
    { name: 'seed', type: 'int', valueName: 'N', description: 'The root seed (default 1)' },
    { name: 'phases', type: 'string', valueName: 'F/Q', description: 'Repeating phases: F of faults, then Q healed and judged for progress, again and again (e.g. 60s/30s)' },
    { name: 'bug-at', type: 'string', valueName: 'TIME', description: 'Switch the --bug on only at this simulated time (e.g. 30m): a failure planted late' },
    { name: 'keep', type: 'boolean', description: 'Keep history, faults and the whole trace in the store even when the soak passes' },
    { name: 'shrink', type: 'boolean', description: 'Shrink a failure into a small capsule (each shrink run stops at its violation)' },
    { name: 'shrink-runs', type: 'int', valueName: 'N', description: `Runs a shrink may spend (default ${SOAK_SHRINK_RUNS_DEFAULT})` },
    { name: 'capsules', type: 'string', valueName: 'DIR', description: `Where a failure's capsule goes (default ${CAPSULE_DIR})` },
    { name: 'save-scenario', type: 'string', valueName: 'FILE', description: 'Write the explicit scenario (drawn faults included) to FILE' },
    PLUGIN_FLAG,
  ],
  details: [
    'Faults are drawn all the way through the run (--faults all unless told), the cap growing with the',
    'duration; the banner prints the cap. The trace is spooled to a file beside the store and copied in',
    'only when the run is kept (a failure, or --keep); the fingerprint is the same as a held run.',
    'Every 10 simulated seconds the invariants and assertions are looked at: the first violation stops',
    'the run there, recorded as a cut (stopAtMs), so its capsule replays that very prefix.',
    'Exit codes: 0 valid, 1 violation, 2 bad usage or input, 3 a checker could not decide.',
  ].join('\n'),
  async run(args, context) {
    const { scenario, words } = soakScenario(args);
    const seed = (args.flags.seed as number | undefined) ?? 1;
    if (seed < 0) throw new UsageError(`--seed ${seed}: a seed is a non-negative integer`);
    const pluginPath = args.flags.plugin as string | undefined;
    const plugin = await resolvePlugin(scenario.system, pluginPath);
    const storePath = prepareStorePath(context.store);
    const spool = TraceSpool.beside(storePath, `soak-seed${seed}`);
    const live = progressWriter(context.isTTY && !context.json);
    const started = performance.now();
    let peakRssBytes = process.memoryUsage.rss();
    let result: RunResult;
    try {
      result = runScenario(scenario, seed, {
        plugin,
        source: 'flags',
        traceSink: spool,
        stopOnViolation: true,
        progressEveryMs: SOAK_PROGRESS_EVERY_MS,
        onProgress: (progress) => {
          const rss = process.memoryUsage.rss();
          peakRssBytes = Math.max(peakRssBytes, rss);
          live.line(soakProgressLine(progress, rss, performance.now() - started));
        },
      });
    } catch (error) {
      spool.remove();
      if (error instanceof ScenarioError) throw new UsageError(error.message);
      throw error;
    } finally {
      live.end();
    }
    const wallMs = performance.now() - started;
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
    spool.close();
    const seedAt = words.indexOf('--system') + 2;
    words.splice(seedAt, 0, '--seed', String(seed));
    const repro = `${CLI} soak ${words.join(' ')}${pluginPath === undefined ? '' : ` --plugin ${pluginPath}`}`;
    const saveTo = args.flags['save-scenario'] as string | undefined;
    if (saveTo !== undefined) writeFileSync(saveTo, `${JSON.stringify(result.scenario, null, 2)}\n`);
    const keep = args.flags.keep === true;
    const store = openRunStore(context.store);
    let runId: number;
    try {
      runId = saveResult(store, result, { wallMs, repro, keep, tags: ['soak'], trace: spool.events() });
    } finally {
      store.close();
      spool.remove();
    }
    const note = closingNote(result, wallMs, peakRssBytes, spool.count);
    const capsule = result.violation === null ? null : soakCapsule(result, args, context, plugin, pluginPath);
    if (context.json) {
      context.out(JSON.stringify({ ...runJson(runId, result, wallMs, repro), soak: { peakRssBytes, traceSpooled: spool.count, stoppedAtMs: result.stoppedAtMs ?? null, quietWindows: result.quietWindows?.length ?? 0 }, capsule }));
    } else {
      printRun(context, result, wallMs, repro, runId, keep);
      context.out(note);
      if (capsule !== null) context.out(`capsule ${capsule.file} (${capsule.faultEvents} fault events, ${capsule.ops} ops${capsule.shrinkRuns > 0 ? `, shrunk in ${capsule.shrinkRuns} runs` : ''}); replay with: ${capsule.repro}`);
    }
    return exitFor(result.verdict);
  },
};

/** The failure's capsule, shrunk first when asked. */
function soakCapsule(
  found: RunResult,
  args: Parameters<Command['run']>[0],
  context: CommandContext,
  plugin: Parameters<typeof shrinkSoak>[1],
  pluginPath: string | undefined,
): { file: string; repro: string; faultEvents: number; ops: number; shrinkRuns: number } {
  const dir = (args.flags.capsules as string | undefined) ?? CAPSULE_DIR;
  let result = found;
  let shrink: { runs: number; steps: string[] } | undefined;
  if (args.flags.shrink === true) {
    const runsMax = (args.flags['shrink-runs'] as number | undefined) ?? SOAK_SHRINK_RUNS_DEFAULT;
    if (!context.json) context.out(`shrinking the failure (at most ${runsMax} runs)...`);
    const shrunk = shrinkSoak(found, plugin, runsMax, { progressEveryMs: SOAK_PROGRESS_EVERY_MS });
    result = shrunk.result;
    shrink = { runs: shrunk.runs, steps: shrunk.steps };
  }
  const origin = { found: { seed: found.seed, faultEvents: found.faultEvents, ops: found.ops, fingerprint: found.fingerprint }, ...(shrink === undefined ? {} : { shrink }), ...(pluginPath === undefined ? {} : { plugin: pluginPath }) };
  const capsule = capsuleOf(result, origin);
  const repro = capsuleRepro(join(dir, capsuleFileName(capsule)));
  capsule.summary = `${repro}  # ${failureSummary(result)}`;
  const file = writeCapsule(capsule, dir);
  return { file, repro, faultEvents: result.faultEvents, ops: result.ops, shrinkRuns: shrink?.runs ?? 0 };
}
