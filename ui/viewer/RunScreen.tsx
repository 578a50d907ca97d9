// The run screen: header, timeline (windowed: only visible rows are drawn), evidence and trace.
import React from 'react';
import { Box, Text } from 'ink';
import { statusAt, type StatusLanes } from '../model/nodeStatus.js';
import type { RunModel } from '../model/run.js';
import { describeTraceEvent, type TraceWindow } from '../model/traceWindow.js';
import { formatTime, type TimelineOp } from '../model/timeline.js';
import { evidenceLines } from './evidenceLines.js';
import { runLayout } from './layout.js';
import { Line } from './Line.js';
import { VERDICT_COLOURS, evidenceRow, timelineHeader, timelineRow, traceRow } from './paint.js';
import { traceStart, type Pane, type ViewerState } from './state.js';

/** Each node's status at the cursor's time, in the node's own words; grey when down. */
function StatusLine({ status, op, unit }: { status: StatusLanes | null; op: TimelineOp | undefined; unit: 'ns' | 'index' }): React.ReactElement {
  if (unit !== 'ns' || op === undefined) return <Text dimColor>node status: no times in this history</Text>;
  if (status === null) return <Text dimColor>node status: reading…</Text>;
  if (status.nodes.length === 0) return <Text dimColor>node status: no server nodes named</Text>;
  const at = statusAt(status, op.invokeNs);
  return (
    <Text wrap="truncate">
      <Text dimColor>{`nodes at ${formatTime(op.invokeNs, unit)}: `}</Text>
      {status.nodes.map((node) => {
        const segment = at.get(node) ?? null;
        const text = segment === null || segment.label === '' ? 'no status yet' : segment.label;
        return (
          <Text key={node} dimColor={segment?.down !== null && segment?.down !== undefined}>
            <Text bold>{node}</Text>
            {` ${text}  `}
          </Text>
        );
      })}
    </Text>
  );
}

function PaneTitle({ title, focused, cols }: { title: string; focused: boolean; cols: number }): React.ReactElement {
  const text = `${focused ? '▶' : '─'} ${title} `;
  return (
    <Text wrap="truncate" bold={focused} color={focused ? 'cyan' : undefined} dimColor={!focused}>
      {text + '─'.repeat(Math.max(0, cols - text.length))}
    </Text>
  );
}

function Header({ model, status, op }: { model: RunModel; status: StatusLanes | null; op: TimelineOp | undefined }): React.ReactElement {
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
      <StatusLine status={status} op={op} unit={model.timeline.timeUnit} />
    </Box>
  );
}

export interface RunScreenProps {
  state: ViewerState;
  model: RunModel | null;
  trace: TraceWindow | null;
  /** Op ids the op filter shows (null: all, position = id). */
  visibleOps: readonly number[] | null;
  status: StatusLanes | null;
}

export function RunScreen({ state, model, trace, visibleOps, status }: RunScreenProps): React.ReactElement {
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
  const shown = visibleOps?.length ?? ops.length;
  const idAt = (position: number): number => (visibleOps === null ? position : visibleOps[position]!);
  if (shown === 0 && ops.length > 0) {
    timelineRows.push(
      <Text key="none" wrap="truncate">
        No op matches the op filter "{state.run.opFilter}": press f then Enter to clear it.
      </Text>,
    );
  }
  for (let position = state.run.top; position < Math.min(shown, state.run.top + layout.timelineRows); position++) {
    const id = idAt(position);
    timelineRows.push(
      <Line key={id} segments={timelineRow(model, id, cols, { cursor: position === state.run.cursor, match: matches.has(id), highlighted: highlighted.has(id) })} />,
    );
  }
  while (timelineRows.length < layout.timelineRows) timelineRows.push(<Text key={`pad${timelineRows.length}`}> </Text>);

  const evidence = evidenceLines(model.violations);
  const cursorOp = shown === 0 ? undefined : ops[idAt(Math.min(state.run.cursor, shown - 1))];
  const evidenceRows = evidence
    .slice(state.run.evidenceTop, state.run.evidenceTop + layout.evidenceRows)
    .map((line, offset) => <Line key={offset} segments={evidenceRow(line, cols, cursorOp?.invokeIndex ?? null)} />);
  while (evidenceRows.length < layout.evidenceRows) evidenceRows.push(<Text key={`pad${evidenceRows.length}`}> </Text>);

  const traceRows: React.ReactElement[] = [];
  const atText = cursorOp === undefined ? '' : ` around ${formatTime(cursorOp.invokeNs, model.timeline.timeUnit)}`;
  const atTrace = state.run.traceFocusNs !== null ? ` at the search hit ${formatTime(state.run.traceFocusNs, 'ns')}` : atText;
  const filterText = `${state.run.traceFilter === '' ? '' : ` (filter: ${state.run.traceFilter})`}${state.run.showBackground ? ' (background shown)' : ' (timer ticks, heartbeat-like messages hidden: b shows them)'}`;
  if (trace === null || trace.rows.length === 0) {
    traceRows.push(
      <Text key="none" dimColor wrap="truncate">
        {model.timeline.timeUnit !== 'ns' ? 'No times in this history: no trace to show.' : 'No trace events stored here (or none match the filter).'}
      </Text>,
    );
  } else {
    const start = traceStart(trace.rows.length, trace.anchor, state.run.traceOffset, layout.traceRows);
    // The marked row: a trace search's hit, else the first event at the cursor's time.
    const hit = state.run.traceHit;
    let marked = trace.anchor;
    if (hit !== null) {
      for (let row = trace.anchor; row < trace.rows.length && trace.rows[row]!.time === state.run.traceFocusNs; row++) {
        if (describeTraceEvent(trace.rows[row]!, 10_000) === hit) marked = row;
      }
    }
    for (let row = start; row < Math.min(trace.rows.length, start + layout.traceRows); row++) {
      traceRows.push(<Line key={row} segments={traceRow(trace.rows[row]!, cols, row === marked)} />);
    }
  }
  while (traceRows.length < layout.traceRows) traceRows.push(<Text key={`pad${traceRows.length}`}> </Text>);

  return (
    <Box flexDirection="column">
      <Header model={model} status={status} op={cursorOp} />
      <Line segments={timelineHeader(model, cols, state.run.cursor, shown, state.run.opFilter).map((segment) => (focused('timeline') ? { ...segment, color: 'cyan' } : { ...segment, dim: true }))} />
      {timelineRows}
      <PaneTitle title={`Evidence (${model.violations.length === 0 ? 'no violation' : model.violations.map((v) => v.checker).join(', ')})`} focused={focused('evidence')} cols={cols} />
      {evidenceRows}
      <PaneTitle title={`Trace${atTrace}${filterText}`} focused={focused('trace')} cols={cols} />
      {traceRows}
    </Box>
  );
}
