// The lean entry of one node process: the same flag table and code path as `crucible node`, without
// loading every other command (viewer, store, ...), so a killed node is back in a fraction of the
// time. `crucible cluster` starts nodes with this; `crucible node` remains the command for people.
import { UsageError } from '../cli/command.js';
import { parseCommandLine } from '../cli/parse-args.js';
import { command } from '../commands/node.js';

try {
  const parsed = parseCommandLine(command, process.argv.slice(2));
  await command.run(parsed, { json: false, store: '', isTTY: false, out: (line) => console.log(line), err: (line) => console.error(line) });
} catch (error) {
  const usage = error instanceof UsageError || (error instanceof Error && error.name === 'UsageError');
  process.stderr.write(`crucible node: ${usage ? '' : 'internal error: '}${(error as Error).message}\n`);
  process.exit(2);
}
