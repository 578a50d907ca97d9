// A seed sweep, until `crucible fuzz` lands: runs one scenario over many seeds and reports the
// failures and a summary. With `--bug NAME` (or `--bug all`) it says how many seeds each planted bug
// needed to be caught. Several workers split the seeds between child processes (seed i goes to
// worker i mod W), so two cores halve the wall time.
//
//   npx tsx scripts/sweep.ts --system raft --seeds 1000 --faults all [--bug NAME|all] [--workers 2]
//        [--seed-start 0] [--nodes 5] [--workload lin-kv] [--duration-ms 10000] [--liveness-ms 5000]
//        [--ops N] [--rate N] [--clients N] [--first] [--json]
//
// Exit codes as the CLI's: 0 all valid (or every bug caught in bug mode), 1 a violation (a bug not
// caught), 2 bad usage, 3 only unknown verdicts.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NS_PER_MS } from '../nodes/host.js';
import { worstVerdict, type CheckerResult } from '../checkers/verdict.js';
import { nodeIds, parseScenario, type Scenario } from '../faults/scenario.js';
import { runScenario, violationOf, type RunResult } from '../faults/runner.js';
import type { CheckContext } from '../workloads/system.js';
import { findSystem, systems } from '../workloads/registry.js';

interface SweepOptions {
  system: string;
  seeds: number;
  seedStart: number;
  faults: string[];
  bug: string | null;
  nodes: number | null;
  workload: string | null;
  durationMs: number;
  livenessMs: number;
  ops: number | null;
  rate: number | null;
  clients: number | null;
  /** Stop at the first failing seed (bug mode always does, per bug). */
  first: boolean;
  workers: number;
  json: boolean;
  /** Internal: this process is worker `index` of `count`. */
  worker: { index: number; count: number } | null;
}

/** One finished seed as a worker reports it (one JSON line each). */
interface SeedLine {
  seed: number;
  verdict: string;
  violation: string | null;
  failing: { checker: string; verdict: string; summary: string }[];
  assertions: boolean;
  ops: number;
  events: number;
  simMs: number;
  faultEvents: number;
  fingerprint: string;
}

const USAGE =
  'usage: npx tsx scripts/sweep.ts --system S --seeds N [--seed-start N] [--faults LIST|all|none] [--bug NAME|all] ' +
  '[--nodes K] [--workload W] [--duration-ms MS] [--liveness-ms MS] [--ops N] [--rate N] [--clients N] [--first] [--workers W] [--json]';

class UsageProblem extends Error {}

function parseArgs(argv: readonly string[]): SweepOptions {
  const options: SweepOptions = {
    system: '',
    seeds: 100,
    seedStart: 0,
    faults: ['all'],
    bug: null,
    nodes: null,
    workload: null,
    durationMs: 10_000,
    livenessMs: 5_000,
    ops: null,
    rate: null,
    clients: null,
    first: false,
    workers: 1,
    json: false,
    worker: null,
  };
  const int = (flag: string, text: string | undefined, min: number): number => {
    const value = Number(text);
    if (text === undefined || !Number.isSafeInteger(value) || value < min) {
      throw new UsageProblem(`sweep: ${flag} needs an integer >= ${min}, got ${text ?? 'nothing'}`);
    }
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    const take = () => {
      i += 1;
      if (value === undefined) throw new UsageProblem(`sweep: ${flag} needs a value`);
      return value;
    };
    switch (flag) {
      case '--system': options.system = take(); break;
      case '--seeds': options.seeds = int(flag, take(), 1); break;
      case '--seed-start': options.seedStart = int(flag, take(), 0); break;
      case '--faults': options.faults = take().split(',').filter((word) => word.length > 0); break;
      case '--bug': options.bug = take(); break;
      case '--nodes': options.nodes = int(flag, take(), 1); break;
      case '--workload': options.workload = take(); break;
      case '--duration-ms': options.durationMs = int(flag, take(), 1); break;
      case '--liveness-ms': options.livenessMs = int(flag, take(), 0); break;
      case '--ops': options.ops = int(flag, take(), 0); break;
      case '--rate': options.rate = int(flag, take(), 1); break;
      case '--clients': options.clients = int(flag, take(), 1); break;
      case '--first': options.first = true; break;
      case '--workers': options.workers = int(flag, take(), 1); break;
      case '--json': options.json = true; break;
      case '--worker': {
        const [index, count] = take().split('/').map(Number);
        if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index! < 0 || index! >= count!) {
          throw new UsageProblem('sweep: --worker needs i/n');
        }
        options.worker = { index: index!, count: count! };
        break;
      }
      default:
        throw new UsageProblem(`sweep: unknown flag ${flag}; ${USAGE}`);
    }
  }
  if (options.system === '') throw new UsageProblem(`sweep: --system is required (known: ${systems.map((s) => s.name).join(', ')}); ${USAGE}`);
  const plugin = findSystem(options.system);
  if (plugin === undefined) throw new UsageProblem(`sweep: --system ${options.system}: unknown system (known: ${systems.map((s) => s.name).join(', ')})`);
  if (options.bug !== null && options.bug !== 'all' && !plugin.bugs.some((bug) => bug.name === options.bug)) {
    throw new UsageProblem(`sweep: --bug ${options.bug}: unknown bug (known: ${plugin.bugs.map((bug) => bug.name).join(', ')}, all)`);
  }
  return options;
}

