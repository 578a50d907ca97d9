// The viewer's state and the pure reducer that moves it: keys in, state out. Everything a person can
// do in the viewer is here and tested without a terminal; the ink components only draw the state and
// read the store.
import type { StoredRun, TraceEventRow } from '../../histories/store.js';
import type { RunModel } from '../model/run.js';
import { describeOp, firstOpAtOrAfter, opMatches, type TimelineOp } from '../model/timeline.js';
import { describeTraceEvent } from '../model/traceWindow.js';
import { evidenceLines } from './evidenceLines.js';
import { commandFor, type ScreenName, type ViewerCommand } from './keys.js';
import { listLayout, runLayout } from './layout.js';

export type Pane = 'timeline' | 'evidence' | 'trace';
export const PANES: readonly Pane[] = ['timeline', 'evidence', 'trace'];

/** `search` and `filter` read a line of text; `help` shows the keymap. */
export type Mode = 'normal' | 'search' | 'filter' | 'help';

export interface SearchState {
  query: string;
  /** Op ids matching `query`, ascending. */
  matches: number[];
  /** Position in `matches` of the current one, or -1. */
  at: number;
}

export interface RunScreenState {
  runId: number | null;
  /** Selected row: a position among the ops the op filter shows (the op id when there is no filter). */
  cursor: number;
  /** First timeline row drawn (a position, as `cursor`). */
  top: number;
  /** Space-separated words an op must match: `key:k1`, `p:2` (process), `node:n1`, or any text. */
  opFilter: string;
  /** Background trace events (timer ticks, heartbeat-like messages) are hidden unless this is on. */
  showBackground: boolean;
  /** The instant the trace pane centres on after a trace search; null: the cursor op's invoke. */
  traceFocusNs: number | null;
  /** The event a trace search found, as one line (the pane marks it among events at its instant). */
  traceHit: string | null;
  pane: Pane;
  evidenceTop: number;
  /** Trace rows scrolled from the row nearest the cursor's time (negative: earlier). */
  traceOffset: number;
  search: SearchState;
  /** Space-separated words: each must match the event's node exactly or its kind in part; `-word` hides. */
  traceFilter: string;
}

export interface ViewerState {
  screen: ScreenName;
  mode: Mode;
  /** The text being typed after `/` or `f`. */
  prompt: string;
  rows: number;
  cols: number;
  list: { cursor: number; top: number; filter: string };
  run: RunScreenState;
  /** One line for the status bar: what the last command did. */
  message: string | null;
  quit: boolean;
}

export type ViewerAction =
  /** A key press, by `keyName` (keys.ts). */
  | { type: 'key'; name: string }
  | { type: 'resize'; rows: number; cols: number };

/** What the reducer may read besides the state: plain data, so it stays pure. */
export interface ViewerContext {
  /** Every stored run, newest first (the list screen filters them itself). */
  runs: readonly StoredRun[];
  /** The open run's model, once loaded (null while none is open or it does not exist). */
  model: RunModel | null;
  /** The trace rows the trace pane holds now (after its filter) and where the cursor's time falls. */
  trace: { count: number; anchor: number } | null;
  /** Op ids the op filter shows, ascending; null when there is no filter (every op, position = id). */
  visibleOps?: readonly number[] | null;
  /** The first trace event after `afterNs` whose text contains `query` (the session reads the store). */
  findTrace?: (query: string, afterNs: number) => TraceEventRow | null;
}

/** How many rows the timeline shows. */
export function visibleCount(context: ViewerContext): number {
  return context.visibleOps?.length ?? context.model?.timeline.ops.length ?? 0;
}

/** The op id at a timeline position. */
export function opIdAt(context: ViewerContext, position: number): number | undefined {
  const visible = context.visibleOps;
  if (visible === null || visible === undefined) return position < visibleCount(context) ? position : undefined;
  return visible[position];
}

