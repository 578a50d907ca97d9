// The viewer's keymap: one table says which key does what on which screen. The key handler and the
// `?` help screen both read it, so the help can never disagree with the keys.
import type { Key } from 'ink';

export type ViewerCommand =
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'top'
  | 'bottom'
  | 'open'
  | 'back'
  | 'search'
  | 'nextMatch'
  | 'previousMatch'
  | 'firstViolation'
  | 'nextPane'
  | 'previousPane'
  | 'filter'
  | 'toggleBackground'
  | 'help'
  | 'quit';

export type ScreenName = 'list' | 'run';

export interface KeyBinding {
  /** Key names as `keyName` returns them; the first is shown first in help. */
  keys: readonly string[];
  command: ViewerCommand;
  description: string;
  screens: readonly ScreenName[];
}

const BOTH: readonly ScreenName[] = ['list', 'run'];

export const KEYMAP: readonly KeyBinding[] = [
  { keys: ['up', 'k'], command: 'up', description: 'move up one row', screens: BOTH },
  { keys: ['down', 'j'], command: 'down', description: 'move down one row', screens: BOTH },
  { keys: ['pageup', 'ctrl-b'], command: 'pageUp', description: 'move up one page', screens: BOTH },
  { keys: ['pagedown', 'ctrl-f', 'space'], command: 'pageDown', description: 'move down one page', screens: BOTH },
  { keys: ['g', 'home'], command: 'top', description: 'go to the first row', screens: BOTH },
  { keys: ['G', 'end'], command: 'bottom', description: 'go to the last row', screens: BOTH },
  { keys: ['enter'], command: 'open', description: 'open the selected run', screens: ['list'] },
  { keys: ['esc', 'backspace', 'left'], command: 'back', description: 'back to the run list', screens: ['run'] },
  { keys: ['/'], command: 'search', description: 'search ops, or the trace when the trace pane is focused (then Enter)', screens: ['run'] },
  { keys: ['n'], command: 'nextMatch', description: 'next search match', screens: ['run'] },
  { keys: ['N'], command: 'previousMatch', description: 'previous search match', screens: ['run'] },
  { keys: ['e'], command: 'firstViolation', description: 'jump to the first violation', screens: ['run'] },
  { keys: ['tab'], command: 'nextPane', description: 'next pane (timeline, evidence, trace)', screens: ['run'] },
  { keys: ['shift-tab'], command: 'previousPane', description: 'previous pane', screens: ['run'] },
  { keys: ['f'], command: 'filter', description: 'filter: runs (list); ops by key:K p:N node:N (timeline); trace by node/kind (trace)', screens: BOTH },
  { keys: ['b'], command: 'toggleBackground', description: 'show or hide background trace events (timer ticks, heartbeat-like messages)', screens: ['run'] },
  { keys: ['?'], command: 'help', description: 'show or hide this help', screens: BOTH },
  { keys: ['q', 'ctrl-c'], command: 'quit', description: 'quit', screens: BOTH },
];

/** A stable name for a key press: `j`, `G`, `up`, `pagedown`, `enter`, `shift-tab`, `ctrl-c`. */
export function keyName(input: string, key: Key): string | null {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input.length === 1) return `ctrl-${input.toLowerCase()}`;
  if (input === ' ') return 'space';
  if (input.length === 1) return input;
  return null;
}

/** Control characters that may arrive inside a burst of typed keys. */
const CHUNK_KEYS: Readonly<Record<string, string>> = { '\r': 'enter', '\n': 'enter', '\t': 'tab', '\u007f': 'backspace', '\b': 'backspace', ' ': 'space' };

/**
 * Key names for one input event. A paste (or keys typed faster than they are read) arrives as one
 * string; it becomes one key per character so a search typed in a burst is not lost.
 */
export function keyNames(input: string, key: Key): string[] {
  const chars = [...input];
  if (chars.length > 1 && !key.ctrl && !key.meta && !input.startsWith('\u001b')) {
    const names: string[] = [];
    for (const char of chars) {
      const named = CHUNK_KEYS[char];
      if (named !== undefined) names.push(named);
      else if (char >= ' ') names.push(char);
    }
    return names;
  }
  const name = keyName(input, key);
  return name === null ? [] : [name];
}

/** The command a key runs on a screen, or null. */
export function commandFor(name: string, screen: ScreenName): ViewerCommand | null {
  for (const binding of KEYMAP) {
    if (binding.screens.includes(screen) && binding.keys.includes(name)) return binding.command;
  }
  return null;
}

/** The help text, one line per binding, generated from the keymap. */
export function helpLines(screen?: ScreenName): string[] {
  const bindings = screen === undefined ? KEYMAP : KEYMAP.filter((binding) => binding.screens.includes(screen));
  const width = Math.max(...bindings.map((binding) => binding.keys.join(' ').length));
  return bindings.map((binding) => `${binding.keys.join(' ').padEnd(width)}  ${binding.description}`);
}
