// How the cluster starts a node process. The lean entry scripts/tcp/node-main.ts runs the very code
// of `crucible node`; under tsx it starts in about 1.5 s on this machine, most of it compiling.
// A node that is killed and restarted by the nemesis should be back in well under a second, as a
// real server would, so when esbuild (which tsx itself runs on) can be loaded, the entry is bundled
// once per cluster start into .crucible/build/ and started with plain `node` (about 0.35 s).
// Without esbuild the tsx command is used: same code, slower start.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, so a node process resolves `tsx` and our sources wherever we run from. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `node --import tsx scripts/crucible.ts`: the CLI itself (followed by a command). */
export function crucibleCommand(): string[] {
  return [process.execPath, '--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'crucible.ts')];
}

export const NODE_ENTRY = path.join(REPO_ROOT, 'scripts', 'tcp', 'node-main.ts');

export function tsxNodeCommand(): string[] {
  return [process.execPath, '--import', 'tsx', NODE_ENTRY];
}

/** A bundle of the node entry, rebuilt on every call (sources may have changed); null without esbuild. */
export async function bundleNodeEntry(): Promise<string | null> {
  let esbuild: { build(options: Record<string, unknown>): Promise<unknown> };
  try {
    esbuild = (await import('esbuild')) as unknown as typeof esbuild;
  } catch {
    return null;
  }
  // Inside the repository, so the bundle's bare imports resolve to our node_modules.
  const directory = path.join(REPO_ROOT, '.crucible', 'build');
  fs.mkdirSync(directory, { recursive: true });
  const outfile = path.join(directory, 'node-main.mjs');
  const temporary = `${outfile}.${process.pid}.tmp.mjs`;
  try {
    await esbuild.build({
      entryPoints: [NODE_ENTRY],
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
  const bundle = await bundleNodeEntry();
  return bundle === null ? tsxNodeCommand() : [process.execPath, bundle];
}
