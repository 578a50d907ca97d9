// `crucible fuzz --system S --runs N [...]`: many seeds across worker processes, each run stored as it
// finishes, failures shrunk into capsules and reported with the command that replays them.
// `crucible fuzz merge STORE...` gathers the runs of shards run elsewhere into --store.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { EXIT, UsageError, type Command, type CommandContext } from '../cli/command.js';
import { openRunStore } from '../cli/store-path.js';
import type { RunStore } from '../../histories/store.js';
import { capsuleFileName, capsuleOf, capsuleRepro, CAPSULE_DIR, writeCapsule } from '../lab/capsule.js';
import { failureSummary, saveResult } from '../lab/persist.js';
import { PLUGIN_FLAG } from '../lab/plugin.js';
import { projectRelative } from '../lab/config.js';
import { pluginWords as pluginWordsOf, runRepro, SCENARIO_FLAGS, scenarioAndSystem, scenarioFlags, type ScenarioFlags } from '../lab/scenario-args.js';
import { runCampaign, WORKERS_MAX } from '../fuzz/campaign.js';
import type { CampaignConfig, SeedDone, ShrinkDone } from '../fuzz/executor.js';
import { mergeExitCode, mergeStores, mergeLines } from '../fuzz/merge.js';
import { failureLine, progressLine, summaryJson, summaryLines, type CampaignSummary, type FailureReport } from '../fuzz/report.js';
import { parseShard, shardSeeds, type Shard } from '../fuzz/shard.js';
import { DEFAULT_TRACE_LIMIT } from '../lab/runner.js';

export const RUNS_MAX = 10_000_000;
/** Runs one shrink may spend unless told: a few seconds to half a minute of Raft runs. */
export const SHRINK_RUNS_DEFAULT = 1000;
/** Capsules one campaign writes at most. */
export const CAPSULES_MAX = 100;

/** Tags that tie a stored run to its campaign, so shards from many machines can be merged. */
export function campaignTags(campaign: string, seedStart: number, seeds: number, shard: Shard): string[] {
  return ['fuzz', `campaign:${campaign}`, `seeds:${seedStart}+${seeds}`, `shard:${shard.index}/${shard.count}`];
}

