#!/usr/bin/env node
// The `crucible` bin: runs scripts/crucible.ts under tsx's loader in a child Node process. A child
// (rather than registering the loader here) keeps `--import tsx` in process.execArgv, so worker
// threads and child processes that Crucible starts load TypeScript the same way.
// In the repository the entry is the TypeScript source; in an installed package, the build in dist/
// (tsx still loads it, so a user's own TypeScript plugins and config-named modules load too).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const loader = import.meta.resolve('tsx');
const source = fileURLToPath(new URL('./crucible.ts', import.meta.url));
const entry = existsSync(source) ? source : fileURLToPath(new URL('../dist/scripts/crucible.js', import.meta.url));
const child = spawn(process.execPath, ['--import', loader, entry, ...process.argv.slice(2)], { stdio: 'inherit' });

// The child shares our terminal, so Ctrl-C reaches it directly; forward what arrives only to us.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (error) => {
  process.stderr.write(`crucible: could not start node: ${error.message}\n`);
  process.exit(2);
});
child.on('exit', (code, signal) => {
  if (signal !== null) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 2);
});
