// The run / replay / fuzz commands end to end, on the test system loaded with --plugin.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../crucible.js';
import { commands } from './index.js';
import { RunStore } from '../../histories/store.js';
import { readCapsule } from '../lab/capsule.js';

const dir = mkdtempSync(join(tmpdir(), 'crucible-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLUGIN = ['--plugin', 'workloads/testing/register-plugin.ts'];
/** Slow fsyncs make the planted ack-before-fsync bug easy to hit within a few seeds. */
const scenarioFile = join(dir, 'register.json');
writeFileSync(
  scenarioFile,
  JSON.stringify({
    system: 'test-register',
    durationMs: 4000,
    livenessMs: 2000,
    disk: { fsyncUsMin: 20000, fsyncUsMax: 100000 },
    workload: { opsPerSecond: 20, opsMax: 120 },
    faults: { kinds: ['crash', 'partition', 'network'], intensity: { ratePerSecond: 2 } },
  }),
);

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, commands, { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false, env: {} });
  return { code, out, err };
}

function json(result: { out: string[] }): Record<string, any> {
  expect(result.out.length).toBe(1);
  return JSON.parse(result.out[0]!);
}

describe('crucible run and replay', () => {
  const store = join(dir, 'runs.db');

  it('runs, stores and replays a run by id with the same fingerprint', async () => {
    const run = await cli('run', '--system', 'test-register', '--seed', '7', '--faults', 'crash,partition', '--store', store, '--json', ...PLUGIN);
    expect(run.code).toBe(0);
    const answer = json(run);
    expect(answer).toMatchObject({ system: 'test-register', seed: 7, verdict: 'valid' });
    for (const field of ['runId', 'checkers', 'ops', 'events', 'simMs', 'wallMs', 'fingerprint', 'repro']) expect(answer).toHaveProperty(field);
    expect(answer.repro).toMatch(/^npm run --silent crucible -- run --system test-register --seed 7 --faults crash,partition/);
    const replay = await cli('replay', String(answer.runId), '--store', store, '--json', ...PLUGIN);
    expect(json(replay)).toMatchObject({ fingerprint: answer.fingerprint, expected: answer.fingerprint, matched: true });
  });

  it('refuses a run whose pace says it would overrun --time-limit, with its estimated cost; checks change nothing in a run', async () => {
    const long = await cli('run', '--system', 'raft', '--seed', '1', '--faults', 'all', '--duration', '3600000', '--ops', '1000000', '--time-limit', '2', '--store', store);
    expect(long.code).toBe(2);
    expect(long.err[0]).toMatch(/^crucible run: flags: (refused|stopped) at \d+ of 3605000 simulated ms after \d+\.\d s: .*over --time-limit 2 s; shorten durationMs or raise --time-limit$/);
    // The same run in slices (as a time limit checks it) and whole: one fingerprint.
    const sliced = json(await cli('run', '--system', 'test-register', '--seed', '3', '--faults', 'crash', '--store', store, '--json', ...PLUGIN));
    const { runScenario } = await import('../lab/runner.js');
    const { registerSystem } = await import('../../workloads/testing/register.js');
    const whole = runScenario({ system: 'test-register', faults: { kinds: ['crash'] } }, 3, { plugin: registerSystem });
    expect(sliced.fingerprint).toBe(whole.fingerprint);
  });

  it('saves a drawn run as an explicit scenario file that reruns identically', async () => {
    const store = join(dir, 'runs.db');
    const file = join(dir, 'saved.json');
    const swarm = json(await cli('run', '--system', 'test-register', '--seed', '9', '--swarm', '--save-scenario', file, '--store', store, '--json', ...PLUGIN));
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(Array.isArray(saved.faults)).toBe(true);
    expect(saved.swarm).toBeDefined();
    const rerun = json(await cli('run', '--scenario', file, '--seed', '9', '--store', store, '--json', ...PLUGIN));
    expect(rerun.fingerprint).toBe(swarm.fingerprint);
  });

  it('prints the banner, and a failure begins with its repro command', async () => {
    const run = await cli('run', '--system', 'test-register', '--seed', '1', '--bug', 'test.backup-garbage', '--store', store, ...PLUGIN);
    expect(run.code).toBe(1);
    expect(run.out[0]).toBe('system test-register  seed 1');
    expect(run.out.some((line) => line.startsWith('  bug           test.backup-garbage'))).toBe(true);
    const failure = run.out.find((line) => line.includes('# invalid'));
    expect(failure).toMatch(/^npm run --silent crucible -- run --system test-register --seed 1 --bug test.backup-garbage/);
    const stored = RunStore.open(store, { readonly: true });
    try {
      const last = stored.listRuns({ limit: 1 })[0]!;
      expect(last.verdict).toBe('invalid');
      expect(last.notes).toMatch(/^npm run --silent crucible -- run /);
      expect(last.kept).toBe(true);
      expect(stored.history(last.id).length).toBeGreaterThan(0);
    } finally {
      stored.close();
    }
  });

  it('explains bad input in one line with exit 2', async () => {
    const bad = await cli('run', '--system', 'test-register', '--seed', '1', '--bug', 'test.nope', '--store', store, ...PLUGIN);
    expect(bad.code).toBe(2);
    expect(bad.err).toEqual([expect.stringMatching(/bug: unknown bug "test.nope" for test-register/)]);
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ system: 'test-register', faults: [{ atMs: 1, kind: 'partiton' }] }));
    const badFile = await cli('run', '--scenario', file, '--seed', '1', '--store', store, ...PLUGIN);
    expect(badFile.code).toBe(2);
    expect(badFile.err[0]).toMatch(/bad\.json: faults\[0\]\.kind: unknown fault kind "partiton"/);
  });
});

