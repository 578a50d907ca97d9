// One row of coloured segments as ink text, never wrapped: the painters already fit it to the width.
import React from 'react';
import { Text } from 'ink';
import type { Segment } from './paint.js';

export function Line({ segments }: { segments: readonly Segment[] }): React.ReactElement {
  return (
    <Text wrap="truncate">
      {segments.map((segment, index) => (
        <Text key={index} color={segment.color} bold={segment.bold} dimColor={segment.dim} inverse={segment.inverse}>
          {segment.text}
        </Text>
      ))}
    </Text>
  );
}