function scenarioFor(options: SweepOptions, bug: string | null): Scenario {
  const workload: Record<string, unknown> = {};
  if (options.workload !== null) workload.name = options.workload;
  if (options.ops !== null) workload.opsMax = options.ops;
  if (options.rate !== null) workload.opsPerSecond = options.rate;
  if (options.clients !== null) workload.clients = options.clients;
  const input: Record<string, unknown> = {
    system: options.system,
    workload,
    durationMs: options.durationMs,
    livenessMs: options.livenessMs,
    faults: options.faults.length === 1 && options.faults[0] === 'none' ? [] : { kinds: options.faults },
    bug,
  };
  if (options.nodes !== null) input.nodes = options.nodes;
  return parseScenario(input, 'sweep');
}

/**
 * The run's checks with the fault actions in their context. Until the runner passes
 * CheckContext.faults itself, the workload's checks are redone here with them, exactly as the
 * runner would (same history, same context otherwise), so liveness is judged while a minority is
 * faulted too; once it does, this gives the same results again.
 */
function checksWithFaults(result: RunResult): { verdict: string; violation: string | null; checkers: CheckerResult[] } {
  const plugin = findSystem(result.scenario.system)!;
  const workload = plugin.workloads[result.scenario.workload.name]!;
  const context: CheckContext = {
    nodes: nodeIds(result.scenario.nodes),
    healedAtNs: result.faultEvents > 0 ? result.healedAtNs : null,
    endNs: result.simMs * NS_PER_MS,
    params: plugin.params,
    faults: result.faultRows,
  };
  const rechecked = workload.check(result.history, context);
  const checkers = result.checkers.map((checker) => rechecked.find((again) => again.checker === checker.checker) ?? checker);
  return { verdict: worstVerdict(checkers.map((checker) => checker.verdict)), violation: violationOf(checkers), checkers };
}

function seedLine(run: RunResult): SeedLine {
  const result = { ...run, ...checksWithFaults(run) };
  const failing = result.checkers
    .filter((checker) => checker.verdict !== 'valid')
    .map((checker) => ({ checker: checker.checker, verdict: checker.verdict, summary: checker.summary }));
  return {
    seed: result.seed,
    verdict: result.verdict,
    violation: result.violation,
    failing,
    assertions: result.checkers.some((checker) => checker.checker === 'assertions' && checker.verdict === 'invalid'),
    ops: result.ops,
    events: result.events,
    simMs: result.simMs,
    faultEvents: result.faultEvents,
    fingerprint: result.fingerprint,
  };
}

function repro(options: SweepOptions, seed: number, bug: string | null): string {
  const parts = ['npm run --silent crucible -- run', `--system ${options.system}`, `--seed ${seed}`];
  parts.push(`--faults ${options.faults.join(',')}`);
  if (bug !== null) parts.push(`--bug ${bug}`);
  if (options.nodes !== null) parts.push(`--nodes ${options.nodes}`);
  if (options.ops !== null) parts.push(`--ops ${options.ops}`);
  if (options.clients !== null) parts.push(`--clients ${options.clients}`);
  if (options.durationMs !== 10_000) parts.push(`--duration ${options.durationMs}`);
  // `run` has no flags for these; a scenario file (--save-scenario, then --scenario) carries them.
  const unflagged: string[] = [];
  if (options.rate !== null) unflagged.push(`workload.opsPerSecond ${options.rate}`);
  if (options.workload !== null) unflagged.push(`workload.name ${options.workload}`);
  if (options.livenessMs !== 5_000) unflagged.push(`livenessMs ${options.livenessMs}`);
  if (unflagged.length > 0) parts.push(`# with ${unflagged.join(', ')} in a scenario file`);
  return parts.join(' ');
}