/** Same system, scenario, seeds and plugin: same campaign id on every machine (the plugin named relative to the project). */
export function campaignId(config: CampaignConfig, seedStart: number, runs: number): string {
  const text = JSON.stringify({ scenario: config.scenario, seedStart, runs, plugin: config.pluginPath === null ? null : projectRelative(config.pluginPath) });
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

class LiveLine {
  private shown = false;
  constructor(private readonly enabled: boolean) {}
  show(text: string): void {
    if (!this.enabled) return;
    process.stdout.write(`\x1b[2K\r${text}`);
    this.shown = true;
  }
  /** Clears the live line so a normal line can be printed above it. */
  clear(): void {
    if (!this.enabled || !this.shown) return;
    process.stdout.write('\x1b[2K\r');
    this.shown = false;
  }
}

async function fuzz(args: Parameters<Command['run']>[0], context: CommandContext): Promise<number> {
  const flags: ScenarioFlags = scenarioFlags(args);
  const runs = args.flags.runs as number | undefined;
  if (runs === undefined) throw new UsageError('missing --runs N (how many seeds to run)');
  if (runs < 1 || runs > RUNS_MAX) throw new UsageError(`--runs ${runs}: between 1 and ${RUNS_MAX}`);
  const seedStart = (args.flags['seed-start'] as number | undefined) ?? 0;
  if (seedStart < 0) throw new UsageError(`--seed-start ${seedStart}: seeds are non-negative`);
  const workers = (args.flags.workers as number | undefined) ?? availableParallelism();
  if (workers < 0 || workers > WORKERS_MAX) throw new UsageError(`--workers ${workers}: between 0 (in-process) and ${WORKERS_MAX}`);
  const shard = parseShard((args.flags.shard as string | undefined) ?? '0/1');
  const timeLimit = args.flags['time-limit'] as number | undefined;
  if (timeLimit !== undefined && timeLimit < 1) throw new UsageError(`--time-limit ${timeLimit}: seconds, at least 1`);
  const shrinkRuns = (args.flags['shrink-runs'] as number | undefined) ?? SHRINK_RUNS_DEFAULT;
  if (shrinkRuns < 0) throw new UsageError(`--shrink-runs ${shrinkRuns}: must not be negative`);
  // A campaign without any fault setting fuzzes with every fault kind: that is what fuzzing is for.
  if (flags.faults === undefined && flags.swarm !== true && flags.scenario === undefined) flags.faults = ['all'];
  // Resolved here, so a bad name fails in one line before any worker starts; the workers load the
  // module by its absolute path, the capsules name it relative to the project.
  const { scenario, system } = await scenarioAndSystem(flags, args.flags.plugin as string | undefined);
  const pluginPath = system.module;
  const capsulePlugin = pluginPath === null ? null : projectRelative(pluginPath);
  const config: CampaignConfig = { scenario, pluginPath, shrinkRunsMax: shrinkRuns, traceLimit: DEFAULT_TRACE_LIMIT };
  const campaign = campaignId(config, seedStart, runs);
  const tags = campaignTags(campaign, seedStart, runs, shard);
  const store: RunStore = openRunStore(context.store);
  // A resumed campaign (same flags, same store) skips the seeds whose runs the store already holds.
  let seeds = shardSeeds(seedStart, runs, shard);
  if (args.flags.resume === true) {
    let stored: Map<number, string>;
    try {
      stored = store.seedsTagged(`campaign:${campaign}`, 'shrunk');
    } catch (error) {
      store.close();
      throw error;
    }
    const before = seeds.length;
    seeds = seeds.filter((seed) => !stored.has(seed));
    const invalid = [...stored.values()].filter((verdict) => verdict === 'invalid').length;
    if (!context.json) {
      context.out(`resuming campaign ${campaign}: ${before - seeds.length} of ${before} seeds already in ${context.store}${invalid > 0 ? ` (${invalid} invalid: \`crucible runs --verdict invalid\` lists them)` : ''}; running the other ${seeds.length}`);
    }
    if (seeds.length === 0) {
      store.close();
      if (!context.json) context.out('nothing left to run');
      else context.out(JSON.stringify({ campaign, resumed: true, runs: 0, skipped: before, invalidBefore: invalid }));
      return invalid > 0 ? EXIT.VIOLATION : EXIT.OK;
    }
  }
  const capsuleDir = (args.flags.capsules as string | undefined) ?? CAPSULE_DIR;
  const pluginWords = pluginWordsOf(system);

  const live = new LiveLine(context.isTTY && !context.json);
  const failures: FailureReport[] = [];
  const pending = new Map<number, FailureReport>();
  const counts = { valid: 0, invalid: 0, unknown: 0 };
  const shrink = args.flags.shrink !== false;
  const shrinkMax = (args.flags['shrink-max'] as number | undefined) ?? 3;
  if (shrinkMax < 0) throw new UsageError(`--shrink-max ${shrinkMax}: must not be negative`);
  let failureCount = 0;
  let done = 0;
  let events = 0;
  const startedMs = performance.now();
  const startedCpu = process.cpuUsage();

  const announce = (failure: FailureReport) => {
    failures.push(failure);
    if (context.json) return;
    live.clear();
    context.out(failureLine(failure));
  };
  const showProgress = () => live.show(progressLine(done, seeds.length, performance.now() - startedMs, events, counts.invalid));

  const onSeed = (finished: SeedDone) => {
    const result = finished.result;
    const repro = runRepro(flags, finished.seed) + pluginWords;
    const runId = saveResult(store, result, { wallMs: finished.wallMs, repro, tags });
    done++;
    events += result.events;
    counts[result.verdict]++;
    if (result.violation !== null) {
      failureCount++;
      // The first failures get a capsule at once (a shrink replaces it with a smaller one later);
      // past CAPSULES_MAX a campaign full of failures reports the run command instead of filling a disk.
      let file: string | null = null;
      if (failureCount <= CAPSULES_MAX) {
        file = writeCapsule(capsuleOf(result, { plugin: capsulePlugin, summary: `${repro}  # ${failureSummary(result)}` }), capsuleDir);
      }
      const failure: FailureReport = {
        seed: finished.seed,
        violation: result.violation,
        verdict: result.verdict,
        fingerprint: result.fingerprint,
        repro: file === null ? repro : capsuleRepro(file),
        capsule: { file, faultEvents: result.faultEvents, ops: result.ops, seed: result.seed },
        original: { faultEvents: result.faultEvents, ops: result.ops, fingerprint: result.fingerprint },
        shrinkRuns: 0,
        summary: failureSummary(result),
        runId,
        shrunkRunId: null,
      };
      // The campaign shrinks the first --shrink-max failures, in the order they finish.
      if (shrink && failureCount <= shrinkMax) pending.set(finished.seed, failure);
      else announce(failure);
    }
    showProgress();
  };

  const onShrunk = (finished: ShrinkDone) => {
    const failure = pending.get(finished.seed);
    if (failure === undefined) return;
    pending.delete(finished.seed);
    const result = finished.result;
    const found = { seed: finished.seed, faultEvents: finished.original.faultEvents, ops: finished.original.ops, fingerprint: finished.original.fingerprint };
    const capsule = capsuleOf(result, { plugin: capsulePlugin, found, shrink: { runs: finished.runs, steps: finished.steps } });
    const repro = capsuleRepro(join(capsuleDir, capsuleFileName(capsule)));
    capsule.summary = `${repro}  # ${failureSummary(result)}`;
    const file = writeCapsule(capsule, capsuleDir);
    // The unshrunk capsule written when the failure was found is superseded now.
    if (failure.capsule.file !== null && failure.capsule.file !== file) rmSync(failure.capsule.file, { force: true });
    const shrunkRunId = saveResult(store, result, { wallMs: finished.wallMs, repro, tags: [...tags, 'shrunk'], keep: true });
    announce({
      ...failure,
      violation: result.violation ?? failure.violation,
      fingerprint: result.fingerprint,
      repro,
      capsule: { file, faultEvents: result.faultEvents, ops: result.ops, seed: result.seed },
      shrinkRuns: finished.runs,
      summary: failureSummary(result),
      shrunkRunId,
    });
    showProgress();
  };

  let errorCount = 0;
  let outcome;
  try {
    outcome = await runCampaign(
      {
        config,
        seeds,
        workers,
        keepGoing: args.flags['keep-going'] === true,
        shrink,
        shrinkMax,
        timeLimitMs: timeLimit === undefined ? null : timeLimit * 1000,
      },
      {
        seed: onSeed,
        shrunk: onShrunk,
        error(seed, task, message) {
          errorCount++;
          live.clear();
          context.err(`crucible fuzz: internal error in the ${task} of seed ${seed}: ${message.split('\n')[0]} (${runRepro(flags, seed)}${pluginWords} reproduces it)`);
          // A failure whose shrink broke is still reported, unshrunk.
          const failure = pending.get(seed);
          if (failure !== undefined) {
            pending.delete(seed);
            announce(failure);
          }
        },
      },
    );
  } finally {
    store.close();
  }
  // Shrinks that never ran (the campaign stopped): report those failures as found.
  for (const failure of pending.values()) announce(failure);
  live.clear();
  failures.sort((a, b) => a.seed - b.seed);
  const wallMs = outcome.wallMs;
  const summary: CampaignSummary = {
    system: scenario.system,
    bug: scenario.bug,
    campaign,
    seedStart,
    seeds: runs,
    shard: `${shard.index}/${shard.count}`,
    workers,
    runs: outcome.runs,
    ...counts,
    errors: errorCount,
    failures,
    runsPerSec: outcome.runs / Math.max(wallMs / 1000, 1e-9),
    eventsPerSec: outcome.events / Math.max(wallMs / 1000, 1e-9),
    wallMs,
    // This process's own CPU, plus the workers' (each reports what its tasks took).
    cpuMs: cpuMsSince(startedCpu) + (workers > 0 ? outcome.taskCpuMs : 0),
    stopped: outcome.stopped,
    store: context.store,
  };
  if (context.json) context.out(JSON.stringify(summaryJson(summary)));
  else for (const line of summaryLines(summary)) context.out(line);
  if (counts.invalid > 0) return EXIT.VIOLATION;
  if (errorCount > 0) return EXIT.USAGE;
  if (counts.unknown > 0) return EXIT.UNKNOWN;
  return EXIT.OK;
}

async function merge(args: Parameters<Command['run']>[0], context: CommandContext): Promise<number> {
  const sources = args.positionals.slice(1);
  if (sources.length === 0) throw new UsageError('fuzz merge needs the shard stores to gather: crucible fuzz merge SHARD.db... [--store TARGET]');
  const result = mergeStores(sources, context.store);
  if (context.json) context.out(JSON.stringify(result));
  else for (const line of mergeLines(result)) context.out(line);
  return mergeExitCode(result);
}

export const command: Command = {
  name: 'fuzz',
  summary: 'Run many seeds across cores; shrink failures into replayable capsules',
  usage:
    'crucible fuzz [--system S] --runs N [--seed-start N] [--faults LIST | --swarm] [--bug NAME] [--workers W] [--shard i/n] [--time-limit T] [--resume] [--keep-going] [--no-shrink] [--json]\n' +
    '       crucible fuzz merge SHARD_STORE... [--store TARGET] [--json]',
  positionals: [{ name: 'merge', description: '`merge` then the shard stores to gather into --store', variadic: true }],
  flags: [
    ...SCENARIO_FLAGS,
    { name: 'runs', type: 'int', valueName: 'N', description: 'Seeds in the whole campaign (all shards together)' },
    { name: 'seed-start', type: 'int', valueName: 'N', description: 'First seed (default 0)' },
    { name: 'workers', type: 'int', valueName: 'W', description: 'Worker processes (default: one per core; 0 runs in this process)' },
    { name: 'shard', type: 'string', valueName: 'i/n', description: 'Run only shard i of n (every n-th seed from the i-th)' },
    { name: 'time-limit', type: 'int', valueName: 'T', description: 'Stop handing out seeds after T wall seconds' },
    { name: 'resume', type: 'boolean', description: 'Skip the seeds this campaign (same flags) already has in --store: go on after a kill or a --time-limit' },
    { name: 'keep-going', type: 'boolean', description: 'Run every seed even after a failure' },
    { name: 'shrink', type: 'boolean', default: true, description: 'Shrink failures (--no-shrink keeps them as found)' },
    { name: 'shrink-runs', type: 'int', valueName: 'N', description: `Runs one shrink may spend (default ${SHRINK_RUNS_DEFAULT})` },
    { name: 'shrink-max', type: 'int', valueName: 'N', description: 'Failures shrunk at most (default 3)' },
    { name: 'capsules', type: 'string', valueName: 'DIR', description: `Where capsules are written (default ${CAPSULE_DIR})` },
    PLUGIN_FLAG,
  ],
  details: [
    'Without --faults, --swarm or a scenario file, every fault kind is on (--faults all).',
    'Each finished run is stored at once (a killed campaign loses no finished run). Each failure is',
    'written as a capsule (shrunk unless --no-shrink) and reported as a line that begins with its',
    '`crucible replay CAPSULE` command. Seeds stop being handed out after the first failure unless',
    '--keep-going. Shards: run `--shard i/n` on n machines with the same flags, then',
    '`crucible fuzz merge shard-*.db` to gather and check the whole campaign.',
  ].join('\n'),
  async run(args, context) {
    if (args.positionals[0] === 'merge') return merge(args, context);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}" (only \`fuzz merge STORE...\` takes arguments)`);
    return fuzz(args, context);
  },
};
