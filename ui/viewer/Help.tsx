// The `?` screen: the keymap (generated from keys.ts) and what the colours and letters mean.
import React from 'react';
import { Box, Text } from 'ink';
import { FAULT_COLOURS, FAULT_LETTERS, OUTCOME_COLOURS, type FaultFamily } from '../model/palette.js';
import { helpLines, type ScreenName } from './keys.js';

export function Help({ screen, rows }: { screen: ScreenName; rows: number }): React.ReactElement {
  const families = Object.keys(FAULT_LETTERS) as FaultFamily[];
  return (
    <Box flexDirection="column" height={rows}>
      <Text bold>Keys ({screen === 'list' ? 'run list' : 'run screen'}) — any key closes this help</Text>
      {helpLines(screen).map((line) => (
        <Text key={line}>  {line}</Text>
      ))}
      <Text> </Text>
      <Text bold>Ops (as Jepsen draws them)</Text>
      <Text>
        {'  '}
        <Text color={OUTCOME_COLOURS.ok}>● ok</Text>
        {'  '}
        <Text color={OUTCOME_COLOURS.info}>● info (unknown)</Text>
        {'  '}
        <Text color={OUTCOME_COLOURS.fail}>● fail</Text>
        {'  '}
        <Text color={OUTCOME_COLOURS.pending}>● invoked, pending</Text>
        {'  ◆ ✗ named by the evidence  │ still running'}
      </Text>
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
