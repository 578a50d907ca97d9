import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredRun } from '../../histories/store.js';
import { buildRunModel, type RunModel } from '../model/run.js';
import { bigHistory, failingModel, storedRun } from '../testing/fixtures.js';
import { evidenceLines } from './evidenceLines.js';
import { KEYMAP } from './keys.js';
import { runLayout, listLayout } from './layout.js';
import { filterRuns, initialState, opFilterMatches, opIdAt, reduce, traceMatches, traceStart, type ViewerContext, type ViewerState } from './state.js';

const RUNS: StoredRun[] = [
  storedRun({ id: 5, system: 'raft', verdict: 'invalid', bug: 'raft.stale-local-read' }),
  storedRun({ id: 4, system: 'broker', verdict: 'valid' }),
  storedRun({ id: 3, system: 'raft', verdict: 'valid' }),
  storedRun({ id: 2, system: 'cache', verdict: 'unknown' }),
  storedRun({ id: 1, system: 'raft', verdict: 'invalid' }),
];

function keys(state: ViewerState, names: readonly string[], context: ViewerContext): ViewerState {
  let current = state;
  for (const name of names) current = reduce(current, { type: 'key', name }, context);
  return current;
}

/** Deep-freezes a value so a reducer that mutates its input throws. */
function freeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value as object)) freeze(inner);
  }
  return value;
}

const listContext: ViewerContext = { runs: RUNS, model: null, trace: null };

describe('viewer state: run list', () => {
  it('starts on the list without a run id and on the run with one', () => {
    expect(initialState({ rows: 30, cols: 100 }).screen).toBe('list');
    const opened = initialState({ rows: 30, cols: 100, runId: 7 });
    expect(opened.screen).toBe('run');
    expect(opened.run.runId).toBe(7);
  });

  it('moves with arrows and j/k, clamped to the list', () => {
    const start = initialState({ rows: 30, cols: 100 });
    expect(keys(start, ['down', 'j'], listContext).list.cursor).toBe(2);
    expect(keys(start, ['k'], listContext).list.cursor).toBe(0);
    expect(keys(start, ['G'], listContext).list.cursor).toBe(RUNS.length - 1);
    expect(keys(start, ['G', 'up', 'g'], listContext).list.cursor).toBe(0);
    expect(keys(start, ['j', 'j', 'j', 'j', 'j', 'j', 'j'], listContext).list.cursor).toBe(RUNS.length - 1);
  });

  it('opens the selected run with Enter', () => {
    const state = keys(initialState({ rows: 30, cols: 100 }), ['j', 'enter'], listContext);
    expect(state.screen).toBe('run');
    expect(state.run.runId).toBe(4);
    expect(state.run.cursor).toBe(0);
  });

  it('filters by system and verdict and opens from the filtered list', () => {
    const typed = keys(initialState({ rows: 30, cols: 100 }), ['f', ...'raft invalid'.split('').map((c) => (c === ' ' ? 'space' : c)), 'enter'], listContext);
    expect(typed.mode).toBe('normal');
    expect(typed.list.filter).toBe('raft invalid');
    expect(filterRuns(RUNS, typed.list.filter).map((run) => run.id)).toEqual([5, 1]);
    expect(typed.message).toContain('2 runs');
    const opened = keys(typed, ['j', 'enter'], listContext);
    expect(opened.run.runId).toBe(1);
  });

  it('filters with named fields and clears with an empty filter', () => {
    expect(filterRuns(RUNS, 'system:cache').map((run) => run.id)).toEqual([2]);
    expect(filterRuns(RUNS, 'verdict=valid').map((run) => run.id)).toEqual([4, 3]);
    expect(filterRuns(RUNS, 'stale').map((run) => run.id)).toEqual([5]);
    expect(filterRuns(RUNS, '  ')).toHaveLength(RUNS.length);
  });

  it('edits the prompt: backspace erases, Esc cancels, named keys are ignored', () => {
    const state = keys(initialState({ rows: 30, cols: 100 }), ['f', 'r', 'a', 'x', 'backspace', 'up', 'tab'], listContext);
    expect(state.mode).toBe('filter');
    expect(state.prompt).toBe('ra');
    const cancelled = reduce(state, { type: 'key', name: 'esc' }, listContext);
    expect(cancelled.mode).toBe('normal');
    expect(cancelled.list.filter).toBe('');
  });

  it('scrolls the list so the cursor stays visible', () => {
    const many = Array.from({ length: 200 }, (_, index) => storedRun({ id: 200 - index }));
    const context: ViewerContext = { runs: many, model: null, trace: null };
    const rows = listLayout(20).listRows;
    const state = keys(initialState({ rows: 20, cols: 100 }), ['pagedown', 'pagedown', 'j'], context);
    expect(state.list.cursor).toBe(2 * rows + 1);
    expect(state.list.top).toBeLessThanOrEqual(state.list.cursor);
    expect(state.list.cursor).toBeLessThan(state.list.top + rows);
  });
});

