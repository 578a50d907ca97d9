import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { commandFor, helpLines, keyName, keyNames, KEYMAP } from './keys.js';

const NONE: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false,
  hyper: false, capsLock: false, numLock: false,
};

describe('keymap', () => {
  it('names keys the way the table does', () => {
    expect(keyName('', { ...NONE, downArrow: true })).toBe('down');
    expect(keyName('', { ...NONE, pageDown: true })).toBe('pagedown');
    expect(keyName('', { ...NONE, tab: true, shift: true })).toBe('shift-tab');
    expect(keyName('\r', { ...NONE, return: true })).toBe('enter');
    expect(keyName('c', { ...NONE, ctrl: true })).toBe('ctrl-c');
    expect(keyName('G', { ...NONE, shift: true })).toBe('G');
    expect(keyName(' ', NONE)).toBe('space');
    expect(keyName('', NONE)).toBeNull();
  });

  it('splits a paste into one key per character', () => {
    expect(keyNames('n5 -t', NONE)).toEqual(['n', '5', 'space', '-', 't']);
    expect(keyNames('j', NONE)).toEqual(['j']);
    expect(keyNames('ab\r\tx\u007f', NONE)).toEqual(['a', 'b', 'enter', 'tab', 'x', 'backspace']);
    expect(keyNames('', { ...NONE, upArrow: true })).toEqual(['up']);
  });

  it('maps every bound key to its command on its screens only', () => {
    for (const binding of KEYMAP) {
      for (const key of binding.keys) {
        for (const screen of ['list', 'run'] as const) {
          const expected = binding.screens.includes(screen) ? binding.command : null;
          // A key may be bound once per screen: the first binding wins and must be this one.
          if (expected !== null) expect(commandFor(key, screen)).toBe(expected);
        }
      }
    }
    expect(commandFor('e', 'list')).toBeNull();
    expect(commandFor('enter', 'run')).toBeNull();
  });

  it('binds no key twice on one screen', () => {
    for (const screen of ['list', 'run'] as const) {
      const keys = KEYMAP.filter((binding) => binding.screens.includes(screen)).flatMap((binding) => binding.keys);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  it('generates the help from the table, one line per binding of the screen', () => {
    const run = helpLines('run');
    expect(run).toHaveLength(KEYMAP.filter((binding) => binding.screens.includes('run')).length);
    expect(run.some((line) => line.includes('jump to the first violation') && line.trimStart().startsWith('e '))).toBe(true);
    expect(helpLines('list').some((line) => line.includes('jump to the first violation'))).toBe(false);
  });
});
