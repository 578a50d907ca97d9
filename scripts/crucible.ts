// The `crucible` command line: finds the command, parses its flags from its table, runs it, and
// turns every failure into one line on stderr and an exit code (0 valid, 1 violation, 2 bad usage
// or input, 3 unknown). Internal errors also exit 2 but say "internal error", so a person knows the
// fault is ours; CRUCIBLE_DEBUG=1 adds the stack.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXIT, UsageError, type Command, type CommandContext } from './cli/command.js';
import { commandHelp, commandListHelp } from './cli/help.js';
import { parseCommandLine } from './cli/parse-args.js';
import { resolveStorePath } from './cli/store-location.js';
import { suggest } from './cli/suggest.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
  /** Environment, for CRUCIBLE_DEBUG. */
  env: Readonly<Record<string, string | undefined>>;
}

const EXIT_CODES: ReadonlySet<number> = new Set(Object.values(EXIT));

/**
 * Errors whose message is already the one line a person needs: bad usage, a bad store file, a bad
 * history file. Matched by name so the dispatcher need not import every module that defines one.
 */
const USER_ERROR_NAMES: ReadonlySet<string> = new Set(['UsageError', 'StoreError', 'HistoryFormatError']);

function isUserError(error: unknown): error is Error {
  return error instanceof UsageError || (error instanceof Error && USER_ERROR_NAMES.has(error.name));
}

function packageVersion(): string {
  // scripts/crucible.ts in the repository, dist/scripts/crucible.js in the installed package.
  const near = fileURLToPath(new URL('../package.json', import.meta.url));
  const file = existsSync(near) ? near : fileURLToPath(new URL('../../package.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Leading global flags may come before the command name: `crucible --json runs`. */
function splitCommand(argv: readonly string[]): { name: string | undefined; rest: string[] } {
  const leading: string[] = [];
  let index = 0;
  while (index < argv.length && argv[index]!.startsWith('-')) {
    const token = argv[index]!;
    leading.push(token);
    if (token === '--store') {
      if (index + 1 < argv.length) leading.push(argv[index + 1]!);
      index += 1;
    }
    index += 1;
  }
  return { name: argv[index], rest: [...leading, ...argv.slice(index + 1)] };
}

function internalError(prefix: string, error: unknown, io: CliIo): number {
  const message = error instanceof Error ? error.message : String(error);
  io.err(`${prefix}: internal error: ${message.split('\n')[0]} (re-run with CRUCIBLE_DEBUG=1 to see the stack)`);
  if (io.env.CRUCIBLE_DEBUG === '1' && error instanceof Error && error.stack !== undefined) io.err(error.stack);
  return EXIT.USAGE;
}

/** Runs one command line against a command list; returns the exit code. Never throws. */
export async function main(argv: readonly string[], commands: readonly Command[], io: CliIo): Promise<number> {
  const { name, rest } = splitCommand(argv);
  if (name === undefined) {
    if (rest.includes('--version')) {
      io.out(packageVersion());
      return EXIT.OK;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(commandListHelp(commands));
      return EXIT.OK;
    }
    io.err(commandListHelp(commands));
    io.err('');
    io.err('crucible: missing command; see the list above');
    return EXIT.USAGE;
  }
  if (name === 'help') {
    const topic = rest.find((token) => !token.startsWith('-'));
    const command = commands.find((candidate) => candidate.name === topic);
    io.out(command === undefined ? commandListHelp(commands) : commandHelp(command));
    return topic === undefined || command !== undefined ? EXIT.OK : EXIT.USAGE;
  }

  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    const close = suggest(name, commands.map((candidate) => candidate.name));
    io.err(`crucible: unknown command "${name}"${close === undefined ? '' : ` (did you mean ${close}?)`}; see crucible --help`);
    return EXIT.USAGE;
  }

  const prefix = `crucible ${command.name}`;
  let parsed;
  try {
    parsed = parseCommandLine(command, rest);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${prefix}: ${error.message}; see ${prefix} --help`);
      return EXIT.USAGE;
    }
    return internalError(prefix, error, io);
  }
  if (parsed.help) {
    io.out(commandHelp(command));
    return EXIT.OK;
  }

  const json = parsed.flags.json === true;
  const context: CommandContext = {
    json,
    store: resolveStorePath(parsed.flags.store as string | undefined),
    isTTY: io.isTTY,
    out(line) {
      // The --json contract, asserted where it is kept: whatever reaches stdout must parse.
      if (json) JSON.parse(line);
      io.out(line);
    },
    err(line) {
      io.err(line);
    },
  };
  try {
    const code = await command.run({ flags: parsed.flags, positionals: parsed.positionals }, context);
    if (!EXIT_CODES.has(code)) throw new Error(`command returned exit code ${code}, not one of 0, 1, 2, 3`);
    return code;
  } catch (error) {
    if (isUserError(error)) {
      io.err(`${prefix}: ${error.message.split('\n')[0]}`);
      return EXIT.USAGE;
    }
    // A command that loads the viewer or the report when it starts them (not when the CLI starts).
    const missing = missingOptionalPackage(error);
    if (missing !== null) {
      io.err(missingPackageLine(prefix, missing));
      return EXIT.USAGE;
    }
    return internalError(prefix, error, io);
  }
}

/** The process entry: real stdio, exit code, and one line for anything that escapes a command. */
export async function cli(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const io: CliIo = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
  };
  // A closed pipe (`crucible runs | head`) is the reader saying it has seen enough.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.OK);
    throw error;
  });
  const escaped = (error: unknown): void => {
    internalError('crucible', error, io);
    process.exit(EXIT.USAGE);
  };
  process.on('uncaughtException', escaped);
  process.on('unhandledRejection', escaped);
  let commands: Command[];
  try {
    ({ commands } = await import('./commands/index.js'));
  } catch (error) {
    const missing = missingOptionalPackage(error);
    if (missing === null) throw error;
    io.err(missingPackageLine('crucible', missing));
    process.exitCode = EXIT.USAGE;
    return;
  }
  process.exitCode = await main(argv, commands, io);
}

/**
 * The CLI's packages a library user may leave out (package.json's optional peerDependencies): the
 * library never loads them, the CLI's commands do.
 */
const OPTIONAL_PACKAGES: Readonly<Record<string, string>> = {
  'better-sqlite3': 'the run store',
  ink: 'the terminal viewer',
  react: 'the terminal viewer',
  elkjs: 'the HTML report',
};

function missingPackageLine(prefix: string, name: string): string {
  return `${prefix}: needs ${name} (${OPTIONAL_PACKAGES[name]}), which is not installed: npm install ${name}`;
}

/** The optional package whose absence made `error`, or null. */
export function missingOptionalPackage(error: unknown): string | null {
  if (!(error instanceof Error) || (error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') return null;
  return Object.keys(OPTIONAL_PACKAGES).find((name) => error.message.includes(`'${name}'`) || error.message.includes(`'${name}/`)) ?? null;
}

function isEntry(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) await cli();
