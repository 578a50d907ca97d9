// The viewer's link to the run store: reads runs, builds run models and trace windows on demand and
// keeps the last few, so the reducer gets its context synchronously for any state (even for keys
// that arrive before the screen has been redrawn).
import type { StoredRun, TraceEventRow } from '../../histories/store.js';
import { backgroundRule, isBackgroundEvent } from '../model/background.js';
import { serverNodes } from '../model/cluster.js';
import { readStatusEvents, statusLanes, type StatusLanes } from '../model/nodeStatus.js';
import { loadRunModel, runEndOf, type RunModel, type RunSource } from '../model/run.js';
import { describeTraceEvent, scanTrace, traceAround, type TraceWindow } from '../model/traceWindow.js';
import { opFilterMatches, opIdAt, traceMatches, type ViewerContext, type ViewerState } from './state.js';

/** Runs the list holds at most; the newest come first. */
export const LIST_RUNS_MAX = 10_000;
/** Run models kept in memory: a 100,000-op run costs some tens of MB, so only a couple. */
const MODELS_KEPT_MAX = 2;
const TRACE_WINDOWS_KEPT_MAX = 8;

export class ViewerSession {
  private runsCache: StoredRun[] | null = null;
  private readonly models = new Map<number, RunModel | null>();
  private readonly traces = new Map<string, TraceWindow>();
  private visible: { runId: number; filter: string; ids: number[] } | null = null;
  private readonly statuses = new Map<number, StatusLanes>();

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

  /** Op ids the state's op filter shows (null: no filter), computed once per filter. */
  visibleOps(state: ViewerState): number[] | null {
    const model = this.model(state.run.runId);
    const filter = state.run.opFilter;
    if (model === null || filter === '') return null;
    if (this.visible === null || this.visible.runId !== model.run.id || this.visible.filter !== filter) {
      this.visible = { runId: model.run.id, filter, ids: model.timeline.ops.filter((op) => opFilterMatches(op, filter)).map((op) => op.id) };
    }
    return this.visible.ids;
  }

  /** The op under the state's cursor. */
  cursorOpId(state: ViewerState): number | undefined {
    return opIdAt({ runs: [], model: this.model(state.run.runId), trace: null, visibleOps: this.visibleOps(state) }, state.run.cursor);
  }

  /** Keeps an event in the trace pane: the filter's words, and background only when asked. */
  private keeper(model: RunModel, state: ViewerState): (event: TraceEventRow) => boolean {
    const filter = state.run.traceFilter;
    const rule = backgroundRule(model.run.scenario);
    const showBackground = state.run.showBackground;
    return (event) => traceMatches(event, filter) && (showBackground || !isBackgroundEvent(event, rule));
  }

  /** The trace around the cursor op's time (or a trace search's hit), filtered as the state says. */
  traceFor(state: ViewerState): TraceWindow | null {
    const model = this.model(state.run.runId);
    if (model === null || state.screen !== 'run') return null;
    const op = model.timeline.ops[this.cursorOpId(state) ?? -1];
    if (op === undefined || model.timeline.timeUnit !== 'ns') return null;
    const at = state.run.traceFocusNs ?? op.invokeNs;
    const key = `${model.run.id}:${at}:${state.run.traceFilter}:${state.run.showBackground}`;
    let window = this.traces.get(key);
    if (window === undefined) {
      if (this.traces.size >= TRACE_WINDOWS_KEPT_MAX) this.traces.delete(this.traces.keys().next().value!);
      window = traceAround(this.source, model.run.id, at, this.keeper(model, state));
      this.traces.set(key, window);
    }
    return window;
  }

  /** The first shown trace event after `afterNs` whose text contains `query`, read in bounded queries. */
  findTrace(state: ViewerState, query: string, afterNs: number): TraceEventRow | null {
    const model = this.model(state.run.runId);
    if (model === null) return null;
    const keep = this.keeper(model, state);
    const needle = query.toLowerCase();
    let found: TraceEventRow | null = null;
    scanTrace(this.source, model.run.id, Math.floor(afterNs) + 1, runEndOf(model), (event) => {
      if (keep(event) && describeTraceEvent(event, 10_000).toLowerCase().includes(needle)) found = event;
      return found !== null;
    });
    return found;
  }

  /** The node status lanes of a run, once read (null until `loadStatus` has run for it). */
  status(runId: number | null): StatusLanes | null {
    return runId === null ? null : (this.statuses.get(runId) ?? null);
  }

  /** Reads the status events of a run (the whole trace, page by page): after the first frame. */
  loadStatus(runId: number | null): StatusLanes | null {
    const model = this.model(runId);
    if (model === null || runId === null) return null;
    let lanes = this.statuses.get(runId);
    if (lanes === undefined) {
      const endNs = runEndOf(model);
      lanes = statusLanes(readStatusEvents(this.source, runId, endNs), serverNodes(model), endNs);
      this.statuses.set(runId, lanes);
    }
    return lanes;
  }

  context(state: ViewerState): ViewerContext {
    const trace = this.traceFor(state);
    return {
      runs: this.runs(),
      model: this.model(state.run.runId),
      trace: trace === null ? null : { count: trace.rows.length, anchor: trace.anchor },
      visibleOps: this.visibleOps(state),
      findTrace: (query, afterNs) => this.findTrace(state, query, afterNs),
    };
  }
}
