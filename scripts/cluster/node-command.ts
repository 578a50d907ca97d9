// How the cluster starts a node process. The lean entry scripts/tcp/node-main.ts runs the very code
// of `crucible node`; under tsx it starts in about 1.5 s on this machine, most of it compiling.
// A node that is killed and restarted by the nemesis should be back in well under a second, as a
// real server would, so when esbuild (which tsx itself runs on) can be loaded, the entry is bundled
// once per cluster start into .crucible/build/ and started with plain `node` (about 0.35 s).
// Without esbuild the tsx command is used: same code, slower start.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, so a node process resolves `tsx` and our sources wherever we run from. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A module of ours: the TypeScript source in the repository, the built `.js` in an installed package (dist/). */
function ownModule(...parts: string[]): string {
  const source = `${path.join(REPO_ROOT, ...parts)}.ts`;
  return fs.existsSync(source) ? source : `${path.join(REPO_ROOT, ...parts)}.js`;
}

/** tsx's loader, resolved from here so a node process finds it whatever its working directory. */
const TSX = import.meta.resolve('tsx');

/** `node --import tsx scripts/crucible.ts`: the CLI itself (followed by a command). */
export function crucibleCommand(): string[] {
  return [process.execPath, '--import', TSX, ownModule('scripts', 'crucible')];
}

export const NODE_ENTRY = ownModule('scripts', 'tcp', 'node-main');

export function tsxNodeCommand(): string[] {
  return [process.execPath, '--import', TSX, NODE_ENTRY];
}

/** A bundle of the node entry, rebuilt on every call (sources may have changed); null without esbuild. */
export async function bundleNodeEntry(): Promise<string | null> {
  return bundle(NODE_ENTRY, 'node-main');
}

/** Bundles `entry` into .crucible/build/NAME.mjs; null without esbuild or when it does not build. */
async function bundle(entry: string, name: string): Promise<string | null> {
  let esbuild: { build(options: Record<string, unknown>): Promise<unknown> };
  try {
    esbuild = (await import('esbuild')) as unknown as typeof esbuild;
  } catch {
    return null;
  }
  // Inside the repository, so the bundle's bare imports resolve to our node_modules.
  const directory = path.join(REPO_ROOT, '.crucible', 'build');
  fs.mkdirSync(directory, { recursive: true });
  const outfile = path.join(directory, `${name}.mjs`);
  const temporary = `${outfile}.${process.pid}.tmp.mjs`;
  try {
    await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile: temporary,
      logLevel: 'silent',
    });
    // Atomic, so a concurrent cluster never starts a half-written bundle.
    fs.renameSync(temporary, outfile);
    return outfile;
  } catch {
    fs.rmSync(temporary, { force: true });
    return null;
  }
}

/** The fastest way to start a node that works here. */
export async function fastNodeCommand(): Promise<string[]> {
  const entry = await bundleNodeEntry();
  return entry === null ? tsxNodeCommand() : [process.execPath, entry];
}

/**
 * How to start a node of a system loaded from a plugin module (`--plugin FILE`): the bundled entry
 * cannot import TypeScript, so the plugin is bundled too (named by a digest of its path, so two
 * plugins never share a bundle) and handed to the node; without esbuild, tsx runs both as they are.
 * Without a plugin, `fastNodeCommand()` and no extra flags.
 */
export async function nodeLaunch(pluginPath: string | undefined): Promise<{ command: string[]; pluginFlags: string[] }> {
  if (pluginPath === undefined) return { command: await fastNodeCommand(), pluginFlags: [] };
  const source = path.resolve(pluginPath);
  if (!fs.existsSync(source)) throw new Error(`--plugin ${pluginPath}: no such file`);
  const entry = await bundleNodeEntry();
  const digest = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const plugin = entry === null ? null : await bundle(source, `plugin-${digest}`);
  if (entry === null || plugin === null) return { command: tsxNodeCommand(), pluginFlags: ['--plugin', source] };
  return { command: [process.execPath, entry], pluginFlags: ['--plugin', plugin] };
}

/** `nodeLaunch`, unless the caller gives its own node command (tests): then the plugin as it is. */
export async function nodeLaunchFor(nodeCommand: readonly string[] | undefined, pluginPath: string | undefined): Promise<{ command: string[]; pluginFlags: string[] }> {
  if (nodeCommand === undefined) return nodeLaunch(pluginPath);
  return { command: [...nodeCommand], pluginFlags: pluginPath === undefined ? [] : ['--plugin', path.resolve(pluginPath)] };
}
