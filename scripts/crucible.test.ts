import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, UsageError, type Command, type ParsedArgs } from './cli/command.js';
import { main, type CliIo } from './crucible.js';
import { command as runsCommand } from './commands/runs.js';
import { command as bugsCommand } from './commands/bugs.js';
import { RunStore } from '../histories/store.js';

interface Captured {
  code: number;
  out: string[];
  err: string[];
}

let lastArgs: ParsedArgs | undefined;
let lastStore: string | undefined;

const fake: Command = {
  name: 'run',
  summary: 'Run one seed',
  usage: 'crucible run --system S --seed N',
  flags: [
    { name: 'system', type: 'string', valueName: 'S', description: 'The system', required: true },
    { name: 'seed', type: 'int', valueName: 'N', description: 'The seed', default: 1 },
  ],
  details: 'Example: crucible run --system raft --seed 3',
  async run(args, context) {
    lastArgs = args;
    lastStore = context.store;
    const system = args.flags.system as string;
    if (system === 'usage') throw new UsageError('--system usage: unknown system (known: raft)');
    if (system === 'crash') throw new TypeError('cannot read properties of undefined');
    if (system === 'store') throw Object.assign(new Error('x.db is not a Crucible run store (junk): move it aside or pass --store'), { name: 'StoreError' });
    if (system === 'text') {
      context.out('not json');
      return EXIT.OK;
    }
    if (system === 'weird') return 7 as never;
    context.out(context.json ? JSON.stringify({ seed: args.flags.seed }) : `seed ${String(args.flags.seed)}`);
    return system === 'bad' ? EXIT.VIOLATION : EXIT.OK;
  },
};

async function cli(argv: string[], commands: Command[] = [fake], env: Record<string, string> = {}): Promise<Captured> {
  const captured: Captured = { code: -1, out: [], err: [] };
  const io: CliIo = { out: (text) => captured.out.push(text), err: (text) => captured.err.push(text), isTTY: false, env };
  captured.code = await main(argv, commands, io);
  return captured;
}

describe('the dispatcher', () => {
  it('runs a command with typed flags and passes its exit code through', async () => {
    const ok = await cli(['run', '--system', 'raft', '--seed=42']);
    expect(ok).toEqual({ code: 0, out: ['seed 42'], err: [] });
    expect(lastArgs?.flags.seed).toBe(42);
    expect(lastStore).toBe(resolve('.crucible/runs.db'));
    expect((await cli(['run', '--system', 'bad'])).code).toBe(EXIT.VIOLATION);
  });

  it('takes global flags before the command too', async () => {
    const result = await cli(['--json', '--store', '/tmp/elsewhere.db', 'run', '--system', 'raft']);
    expect(result.out).toEqual(['{"seed":1}']);
    expect(lastStore).toBe('/tmp/elsewhere.db');
  });

  it('gives one line and exit 2 for bad usage, with a suggestion and the help hint', async () => {
    expect(await cli(['run', '--system', 'raft', '--sed', '3'])).toEqual({
      code: 2,
      out: [],
      err: ['crucible run: unknown flag --sed (did you mean --seed?); see crucible run --help'],
    });
    expect((await cli(['run', '--system', 'raft', '--seed', 'abc'])).err).toEqual([
      'crucible run: --seed abc: expected an integer; see crucible run --help',
    ]);
    expect((await cli(['run'])).err).toEqual(['crucible run: missing required flag --system S; see crucible run --help']);
    expect(await cli(['rnu'])).toEqual({ code: 2, out: [], err: ['crucible: unknown command "rnu" (did you mean run?); see crucible --help'] });
  });

  it('prints a command error as one line, exit 2', async () => {
    expect(await cli(['run', '--system', 'usage'])).toEqual({
      code: 2,
      out: [],
      err: ['crucible run: --system usage: unknown system (known: raft)'],
    });
    expect((await cli(['run', '--system', 'store'])).err).toEqual([
      'crucible run: x.db is not a Crucible run store (junk): move it aside or pass --store',
    ]);
  });

  it('says "internal error" for a crash, and shows the stack only with CRUCIBLE_DEBUG=1', async () => {
    const quiet = await cli(['run', '--system', 'crash']);
    expect(quiet.code).toBe(2);
    expect(quiet.err).toEqual([
      'crucible run: internal error: cannot read properties of undefined (re-run with CRUCIBLE_DEBUG=1 to see the stack)',
    ]);
    const loud = await cli(['run', '--system', 'crash'], [fake], { CRUCIBLE_DEBUG: '1' });
    expect(loud.err).toHaveLength(2);
    expect(loud.err[1]).toContain('TypeError: cannot read properties of undefined');
    expect((await cli(['run', '--system', 'weird'])).err[0]).toContain('internal error: command returned exit code 7');
  });

  it('keeps stdout JSON-only under --json', async () => {
    const result = await cli(['run', '--system', 'text', '--json']);
    expect(result.out).toEqual([]);
    expect(result.code).toBe(2);
    expect(result.err[0]).toMatch(/^crucible run: internal error: .*JSON/);
  });

  it('prints help generated from the flag table', async () => {
    const help = await cli(['run', '--help']);
    expect(help.code).toBe(0);
    const text = help.out.join('\n');
    expect(text).toContain('Usage: crucible run --system S --seed N');
    expect(text).toMatch(/--system S\s+The system \(required\)/);
    expect(text).toMatch(/--seed N\s+The seed \(default: 1\)/);
    expect(text).toMatch(/--store PATH\s+.*\(default: \.crucible\/runs\.db\)/);
    expect(text).toContain('Example: crucible run --system raft --seed 3');
    expect(text).toContain('Exit codes: 0');

    const list = await cli(['--help'], [fake, bugsCommand, runsCommand]);
    expect(list.code).toBe(0);
    expect(list.out.join('\n')).toMatch(/bugs\s+List the planted bugs[\s\S]*run\s+Run one seed[\s\S]*runs\s+List stored runs/);
    expect((await cli(['help', 'run'])).out.join('\n')).toContain('Usage: crucible run');
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.err.join('\n')).toContain('missing command');
  });
});

