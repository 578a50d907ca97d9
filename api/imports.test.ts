// Importing the library must not load the run store (better-sqlite3, a native addon), the terminal
// viewer (ink, react) or the report's layout engine (elkjs): a user calls simulate and check
// anywhere Node runs. Checked in a fresh process that records every module it resolves.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HEAVY = /\/node_modules\/(better-sqlite3|bindings|ink|react|react-reconciler|elkjs|yoga-layout)\//;

function loaded(...modules: string[]): { resolved: string[]; cjs: string[]; shared: string[] } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'api/testing/loaded-modules.mjs', ...modules], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('importing the API', () => {
  it('loads the simulator and checkers but not the store, the viewer or the report', () => {
    const { resolved, cjs, shared } = loaded('api/index.ts', 'api/fast-check.ts');
    // The probe sees what it must: the API itself, the runner, zod, fast-check.
    expect(resolved.some((url) => url.endsWith('/api/index.ts'))).toBe(true);
    expect(resolved.some((url) => url.endsWith('/scripts/lab/runner.ts'))).toBe(true);
    expect(resolved.some((url) => /\/node_modules\/fast-check\//.test(url))).toBe(true);
    expect([...resolved, ...cjs].filter((url) => HEAVY.test(url))).toEqual([]);
    expect(resolved.filter((url) => /\/(histories\/store|ui\/)/.test(url))).toEqual([]);
    expect(shared.filter((file) => /better_sqlite3/.test(file))).toEqual([]);
  });

  it('the probe does see the store when something imports it (it is not blind)', () => {
    const { resolved } = loaded('histories/store.ts');
    expect(resolved.some((url) => /\/node_modules\/better-sqlite3\//.test(url))).toBe(true);
  });
});
