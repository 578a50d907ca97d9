// The viewer's state and the pure reducer that moves it: keys in, state out. Everything a person can
// do in the viewer is here and tested without a terminal; the ink components only draw the state and
// read the store.
import type { StoredRun, TraceEventRow } from '../../histories/store.js';
import type { RunModel } from '../model/run.js';
import { describeOp, opMatches } from '../model/timeline.js';
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
  /** Selected op (timeline row). */
  cursor: number;
  /** First timeline row drawn. */
  top: number;
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
  if (mode === 'filter') {
    return {
      ...state,
      run: { ...state.run, traceFilter: text.trim(), traceOffset: 0, pane: 'trace' },
      message: text.trim() === '' ? 'trace filter cleared' : `trace filtered by "${text.trim()}"`,
    };
  }
  // Search: every op whose text contains the query; the first match at or after the cursor.
  const model = context.model;
  const query = text.trim();
  if (model === null || query === '') return { ...state, run: { ...state.run, search: { query: '', matches: [], at: -1 } } };
  const matches: number[] = [];
  for (const op of model.timeline.ops) if (opMatches(op, query)) matches.push(op.id);
  if (matches.length === 0) {
    return { ...state, run: { ...state.run, search: { query, matches, at: -1 } }, message: `no op matches "${query}"` };
  }
  let at = matches.findIndex((id) => id >= state.run.cursor);
  if (at === -1) at = 0;
  return jumpToMatch({ ...state, run: { ...state.run, search: { query, matches, at } } }, at, context);
}

function jumpToMatch(state: ViewerState, at: number, context: ViewerContext): ViewerState {
  const { matches, query } = state.run.search;
  const target = matches[at]!;
  const moved = moveTimeline(state, context, target, true);
  return {
    ...moved,
    run: { ...moved.run, search: { query, matches, at }, pane: 'timeline' },
    message: `match ${at + 1} of ${matches.length} for "${query}"`,
  };
}

function moveTimeline(state: ViewerState, context: ViewerContext, target: number, center = false): ViewerState {
  const count = context.model?.timeline.ops.length ?? 0;
  const layout = runLayout(state.rows, (context.model?.violations.length ?? 0) > 0);
  const moved = moveCursor(state.run.cursor, state.run.top, count, layout.timelineRows, target, center);
  return { ...state, run: { ...state.run, ...moved, traceOffset: 0 } };
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
  // Keep the line that introduces the offending ops ("cannot follow it") in view as well.
  const topMax = Math.max(0, first - 1);
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
    const moved = moveTimeline(state, context, model.firstViolationOp, true);
    const op = model.timeline.ops[model.firstViolationOp]!;
    return {
      ...moved,
      run: { ...moved.run, pane: 'timeline', evidenceTop: offendingTop(model, layout.evidenceRows) },
      message: `first violation (${violation.checker}): #${op.invokeIndex} ${describeOp(op)}`,
    };
  }
  const pane = state.run.pane;
  if (pane === 'timeline') {
    const count = model?.timeline.ops.length ?? 0;
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
