// The command registry: one import and one array entry per command. The dispatcher
// (scripts/crucible.ts) reads this list for parsing, help and suggestions.
import type { Command } from '../cli/command.js';
import { command as bench } from './bench.js';
import { command as bugs } from './bugs.js';
import { command as runs } from './runs.js';
import { command as run } from './run.js';
import { command as replay } from './replay.js';
import { command as explain } from './explain.js';
import { command as fuzz } from './fuzz.js';
import { command as soak } from './soak.js';
import { command as view } from './view.js';
import { command as report } from './report.js';
import { command as node } from './node.js';
import { command as cluster } from './cluster.js';
import { command as check } from './check.js';
import { command as maelstrom } from './maelstrom.js';
import { command as mutate } from './mutate.js';

export const commands: Command[] = [
  bench,
  bugs,
  runs,
  run,
  replay,
  explain,
  fuzz,
  soak,
  view,
  report,
  node,
  cluster,
  check,
  maelstrom,
  mutate,
];