describe('crucible fuzz', () => {
  it('finds a planted bug, shrinks it into a capsule that replays to the same fingerprint twice', async () => {
    const store = join(dir, 'bug.db');
    const capsules = join(dir, 'capsules');
    const fuzz = await cli('fuzz', '--scenario', scenarioFile, '--bug', 'test.ack-before-fsync', '--runs', '100', '--workers', '0', '--store', store, '--capsules', capsules, '--json', ...PLUGIN);
    expect(fuzz.code).toBe(1);
    const summary = json(fuzz);
    expect(summary.failures.length).toBe(1);
    expect(summary.stopped).toBe('failure');
    const failure = summary.failures[0];
    expect(failure.violation).toBe('linearizable');
    expect(failure.repro).toBe(`npm run --silent crucible -- replay ${failure.capsule.file}`);
    expect(failure.capsule.ops).toBeLessThan(failure.original.ops);
    expect(failure.capsule.faultEvents).toBeLessThanOrEqual(failure.original.faultEvents);
    expect(readdirSync(capsules)).toEqual([failure.capsule.file.split('/').pop()]);
    const capsule = readCapsule(failure.capsule.file);
    expect(capsule).toMatchObject({ seed: failure.seed, plugin: 'workloads/testing/register-plugin.ts', expected: { verdict: 'invalid', fingerprint: failure.fingerprint } });
    for (let time = 0; time < 2; time++) {
      const replay = await cli('replay', failure.capsule.file, '--store', store, '--json');
      expect(replay.code).toBe(1);
      expect(json(replay)).toMatchObject({ matched: true, fingerprint: failure.fingerprint, violation: 'linearizable' });
    }
  });

  it('spreads a campaign over worker processes and stores every run', async () => {
    const store = join(dir, 'threads.db');
    const fuzz = await cli('fuzz', '--system', 'test-register', '--runs', '12', '--workers', '2', '--faults', 'crash,partition', '--ops', '40', '--store', store, '--json', ...PLUGIN);
    expect(fuzz.code).toBe(0);
    expect(json(fuzz)).toMatchObject({ runs: 12, valid: 12, failures: [], workers: 2 });
    const stored = RunStore.open(store, { readonly: true });
    try {
      expect(stored.listRuns().map((run) => run.seed).sort((a, b) => a! - b!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    } finally {
      stored.close();
    }
  });

  it('gives the same verdicts and fingerprints in worker processes and in-process', async () => {
    const a = join(dir, 'same-a.db');
    const b = join(dir, 'same-b.db');
    const args = ['--system', 'test-register', '--runs', '6', '--faults', 'all', '--ops', '30', '--json', ...PLUGIN];
    await cli('fuzz', ...args, '--workers', '2', '--store', a);
    await cli('fuzz', ...args, '--workers', '0', '--store', b);
    const prints = (path: string) => {
      const stored = RunStore.open(path, { readonly: true });
      try {
        return stored
          .listRuns()
          .sort((x, y) => x.seed! - y.seed!)
          .map((run) => `${run.seed}:${run.fingerprint}`);
      } finally {
        stored.close();
      }
    };
    expect(prints(a)).toEqual(prints(b));
  });

  it('splits seeds into shards that a merge gathers into exactly the whole campaign', async () => {
    const args = ['--system', 'test-register', '--runs', '9', '--seed-start', '100', '--faults', 'crash', '--ops', '20', '--workers', '0', '--json', ...PLUGIN];
    const shard0 = await cli('fuzz', ...args, '--shard', '0/2', '--store', join(dir, 'shard0.db'));
    const shard1 = await cli('fuzz', ...args, '--shard', '1/2', '--store', join(dir, 'shard1.db'));
    expect(json(shard0).runs + json(shard1).runs).toBe(9);
    const partial = await cli('fuzz', 'merge', join(dir, 'shard0.db'), '--store', join(dir, 'partial.db'), '--json');
    expect(json(partial).campaigns[0]).toMatchObject({ seeds: 9, covered: 5, missing: 4, missingSample: [101, 103, 105, 107] });
    const merged = await cli('fuzz', 'merge', join(dir, 'shard0.db'), join(dir, 'shard1.db'), '--store', join(dir, 'merged.db'), '--json');
    expect(merged.code).toBe(0);
    expect(json(merged)).toMatchObject({ copied: 9, skipped: 0 });
    expect(json(merged).campaigns[0]).toMatchObject({ seedStart: 100, seeds: 9, covered: 9, missing: 0, shards: ['0/2', '1/2'] });
    const again = await cli('fuzz', 'merge', join(dir, 'shard0.db'), '--store', join(dir, 'merged.db'), '--json');
    expect(json(again)).toMatchObject({ copied: 0, skipped: 5 });
  });

  it('stops handing out seeds at the time limit and reports it', async () => {
    const fuzz = await cli('fuzz', '--system', 'test-register', '--runs', '1000000', '--time-limit', '1', '--workers', '0', '--faults', 'crash', '--ops', '20', '--store', join(dir, 'limit.db'), '--json', ...PLUGIN);
    expect(fuzz.code).toBe(0);
    const summary = json(fuzz);
    expect(summary.stopped).toBe('time-limit');
    expect(summary.runs).toBeGreaterThan(0);
    expect(summary.runs).toBeLessThan(1_000_000);
  });

  it('resumes a campaign cut short: the stored seeds are skipped, the rest run, none twice', async () => {
    const store = join(dir, 'resume.db');
    const args = ['--system', 'test-register', '--runs', '8', '--seed-start', '40', '--faults', 'crash', '--ops', '20', '--workers', '0', '--keep-going', '--store', store, ...PLUGIN];
    expect((await cli('fuzz', ...args, '--json')).code).toBe(0);
    // A kill after five runs: take the last three out of the store, as if they never finished.
    const db = RunStore.open(store);
    const seedsOf = () => db.listRuns().map((run) => run.seed).sort((a, b) => a! - b!);
    expect(seedsOf()).toEqual([40, 41, 42, 43, 44, 45, 46, 47]);
    db.close();
    const raw = new (await import('better-sqlite3')).default(store);
    raw.prepare('DELETE FROM runs WHERE seed >= 45').run();
    raw.close();
    const resumed = await cli('fuzz', ...args, '--resume');
    expect(resumed.code).toBe(0);
    expect(resumed.out[0]).toMatch(/^resuming campaign [0-9a-f]{12}: 5 of 8 seeds already in .*resume\.db; running the other 3$/);
    const after = RunStore.open(store, { readonly: true });
    expect(after.listRuns().map((run) => run.seed).sort((a, b) => a! - b!)).toEqual([40, 41, 42, 43, 44, 45, 46, 47]);
    after.close();
    const nothing = await cli('fuzz', ...args, '--resume');
    expect(nothing.out).toEqual([expect.stringMatching(/8 of 8 seeds already/), 'nothing left to run']);
  });

  it('rejects bad flags in one line', async () => {
    expect((await cli('fuzz', '--system', 'test-register', '--runs', '5', '--shard', '2/2', ...PLUGIN)).err[0]).toMatch(/--shard 2\/2: i must be below n/);
    expect((await cli('fuzz', '--system', 'test-register', ...PLUGIN)).err[0]).toMatch(/missing --runs N/);
    expect((await cli('fuzz', 'merge')).code).toBe(2);
  });
});
