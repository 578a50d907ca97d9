// The `?` screen: the keymap (generated from keys.ts) and what the colours and letters mean.
import React from 'react';
import { Box, Text } from 'ink';
import { FAULT_COLOURS, FAULT_LETTERS, OUTCOME_COLOURS, type FaultFamily } from '../model/palette.js';
import { helpLines, type ScreenName } from './keys.js';
import { OFFENDING_MARK, OUTCOME_MARKS } from './paint.js';

export function Help({ screen, rows }: { screen: ScreenName; rows: number }): React.ReactElement {
  const families = Object.keys(FAULT_LETTERS) as FaultFamily[];
  return (
    <Box flexDirection="column" height={rows}>
      <Text bold>Keys ({screen === 'list' ? 'run list' : 'run screen'}) — any key closes this help</Text>
      {helpLines(screen).map((line) => (
        <Text key={line}>  {line}</Text>
      ))}
      <Text> </Text>
      <Text bold>Ops (Jepsen's colours, and a shape each): the op, then the bar of one still running</Text>
      <Text>
        {'  '}
        <Text color={OUTCOME_COLOURS.ok}>{`${OUTCOME_MARKS.ok.mark} ${OUTCOME_MARKS.ok.running} ok`}</Text>
        {'  '}
        <Text color={OUTCOME_COLOURS.info}>{`${OUTCOME_MARKS.info.mark} ${OUTCOME_MARKS.info.running} info (unknown)`}</Text>
        {'  '}
        <Text color={OUTCOME_COLOURS.fail}>{`${OUTCOME_MARKS.fail.mark} ${OUTCOME_MARKS.fail.running} fail`}</Text>
        {'  '}
        <Text color={OUTCOME_COLOURS.pending}>{`${OUTCOME_MARKS.pending.mark} ${OUTCOME_MARKS.pending.running} invoked, pending`}</Text>
        {`  ${OFFENDING_MARK} ✗ named by the evidence`}
      </Text>
      <Text>{'  Columns: FLT active fault families, TIME of the invoke, a column per lane (headed by its first process), OP the op number, then #history index and the op.'}</Text>
      <Text bold>Fault gutter</Text>
      <Text>
        {'  '}
        {families.map((family) => (
          <Text key={family} color={FAULT_COLOURS[family]}>
            {`${FAULT_LETTERS[family]} ${family}  `}
          </Text>
        ))}
      </Text>
    </Box>
  );
}