/** The position of an op id on the timeline, or -1 when the op filter hides it. */
export function positionOf(context: ViewerContext, opId: number): number {
  const visible = context.visibleOps;
  if (visible === null || visible === undefined) return opId;
  let low = 0;
  let high = visible.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (visible[middle] === opId) return middle;
    if (visible[middle]! < opId) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** True when an op passes the op filter: every word matches (`key:`, `p:`/`process:`, `node:`, `-word` hides). */
export function opFilterMatches(op: TimelineOp, filter: string): boolean {
  const words = filter.trim().toLowerCase().split(/\s+/).filter((word) => word !== '');
  return words.every((word) => {
    if (word.startsWith('-') && word.length > 1) return !opWordMatches(op, word.slice(1));
    return opWordMatches(op, word);
  });
}

function opWordMatches(op: TimelineOp, word: string): boolean {
  const named = /^(key|k|process|p|node|n|f|outcome)[:=](.+)$/.exec(word);
  if (named === null) return opMatches(op, word);
  const value = named[2]!;
  switch (named[1]) {
    case 'key':
    case 'k':
      return (op.key ?? '').toLowerCase() === value;
    case 'process':
    case 'p':
      return String(op.process) === value.replace(/^p/, '');
    case 'node':
    case 'n':
      return (op.node ?? '').toLowerCase() === value;
    case 'f':
      return op.f.toLowerCase() === value;
    default:
      return op.outcome === value;
  }
}

/** Prompts longer than this are cut: a search or filter is a few words. */
export const PROMPT_LENGTH_MAX = 200;
/**
 * The first trace row drawn: the row at the cursor's time sits mid-pane, moved by the offset, and the
 * window never leaves the rows held.
 */
export function traceStart(count: number, anchor: number, offset: number, height: number): number {
  return clamp(anchor - Math.floor(height / 2) + offset, 0, count - height);
}

export function initialState(options: { rows: number; cols: number; runId?: number }): ViewerState {
  if (!(Number.isInteger(options.rows) && options.rows > 0 && Number.isInteger(options.cols) && options.cols > 0)) {
    throw new Error(`viewer size must be positive integers, got ${options.rows}x${options.cols}`);
  }
  return {
    screen: options.runId === undefined ? 'list' : 'run',
    mode: 'normal',
    prompt: '',
    rows: options.rows,
    cols: options.cols,
    list: { cursor: 0, top: 0, filter: '' },
    run: freshRun(options.runId ?? null),
    message: null,
    quit: false,
  };
}

function freshRun(runId: number | null): RunScreenState {
  return {
    runId,
    cursor: 0,
    top: 0,
    pane: 'timeline',
    evidenceTop: 0,
    traceOffset: 0,
    search: { query: '', matches: [], at: -1 },
    traceFilter: '',
    opFilter: '',
    showBackground: false,
    traceFocusNs: null,
    traceHit: null,
  };
}

/**
 * The runs the list shows: every word of the filter must match. A bare word matches a verdict or a
 * kind exactly (so `valid` is not `invalid`) or a part of the system or the bug; `system:`,
 * `verdict:` and `bug:` name the field.
 */
export function filterRuns(runs: readonly StoredRun[], filter: string): StoredRun[] {
  const words = filter.trim().toLowerCase().split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return [...runs];
  return runs.filter((run) => {
    const system = run.system.toLowerCase();
    const bug = (run.bug ?? '').toLowerCase();
    return words.every((word) => {
      const named = /^(system|verdict|bug|kind)[:=](.*)$/.exec(word);
      if (named !== null) {
        const value = named[2]!;
        if (named[1] === 'system') return system === value;
        if (named[1] === 'verdict') return run.verdict === value;
        if (named[1] === 'kind') return run.kind === value;
        return bug.includes(value);
      }
      return run.verdict === word || run.kind === word || system.includes(word) || bug.includes(word);
    });
  });
}

/** True when a trace event passes the trace filter (`node:n1`, `kind:send`, bare words, `-word` to hide). */
export function traceMatches(event: TraceEventRow, filter: string): boolean {
  const words = filter.trim().toLowerCase().split(/\s+/).filter((word) => word !== '');
  const node = (event.node ?? 'world').toLowerCase();
  const kind = event.kind.toLowerCase();
  return words.every((word) => {
    // `-word` hides what `word` would show: `-timer` leaves the timers out.
    if (word.startsWith('-') && word.length > 1) return !matchesWord(word.slice(1), node, kind);
    return matchesWord(word, node, kind);
  });
}


function matchesWord(word: string, node: string, kind: string): boolean {
  if (word.startsWith('node:')) return node === word.slice(5);
  if (word.startsWith('kind:')) return kind.includes(word.slice(5));
  return node === word || kind.includes(word);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), Math.max(low, high));
}

/** Moves a cursor within `count` rows and scrolls `top` so it stays inside a window of `height`. */
function moveCursor(cursor: number, top: number, count: number, height: number, target: number, center = false): { cursor: number; top: number } {
  if (count === 0) return { cursor: 0, top: 0 };
  const next = clamp(target, 0, count - 1);
  let nextTop = top;
  if (center) nextTop = next - Math.floor(height / 2);
  else if (next < top) nextTop = next;
  else if (next >= top + height) nextTop = next - height + 1;
  return { cursor: next, top: clamp(nextTop, 0, count - height) };
}

