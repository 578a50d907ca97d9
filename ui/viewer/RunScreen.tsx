// The run screen: header, timeline (windowed: only visible rows are drawn), evidence and trace.
import React from 'react';
import { Box, Text } from 'ink';
import type { RunModel } from '../model/run.js';
import type { TraceWindow } from '../model/traceWindow.js';
import { formatTime } from '../model/timeline.js';
import { evidenceLines } from './evidenceLines.js';
import { runLayout } from './layout.js';
import { Line } from './Line.js';
import { VERDICT_COLOURS, evidenceRow, timelineHeader, timelineRow, traceRow } from './paint.js';
import { traceStart, type Pane, type ViewerState } from './state.js';

function PaneTitle({ title, focused, cols }: { title: string; focused: boolean; cols: number }): React.ReactElement {
  const text = `${focused ? '▶' : '─'} ${title} `;
  return (
    <Text wrap="truncate" bold={focused} color={focused ? 'cyan' : undefined} dimColor={!focused}>
      {text + '─'.repeat(Math.max(0, cols - text.length))}
    </Text>
  );
}

function Header({ model }: { model: RunModel }): React.ReactElement {
  const run = model.run;
  const facts = [`run #${run.id}`, run.system, `seed ${run.seed ?? '-'}`, `ops ${run.ops}`, `faults ${run.faults}`];
  if (run.simMs !== null) facts.push(`sim ${run.simMs}ms`);
  if (run.bug !== null) facts.push(`bug ${run.bug}`);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold color={VERDICT_COLOURS[run.verdict]}>
          {run.verdict.toUpperCase()}
        </Text>
        {'  '}
        {facts.join('  ')}
        {'  '}
        <Text dimColor>{model.reproLine}</Text>
      </Text>
      <Text wrap="truncate">
        {run.checkers.length === 0 ? <Text dimColor>no checker results</Text> : null}
        {run.checkers.map((result) => (
          <Text key={result.checker} color={VERDICT_COLOURS[result.verdict]}>
            {`${result.verdict === 'valid' ? '✓' : result.verdict === 'invalid' ? '✗' : '?'} ${result.checker}  `}
          </Text>
        ))}
        <Text dimColor>? for help</Text>
      </Text>
    </Box>
  );
}

export function RunScreen({ state, model, trace }: { state: ViewerState; model: RunModel | null; trace: TraceWindow | null }): React.ReactElement {
  const cols = state.cols;
  if (model === null) {
    return (
      <Box flexDirection="column">
        <Text bold>Run #{state.run.runId} is not in the store.</Text>
        <Text>Press Esc for the run list, or q to quit.</Text>
      </Box>
    );
  }
  const layout = runLayout(state.rows, model.violations.length > 0);
  const focused = (pane: Pane): boolean => state.run.pane === pane;
  const { ops } = model.timeline;
  const highlighted = new Set(model.highlighted);
  const matches = new Set(state.run.search.matches);
  const timelineRows: React.ReactElement[] = [];
  if (!model.hasHistory) {
    timelineRows.push(
      <Text key="none" wrap="truncate">
        No history stored for this run (passing runs keep only their verdicts). Reproduce it: {model.reproLine}
      </Text>,
    );
  }
  // Windowed: only the rows on screen are painted, whatever the run's size.
  for (let id = state.run.top; id < Math.min(ops.length, state.run.top + layout.timelineRows); id++) {
    timelineRows.push(
      <Line key={id} segments={timelineRow(model, id, cols, { cursor: id === state.run.cursor, match: matches.has(id), highlighted: highlighted.has(id) })} />,
    );
  }
  while (timelineRows.length < layout.timelineRows) timelineRows.push(<Text key={`pad${timelineRows.length}`}> </Text>);

  const evidence = evidenceLines(model.violations);
  const cursorOp = ops[state.run.cursor];
  const evidenceRows = evidence
    .slice(state.run.evidenceTop, state.run.evidenceTop + layout.evidenceRows)
    .map((line, offset) => <Line key={offset} segments={evidenceRow(line, cols, cursorOp?.invokeIndex ?? null)} />);
  while (evidenceRows.length < layout.evidenceRows) evidenceRows.push(<Text key={`pad${evidenceRows.length}`}> </Text>);

  const traceRows: React.ReactElement[] = [];
  const atText = cursorOp === undefined ? '' : ` around ${formatTime(cursorOp.invokeNs, model.timeline.timeUnit)}`;
  const filterText = state.run.traceFilter === '' ? '' : ` (filter: ${state.run.traceFilter})`;
  if (trace === null || trace.rows.length === 0) {
    traceRows.push(
      <Text key="none" dimColor wrap="truncate">
        {model.timeline.timeUnit !== 'ns' ? 'No times in this history: no trace to show.' : 'No trace events stored here (or none match the filter).'}
      </Text>,
    );
  } else {
    const start = traceStart(trace.rows.length, trace.anchor, state.run.traceOffset, layout.traceRows);
    for (let row = start; row < Math.min(trace.rows.length, start + layout.traceRows); row++) {
      traceRows.push(<Line key={row} segments={traceRow(trace.rows[row]!, cols, row === trace.anchor)} />);
    }
  }
  while (traceRows.length < layout.traceRows) traceRows.push(<Text key={`pad${traceRows.length}`}> </Text>);

  return (
    <Box flexDirection="column">
      <Header model={model} />
      <Line segments={timelineHeader(model, cols, state.run.cursor).map((segment) => (focused('timeline') ? { ...segment, color: 'cyan' } : { ...segment, dim: true }))} />
      {timelineRows}
      <PaneTitle title={`Evidence (${model.violations.length === 0 ? 'no violation' : model.violations.map((v) => v.checker).join(', ')})`} focused={focused('evidence')} cols={cols} />
      {evidenceRows}
      <PaneTitle title={`Trace${atText}${filterText}`} focused={focused('trace')} cols={cols} />
      {traceRows}
    </Box>
  );
}
