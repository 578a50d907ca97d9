import { describe, expect, it } from 'vitest';
import { UsageError, type Command } from './command.js';
import { parseCommandLine } from './parse-args.js';
import { editDistance, suggest } from './suggest.js';

const run: Command = {
  name: 'run',
  summary: 'One run',
  usage: 'crucible run --system S --seed N',
  flags: [
    { name: 'system', type: 'string', valueName: 'S', description: 'System', required: true },
    { name: 'seed', type: 'int', valueName: 'N', description: 'Seed', default: 1 },
    { name: 'faults', type: 'list', valueName: 'LIST', description: 'Faults' },
    { name: 'keep', type: 'boolean', description: 'Keep history' },
    { name: 'offset', type: 'int', description: 'Clock offset' },
  ],
  positionals: [{ name: 'FILE', description: 'A file' }],
  async run() {
    return 0;
  },
};

const cluster: Command = {
  name: 'cluster',
  summary: 'Clusters',
  usage: 'crucible cluster up|down',
  subcommands: ['up', 'down', 'status', 'test'],
  flags: [],
  positionals: [{ name: 'FILE', description: 'Files', variadic: true }],
  async run() {
    return 0;
  },
};

function usageError(command: Command, argv: string[]): string {
  try {
    parseCommandLine(command, argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected a UsageError for ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
  it('parses typed flags in both spellings, fills defaults and keeps positionals', () => {
    const parsed = parseCommandLine(run, ['--system=raft', 'file.json', '--faults', 'crash, partition,', '--keep', '--offset', '-5']);
    expect(parsed.help).toBe(false);
    expect(parsed.positionals).toEqual(['file.json']);
    expect(parsed.flags).toEqual({
      system: 'raft',
      seed: 1,
      faults: ['crash', 'partition'],
      keep: true,
      offset: -5,
      json: false,
      store: '.crucible/runs.db',
      help: false,
    });
    expect(parseCommandLine(run, ['--system', 'raft', '--seed', '9007199254740991']).flags.seed).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('handles --no-flag, --flag=false, repeated lists, -- and the global flags', () => {
    const parsed = parseCommandLine(run, ['--system', 'raft', '--no-keep', '--faults=a', '--faults', 'b,c', '--json', '--store', '/tmp/x.db', '--', '--not-a-flag']);
    expect(parsed.flags).toMatchObject({ keep: false, faults: ['a', 'b', 'c'], json: true, store: '/tmp/x.db' });
    expect(parsed.positionals).toEqual(['--not-a-flag']);
    expect(parseCommandLine(run, ['--system', 'r', '--keep=false']).flags.keep).toBe(false);
    expect(parseCommandLine(run, ['--system', 'r', '--no-json']).flags.json).toBe(false);
  });

  it('answers --help and -h before checking anything else', () => {
    expect(parseCommandLine(run, ['--help']).help).toBe(true);
    expect(parseCommandLine(run, ['--seed', 'abc', '-h']).help).toBe(true);
  });

  it('refuses bad input with one line that names the flag and the fix', () => {
    expect(usageError(run, ['--system', 'raft', '--sed', '3'])).toBe('unknown flag --sed (did you mean --seed?)');
    expect(usageError(run, ['--system', 'raft', '--sed=3'])).toBe('unknown flag --sed (did you mean --seed?)');
    expect(usageError(run, ['--system', 'raft', '--zzzzzz'])).toBe('unknown flag --zzzzzz');
    expect(usageError(run, ['--system', 'raft', '-x'])).toBe('unknown flag -x');
    expect(usageError(run, ['--system', 'raft', '--seed', 'abc'])).toBe('--seed abc: expected an integer');
    expect(usageError(run, ['--system', 'raft', '--seed', '1.5'])).toBe('--seed 1.5: expected an integer');
    expect(usageError(run, ['--system', 'raft', '--seed', '9007199254740993'])).toBe(
      '--seed 9007199254740993: too large (the limit is 9007199254740991)',
    );
    expect(usageError(run, ['--system', 'raft', '--seed'])).toBe('--seed needs a value (--seed N)');
    expect(usageError(run, ['--system', '--seed', '3'])).toBe('--system needs a value (--system S)');
    expect(usageError(run, ['--system='])).toBe('--system needs a value (--system S)');
    expect(usageError(run, ['--seed', '3'])).toBe('missing required flag --system S');
    expect(usageError(run, ['--system', 'a', '--system', 'b'])).toBe('--system is given more than once');
    expect(usageError(run, ['--system', 'a', '--keep=maybe'])).toBe('--keep=maybe: expected true or false (or use --no-keep)');
    expect(usageError(run, ['--system', 'a', '--faults', ','])).toBe('--faults needs at least one item (--faults LIST)');
    expect(usageError(run, ['--system', 'a', 'one', 'two'])).toBe('unexpected argument "two"');
  });

  it('checks subcommands and takes variadic positionals', () => {
    expect(parseCommandLine(cluster, ['up', 'a', 'b', 'c']).positionals).toEqual(['up', 'a', 'b', 'c']);
    expect(usageError(cluster, [])).toBe('missing subcommand (one of up, down, status, test)');
    expect(usageError(cluster, ['dwon'])).toBe('unknown subcommand "dwon" (did you mean down?); expected one of up, down, status, test');
  });
});

describe('suggest', () => {
  it('measures edits, counting a swap of neighbours as one', () => {
    expect(editDistance('seed', 'seed')).toBe(0);
    expect(editDistance('sed', 'seed')).toBe(1);
    expect(editDistance('rnus', 'runs')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests a close name or one the input starts, and nothing for a stranger', () => {
    expect(suggest('sed', ['system', 'seed', 'faults'])).toBe('seed');
    expect(suggest('fault', ['system', 'seed', 'faults'])).toBe('faults');
    expect(suggest('sys', ['system', 'seed'])).toBe('system');
    expect(suggest('banana', ['system', 'seed'])).toBeUndefined();
  });
});
