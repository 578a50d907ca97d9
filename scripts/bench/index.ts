// The benchmark suites, by name. Each is a module scripts/bench/<suite>.ts exporting `runSuite()`,
// loaded only when asked for, so a suite another helper has not written yet fails with one clear
// line instead of breaking every other suite.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../cli/command.js';

export interface BenchResult {
  /** Stable across versions (`kernel.flood`), so figures can be compared over time. */
  name: string;
  value: number;
  unit: string;
}

export interface BenchSuite {
  runSuite(): Promise<BenchResult[]>;
}

/** Suite names in the order `--suite all` runs them. */
export const SUITE_NAMES = ['kernel', 'checker', 'raft', 'fuzz', 'cluster', 'store', 'elle', 'quorum-kv', 'broker', 'cache', 'scheduler', 'soak'] as const;

/** The source file of a suite, whether or not it exists yet. */
export function suiteFile(name: string): string {
  return fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
}

export function suiteExists(name: string): boolean {
  return existsSync(suiteFile(name));
}

/** Loads a suite's module; a name not in the list, or a suite not written yet, is a UsageError. */
export async function loadSuite(name: string, exists: (name: string) => boolean = suiteExists): Promise<BenchSuite> {
  if (!(SUITE_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`--suite ${name}: unknown suite (known: ${SUITE_NAMES.join(', ')}, all)`);
  }
  if (!exists(name)) {
    throw new UsageError(`--suite ${name}: scripts/bench/${name}.ts is not written yet; pick another suite`);
  }
  // The specifier is computed, so a suite that does not exist yet does not break the typecheck.
  const module = (await import(`./${name}.js`)) as Partial<BenchSuite>;
  if (typeof module.runSuite !== 'function') {
    throw new UsageError(`scripts/bench/${name}.ts does not export runSuite(); see scripts/bench/index.ts`);
  }
  return module as BenchSuite;
}
