// `crucible mutate --system S [--runs N]`: how strong is the lab? Each mutation of the system's
// catalogue (scripts/mutate/catalog.ts) is applied to a scratch copy of the repository, and two
// fuzz campaigns run against it there (every fault kind, then swarm with knobs): the mutation is
// killed when either finds a violation. The kill rate and the survivors are the report; a survivor
// is a class of bug the lab would miss.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, UsageError, type Command, type CommandContext } from '../cli/command.js';
import { repoRoot } from '../lab/code-version.js';
import { applyMutation, MUTATIONS, type Mutation } from '../mutate/catalog.js';

interface CampaignOutcome {
  mode: string;
  /** exit code of `crucible fuzz`: 0 nothing found, 1 a violation, other: it could not run. */
  code: number;
  firstSeed: number | null;
  violation: string | null;
  wallMs: number;
}

interface MutantReport {
  id: string;
  description: string;
  file: string;
  status: 'killed' | 'survived' | 'error';
  killedBy: string | null;
  campaigns: CampaignOutcome[];
  error?: string;
}

/** The repository's files to copy into the scratch tree (node_modules is linked, not copied). */
const COPIED = ['package.json', 'tsconfig.json', 'sim', 'nodes', 'faults', 'workloads', 'checkers', 'histories', 'scripts', 'ui', 'api'];

function runFuzz(root: string, args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string; wallMs: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'crucible.ts'), 'fuzz', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 124, stdout, stderr, wallMs: performance.now() - started });
    });
  });
}

async function campaign(root: string, system: string, mode: string, flags: string[], runs: number, workers: number, timeoutMs: number): Promise<CampaignOutcome> {
  const store = join(root, `.mutate-${mode}.db`);
  rmSync(store, { force: true });
  const result = await runFuzz(root, ['--system', system, '--runs', String(runs), ...flags, '--workers', String(workers), '--no-shrink', '--store', store, '--capsules', join(root, '.mutate-capsules'), '--json'], timeoutMs);
  let firstSeed: number | null = null;
  let violation: string | null = null;
  try {
    const summary = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { failures?: { seed: number; violation: string }[] };
    const first = summary.failures?.[0];
    if (first !== undefined) {
      firstSeed = first.seed;
      violation = first.violation;
    }
  } catch {
    // Not a summary: the campaign could not run; the exit code and stderr say why.
  }
  return { mode, code: result.code, firstSeed, violation, wallMs: Math.round(result.wallMs) };
}

async function mutateOne(root: string, system: string, mutation: Mutation, runs: number, workers: number, timeoutMs: number): Promise<MutantReport> {
  const file = join(root, mutation.file);
  const original = readFileSync(file, 'utf8');
  const report: MutantReport = { id: mutation.id, description: mutation.description, file: mutation.file, status: 'survived', killedBy: null, campaigns: [] };
  writeFileSync(file, applyMutation(original, mutation));
  try {
    for (const [mode, flags] of [
      ['all-faults', ['--faults', 'all']],
      ['swarm', ['--swarm']],
    ] as const) {
      const outcome = await campaign(root, system, mode, [...flags], runs, workers, timeoutMs);
      report.campaigns.push(outcome);
      if (outcome.code === 1) {
        report.status = 'killed';
        report.killedBy = `${mode} seed ${outcome.firstSeed ?? '?'} (${outcome.violation ?? 'violation'})`;
        break;
      }
      if (outcome.code !== 0 && outcome.code !== 3) {
        report.status = 'error';
        report.error = `the ${mode} campaign exited ${outcome.code}`;
        break;
      }
    }
  } finally {
    writeFileSync(file, original);
  }
  return report;
}

function line(report: MutantReport): string {
  const status = report.status === 'killed' ? 'killed  ' : report.status === 'survived' ? 'SURVIVED' : 'ERROR   ';
  const detail = report.status === 'killed' ? `by ${report.killedBy}` : report.status === 'error' ? report.error! : `${report.campaigns.map((c) => c.mode).join(' + ')} found nothing`;
  return `${status} ${report.id.padEnd(34)} ${detail}  — ${report.description}`;
}

