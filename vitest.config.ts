import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Inside this repository `crucible` is the source (the example project imports it as a user would);
// a user's install resolves it to the built package.
const api = (file: string) => fileURLToPath(new URL(`./api/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^crucible\/fast-check$/, replacement: api('fast-check.ts') },
      { find: /^crucible\/vitest$/, replacement: api('vitest.ts') },
      { find: /^crucible$/, replacement: api('index.ts') },
    ],
  },
  test: {
    include: ['{sim,nodes,faults,checkers,workloads,ui,histories,scripts,api,examples}/**/*.test.{ts,tsx}'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