describe('viewer state: run screen', () => {
  const model = failingModel(2);
  const context: ViewerContext = { runs: RUNS, model, trace: { count: 100, anchor: 40 } };
  const start = (): ViewerState => initialState({ rows: 30, cols: 100, runId: 2 });

  it('e jumps to the first op the evidence names and says which', () => {
    const state = keys(start(), ['e'], context);
    expect(model.firstViolationOp).not.toBeNull();
    expect(state.run.cursor).toBe(model.firstViolationOp);
    const op = model.timeline.ops[state.run.cursor]!;
    expect(op.f).toBe('read');
    expect(op.result).toBe(2);
    expect(state.message).toContain('first violation (linearizable)');
    expect(state.message).toContain(`#${op.invokeIndex}`);
    // The evidence pane scrolls so the ops that cannot follow the prefix are in view.
    for (const rows of [14, 20, 30, 60]) {
      const small = keys(initialState({ rows, cols: 100, runId: 2 }), ['e'], context);
      const height = runLayout(rows, true).evidenceRows;
      const shown = evidenceLines(model.violations).slice(small.run.evidenceTop, small.run.evidenceTop + height);
      expect(shown.some((line) => line.tone === 'offending' && line.index === op.invokeIndex)).toBe(true);
    }
  });

  it('e on a run without violations says so and does not move', () => {
    const valid = buildRunModel(storedRun({ id: 9 }), bigHistory(50, 3), []);
    const state = keys(keys(initialState({ rows: 30, cols: 100, runId: 9 }), ['j', 'j'], { ...context, model: valid }), ['e'], { ...context, model: valid });
    expect(state.run.cursor).toBe(2);
    expect(state.message).toContain('no violation');
  });

  it('searches with / and cycles matches with n and N', () => {
    const casIds = model.timeline.ops.filter((op) => op.f === 'cas').map((op) => op.id);
    expect(casIds.length).toBe(2);
    const found = keys(start(), ['/', 'c', 'a', 's', 'enter'], context);
    expect(found.mode).toBe('normal');
    expect(found.run.search.matches).toEqual(casIds);
    expect(found.run.cursor).toBe(casIds[0]);
    expect(found.message).toBe('match 1 of 2 for "cas"');
    expect(keys(found, ['n'], context).run.cursor).toBe(casIds[1]);
    expect(keys(found, ['n', 'n'], context).run.cursor).toBe(casIds[0]);
    expect(keys(found, ['N'], context).run.cursor).toBe(casIds[1]);
  });

  it('a search with no match says so', () => {
    const state = keys(start(), ['/', 'z', 'z', 'enter'], context);
    expect(state.run.search.matches).toEqual([]);
    expect(state.message).toBe('no op matches "zz"');
    expect(keys(state, ['n'], context).message).toBe('no op matches "zz"');
  });

  it('Tab and Shift-Tab move between the panes', () => {
    expect(keys(start(), ['tab'], context).run.pane).toBe('evidence');
    expect(keys(start(), ['tab', 'tab'], context).run.pane).toBe('trace');
    expect(keys(start(), ['tab', 'tab', 'tab'], context).run.pane).toBe('timeline');
    expect(keys(start(), ['shift-tab'], context).run.pane).toBe('trace');
  });

  it('arrows scroll the focused pane only', () => {
    const evidence = keys(start(), ['tab', 'j', 'j'], context);
    expect(evidence.run.evidenceTop).toBe(2);
    expect(evidence.run.cursor).toBe(0);
    const clamped = keys(start(), ['tab', 'G'], context);
    const layout = runLayout(30, true);
    expect(clamped.run.evidenceTop).toBeGreaterThan(0);
    expect(clamped.run.evidenceTop).toBe(Math.max(0, evidenceLines(model.violations).length - layout.evidenceRows));
  });

  it('scrolls the trace around the cursor time within the rows held', () => {
    const layout = runLayout(30, true);
    const trace = context.trace!;
    const before = traceStart(trace.count, trace.anchor, 0, layout.traceRows);
    const down = keys(start(), ['tab', 'tab', 'j'], context);
    expect(traceStart(trace.count, trace.anchor, down.run.traceOffset, layout.traceRows)).toBe(before + 1);
    const top = keys(start(), ['tab', 'tab', 'g'], context);
    expect(traceStart(trace.count, trace.anchor, top.run.traceOffset, layout.traceRows)).toBe(0);
    const bottom = keys(start(), ['tab', 'tab', 'G', 'j', 'j'], context);
    expect(traceStart(trace.count, trace.anchor, bottom.run.traceOffset, layout.traceRows)).toBe(trace.count - layout.traceRows);
  });

  it('filters the ops by key and by process with f in the timeline pane', () => {
    const many = buildRunModel(storedRun({ id: 9 }), bigHistory(300, 4), []);
    const session: ViewerContext = { ...context, model: many };
    const typed = (text: string): string[] => ['f', ...text.split('').map((c) => (c === ' ' ? 'space' : c)), 'enter'];
    const byKey = keys(initialState({ rows: 30, cols: 100, runId: 9 }), typed('key:k1'), session);
    expect(byKey.run.opFilter).toBe('key:k1');
    const visible = many.timeline.ops.filter((op) => opFilterMatches(op, 'key:k1')).map((op) => op.id);
    expect(visible.length).toBeGreaterThan(10);
    expect(visible.length).toBeLessThan(many.timeline.ops.length);
    expect(visible.every((id) => many.timeline.ops[id]!.key === 'k1')).toBe(true);
    expect(byKey.message).toBe(`${visible.length} ops match "key:k1"`);
    // Moving walks the filtered ops only: the cursor is a position among them.
    const filtered: ViewerContext = { ...session, visibleOps: visible };
    const down = keys(byKey, ['g', 'j', 'j'], filtered);
    expect(opIdAt(filtered, down.run.cursor)).toBe(visible[2]);
    const both = many.timeline.ops.filter((op) => opFilterMatches(op, 'k:k1 p:2'));
    expect(both.length).toBeGreaterThan(0);
    expect(both.every((op) => op.key === 'k1' && op.process === 2)).toBe(true);
    expect(many.timeline.ops.filter((op) => opFilterMatches(op, '-key:k1')).length).toBe(many.timeline.ops.length - visible.length);
    // e lands on the violation even when the filter hides it: the filter is cleared.
    const hidden: ViewerContext = { ...context, visibleOps: [] };
    const jumped = keys({ ...start(), run: { ...start().run, opFilter: 'key:nothing' } }, ['e'], hidden);
    expect(jumped.run.opFilter).toBe('');
    expect(jumped.run.cursor).toBe(model.firstViolationOp);
  });

  it('searches the trace with / when the trace pane is focused, and hides background until b', () => {
    const event = { time: 71_000_000, node: 'n1', kind: 'msg.send', fields: { to: 'c0', type: 'read-ok' } };
    const asked: [string, number][] = [];
    const searching: ViewerContext = { ...context, findTrace: (query, afterNs) => (asked.push([query, afterNs]), event) };
    const state = keys(start(), ['tab', 'tab', '/', 'r', 'e', 'a', 'd', '-', 'o', 'k', 'enter'], searching);
    expect(asked).toEqual([['read-ok', model.timeline.ops[0]!.invokeNs]]);
    expect(state.run.traceFocusNs).toBe(71_000_000);
    expect(state.run.traceHit).toBe('71.000ms n1 msg.send to=c0 type=read-ok');
    expect(state.run.pane).toBe('trace');
    expect(state.message).toContain('trace: 71.000ms n1 msg.send');
    // The timeline cursor moved to the op running then: the last one invoked at or before 71 ms.
    expect(model.timeline.ops[state.run.cursor]!.invokeNs).toBe(70_000_000);
    // n searches on from the hit.
    keys(state, ['n'], searching);
    expect(asked[1]).toEqual(['read-ok', 71_000_000]);
    expect(keys(start(), ['b'], context).run.showBackground).toBe(true);
    expect(keys(start(), ['b', 'b'], context).run.showBackground).toBe(false);
  });

  it('filters the trace with f', () => {
    const state = keys(start(), ['tab', 'tab', 'f', 'n', '1', 'enter'], context);
    expect(state.run.traceFilter).toBe('n1');
    expect(state.run.pane).toBe('trace');
    expect(traceMatches({ time: 0, node: 'n1', kind: 'msg.send' }, 'n1')).toBe(true);
    expect(traceMatches({ time: 0, node: 'n2', kind: 'msg.send' }, 'n1')).toBe(false);
    expect(traceMatches({ time: 0, node: 'n1', kind: 'msg.send' }, 'n1 deliver')).toBe(false);
    expect(traceMatches({ time: 0, node: 'n2', kind: 'raft.become-leader' }, 'kind:leader')).toBe(true);
    expect(traceMatches({ time: 0, node: null, kind: 'fault.partition' }, 'node:world')).toBe(true);
    expect(traceMatches({ time: 0, node: 'n1', kind: 'timer.fire' }, '-timer')).toBe(false);
    expect(traceMatches({ time: 0, node: 'n1', kind: 'msg.send' }, 'n1 -timer')).toBe(true);
    expect(traceMatches({ time: 0, node: 'n2', kind: 'msg.send' }, '-n2')).toBe(false);
  });

  it('Esc goes back to the list; q quits; ? opens help and any key closes it', () => {
    expect(keys(start(), ['esc'], context).screen).toBe('list');
    expect(keys(start(), ['q'], context).quit).toBe(true);
    const help = keys(start(), ['?'], context);
    expect(help.mode).toBe('help');
    expect(keys(help, ['j'], context).mode).toBe('normal');
    expect(keys(help, ['j'], context).run.cursor).toBe(0);
    expect(keys(help, ['q'], context).quit).toBe(true);
  });

  it('never mutates the state it is given', () => {
    const frozen = freeze(start());
    expect(() => keys(frozen, ['j', 'e', '/', 'r', 'enter', 'n', 'tab', 'j', 'f', 'x', 'enter', '?', 'k', 'esc'], context)).not.toThrow();
  });

  it('keeps the cursor inside the ops and on screen for any key sequence', () => {
    const big = buildRunModel(storedRun({ id: 3 }), bigHistory(500, 6), []);
    const bigContext: ViewerContext = { runs: RUNS, model: big, trace: { count: 30, anchor: 10 } };
    const names = [...new Set(KEYMAP.flatMap((binding) => binding.keys))].filter((name) => name !== 'q' && name !== 'ctrl-c' && name !== 'esc' && name !== 'backspace' && name !== 'left');
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...names, 'r', '1'), { maxLength: 60 }), fc.integer({ min: 12, max: 60 }), (sequence, rows) => {
        let state = initialState({ rows, cols: 100, runId: 3 });
        for (const name of sequence) state = reduce(state, { type: 'key', name }, bigContext);
        const height = runLayout(rows, false).timelineRows;
        expect(state.run.cursor).toBeGreaterThanOrEqual(0);
        expect(state.run.cursor).toBeLessThan(big.timeline.ops.length);
        expect(state.run.top).toBeGreaterThanOrEqual(0);
        expect(state.run.top).toBeLessThanOrEqual(state.run.cursor);
        expect(state.run.cursor).toBeLessThan(state.run.top + height);
      }),
      { numRuns: 200 },
    );
  });

  it('resizes', () => {
    const state = reduce(start(), { type: 'resize', rows: 50, cols: 160 }, context);
    expect([state.rows, state.cols]).toEqual([50, 160]);
    expect(reduce(state, { type: 'resize', rows: 0, cols: 10 }, context)).toBe(state);
  });
});

describe('viewer state: model used by the reducer', () => {
  it('highlights exactly the ops the evidence names', () => {
    const model: RunModel = failingModel();
    const named = model.violations[0]!.indexes;
    const ids = model.highlighted;
    expect(ids.length).toBe(1);
    const op = model.timeline.ops[ids[0]!]!;
    expect(named).toContain(op.invokeIndex);
    expect(named).toContain(op.completeIndex);
  });
});
