// `crucible replay RUN_ID|CAPSULE_FILE` (or run's flags): runs it again, stores the new run, and
// says whether the fingerprint matched what was recorded. A capsule made by other code replays
// with a warning: a different fingerprint there may mean the code changed, not that replay broke.
import { existsSync } from 'node:fs';
import { UsageError, type Command } from '../cli/command.js';
import { openRunStore, openRunStoreForReading } from '../cli/store-path.js';
import type { ScenarioInput } from '../lab/scenario.js';
import { codeDrift, readCapsule } from '../lab/capsule.js';
import { saveResult } from '../lab/persist.js';
import { PLUGIN_FLAG, resolveSystem } from '../lab/plugin.js';
import { fromProjectRelative } from '../lab/config.js';
import { pluginWords, replayRepro, runRepro, SCENARIO_FLAGS, scenarioAndSystem, scenarioFlags } from '../lab/scenario-args.js';
import { exitFor, printRun, timedRun } from './run.js';

export interface Target {
  scenario: ScenarioInput;
  seed: number;
  system: string;
  /** The recorded fingerprint, or null when there is none to compare with (flags). */
  expected: string | null;
  expectedVerdict: string | null;
  repro: string;
  source: string;
  warning: string | null;
  /** The plugin module the target names, if any (a capsule's, resolved against the project's folder). */
  plugin: string | undefined;
}

export function fromStore(id: number, store: string): Target {
  const reader = openRunStoreForReading(store);
  if (reader === null) throw new UsageError(`run ${id}: the store ${store} does not exist yet; pass --store PATH or a capsule file`);
  try {
    const run = reader.getRun(id);
    if (run === undefined) throw new UsageError(`run ${id}: no such run in ${store}; \`crucible runs\` lists the stored runs`);
    if (run.seed === null || run.kind !== 'sim') throw new UsageError(`run ${id}: a ${run.kind} run has no seed to replay; only simulated runs replay`);
    return {
      scenario: run.scenario as ScenarioInput,
      seed: run.seed,
      system: run.system,
      expected: run.fingerprint,
      expectedVerdict: run.verdict,
      repro: replayRepro(String(id)),
      source: `run ${id}`,
      warning: null,
      plugin: undefined,
    };
  } finally {
    reader.close();
  }
}

export function fromCapsule(path: string): Target {
  const capsule = readCapsule(path);
  const drift = codeDrift(capsule);
  return {
    scenario: capsule.scenario as ScenarioInput,
    seed: capsule.seed,
    system: capsule.system,
    expected: capsule.expected.fingerprint,
    expectedVerdict: capsule.expected.verdict,
    repro: replayRepro(path),
    source: path,
    warning: drift === null ? null : `the capsule was made by other code (${drift}): a different fingerprint may be that change, not a broken replay`,
    plugin: capsule.plugin === undefined ? undefined : fromProjectRelative(capsule.plugin),
  };
}

export const command: Command = {
  name: 'replay',
  summary: 'Run a stored run or a capsule again and check its fingerprint',
  usage: 'crucible replay RUN_ID|CAPSULE_FILE [--json]   or   crucible replay --system S --seed N [run flags]',
  positionals: [{ name: 'target', description: 'A stored run id or a capsule file (.json)' }],
  flags: [
    ...SCENARIO_FLAGS,
    { name: 'seed', type: 'int', valueName: 'N', description: 'With run flags instead of a target: the seed' },
    { name: 'keep', type: 'boolean', description: 'Keep history, faults and trace in the store even when the run passes' },
    PLUGIN_FLAG,
  ],
  details: [
    'Exit 1 when the replayed run is invalid (a capsule of a live bug), 0 when valid, 3 when undecided.',
    'A fingerprint that differs from the recorded one is reported on stderr (and as matched: false).',
  ].join('\n'),
  async run(args, context) {
    const target = args.positionals[0];
    let chosen: Target;
    if (target !== undefined) {
      if (/^\d+$/.test(target) && !existsSync(target)) chosen = fromStore(Number(target), context.store);
      else chosen = fromCapsule(target);
    } else {
      const seed = args.flags.seed as number | undefined;
      if (seed === undefined) throw new UsageError('give a run id, a capsule file, or run flags with --seed N');
      const flags = scenarioFlags(args);
      const { scenario, system } = await scenarioAndSystem(flags, args.flags.plugin as string | undefined);
      chosen = { scenario, seed, system: scenario.system, expected: null, expectedVerdict: null, repro: runRepro(flags, seed) + pluginWords(system), source: flags.scenario ?? 'flags', warning: null, plugin: system.module ?? undefined };
    }
    const pluginFlag = args.flags.plugin as string | undefined;
    const resolved = await resolveSystem(chosen.system, pluginFlag ?? chosen.plugin);
    const plugin = resolved.plugin;
    // A run id or a capsule replays by itself; only a flag given on top needs to be repeated.
    const repro = chosen.repro + (pluginFlag === undefined || target === undefined ? '' : pluginWords(resolved));
    if (chosen.warning !== null) context.err(`crucible replay: warning: ${chosen.warning}`);
    const { result, wallMs } = timedRun(chosen.scenario, chosen.seed, plugin, chosen.source);
    const store = openRunStore(context.store);
    let runId: number;
    try {
      runId = saveResult(store, result, { wallMs, repro, keep: args.flags.keep === true, tags: ['replay'] });
    } finally {
      store.close();
    }
    const matched = chosen.expected === null ? null : chosen.expected === result.fingerprint;
    if (context.json) {
      context.out(
        JSON.stringify({
          runId,
          fingerprint: result.fingerprint,
          expected: chosen.expected,
          matched,
          verdict: result.verdict,
          expectedVerdict: chosen.expectedVerdict,
          violation: result.violation,
          checkers: result.checkers,
          ops: result.ops,
          faultEvents: result.faultEvents,
          wallMs: Math.round(wallMs),
          repro,
        }),
      );
    } else {
      printRun(context, result, wallMs, repro, runId, args.flags.keep === true);
      if (matched === true) context.out(`fingerprint matched ${chosen.source}: ${result.fingerprint}`);
    }
    if (matched === false) {
      context.err(
        `crucible replay: fingerprint ${result.fingerprint} differs from the recorded ${chosen.expected} of ${chosen.source}` +
          (chosen.warning === null ? ' with the same code: the run is not deterministic, which is a bug worth reporting' : ' (the code changed since)') +
          (chosen.expectedVerdict !== result.verdict ? `; verdict was ${chosen.expectedVerdict}, now ${result.verdict}` : ''),
      );
    }
    return exitFor(result.verdict);
  },
};