describe('runs and bugs', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'crucible-cli-'));
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('runs lists stored runs newest first, filtered, one JSON object per line', async () => {
    const path = join(directory, 'runs.db');
    // A read-only command on a store that is not there: one line, exit 2, and no store created.
    const missing = await cli(['runs', '--store', path], [runsCommand]);
    expect(missing).toMatchObject({ code: 2, out: [] });
    expect(missing.err).toEqual([expect.stringContaining(`no run store at ${path}`)]);
    expect((await cli(['runs', '--store', path, '--json'], [runsCommand])).code).toBe(2);
    expect(existsSync(path)).toBe(false);

    const store = RunStore.open(path);
    for (let seed = 1; seed <= 5; seed += 1) {
      store.saveRun({
        system: seed <= 3 ? 'raft' : 'broker',
        seed,
        scenario: {},
        verdict: seed === 2 ? 'invalid' : 'valid',
        checkers: [{ checker: 'linearizable', verdict: seed === 2 ? 'invalid' : 'valid', summary: 's', evidence: { big: 1 } }],
        ops: seed * 10,
        events: 100,
        faults: 1,
        fingerprint: `fp${seed}`,
        repro: `crucible run --system x --seed ${seed}`,
      });
    }
    store.close();

    const all = await cli(['runs', '--store', path, '--json'], [runsCommand]);
    const rows = all.out.map((line) => JSON.parse(line) as { runId: number; seed: number; system: string; verdict: string; checkers: object[] });
    const rowIds = rows.map((row) => row.runId);
    expect(rows.map((row) => row.seed)).toEqual([5, 4, 3, 2, 1]);
    // A simulated run replays from the store by its id.
    expect(rows[3]).toMatchObject({ system: 'raft', verdict: 'invalid', repro: `npm run --silent crucible -- replay ${rowIds[3]}` });
    expect(rows[3]!.checkers).toEqual([{ checker: 'linearizable', verdict: 'invalid', summary: 's' }]);

    const raft = await cli(['runs', '--store', path, '--json', '--system', 'raft', '--limit', '2'], [runsCommand]);
    expect(raft.out.map((line) => (JSON.parse(line) as { seed: number }).seed)).toEqual([3, 2]);
    const invalid = await cli(['runs', '--store', path, '--verdict', 'invalid'], [runsCommand]);
    expect(invalid.out).toHaveLength(1);
    expect(invalid.out[0]).toMatch(/^#2 .* raft .* seed 2 .* invalid .* fp fp2$/);

    expect((await cli(['runs', '--store', path, '--verdict', 'bad'], [runsCommand])).err).toEqual([
      'crucible runs: --verdict bad: expected one of valid, invalid, unknown',
    ]);
    expect((await cli(['runs', '--store', path, '--limit', '0'], [runsCommand])).code).toBe(2);

    // Pages: every run once, in order, however the store is cut.
    const seeds: number[] = [];
    for (let offset = 0; offset < 6; offset += 2) {
      const page = await cli(['runs', '--store', path, '--json', '--limit', '2', '--offset', String(offset)], [runsCommand]);
      seeds.push(...page.out.map((line) => (JSON.parse(line) as { seed: number }).seed));
    }
    expect(seeds).toEqual([5, 4, 3, 2, 1]);
    const human = await cli(['runs', '--store', path, '--limit', '2', '--offset', '2'], [runsCommand]);
    expect(human.out.at(-1)).toBe('(more may follow: --offset 4)');
    expect((await cli(['runs', '--store', path, '--offset', '9'], [runsCommand])).out).toEqual(['No runs match past the first 9.']);
    expect((await cli(['runs', '--store', path, '--offset', '-1'], [runsCommand])).code).toBe(2);
  });

  it('runs refuses a garbage store with one line', async () => {
    const path = join(directory, 'garbage.db');
    writeFileSync(path, 'hello, I am not SQLite\n');
    const result = await cli(['runs', '--store', path], [runsCommand]);
    expect(result.code).toBe(2);
    expect(result.err).toEqual([
      `crucible runs: ${path} is not a Crucible run store (it is not an SQLite database): move it aside or pass --store`,
    ]);
  });

  it('bugs lists every registered planted bug, and refuses an unknown system', async () => {
    const { systems } = await import('../workloads/registry.js');
    const expected = systems.flatMap((plugin) => plugin.bugs.map((bug) => ({ system: plugin.name, name: bug.name, description: bug.description })));
    const json = await cli(['bugs', '--json'], [bugsCommand]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out[0]!)).toEqual(expected);
    const unknown = await cli(['bugs', '--system', 'no-such-system'], [bugsCommand]);
    expect(unknown.code).toBe(2);
    expect(unknown.err[0]).toMatch(/^crucible bugs: --system no-such-system: unknown system \(known: /);
  });
});

describe('the bin', () => {
  it('runs the CLI through tsx and passes the exit code through', () => {
    const bin = fileURLToPath(new URL('./bin.mjs', import.meta.url));
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: crucible <command>');
    const bad = spawnSync(process.execPath, [bin, 'runs', '--limt', '3'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim()).toBe('crucible runs: unknown flag --limt (did you mean --limit?); see crucible runs --help');
  });
});
