// Capsules written by the library: the same files `crucible fuzz` writes, and the command line that
// replays one from the project's folder (`npx crucible replay FILE` in a user's project; this
// repository's own `npm run --silent crucible -- replay FILE` inside it).
import { join, relative, resolve } from 'node:path';
import { capsuleFileName, writeCapsule, type Capsule } from '../scripts/lab/capsule.js';
import { cliPrefix } from '../scripts/lab/config.js';

export const CAPSULE_DIR_DEFAULT = '.crucible/capsules';

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that replays the capsule file at `path`, relative to the working directory when inside it. */
export function replayCommand(path: string, cwd: string = process.cwd()): string {
  const named = relative(cwd, resolve(path));
  return `${cliPrefix(cwd)} replay ${quote(named.startsWith('..') ? resolve(path) : named)}`;
}

/**
 * Writes `capsule` into `dir` (relative to the working directory), its `summary` starting with its
 * own replay command as `crucible fuzz` writes them; returns the file and that command.
 */
export function saveCapsule(capsule: Capsule, summary: string, dir: string = CAPSULE_DIR_DEFAULT): { file: string; repro: string } {
  const repro = replayCommand(join(dir, capsuleFileName(capsule)));
  capsule.summary = `${repro}  # ${summary}`;
  return { file: writeCapsule(capsule, dir), repro };
}

export { capsuleFileName };
