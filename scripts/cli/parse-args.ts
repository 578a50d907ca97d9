// Parses `crucible <command> [flags] [positionals]` against the command's flag table, so the same
// table both parses and documents (scripts/cli/help.ts). Pure: argv in, typed values or a
// UsageError out. The dispatcher adds the "crucible <cmd>:" prefix and the help hint.
import { UsageError, type Command, type FlagSpec, type ParsedArgs } from './command.js';
import { GLOBAL_FLAGS } from './global-flags.js';
import { suggest } from './suggest.js';

export interface ParsedCommandLine extends ParsedArgs {
  /** `--help` or `-h` was given: the caller prints help and ignores everything else. */
  help: boolean;
}

/** A command line this long is a mistake (a runaway glob), not a request. */
export const ARGV_LENGTH_MAX = 100_000;

/** The command's flags plus the global ones; a command's own spec wins over a global of the same name. */
export function flagTable(command: Command): Map<string, FlagSpec> {
  const table = new Map<string, FlagSpec>();
  for (const spec of GLOBAL_FLAGS) table.set(spec.name, spec);
  for (const spec of command.flags) table.set(spec.name, spec);
  return table;
}

export function flagLabel(spec: FlagSpec): string {
  if (spec.type === 'boolean') return `--${spec.name}`;
  const valueName = spec.valueName ?? (spec.type === 'int' ? 'N' : spec.type === 'list' ? 'LIST' : 'VALUE');
  return `--${spec.name} ${valueName}`;
}

function parseInt64Safe(spec: FlagSpec, text: string): number {
  if (!/^-?\d+$/.test(text)) throw new UsageError(`--${spec.name} ${text}: expected an integer`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new UsageError(`--${spec.name} ${text}: too large (the limit is ${Number.MAX_SAFE_INTEGER})`);
  }
  return value;
}

function parseBoolean(spec: FlagSpec, text: string): boolean {
  if (text === 'true' || text === '1' || text === 'yes') return true;
  if (text === 'false' || text === '0' || text === 'no') return false;
  throw new UsageError(`--${spec.name}=${text}: expected true or false (or use --no-${spec.name})`);
}

function parseValue(spec: FlagSpec, text: string): string | number | string[] {
  switch (spec.type) {
    case 'int':
      return parseInt64Safe(spec, text);
    case 'list': {
      const items = text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
      if (items.length === 0) throw new UsageError(`--${spec.name} needs at least one item (${flagLabel(spec)})`);
      return items;
    }
    case 'string':
      if (text.length === 0) throw new UsageError(`--${spec.name} needs a value (${flagLabel(spec)})`);
      return text;
    case 'boolean':
      throw new Error('unreachable: booleans take no separate value');
  }
}

function unknownFlag(token: string, table: Map<string, FlagSpec>): UsageError {
  const names = [...table.keys()];
  const bare = token.replace(/^-+/, '').split('=')[0]!;
  const close = suggest(bare, names);
  return new UsageError(`unknown flag ${token.split('=')[0]}${close === undefined ? '' : ` (did you mean --${close}?)`}`);
}

export function parseCommandLine(command: Command, argv: readonly string[]): ParsedCommandLine {
  if (argv.length > ARGV_LENGTH_MAX) throw new UsageError(`too many arguments (${argv.length}; at most ${ARGV_LENGTH_MAX})`);
  // Help wins over every other problem on the line: a person asking for help gets it.
  const dashDash = argv.indexOf('--');
  const options = dashDash === -1 ? argv : argv.slice(0, dashDash);
  if (options.includes('--help') || options.includes('-h')) return { flags: {}, positionals: [], help: true };

  const table = flagTable(command);
  const flags: ParsedArgs['flags'] = {};
  const positionals: string[] = [];
  let flagsEnded = false;

  const set = (spec: FlagSpec, value: string | number | boolean | string[]): void => {
    const previous = flags[spec.name];
    if (spec.type === 'list' && Array.isArray(previous)) {
      flags[spec.name] = [...previous, ...(value as string[])];
      return;
    }
    if (previous !== undefined) throw new UsageError(`--${spec.name} is given more than once`);
    flags[spec.name] = value;
  };

  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i]!;
    if (flagsEnded) {
      positionals.push(token);
    } else if (token === '--') {
      flagsEnded = true;
    } else if (token.startsWith('--')) {
      const body = token.slice(2);
      const equals = body.indexOf('=');
      const name = equals >= 0 ? body.slice(0, equals) : body;
      const inline = equals >= 0 ? body.slice(equals + 1) : undefined;
      let spec = table.get(name);
      if (spec === undefined && name.startsWith('no-') && inline === undefined) {
        const negated = table.get(name.slice(3));
        if (negated?.type === 'boolean') {
          set(negated, false);
          continue;
        }
      }
      if (spec === undefined) throw unknownFlag(token, table);
      if (spec.type === 'boolean') {
        set(spec, inline === undefined ? true : parseBoolean(spec, inline));
        continue;
      }
      let text = inline;
      if (text === undefined) {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--')) {
          throw new UsageError(`--${spec.name} needs a value (${flagLabel(spec)})`);
        }
        text = next;
        i += 1;
      }
      set(spec, parseValue(spec, text));
    } else if (token.startsWith('-') && token !== '-' && !/^-\d/.test(token)) {
      throw unknownFlag(token, table);
    } else {
      positionals.push(token);
    }
  }

  let rest = positionals;
  if (command.subcommands !== undefined && command.subcommands.length > 0) {
    const sub = positionals[0];
    if (sub === undefined) throw new UsageError(`missing subcommand (one of ${command.subcommands.join(', ')})`);
    if (!command.subcommands.includes(sub)) {
      const close = suggest(sub, command.subcommands);
      throw new UsageError(
        `unknown subcommand "${sub}"${close === undefined ? '' : ` (did you mean ${close}?)`}; ` +
          `expected one of ${command.subcommands.join(', ')}`,
      );
    }
    rest = positionals.slice(1);
  }
  const specs = command.positionals ?? [];
  const variadic = specs.some((spec) => spec.variadic === true);
  for (let index = 0; index < specs.length; index += 1) {
    const spec = specs[index]!;
    if (spec.required === true && rest[index] === undefined) {
      throw new UsageError(`missing argument ${spec.name}${spec.variadic === true ? '...' : ''}`);
    }
  }
  if (!variadic && rest.length > specs.length) {
    throw new UsageError(`unexpected argument "${rest[specs.length]}"`);
  }

  for (const spec of table.values()) {
    if (flags[spec.name] !== undefined) continue;
    if (spec.required === true) throw new UsageError(`missing required flag ${flagLabel(spec)}`);
    if (spec.default !== undefined) flags[spec.name] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
  }
  return { flags, positionals, help: false };
}
