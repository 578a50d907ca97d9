// The getting-started guide (README.md beside this file) is run, command by command, in a fresh
// copy of the example project, so it cannot go stale: each `npx crucible` line runs against this
// checkout's CLI and must exit as the guide says (`# exit 1: ...`, else 0).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'scripts', 'bin.mjs');
/** What a newcomer runs that this test does not: installs (the packed-package demo does those) and the example's own tests (the suite runs them). */
const NOT_RUN = [/^npm install /, /^npx vitest run$/];

interface Step {
  command: string;
  exit: number;
}

function guideSteps(): { run: Step[]; skipped: string[] } {
  const text = readFileSync(join(HERE, 'README.md'), 'utf8');
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const lines = blocks.flatMap((block) => block.split('\n')).map((line) => line.trim()).filter((line) => line !== '');
  const run: Step[] = [];
  const skipped: string[] = [];
  for (const line of lines) {
    const command = line.replace(/\s+#.*$/, '');
    if (NOT_RUN.some((pattern) => pattern.test(command))) {
      skipped.push(command);
      continue;
    }
    if (!command.startsWith('npx crucible ')) throw new Error(`README.md: a command this test cannot run: ${command}`);
    run.push({ command, exit: Number(/#\s*exit (\d)/.exec(line)?.[1] ?? 0) });
  }
  return { run, skipped };
}

const project = join(HERE, '.crucible', `guide-${process.pid}`);
afterAll(() => {
  spawnSync(process.execPath, [BIN, 'cluster', 'down', '--dir', '.crucible/cluster'], { cwd: project, timeout: 30_000 });
  rmSync(project, { recursive: true, force: true });
});

describe('the getting-started guide', () => {
  it('runs every command in a fresh copy of the project, each exiting as the guide says', () => {
    const { run, skipped } = guideSteps();
    expect(skipped).toEqual(['npm install --save-dev crucible vitest', 'npm install --save-dev better-sqlite3', 'npx vitest run']);
    expect(run.length).toBeGreaterThanOrEqual(10);
    mkdirSync(project, { recursive: true });
    for (const file of ['counter.ts', 'crucible.config.json']) copyFileSync(join(HERE, file), join(project, file));
    // In this checkout `crucible` resolves to the sources (tsconfig paths); a user's install resolves the package.
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ extends: join(ROOT, 'tsconfig.json') }));
    const outputs: string[] = [];
    for (const step of run) {
      const shell = step.command.replace(/^npx crucible /, `'${process.execPath}' '${BIN}' `);
      const result = spawnSync('sh', ['-c', shell], { cwd: project, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CRUCIBLE_DEBUG: '1' } });
      expect(result.status, `${step.command}\n${result.stdout}\n${result.stderr}`).toBe(step.exit);
      outputs.push(result.stdout);
    }
    const text = outputs.join('\n');
    // The effects, not only the exit codes: the bug was found, shrunk into a capsule naming the
    // plugin relative to the project, replayed with the same fingerprint, and the report written.
    expect(text).toMatch(/^npx crucible replay \.crucible\/capsules\/counter-counter\.count-retries-seed\d+-[0-9a-f]+\.json {2}# seed \d+ .*invalid \(linearizable\); shrunk/m);
    const capsules = readdirSync(join(project, '.crucible', 'capsules'));
    expect(capsules).toHaveLength(1);
    const capsule = JSON.parse(readFileSync(join(project, '.crucible', 'capsules', capsules[0]!), 'utf8'));
    expect(capsule).toMatchObject({ system: 'counter', plugin: 'counter.ts', expected: { violation: 'linearizable' } });
    expect(text).toContain(`fingerprint matched .crucible/capsules/${capsules[0]}: ${capsule.expected.fingerprint}`);
    expect(text).toMatch(/counter\.count-retries +the primary counts a resent add again/);
    expect(existsSync(join(project, 'counter-run.html'))).toBe(true);
    expect(text).toMatch(/counter cluster in .*: healthy, ready/);
  }, 600_000);
});
