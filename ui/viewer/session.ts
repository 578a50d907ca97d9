// The viewer's link to the run store: reads runs, builds run models and trace windows on demand and
// keeps the last few, so the reducer gets its context synchronously for any state (even for keys
// that arrive before the screen has been redrawn).
import type { StoredRun } from '../../histories/store.js';
import { loadRunModel, type RunModel, type RunSource } from '../model/run.js';
import { traceAround, type TraceWindow } from '../model/traceWindow.js';
import { traceMatches, type ViewerContext, type ViewerState } from './state.js';

/** Runs the list holds at most; the newest come first. */
export const LIST_RUNS_MAX = 10_000;
/** Run models kept in memory: a 100,000-op run costs some tens of MB, so only a couple. */
const MODELS_KEPT_MAX = 2;
const TRACE_WINDOWS_KEPT_MAX = 8;

export class ViewerSession {
  private runsCache: StoredRun[] | null = null;
  private readonly models = new Map<number, RunModel | null>();
  private readonly traces = new Map<string, TraceWindow>();

  constructor(readonly source: RunSource) {}

  runs(): StoredRun[] {
    if (this.runsCache === null) this.runsCache = this.source.listRuns({ limit: LIST_RUNS_MAX });
    return this.runsCache;
  }

  /** The model of a run, or null when the store has no such run. */
  model(runId: number | null): RunModel | null {
    if (runId === null) return null;
    if (!this.models.has(runId)) {
      if (this.models.size >= MODELS_KEPT_MAX) this.models.delete(this.models.keys().next().value!);
      this.models.set(runId, loadRunModel(this.source, runId) ?? null);
    }
    return this.models.get(runId)!;
  }

  /** The trace around the time of the state's cursor op, filtered by the state's trace filter. */
  traceFor(state: ViewerState): TraceWindow | null {
    const model = this.model(state.run.runId);
    if (model === null || state.screen !== 'run') return null;
    const op = model.timeline.ops[state.run.cursor];
    if (op === undefined || model.timeline.timeUnit !== 'ns') return null;
    const key = `${model.run.id}:${op.invokeNs}:${state.run.traceFilter}`;
    let window = this.traces.get(key);
    if (window === undefined) {
      if (this.traces.size >= TRACE_WINDOWS_KEPT_MAX) this.traces.delete(this.traces.keys().next().value!);
      const filter = state.run.traceFilter;
      window = traceAround(this.source, model.run.id, op.invokeNs, (event) => traceMatches(event, filter));
      this.traces.set(key, window);
    }
    return window;
  }

  context(state: ViewerState): ViewerContext {
    const trace = this.traceFor(state);
    return {
      runs: this.runs(),
      model: this.model(state.run.runId),
      trace: trace === null ? null : { count: trace.rows.length, anchor: trace.anchor },
    };
  }
}
