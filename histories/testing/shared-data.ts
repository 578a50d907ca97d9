// The external histories of ../shared/data (Knossos, Porcupine, Elle), for tests and benchmarks:
// where they are, and the verdicts their source projects assert (expected.json).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ExpectedVerdict {
  model: string;
  linearizable: boolean;
}

/** CRUCIBLE_DATA, or ../shared/data next to the repository. */
export function sharedDataDirectory(): string {
  const repository = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  return process.env.CRUCIBLE_DATA ?? resolve(repository, '../shared/data');
}

/** A file of the shared data, by its path inside it (`porcupine-kv/c01-ok.txt`). */
export function readSharedFile(path: string): string {
  return readFileSync(join(sharedDataDirectory(), path), 'utf8');
}

/** expected.json: every history with an asserted verdict, by path. */
export function expectedVerdicts(): Record<string, ExpectedVerdict> {
  return JSON.parse(readSharedFile('expected.json')) as Record<string, ExpectedVerdict>;
}
