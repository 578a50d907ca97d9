// The project config: found from the working directory upwards, data only, errors that name the
// file and the field; and every command on a system it names, from a folder outside this
// repository (a plugin there is CommonJS to tsx: the fuzz workers must load it all the same).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findProjectConfig, fromProjectRelative, projectRelative } from '../lab/config.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'scripts', 'bin.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'crucible-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

function crucible(cwd: string, ...args: string[]): { status: number | null; out: string; err: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, out: result.stdout, err: result.stderr };
}

describe('finding the config', () => {
  it('takes the nearest crucible.config.json or package.json "crucible" field, skipping packages without one', () => {
    const dir = folder('nested', { 'crucible.config.json': '{"plugins": ["./sys/plugin.ts"]}', 'pkg/package.json': '{"name": "inner"}', 'field/package.json': '{"crucible": {"plugins": ["p.js"], "system": "x"}}' });
    const found = findProjectConfig(join(dir, 'pkg'));
    expect(found).toMatchObject({ root: dir, plugins: [join(dir, 'sys', 'plugin.ts')], system: null });
    expect(findProjectConfig(join(dir, 'field'))).toMatchObject({ root: join(dir, 'field'), plugins: [join(dir, 'field', 'p.js')], system: 'x' });
    expect(projectRelative(join(dir, 'sys', 'plugin.ts'), dir)).toBe('sys/plugin.ts');
    expect(projectRelative('/elsewhere/plugin.ts', dir)).toBe('/elsewhere/plugin.ts');
    expect(fromProjectRelative('sys/plugin.ts', dir)).toBe(join(dir, 'sys', 'plugin.ts'));
  });

  it('says which file and field are wrong', () => {
    const bad = folder('bad', { 'crucible.config.json': '{"plugins": []}', 'json/crucible.config.json': '{plugins', 'extra/crucible.config.json': '{"plugins": ["a.ts"], "run": "rm -rf /"}' });
    expect(() => findProjectConfig(bad)).toThrow(/crucible\.config\.json: plugins: .*expected \{"plugins"/);
    expect(() => findProjectConfig(join(bad, 'json'))).toThrow(/crucible\.config\.json: not valid JSON/);
    expect(() => findProjectConfig(join(bad, 'extra'))).toThrow(/Unrecognized key.*"run"/);
  });
});

describe('every command on a system the config names', () => {
  // A plugin outside any "type": "module" package: tsx loads it as CommonJS.
  const plugin = `export { registerSystem as system } from ${JSON.stringify(join(ROOT, 'workloads', 'testing', 'register.ts'))};\n`;

  it('bugs, run, fuzz in worker processes, replay of the capsule, view and report, with no --plugin and no --system', () => {
    const dir = folder('project', { 'src/plugin.ts': plugin, 'crucible.config.json': '{"plugins": ["./src/plugin.ts"]}' });
    const bugs = crucible(dir, 'bugs', '--system', 'test-register');
    expect(bugs.out).toMatch(/^test\.ack-before-fsync +acknowledges a write before it is durable$/m);
    const run = crucible(dir, 'run', '--seed', '1', '--keep');
    expect(run.status, run.err).toBe(0);
    expect(run.out).toContain('replay with: npx crucible run --system test-register --seed 1 --plugin src/plugin.ts');
    const fuzz = crucible(dir, 'fuzz', '--runs', '20', '--workers', '1', '--faults', 'crash', '--bug', 'test.ack-before-fsync');
    expect(fuzz.status, fuzz.err).toBe(1);
    const capsules = readdirSync(join(dir, '.crucible', 'capsules'));
    expect(capsules.length).toBeGreaterThan(0);
    const capsule = JSON.parse(readFileSync(join(dir, '.crucible', 'capsules', capsules[0]!), 'utf8'));
    // Named relative to the project, so the capsule replays from another checkout.
    expect(capsule.plugin).toBe('src/plugin.ts');
    expect(fuzz.out).toMatch(/^npx crucible replay \.crucible\/capsules\/test-register-test\.ack-before-fsync-seed\d+-[0-9a-f]+\.json {2}# /m);
    const replay = crucible(join(dir, 'src'), 'replay', join('..', '.crucible', 'capsules', capsules[0]!), '--store', '../.crucible/runs.db');
    expect(replay.status, replay.err).toBe(1);
    expect(replay.out).toContain(`fingerprint matched`);
    const view = crucible(dir, 'view', '1');
    expect(view.out.split('\n')[0]).toBe('npx crucible replay 1 --plugin src/plugin.ts');
    const report = crucible(dir, 'report', '1', '--html', 'run-1.html');
    expect(report.status, report.err).toBe(0);
    expect(readFileSync(join(dir, 'run-1.html'), 'utf8')).toContain('npx crucible replay 1 --plugin src/plugin.ts');
  }, 300_000);

  it('run --plugin needs no --system; a config naming two systems asks for one', () => {
    const bare = folder('bare', { 'plugin.ts': plugin });
    const run = crucible(bare, 'run', '--plugin', 'plugin.ts', '--seed', '2', '--store', 'runs.db');
    expect(run.status, run.err).toBe(0);
    // The fuzz workers load the same CommonJS module (once "Cannot require() ES Module ... in a cycle").
    const fuzz = crucible(bare, 'fuzz', '--plugin', 'plugin.ts', '--runs', '4', '--workers', '1', '--faults', 'partition', '--store', 'runs.db');
    expect(fuzz.status, fuzz.err).toBe(0);
    expect(fuzz.out).toContain('runs 4: 4 valid');
    const two = folder('two', { 'a.ts': plugin, 'b.ts': `export { leaderlessSystem as system } from ${JSON.stringify(join(ROOT, 'workloads', 'testing', 'leaderless.ts'))};\n`, 'crucible.config.json': '{"plugins": ["a.ts", "b.ts"]}' });
    const ask = crucible(two, 'run', '--seed', '1', '--store', 'runs.db');
    expect(ask.status).toBe(2);
    expect(ask.err).toMatch(/missing --system S: .*crucible\.config\.json names 2 systems \(test-register, /);
  }, 120_000);
});
