// Help text, generated from the same flag tables that parse, so it cannot drift from the parser.
import type { Command, FlagSpec } from './command.js';
import { GLOBAL_FLAGS } from './global-flags.js';
import { flagLabel } from './parse-args.js';

export const EXIT_CODES_HELP =
  'Exit codes: 0 all checks valid, 1 a violation was found, 2 bad usage or bad input, 3 a checker could not decide.';

/** A command's own exit-code line in its details replaces the general one: one line, never two. */
const EXIT_LINE = /^Exit codes?:/m;

/** A flag's default as help shows it; an empty default is no default, said in words. */
function formatDefault(value: FlagSpec['default']): string {
  const text = Array.isArray(value) ? value.join(',') : String(value);
  return text === '' ? 'none' : text;
}

/**
 * The default part of a flag's help: every optional flag that takes a value says what happens
 * without it, either from its table or, when its description already says so, in those words.
 */
function defaultText(spec: FlagSpec): string {
  if (spec.required === true) return ' (required)';
  if (spec.type === 'boolean') return '';
  if (spec.default !== undefined) return ` (default: ${formatDefault(spec.default)})`;
  return /\bdefault\b/i.test(spec.description) ? '' : ' (default: not set)';
}

function table(rows: readonly [string, string][]): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`.trimEnd());
}

function flagRow(spec: FlagSpec): [string, string] {
  const label = spec.type === 'boolean' && spec.name !== 'help' ? `--[no-]${spec.name}` : flagLabel(spec);
  let text = spec.description + defaultText(spec);
  if (spec.type === 'list') text += ' [comma-separated]';
  return [spec.name === 'help' ? '-h, --help' : label, text];
}

export function commandHelp(command: Command): string {
  const own = new Set(command.flags.map((spec) => spec.name));
  const lines = [`Usage: ${command.usage}`, '', command.summary];
  if (command.subcommands !== undefined && command.subcommands.length > 0) {
    lines.push('', `Subcommands: ${command.subcommands.join(', ')}`);
  }
  if (command.positionals !== undefined && command.positionals.length > 0) {
    lines.push('', 'Arguments:');
    lines.push(
      ...table(
        command.positionals.map((spec) => [
          `${spec.name}${spec.variadic === true ? '...' : ''}`,
          `${spec.description}${spec.required === true ? ' (required)' : ''}`,
        ]),
      ),
    );
  }
  if (command.flags.length > 0) {
    lines.push('', 'Flags:');
    lines.push(...table(command.flags.map(flagRow)));
  }
  lines.push('', 'Global flags:');
  lines.push(...table(GLOBAL_FLAGS.filter((spec) => !own.has(spec.name)).map(flagRow)));
  if (command.details !== undefined && command.details.length > 0) lines.push('', command.details);
  if (command.details === undefined || !EXIT_LINE.test(command.details)) lines.push('', EXIT_CODES_HELP);
  return lines.join('\n');
}

export function commandListHelp(commands: readonly Command[]): string {
  const sorted = [...commands].sort((a, b) => a.name.localeCompare(b.name));
  return [
    'Crucible: a deterministic simulation and chaos lab for distributed systems.',
    '',
    'Usage: crucible <command> [flags] [arguments]',
    '',
    'Commands:',
    ...table(sorted.map((command) => [command.name, command.summary])),
    '',
    'Global flags:',
    ...table(GLOBAL_FLAGS.map(flagRow)),
    '',
    'Run `crucible <command> --help` for its flags and details.',
    EXIT_CODES_HELP,
  ].join('\n');
}
