// Entry of a register-node process for tests: the same flags and code path as `crucible node`,
// with the test-only register system in place of the registry.
import { parseCommandLine } from '../../cli/parse-args.js';
import { command, nodeOptionsFromArgs } from '../../commands/node.js';
import { runNodeProcess } from '../node-process.js';
import { registerSystem } from './register-system.js';

const parsed = parseCommandLine(command, process.argv.slice(2));
await runNodeProcess(nodeOptionsFromArgs(parsed, (name) => (name === registerSystem.name ? registerSystem : undefined)));
