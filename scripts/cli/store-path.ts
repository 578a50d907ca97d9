// Opening the run store at `--store PATH` (scripts/cli/store-location.ts says where that is).
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { RunStore } from '../../histories/store.js';
import { resolveStorePath } from './store-location.js';

export { resolveStorePath, STORE_PATH_DEFAULT } from './store-location.js';

/** Resolves the path and creates its parent directory, for commands that write the store. */
export function prepareStorePath(store: string | undefined, cwd: string = process.cwd()): string {
  const path = resolveStorePath(store, cwd);
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

/** Opens the store for writing (created on first use). Errors are StoreErrors: one line, exit 2. */
export function openRunStore(store: string): RunStore {
  return RunStore.open(prepareStorePath(store));
}

/** Opens the store for reading, or returns null when no run was ever stored there. */
export function openRunStoreForReading(store: string): RunStore | null {
  const path = resolveStorePath(store);
  if (!existsSync(path)) return null;
  return RunStore.open(path, { readonly: true });
}