export const command: Command = {
  name: 'mutate',
  summary: "Measure the lab's bug-finding power: fuzz each mutation of a system's node and report the kill rate",
  usage: 'crucible mutate --system S [--runs N] [--only ID,...] [--workers W] [--json]',
  flags: [
    { name: 'system', type: 'string', valueName: 'S', description: `A system with a mutation catalogue (${Object.keys(MUTATIONS).join(', ')})` },
    { name: 'runs', type: 'int', valueName: 'N', default: 100, description: 'Seeds per campaign (two campaigns per mutation: all faults, then swarm)' },
    { name: 'only', type: 'string', valueName: 'IDS', description: 'Only these mutations, comma-separated' },
    { name: 'workers', type: 'int', valueName: 'W', default: 2, description: 'Worker processes per campaign' },
    { name: 'timeout', type: 'int', valueName: 'S', default: 900, description: 'Seconds one campaign may take before it counts as an error' },
  ],
  details: [
    'Each mutation is a one-line mistake applied to a scratch copy of the repository (the source here is',
    'never changed); a mutation whose text is no longer in the file is an error, not a survivor.',
    'Killed: a campaign found a violation. Survived: both campaigns found nothing. With --json: one',
    'object {system, runs, mutants[{id, description, file, status, killedBy, campaigns}], killed, total, killRate}.',
    'Exit 0 when every mutation was killed, 1 when some survived, 2 on an error.',
  ].join('\n'),
  async run(args, context: CommandContext) {
    const system = args.flags.system as string | undefined;
    if (system === undefined) throw new UsageError(`--system is needed (one of ${Object.keys(MUTATIONS).join(', ')})`);
    const catalogue = MUTATIONS[system];
    if (catalogue === undefined) throw new UsageError(`--system ${system}: no mutation catalogue (there is one for ${Object.keys(MUTATIONS).join(', ')})`);
    const runs = args.flags.runs as number;
    if (runs < 1) throw new UsageError(`--runs ${runs}: at least 1`);
    const only = (args.flags.only as string | undefined)?.split(',').map((id) => id.trim());
    const unknown = only?.filter((id) => !catalogue.some((mutation) => mutation.id === id)) ?? [];
    if (unknown.length > 0) throw new UsageError(`--only: unknown mutation ${unknown.join(', ')} (see scripts/mutate/catalog.ts)`);
    const chosen = only === undefined ? catalogue : catalogue.filter((mutation) => only.includes(mutation.id));
    // Every mutation must still apply before any campaign runs: a stale catalogue is said at once.
    for (const mutation of chosen) applyMutation(readFileSync(join(repoRoot(), mutation.file), 'utf8'), mutation);

    const scratch = mkdtempSync(join(tmpdir(), 'crucible-mutate-'));
    const reports: MutantReport[] = [];
    try {
      for (const entry of COPIED) cpSync(join(repoRoot(), entry), join(scratch, entry), { recursive: true });
      symlinkSync(join(repoRoot(), 'node_modules'), join(scratch, 'node_modules'));
      for (const [index, mutation] of chosen.entries()) {
        if (!context.json) context.err(`[${index + 1}/${chosen.length}] ${mutation.id} ...`);
        const report = await mutateOne(scratch, system, mutation, runs, args.flags.workers as number, (args.flags.timeout as number) * 1000);
        reports.push(report);
        if (!context.json) context.out(line(report));
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    const killed = reports.filter((report) => report.status === 'killed').length;
    const errors = reports.filter((report) => report.status === 'error').length;
    if (context.json) context.out(JSON.stringify({ system, runs, mutants: reports, killed, total: reports.length, killRate: killed / Math.max(reports.length, 1) }));
    else context.out(`killed ${killed} of ${reports.length} (${Math.round((100 * killed) / Math.max(reports.length, 1))}%), ${runs} seeds per campaign${errors > 0 ? `; ${errors} could not run` : ''}`);
    if (errors > 0) return EXIT.USAGE;
    return killed === reports.length ? EXIT.OK : EXIT.VIOLATION;
  },
};
