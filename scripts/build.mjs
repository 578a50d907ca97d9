#!/usr/bin/env node
// Builds the package (`npm run build`, and `npm pack` through prepack): the TypeScript sources
// compiled by tsc into dist/ (tsconfig.build.json: no tests, no testing helpers, no benches), the
// declarations of the public API and of what its types reach (tsconfig.types.json; the CLI's own
// modules need none), and the one plain-JavaScript module the built code starts by path.
import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(`${root}/dist`, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.types.json'], { cwd: root, stdio: 'inherit' });
// The fuzz campaign forks this file to start each worker process (scripts/fuzz/campaign.ts).
copyFileSync(`${root}/scripts/fuzz/worker-boot.mjs`, `${root}/dist/scripts/fuzz/worker-boot.mjs`);