/** The reducer. Pure: the same state, action and context always give the same state. */
export function reduce(state: ViewerState, action: ViewerAction, context: ViewerContext): ViewerState {
  if (action.type === 'resize') {
    if (action.rows <= 0 || action.cols <= 0) return state;
    return { ...state, rows: action.rows, cols: action.cols };
  }
  const name = action.name;
  if (state.mode === 'search' || state.mode === 'filter') return reducePrompt(state, name, context);
  if (state.mode === 'help') {
    // Any key closes the help; q still quits from there.
    if (name === 'q' || name === 'ctrl-c') return { ...state, quit: true };
    return { ...state, mode: 'normal' };
  }
  const command = commandFor(name, state.screen);
  if (command === null) return state;
  return reduceCommand({ ...state, message: null }, command, context);
}

function reducePrompt(state: ViewerState, name: string, context: ViewerContext): ViewerState {
  if (name === 'esc') return { ...state, mode: 'normal', prompt: '', message: null };
  if (name === 'enter') return submitPrompt({ ...state, mode: 'normal', prompt: '' }, state.mode, state.prompt, context);
  if (name === 'backspace') return { ...state, prompt: state.prompt.slice(0, -1) };
  const text = name === 'space' ? ' ' : name;
  // Only printable single characters join the prompt; named keys (arrows, tab) are ignored there.
  if ([...text].length !== 1 || state.prompt.length >= PROMPT_LENGTH_MAX) return state;
  return { ...state, prompt: state.prompt + text };
}

function submitPrompt(state: ViewerState, mode: Mode, text: string, context: ViewerContext): ViewerState {
  if (mode === 'filter' && state.screen === 'list') {
    const shown = filterRuns(context.runs, text);
    const layout = listLayout(state.rows);
    const moved = moveCursor(0, 0, shown.length, layout.listRows, 0);
    return {
      ...state,
      list: { filter: text.trim(), ...moved },
      message: text.trim() === '' ? 'filter cleared' : `${shown.length} run${shown.length === 1 ? '' : 's'} match "${text.trim()}"`,
    };
  }
  if (mode === 'filter' && state.run.pane === 'timeline') {
    // The op filter: the timeline shows only matching ops. The cursor stays on its op when it still
    // shows, else moves to the first shown op after it.
    const filter = text.trim();
    const model = context.model;
    const current = opIdAt(context, state.run.cursor) ?? 0;
    const visible = model === null || filter === '' ? null : model.timeline.ops.filter((op) => opFilterMatches(op, filter)).map((op) => op.id);
    const next: ViewerContext = { ...context, visibleOps: visible };
    let position = 0;
    if (visible !== null) {
      const at = visible.findIndex((id) => id >= current);
      position = at === -1 ? Math.max(0, visible.length - 1) : at;
    } else position = current;
    const moved = moveTimeline({ ...state, run: { ...state.run, opFilter: filter } }, next, position, true);
    const count = visibleCount(next);
    return {
      ...moved,
      run: { ...moved.run, search: { query: '', matches: [], at: -1 } },
      message: filter === '' ? 'op filter cleared: every op shown' : count === 0 ? `no op matches "${filter}" (f then Enter clears the filter)` : `${count} op${count === 1 ? '' : 's'} match "${filter}"`,
    };
  }
  if (mode === 'filter') {
    return {
      ...state,
      run: { ...state.run, traceFilter: text.trim(), traceOffset: 0, pane: 'trace' },
      message: text.trim() === '' ? 'trace filter cleared' : `trace filtered by "${text.trim()}"`,
    };
  }
  const query = text.trim();
  if (state.run.pane === 'trace') return searchTrace(state, query, context);
  // Search: every shown op whose text contains the query; the first match at or after the cursor.
  const model = context.model;
  if (model === null || query === '') return { ...state, run: { ...state.run, search: { query: '', matches: [], at: -1 } } };
  const matches: number[] = [];
  for (const op of model.timeline.ops) if (opMatches(op, query) && positionOf(context, op.id) !== -1) matches.push(op.id);
  if (matches.length === 0) {
    return { ...state, run: { ...state.run, search: { query, matches, at: -1 } }, message: `no op matches "${query}"${state.run.opFilter !== '' ? ' among the filtered ops' : ''}` };
  }
  const current = opIdAt(context, state.run.cursor) ?? 0;
  let at = matches.findIndex((id) => id >= current);
  if (at === -1) at = 0;
  return jumpToMatch({ ...state, run: { ...state.run, search: { query, matches, at } } }, at, context);
}

