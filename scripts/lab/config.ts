// A project's own systems, named in data: `crucible.config.json` (or a `crucible` field of the
// project's package.json) lists the plugin modules, relative to the file that names them, so every
// command finds the user's system without a --plugin flag. Reading the config runs no code; only
// the modules it names are imported, and only when a command asks for a system.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../cli/command.js';

export const CONFIG_FILE = 'crucible.config.json';
/** Folders walked up from the working directory in search of a config. */
const PARENTS_MAX = 64;
/** Plugin modules one config may name. */
export const CONFIG_PLUGINS_MAX = 64;

const configSchema = z
  .object({
    /** Plugin modules (each exports `system`, a SystemPlugin), relative to the config's folder. */
    plugins: z.array(z.string().min(1)).min(1).max(CONFIG_PLUGINS_MAX),
    /** The system a command runs when it is given none (default: the only plugin's). */
    system: z.string().min(1).optional(),
  })
  .strict();

export interface ProjectConfig {
  /** The project's folder: the config's; capsules name plugins relative to it. */
  root: string;
  /** Where the config was read, for error messages. */
  source: string;
  /** Absolute paths of the plugin modules, in the config's order. */
  plugins: string[];
  system: string | null;
}

function parseConfig(json: unknown, source: string, root: string): ProjectConfig {
  const result = configSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const at = issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
    throw new UsageError(`${source}: ${at}${issue.message} (expected {"plugins": ["./path/to/plugin.ts"], "system"?: "name"})`);
  }
  return {
    root,
    source,
    plugins: result.data.plugins.map((plugin) => resolve(root, plugin)),
    system: result.data.system ?? null,
  };
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message}); fix the file or remove it`);
  }
}

/**
 * The config of the project around `cwd`: the nearest folder with `crucible.config.json`, or with a
 * package.json that has a `crucible` field. A package.json without the field does not stop the
 * search (a monorepo's inner packages), and null means no project names its own systems.
 */
export function findProjectConfig(cwd: string = process.cwd()): ProjectConfig | null {
  let folder = resolve(cwd);
  for (let depth = 0; depth < PARENTS_MAX; depth++) {
    const file = join(folder, CONFIG_FILE);
    if (existsSync(file)) return parseConfig(readJson(file), file, folder);
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest)) {
      const json = readJson(manifest) as Record<string, unknown> | null;
      if (json !== null && typeof json === 'object' && json.crucible !== undefined) return parseConfig(json.crucible, `${manifest} (field "crucible")`, folder);
    }
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return null;
}

/** The folder module paths are named relative to: the project's, else the working directory. */
export function projectRoot(cwd: string = process.cwd()): string {
  return findProjectConfig(cwd)?.root ?? resolve(cwd);
}

/** `plugins/counter.ts` for a module inside the project; the absolute path for one outside it. */
export function projectRelative(path: string, root: string = projectRoot()): string {
  const named = relative(root, resolve(path));
  if (named === '' || named.startsWith('..') || isAbsolute(named)) return resolve(path);
  return named.split(sep).join('/');
}

/**
 * How a person runs the CLI here: this repository's own `npm run --silent crucible --` inside it
 * (a project whose package is crucible), `npx crucible` in a user's project where it is installed.
 */
export function cliPrefix(cwd: string = process.cwd()): string {
  const manifest = join(projectRoot(cwd), 'package.json');
  if (!existsSync(manifest)) return 'npx crucible';
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'crucible' ? 'npm run --silent crucible --' : 'npx crucible';
  } catch {
    // A broken package.json is for the config reader to report; here it only picks a prefix.
    return 'npx crucible';
  }
}

/** A module path as a capsule names it, back to a path to load: relative to the project's folder. */
export function fromProjectRelative(named: string, root: string = projectRoot()): string {
  return resolve(root, named);
}
