// The run list: stored runs, newest first, filtered by system and verdict; Enter opens one.
import React from 'react';
import { Box, Text } from 'ink';
import type { StoredRun } from '../../histories/store.js';
import { listLayout } from './layout.js';
import { LIST_RUNS_MAX } from './session.js';
import { Line } from './Line.js';
import { listHeader, listRow } from './paint.js';
import { filterRuns, type ViewerState } from './state.js';

export function RunList({ state, runs, storeLabel }: { state: ViewerState; runs: readonly StoredRun[]; storeLabel: string }): React.ReactElement {
  const shown = filterRuns(runs, state.list.filter);
  const layout = listLayout(state.rows);
  const visible = shown.slice(state.list.top, state.list.top + layout.listRows - 1);
  const filter = state.list.filter === '' ? '' : `  filter: ${state.list.filter}`;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate" bold>
        Crucible runs in {storeLabel}: {shown.length} of {runs.length}
        {runs.length >= LIST_RUNS_MAX ? ` (the newest ${LIST_RUNS_MAX})` : ''}
        {filter}
      </Text>
      <Line segments={listHeader(state.cols)} />
      {runs.length === 0 ? (
        <Text wrap="truncate">No runs stored yet. Make one with npm start, or npm run --silent crucible -- run --system S --seed 1 (crucible bugs lists the systems)</Text>
      ) : shown.length === 0 ? (
        <Text wrap="truncate">No run matches the filter; press f to change it.</Text>
      ) : (
        visible.map((run, offset) => <Line key={run.id} segments={listRow(run, state.cols, state.list.top + offset === state.list.cursor)} />)
      )}
    </Box>
  );
}