/**
 * `/` in the trace pane: the first trace event after the trace's instant whose text contains the
 * query (the store is searched, not only the rows on screen); the timeline cursor moves to the op
 * running then and the trace pane centres on the event. `n` searches on from there.
 */
function searchTrace(state: ViewerState, query: string, context: ViewerContext): ViewerState {
  const model = context.model;
  if (model === null || query === '' || context.findTrace === undefined) return { ...state, message: query === '' ? null : 'no trace to search' };
  const op = model.timeline.ops[opIdAt(context, state.run.cursor) ?? 0];
  const from = state.run.traceFocusNs ?? op?.invokeNs ?? 0;
  const found = context.findTrace(query, from);
  const search = { query, matches: [], at: -1 };
  if (found === null) return { ...state, run: { ...state.run, search, pane: 'trace' }, message: `no trace event after ${(from / 1_000_000).toFixed(3)}ms matches "${query}"` };
  // The last shown op invoked at or before the event.
  const before = Math.max(0, firstOpAtOrAfter(model.timeline, found.time + 1) - 1);
  let position = positionOf(context, before);
  if (position === -1) {
    const visible = context.visibleOps ?? [];
    let index = visible.findIndex((id) => id > before);
    index = index === -1 ? visible.length - 1 : Math.max(0, index - 1);
    position = Math.max(0, index);
  }
  const moved = moveTimeline(state, context, position, true);
  return {
    ...moved,
    run: { ...moved.run, pane: 'trace', traceFocusNs: found.time, traceHit: describeTraceEvent(found, 10_000), search },
    message: `trace: ${describeTraceEvent(found, 100)}`,
  };
}

function jumpToMatch(state: ViewerState, at: number, context: ViewerContext): ViewerState {
  const { matches, query } = state.run.search;
  const target = positionOf(context, matches[at]!);
  const moved = moveTimeline(state, context, Math.max(0, target), true);
  return {
    ...moved,
    run: { ...moved.run, search: { query, matches, at }, pane: 'timeline' },
    message: `match ${at + 1} of ${matches.length} for "${query}"`,
  };
}

/** Moves the timeline cursor to a position (not an op id: see positionOf). */
function moveTimeline(state: ViewerState, context: ViewerContext, target: number, center = false): ViewerState {
  const count = visibleCount(context);
  const layout = runLayout(state.rows, (context.model?.violations.length ?? 0) > 0);
  const moved = moveCursor(state.run.cursor, state.run.top, count, layout.timelineRows, target, center);
  return { ...state, run: { ...state.run, ...moved, traceOffset: 0, traceFocusNs: null, traceHit: null } };
}

function reduceCommand(state: ViewerState, command: ViewerCommand, context: ViewerContext): ViewerState {
  switch (command) {
    case 'quit':
      return { ...state, quit: true };
    case 'help':
      return { ...state, mode: 'help' };
    case 'filter':
      return { ...state, mode: 'filter', prompt: state.screen === 'list' ? state.list.filter : state.run.traceFilter };
    default:
      return state.screen === 'list' ? reduceList(state, command, context) : reduceRun(state, command, context);
  }
}

/** Rows a move command goes to from `cursor`, or null when it is not a move. */
function moveTarget(command: ViewerCommand, cursor: number, count: number, page: number): number | null {
  switch (command) {
    case 'up':
      return cursor - 1;
    case 'down':
      return cursor + 1;
    case 'pageUp':
      return cursor - page;
    case 'pageDown':
      return cursor + page;
    case 'top':
      return 0;
    case 'bottom':
      return count - 1;
    default:
      return null;
  }
}

function reduceList(state: ViewerState, command: ViewerCommand, context: ViewerContext): ViewerState {
  const shown = filterRuns(context.runs, state.list.filter);
  const layout = listLayout(state.rows);
  const target = moveTarget(command, state.list.cursor, shown.length, layout.listRows);
  if (target !== null) {
    return { ...state, list: { ...state.list, ...moveCursor(state.list.cursor, state.list.top, shown.length, layout.listRows, target) } };
  }
  if (command === 'open') {
    const run = shown[state.list.cursor];
    if (run === undefined) return { ...state, message: 'no run to open' };
    return { ...state, screen: 'run', run: freshRun(run.id) };
  }
  return state;
}

/**
 * The evidence scroll that shows the offending ops of the first violation, with as much of the
 * prefix before them as fits (the summary line scrolls away first: the status line repeats it).
 */