/** Runs this worker's seeds in order, one JSON line each on stdout; stops early when told. */
function runWorker(options: SweepOptions): void {
  const worker = options.worker!;
  const scenario = scenarioFor(options, options.bug === 'all' ? null : options.bug);
  for (let offset = worker.index; offset < options.seeds; offset += worker.count) {
    const line = seedLine(runScenario(scenario, options.seedStart + offset));
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

/** The command line of worker `index`: the sweep's own settings, spelt out. */
function workerArgs(options: SweepOptions, bug: string | null, index: number): string[] {
  const args = ['--system', options.system, '--seeds', String(options.seeds), '--seed-start', String(options.seedStart)];
  args.push('--faults', options.faults.join(','), '--duration-ms', String(options.durationMs), '--liveness-ms', String(options.livenessMs));
  if (bug !== null) args.push('--bug', bug);
  if (options.nodes !== null) args.push('--nodes', String(options.nodes));
  if (options.workload !== null) args.push('--workload', options.workload);
  if (options.ops !== null) args.push('--ops', String(options.ops));
  if (options.rate !== null) args.push('--rate', String(options.rate));
  if (options.clients !== null) args.push('--clients', String(options.clients));
  if (options.first) args.push('--first');
  args.push('--worker', `${index}/${options.workers}`);
  return args;
}

/** Starts the workers and hands every line to `onLine`; when it returns false, the workers stop. */
async function runWorkers(options: SweepOptions, bug: string | null, onLine: (line: SeedLine) => boolean): Promise<void> {
  const script = fileURLToPath(import.meta.url);
  const children = Array.from({ length: options.workers }, (_, index) =>
    spawn(process.execPath, ['--import', 'tsx', script, ...workerArgs(options, bug, index)], { stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  let stopped = false;
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          let buffer = '';
          child.stdout.setEncoding('utf8');
          child.stdout.on('data', (chunk: string) => {
            buffer += chunk;
            let newline = buffer.indexOf('\n');
            while (newline >= 0) {
              const text = buffer.slice(0, newline);
              buffer = buffer.slice(newline + 1);
              newline = buffer.indexOf('\n');
              if (stopped || text.trim() === '') continue;
              if (!onLine(JSON.parse(text) as SeedLine)) {
                stopped = true;
                for (const other of children) other.kill('SIGTERM');
              }
            }
          });
          child.on('error', reject);
          child.on('close', (code, signal) => {
            if (code === 0 || (stopped && signal === 'SIGTERM')) resolve();
            else reject(new Error(`sweep worker exited with code ${code} (signal ${signal})`));
          });
        }),
    ),
  );
}

interface Tally {
  runs: number;
  valid: number;
  invalid: number;
  unknown: number;
  assertionFailures: number;
  byChecker: Record<string, number>;
  failures: { seed: number; violation: string | null; verdict: string; summary: string; repro: string }[];
  ops: number;
  events: number;
  simMs: number;
  faultEvents: number;
}

function newTally(): Tally {
  return { runs: 0, valid: 0, invalid: 0, unknown: 0, assertionFailures: 0, byChecker: {}, failures: [], ops: 0, events: 0, simMs: 0, faultEvents: 0 };
}

function count(tally: Tally, line: SeedLine, options: SweepOptions, bug: string | null): void {
  tally.runs += 1;
  tally.ops += line.ops;
  tally.events += line.events;
  tally.simMs += line.simMs;
  tally.faultEvents += line.faultEvents;
  if (line.verdict === 'valid') tally.valid += 1;
  else if (line.verdict === 'invalid') tally.invalid += 1;
  else tally.unknown += 1;
  if (line.assertions) tally.assertionFailures += 1;
  for (const failing of line.failing) tally.byChecker[`${failing.checker}:${failing.verdict}`] = (tally.byChecker[`${failing.checker}:${failing.verdict}`] ?? 0) + 1;
  if (line.verdict !== 'valid') {
    const worst = line.failing.find((failing) => failing.verdict === line.verdict) ?? line.failing[0];
    tally.failures.push({ seed: line.seed, violation: line.violation, verdict: line.verdict, summary: worst?.summary ?? '', repro: repro(options, line.seed, bug) });
  }
}

async function sweep(options: SweepOptions, bug: string | null, print: boolean): Promise<{ tally: Tally; wallMs: number; firstFailingSeed: number | null }> {
  const started = performance.now();
  const tally = newTally();
  let firstFailingSeed: number | null = null;
  const stopAtFirst = options.first || bug !== null;
  // Workers run seeds round-robin, so a failure may arrive before a smaller seed has finished:
  // stop only once every seed below the smallest failing one is done, so "first" is exact.
  const done = new Set<number>();
  const belowAllDone = (seed: number) => {
    for (let s = options.seedStart; s < seed; s++) if (!done.has(s)) return false;
    return true;
  };
  await runWorkers(options, bug, (line) => {
    done.add(line.seed);
    if (stopAtFirst && firstFailingSeed !== null && line.seed > firstFailingSeed) return !belowAllDone(firstFailingSeed);
    count(tally, line, options, bug);
    if (line.verdict === 'invalid' && (firstFailingSeed === null || line.seed < firstFailingSeed)) firstFailingSeed = line.seed;
    if (print && !options.json && line.verdict !== 'valid') {
      const failure = tally.failures.at(-1)!;
      process.stdout.write(`${failure.repro}\n  seed ${line.seed}: ${line.verdict} [${line.failing.map((f) => f.checker).join(', ')}] ${failure.summary}\n`);
    }
    return !(stopAtFirst && firstFailingSeed !== null && belowAllDone(firstFailingSeed));
  });
  return { tally, wallMs: performance.now() - started, firstFailingSeed };
}

async function main(): Promise<number> {
  let options: SweepOptions;
  try {
    options = parseArgs(process.argv.slice(2));
    scenarioFor(options, options.bug === 'all' ? null : options.bug);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  if (options.worker !== null) {
    runWorker(options);
    return 0;
  }
  const bugs = options.bug === 'all' ? findSystem(options.system)!.bugs.map((bug) => bug.name) : options.bug === null ? [] : [options.bug];
  if (bugs.length === 0) {
    const { tally, wallMs } = await sweep(options, null, true);
    const summary = {
      system: options.system,
      seeds: `${options.seedStart}..${options.seedStart + options.seeds - 1}`,
      faults: options.faults.join(','),
      ...tally,
      failures: tally.failures,
      wallMs: Math.round(wallMs),
      runsPerSec: Number(((tally.runs * 1000) / wallMs).toFixed(2)),
      simSecondsPerRun: Number((tally.simMs / 1000 / Math.max(1, tally.runs)).toFixed(1)),
    };
    if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      process.stdout.write(
        `${tally.runs} runs: ${tally.valid} valid, ${tally.invalid} invalid, ${tally.unknown} unknown; ` +
          `${tally.assertionFailures} with assertion failures; ${tally.ops} ops, ${tally.faultEvents} fault events, ` +
          `${(tally.simMs / 1000).toFixed(0)} simulated s; wall ${(wallMs / 1000).toFixed(1)} s (${summary.runsPerSec} runs/s)\n`,
      );
      if (Object.keys(tally.byChecker).length > 0) process.stdout.write(`by checker: ${JSON.stringify(tally.byChecker)}\n`);
    }
    return tally.invalid > 0 ? 1 : tally.unknown > 0 ? 3 : 0;
  }
  let missed = 0;
  const rows: { bug: string; caught: boolean; seedsRun: number; firstFailingSeed: number | null; violation: string | null; repro: string | null; wallMs: number }[] = [];
  for (const bug of bugs) {
    const { tally, wallMs, firstFailingSeed } = await sweep(options, bug, false);
    const failure = tally.failures.find((entry) => entry.seed === firstFailingSeed) ?? null;
    // Seeds needed: how many seeds from the start up to and including the first that failed.
    const seedsRun = firstFailingSeed === null ? tally.runs : firstFailingSeed - options.seedStart + 1;
    const row = { bug, caught: firstFailingSeed !== null, seedsRun, firstFailingSeed, violation: failure?.violation ?? null, repro: failure?.repro ?? null, wallMs: Math.round(wallMs) };
    rows.push(row);
    if (!row.caught) missed += 1;
    if (options.json) process.stdout.write(`${JSON.stringify(row)}\n`);
    else if (row.caught) process.stdout.write(`${bug}: caught at seed ${firstFailingSeed} (${seedsRun} seeds) by ${row.violation}; ${row.repro}\n`);
    else process.stdout.write(`${bug}: NOT caught in ${tally.runs} seeds\n`);
  }
  if (!options.json) process.stdout.write(`${rows.length - missed}/${rows.length} bugs caught within ${options.seeds} seeds\n`);
  return missed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sweep: internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 2;
  },
);
