import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{sim,nodes,faults,checkers,workloads,ui,histories,scripts}/**/*.test.{ts,tsx}'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