export function offendingTop(model: RunModel, height: number): number {
  const lines = evidenceLines(model.violations);
  const first = lines.findIndex((line) => line.tone === 'offending');
  if (first === -1) return 0;
  let last = first;
  while (last + 1 < lines.length && lines[last + 1]!.tone === 'offending') last++;
  // Keep the line that introduces the offending ops ("cannot follow it") in view as well, when
  // there is room for both.
  const topMax = height >= 2 ? Math.max(0, first - 1) : first;
  return clamp(last + 1 - height, 0, topMax);
}

function reduceRun(state: ViewerState, command: ViewerCommand, context: ViewerContext): ViewerState {
  const model = context.model;
  const layout = runLayout(state.rows, (model?.violations.length ?? 0) > 0);
  if (command === 'back') return { ...state, screen: 'list', mode: 'normal' };
  if (command === 'nextPane' || command === 'previousPane') {
    const step = command === 'nextPane' ? 1 : PANES.length - 1;
    const pane = PANES[(PANES.indexOf(state.run.pane) + step) % PANES.length]!;
    return { ...state, run: { ...state.run, pane } };
  }
  if (command === 'search') return { ...state, mode: 'search', prompt: '' };
  if (command === 'toggleBackground') {
    const showBackground = !state.run.showBackground;
    return { ...state, run: { ...state.run, showBackground, traceOffset: 0 }, message: showBackground ? 'trace shows background events (timer ticks, heartbeat-like messages)' : 'trace hides background events (b shows them)' };
  }
  if ((command === 'nextMatch' || command === 'previousMatch') && state.run.pane === 'trace' && state.run.search.query !== '' && state.run.search.matches.length === 0) {
    // A trace search goes on forwards from the event it found.
    return searchTrace(state, state.run.search.query, context);
  }
  if (command === 'nextMatch' || command === 'previousMatch') {
    const { matches, at, query } = state.run.search;
    if (matches.length === 0) return { ...state, message: query === '' ? 'no search yet: press / to search' : `no op matches "${query}"` };
    const step = command === 'nextMatch' ? 1 : matches.length - 1;
    return jumpToMatch(state, (Math.max(at, 0) + (at === -1 ? 0 : step)) % matches.length, context);
  }
  if (command === 'firstViolation') {
    if (model === null) return { ...state, message: 'no run loaded' };
    const violation = model.violations[0];
    if (violation === undefined) return { ...state, message: 'no violation: every checker says valid' };
    if (model.firstViolationOp === null) {
      return { ...state, run: { ...state.run, pane: 'evidence', evidenceTop: 0 }, message: `${violation.checker} ${violation.verdict}: ${violation.summary}` };
    }
    // An op filter that hides the violation is cleared: the jump must land on it.
    let position = positionOf(context, model.firstViolationOp);
    let target: ViewerState = state;
    let targetContext = context;
    if (position === -1) {
      targetContext = { ...context, visibleOps: null };
      target = { ...state, run: { ...state.run, opFilter: '' } };
      position = model.firstViolationOp;
    }
    const moved = moveTimeline(target, targetContext, position, true);
    const op = model.timeline.ops[model.firstViolationOp]!;
    return {
      ...moved,
      run: { ...moved.run, pane: 'timeline', evidenceTop: offendingTop(model, layout.evidenceRows) },
      message: `first violation (${violation.checker}): #${op.invokeIndex} ${describeOp(op)}`,
    };
  }
  const pane = state.run.pane;
  if (pane === 'timeline') {
    const count = visibleCount(context);
    const target = moveTarget(command, state.run.cursor, count, layout.timelineRows);
    return target === null ? state : moveTimeline(state, context, target);
  }
  if (pane === 'evidence') {
    const count = model === null ? 0 : evidenceLines(model.violations).length;
    const topMax = Math.max(0, count - layout.evidenceRows);
    const target = moveTarget(command, state.run.evidenceTop, topMax + 1, layout.evidenceRows);
    return target === null ? state : { ...state, run: { ...state.run, evidenceTop: clamp(target, 0, topMax) } };
  }
  // The trace pane scrolls around the cursor's time, within the rows it holds.
  const trace = context.trace ?? { count: 0, anchor: 0 };
  const height = layout.traceRows;
  const start = traceStart(trace.count, trace.anchor, state.run.traceOffset, height);
  const target = moveTarget(command, start, trace.count, height);
  if (target === null) return state;
  const wanted = command === 'bottom' ? trace.count - height : target;
  const next = clamp(wanted, 0, trace.count - height);
  return { ...state, run: { ...state.run, traceOffset: next - (trace.anchor - Math.floor(height / 2)) } };
}
