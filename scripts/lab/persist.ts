// Saving a run in the store. A passing run keeps only what regenerates it (scenario, seed, verdicts,
// counts, fingerprint); a failing run (or one kept on request) also keeps its history, fault events
// and trace, so it can be viewed without replaying.
import type { NewRun, RunStore } from '../../histories/store.js';
import type { RunResult } from './runner.js';
import type { TraceEvent } from '../../workloads/system.js';
import { codeVersion } from './code-version.js';

export interface SaveOptions {
  wallMs: number;
  /** The exact command that replays the run; also the first words of its notes when it failed. */
  repro: string;
  /** Keep history, faults and trace even when the run passed. */
  keep?: boolean;
  tags?: readonly string[];
  /** The trace to keep instead of the result's (a spooled trace read back, histories/trace-spool.ts). */
  trace?: Iterable<TraceEvent>;
}

/** The row of a run, without its parts. */
export function newRun(result: RunResult, options: SaveOptions): NewRun {
  const failed = result.verdict !== 'valid';
  const run: NewRun = {
    kind: 'sim',
    system: result.scenario.system,
    seed: result.seed,
    scenario: result.scenario,
    codeVersion: codeVersion().commit,
    verdict: result.verdict,
    checkers: result.checkers,
    fingerprint: result.fingerprint,
    ops: result.ops,
    events: result.events,
    simMs: result.simMs,
    wallMs: Math.round(options.wallMs),
    faults: result.faultEvents,
    bug: result.scenario.bug,
    repro: options.repro,
    tags: options.tags ?? [],
  };
  // Every failure message begins with the command that reproduces it, in the store too.
  if (failed) run.notes = `${options.repro}  # ${result.verdict}: ${failureSummary(result)}`;
  return run;
}

/** One line: the invalid (or unknown) checkers and what each said. */
export function failureSummary(result: RunResult): string {
  return result.checkers
    .filter((checker) => checker.verdict !== 'valid')
    .map((checker) => `${checker.checker}: ${checker.summary}`)
    .join('; ');
}

/** Saves the run in one transaction; returns its id. */
export function saveResult(store: RunStore, result: RunResult, options: SaveOptions): number {
  const run = newRun(result, options);
  const keep = options.keep === true || result.verdict !== 'valid';
  if (!keep) return store.saveRun(run);
  return store.saveRun(run, {
    history: result.history,
    faults: result.faultRows,
    trace: options.trace ?? result.trace,
  });
}
