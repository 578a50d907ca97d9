// Flags every command takes, whatever its own table says.
import type { FlagSpec } from './command.js';
import { STORE_PATH_DEFAULT } from './store-location.js';

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'json', type: 'boolean', default: false, description: 'JSON on stdout and nothing else (errors still go to stderr)' },
  { name: 'store', type: 'string', valueName: 'PATH', default: STORE_PATH_DEFAULT, description: 'The run store, an SQLite file' },
  { name: 'help', type: 'boolean', default: false, description: 'Show this help' },
];
