// Everything the viewer and the report know about one run, built once when the run is opened: the
// stored run, its timeline, fault bands and violations, and which ops the evidence points at.
import type { RunStore, StoredRun } from '../../histories/store.js';
import type { HistoryRecord } from '../../histories/schema.js';
import type { FaultEvent } from '../../histories/store.js';
import { buildFaultBands, type FaultBand } from './faults.js';
import { buildTimeline, opAtIndex, type Timeline } from './timeline.js';
import { violationsOf, type Violation } from './evidence.js';

/** What ui/ reads from the run store; the RunStore of histories/store.ts is one. */
export type RunSource = Pick<RunStore, 'listRuns' | 'getRun' | 'history' | 'faults' | 'trace'>;

export interface RunModel {
  run: StoredRun;
  timeline: Timeline;
  bands: FaultBand[];
  violations: Violation[];
  /** Op ids the first violation's evidence names, ascending. */
  highlighted: number[];
  /** The earliest offending op of the first violation, or null when the evidence names none. */
  firstViolationOp: number | null;
  /** The command that reproduces the run, or null when none does (an imported history). */
  repro: string | null;
  /** What a summary prints first: the command, or a sentence saying why there is none. */
  reproLine: string;
  /** True when the history was kept (failing runs, or runs saved with --keep). */
  hasHistory: boolean;
}

/**
 * The replay command of a stored run, exactly as a person pastes it: with the CLI prefix and the
 * `--plugin` module of the command that made it (a system from a module replays only with it).
 */
export function replayCommand(runId: number, storedRepro: string | null = null): string {
  // The two ways the CLI prints itself (this repository's npm script, a user's installed package).
  const cli = /^(npm run --silent crucible --|npx crucible) /.exec(storedRepro ?? '')?.[1] ?? 'npm run --silent crucible --';
  const plugin = / --plugin (\S+)/.exec(storedRepro ?? '')?.[1];
  return `${cli} replay ${runId}${plugin === undefined ? '' : ` --plugin ${plugin}`}`;
}

/**
 * The command that reproduces a stored run. A simulated run replays from the store by its id; a
 * cluster run has no seed to replay, so its own stored command (the `cluster test` that made it) is
 * the repro; an imported history has none unless the importer stored one.
 */
export function reproOf(run: Pick<StoredRun, 'id' | 'kind' | 'repro'>): string | null {
  if (run.kind === 'sim') return replayCommand(run.id, run.repro);
  return run.repro !== null && run.repro !== '' ? run.repro : null;
}

/** The repro command, or one sentence saying why a run has none. */
export function reproLineOf(run: Pick<StoredRun, 'id' | 'kind' | 'repro'>): string {
  return reproOf(run) ?? `run ${run.id} is a${run.kind === 'import' ? 'n' : ''} ${run.kind} run with no stored command to reproduce it`;
}

/** The end of a run: its last record, or its simulated length when longer (ns timelines). */
export function runEndOf(model: Pick<RunModel, 'run' | 'timeline'>): number {
  const simNs = model.timeline.timeUnit === 'ns' && model.run.simMs !== null ? Math.round(model.run.simMs * 1_000_000) : 0;
  return Math.max(model.timeline.endNs, simNs);
}

/** Builds the model from a run and its parts (pure: the caller did the reading). */
export function buildRunModel(run: StoredRun, history: readonly HistoryRecord[], faults: readonly FaultEvent[]): RunModel {
  const timeline = buildTimeline(history);
  // Bands left open reach the end of the run: the last record, or the run's simulated length.
  const runEndNs = runEndOf({ run, timeline });
  const bands = timeline.timeUnit === 'ns' ? buildFaultBands(faults, runEndNs) : [];
  const violations = violationsOf(run.checkers);
  const highlighted: number[] = [];
  const first = violations[0];
  if (first !== undefined) {
    const seen = new Set<number>();
    for (const index of first.indexes) {
      const id = opAtIndex(timeline, index);
      if (id !== null && !seen.has(id)) {
        seen.add(id);
        highlighted.push(id);
      }
    }
    highlighted.sort((a, b) => a - b);
  }
  return {
    run,
    timeline,
    bands,
    violations,
    highlighted,
    firstViolationOp: highlighted.length > 0 ? highlighted[0]! : null,
    repro: reproOf(run),
    reproLine: reproLineOf(run),
    hasHistory: history.length > 0,
  };
}

/** Reads a run from the source and builds its model; undefined when no such run is stored. */
export function loadRunModel(source: RunSource, runId: number): RunModel | undefined {
  const run = source.getRun(runId);
  if (run === undefined) return undefined;
  return buildRunModel(run, source.history(runId), source.faults(runId));
}
