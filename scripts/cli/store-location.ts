// Where the run store lives: `--store PATH`, default `.crucible/runs.db` under the working directory.
// Apart from opening it (store-path.ts), so the dispatcher can know the path without loading
// better-sqlite3, which a library user may not have installed.
import { resolve } from 'node:path';

export const STORE_PATH_DEFAULT = '.crucible/runs.db';

/** The absolute store path for a `--store` value (or the default). */
export function resolveStorePath(store: string | undefined, cwd: string = process.cwd()): string {
  const path = store === undefined || store === '' ? STORE_PATH_DEFAULT : store;
  return resolve(cwd, path);
}
