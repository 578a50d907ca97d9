// `crucible bench [--suite NAME|all]`: runs benchmark suites and prints {suite, results, peakRssMb}.
// Each suite's figures are also written to `.crucible/bench/<suite>.json` (next to the store), so
// the numbers of one version can be compared with the next.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, UsageError, type Command, type CommandContext } from '../cli/command.js';
import { SUITE_NAMES, loadSuite, suiteExists, type BenchResult } from '../bench/index.js';

export interface BenchReport {
  suite: string;
  results: BenchResult[];
  /** Peak resident memory of the process that ran the suite. */
  peakRssMb: number;
}

/** One child process per suite for `all` has to finish within this, or it is reported as failed. */
const SUITE_WALL_MS_MAX = 30 * 60 * 1000;

function peakRssMb(): number {
  // maxRSS is in kilobytes.
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

function assertResults(suite: string, results: unknown): asserts results is BenchResult[] {
  if (!Array.isArray(results)) throw new Error(`suite ${suite}: runSuite() did not return an array`);
  for (const result of results as Partial<BenchResult>[]) {
    if (typeof result?.name !== 'string' || typeof result.value !== 'number' || typeof result.unit !== 'string') {
      throw new Error(`suite ${suite}: each result must be {name: string, value: number, unit: string}`);
    }
  }
}

/** Runs one suite in this process. */
export async function runBenchSuite(suite: string): Promise<BenchReport> {
  const module = await loadSuite(suite);
  const results = await module.runSuite();
  assertResults(suite, results);
  return { suite, results, peakRssMb: peakRssMb() };
}

/** Runs one suite in a fresh process, so suites neither share memory peaks nor warm each other's JIT. */
function runSuiteInChild(suite: string, store: string): BenchReport {
  const entry = fileURLToPath(new URL('../crucible.ts', import.meta.url));
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, entry, 'bench', '--suite', suite, '--json', '--store', store],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: SUITE_WALL_MS_MAX, maxBuffer: 16 * 1024 * 1024 },
  );
  if (child.status !== 0) throw new Error(`suite ${suite} failed (exit ${child.status ?? child.signal})`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as BenchReport;
}

function writeReport(report: BenchReport, store: string): string {
  const directory = join(dirname(store), 'bench');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `${report.suite}.json`);
  const saved = { ...report, node: process.version, createdAt: new Date().toISOString() };
  writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`);
  return file;
}

function printReport(report: BenchReport, context: CommandContext): void {
  if (context.json) {
    context.out(JSON.stringify(report));
    return;
  }
  context.out(`${report.suite} (peak RSS ${report.peakRssMb} MB)`);
  const width = Math.max(0, ...report.results.map((result) => result.name.length));
  for (const result of report.results) {
    const value = Number.isInteger(result.value) ? result.value.toLocaleString('en-US') : result.value.toPrecision(4);
    context.out(`  ${result.name.padEnd(width)}  ${value} ${result.unit}`);
  }
}

export const command: Command = {
  name: 'bench',
  summary: 'Run the benchmarks and write their figures to .crucible/bench/',
  usage: 'crucible bench [--suite NAME|all] [--json]',
  flags: [
    {
      name: 'suite',
      type: 'string',
      valueName: 'NAME',
      default: 'all',
      description: `One of ${SUITE_NAMES.join(', ')}, or all`,
    },
  ],
  details: [
    'With --json: {suite, results: [{name, value, unit}], peakRssMb}, one line per suite.',
    'Result names are stable so figures compare across versions. `all` runs each suite in its own',
    'process and skips suites that are not written yet. Speed targets live here, never in unit tests.',
  ].join('\n'),
  async run(args, context) {
    const suite = args.flags.suite as string;
    if (suite !== 'all') {
      const report = await runBenchSuite(suite);
      writeReport(report, context.store);
      printReport(report, context);
      return EXIT.OK;
    }
    let ran = 0;
    let failed = 0;
    for (const name of SUITE_NAMES) {
      if (!suiteExists(name)) {
        context.err(`crucible bench: skipping suite ${name}: scripts/bench/${name}.ts is not written yet`);
        continue;
      }
      try {
        printReport(runSuiteInChild(name, context.store), context);
        ran += 1;
      } catch (error) {
        context.err(`crucible bench: ${(error as Error).message}`);
        failed += 1;
      }
    }
    if (ran === 0 && failed === 0) throw new UsageError('--suite all: no suite is written yet');
    return failed > 0 ? EXIT.USAGE : EXIT.OK;
  },
};
