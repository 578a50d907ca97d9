// The terminal viewer's root: holds the state, turns key presses into reducer actions, and draws the
// screen the state names. Reading the store goes through the session, never through the reducer.
import React, { useEffect, useMemo, useState } from 'react';
import type { StatusLanes } from '../model/nodeStatus.js';
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { Help } from './Help.js';
import { keyNames } from './keys.js';
import { RunList } from './RunList.js';
import { RunScreen } from './RunScreen.js';
import type { ViewerSession } from './session.js';
import { initialState, reduce, type ViewerState } from './state.js';

export interface ViewerProps {
  session: ViewerSession;
  /** Open this run at once (`crucible view RUN_ID`). */
  runId?: number;
  /** Frame size; with `followTerminal` it follows the terminal's resizes (one row less than the terminal). */
  rows: number;
  cols: number;
  followTerminal?: boolean;
  /** Shown in the run list's title: where the runs come from. */
  storeLabel: string;
}

const HINTS = 'j/k move  PgUp/PgDn  g/G  / search  n/N  e violation  Tab pane  f filter  b background  ? help  q quit';

function StatusBar({ state }: { state: ViewerState }): React.ReactElement {
  if (state.mode === 'search' || state.mode === 'filter') {
    const label =
      state.mode === 'search'
        ? state.screen === 'run' && state.run.pane === 'trace'
          ? 'search the trace: '
          : 'search ops: '
        : state.screen === 'list'
          ? 'filter runs (system, verdict): '
          : state.run.pane === 'timeline'
            ? 'filter ops (key:K p:N node:N f:read, -word hides): '
            : 'filter trace (node, kind): ';
    return (
      <Text wrap="truncate" color="cyan">
        {label}
        {state.prompt}▏
      </Text>
    );
  }
  return (
    <Text wrap="truncate" dimColor={state.message === null}>
      {state.message ?? HINTS}
    </Text>
  );
}

export function Viewer(props: ViewerProps): React.ReactElement {
  const { session } = props;
  const { exit } = useApp();
  const { stdout } = useStdout();
  const [state, setState] = useState<ViewerState>(() => {
    const options: { rows: number; cols: number; runId?: number } = { rows: props.rows, cols: props.cols };
    if (props.runId !== undefined) options.runId = props.runId;
    return initialState(options);
  });
  // The reducer gets its context for the state it is given, so keys that arrive faster than the
  // screen redraws still act on the right run.
  useInput((input, key) => {
    const names = keyNames(input, key);
    if (names.length === 0) return;
    setState((current) => {
      let next = current;
      for (const name of names) next = reduce(next, { type: 'key', name }, session.context(next));
      return next;
    });
  });

  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);

  useEffect(() => {
    if (!props.followTerminal) return undefined;
    const onResize = (): void => {
      // One row stays free below the frame, as when the viewer started, so the terminal never scrolls.
      setState((current) => reduce(current, { type: 'resize', rows: Math.max(1, (stdout.rows ?? current.rows + 1) - 1), cols: stdout.columns ?? current.cols }, session.context(current)));
    };
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [props.followTerminal, stdout, session]);

  const model = useMemo(() => (state.screen === 'run' ? session.model(state.run.runId) : null), [session, state.screen, state.run.runId]);
  const trace = state.screen === 'run' ? session.traceFor(state) : null;
  // Node status needs the whole trace read once: after the first frame, so the run opens at once.
  const runId = state.screen === 'run' ? state.run.runId : null;
  const [, setStatus] = useState<StatusLanes | null>(null);
  useEffect(() => {
    setStatus(session.status(runId));
    if (runId === null || session.status(runId) !== null) return undefined;
    const timer = setTimeout(() => setStatus(session.loadStatus(runId)), 0);
    return () => clearTimeout(timer);
  }, [session, runId]);

  let body: React.ReactElement;
  if (state.mode === 'help') body = <Help screen={state.screen} rows={state.rows - 1} />;
  else if (state.screen === 'list') body = <RunList state={state} runs={session.runs()} storeLabel={props.storeLabel} />;
  else body = <RunScreen state={state} model={model} trace={trace} visibleOps={session.visibleOps(state)} status={session.status(runId)} />;
  return (
    <Box flexDirection="column" width={state.cols} height={state.rows}>
      <Box flexDirection="column" height={state.rows - 1} overflow="hidden">
        {body}
      </Box>
      <StatusBar state={state} />
    </Box>
  );
}
