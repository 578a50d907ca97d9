import { describe, expect, it } from 'vitest';
import { commands } from '../commands/index.js';
import type { Command } from './command.js';
import { commandHelp, commandListHelp, EXIT_CODES_HELP } from './help.js';

const noop: Command['run'] = async () => 0;

function fake(details: string | undefined): Command {
  return {
    name: 'fake',
    summary: 'A fake command',
    usage: 'crucible fake',
    flags: [
      { name: 'ops', type: 'int', valueName: 'M', description: 'Ops at most' },
      { name: 'bug', type: 'string', valueName: 'NAME', default: '', description: 'A planted bug' },
      { name: 'seed-start', type: 'int', valueName: 'N', description: 'First seed (default 0)' },
      { name: 'limit', type: 'int', valueName: 'N', default: 20, description: 'At most N' },
      { name: 'system', type: 'string', valueName: 'S', required: true, description: 'The system' },
      { name: 'keep', type: 'boolean', description: 'Keep it' },
    ],
    ...(details === undefined ? {} : { details }),
    run: noop,
  };
}

function exitLines(text: string): string[] {
  return text.split('\n').filter((line) => /^Exit codes?:/.test(line));
}

describe('help', () => {
  it('says the default of every optional flag that takes a value, and never an empty one', () => {
    const text = commandHelp(fake(undefined));
    expect(text).toMatch(/--ops M\s+Ops at most \(default: not set\)/);
    expect(text).toMatch(/--bug NAME\s+A planted bug \(default: none\)/);
    expect(text).toMatch(/--seed-start N\s+First seed \(default 0\)$/m);
    expect(text).toMatch(/--limit N\s+At most N \(default: 20\)/);
    expect(text).toMatch(/--system S\s+The system \(required\)/);
    expect(text).not.toMatch(/\(default: \)/);
  });

  it('prints one exit-code line: the command\'s own when it has one, else the general one', () => {
    expect(exitLines(commandHelp(fake(undefined)))).toEqual([EXIT_CODES_HELP]);
    expect(exitLines(commandHelp(fake('Some notes.\nExit codes: 0 fine, 2 bad.')))).toEqual(['Exit codes: 0 fine, 2 bad.']);
    expect(exitLines(commandListHelp([fake(undefined)]))).toEqual([EXIT_CODES_HELP]);
  });

  it('holds for every real command', () => {
    for (const command of commands) {
      const text = commandHelp(command);
      expect(exitLines(text), command.name).toHaveLength(1);
      expect(text, command.name).not.toMatch(/\(default: \)/);
      // Every optional flag that takes a value says what happens without it.
      for (const line of text.split('\n').filter((row) => /^ {2}--(?!\[no-\])/.test(row))) {
        if (/\(required\)/.test(line)) continue;
        expect(line, `${command.name}: ${line}`).toMatch(/default/i);
      }
    }
  });
});
