// The contract every `crucible` command module follows. The dispatcher (scripts/crucible.ts) parses
// flags from each command's table, so `--help` is generated from the same table that parses.

export const EXIT = {
  /** All checks valid. */
  OK: 0,
  /** A violation was found. */
  VIOLATION: 1,
  /** Bad usage or bad input. */
  USAGE: 2,
  /** A checker could not decide. */
  UNKNOWN: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad usage or bad input: one clear line (naming the place and the fix), exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type FlagType = 'string' | 'int' | 'boolean' | 'list';

export interface FlagSpec {
  /** Long name without dashes: `seed` for `--seed`. */
  name: string;
  type: FlagType;
  description: string;
  /** Shown in help as `--seed N`. */
  valueName?: string;
  default?: string | number | boolean | string[];
  required?: boolean;
}

export interface PositionalSpec {
  name: string;
  description: string;
  /** Takes all remaining positionals (`check FILE...`). */
  variadic?: boolean;
  required?: boolean;
}

/** Parsed flags by long name; positionals in order. Values are typed by the flag table. */
export interface ParsedArgs {
  flags: Record<string, string | number | boolean | string[] | undefined>;
  positionals: string[];
}

export interface CommandContext {
  /** `--json`: JSON on stdout and nothing else there. */
  json: boolean;
  /** `--store PATH` (default `.crucible/runs.db`). */
  store: string;
  /** stdout is a terminal (live progress lines, ink). */
  isTTY: boolean;
  out(line: string): void;
  err(line: string): void;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** `crucible run --system S --seed N [...]` */
  usage: string;
  flags: FlagSpec[];
  positionals?: PositionalSpec[];
  /** Sub-commands such as `cluster up`: a first positional chosen from this list. */
  subcommands?: string[];
  /** Extra help text: examples, exit codes, notes. */
  details?: string;
  run(args: ParsedArgs, context: CommandContext): Promise<number>;
}
