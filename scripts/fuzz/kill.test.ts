// A campaign killed with SIGKILL halfway keeps every run it finished, and the store opens cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { RunStore } from '../../histories/store.js';

const dir = mkdtempSync(join(tmpdir(), 'crucible-kill-'));
let child: ChildProcess | null = null;
afterAll(() => {
  if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function countRuns(path: string): number {
  if (!existsSync(path)) return 0;
  try {
    const store = RunStore.open(path, { readonly: true });
    try {
      return store.countRuns();
    } finally {
      store.close();
    }
  } catch {
    // The writer may be creating the schema right now.
    return 0;
  }
}

describe('a killed campaign', () => {
  it('keeps every finished run, whole, and the store opens cleanly', async () => {
    const store = join(dir, 'runs.db');
    // Every run fails (a planted bug the invariant monitor sees at once), so every run is stored
    // with its history, faults and trace: the heaviest transaction a campaign writes.
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/crucible.ts', 'fuzz', '--system', 'test-register', '--plugin', 'workloads/testing/register-plugin.ts', '--bug', 'test.backup-garbage',
        '--runs', '100000', '--workers', '2', '--keep-going', '--no-shrink', '--faults', 'crash,partition', '--store', store, '--capsules', join(dir, 'capsules')],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let seenBeforeKill = 0;
    // Poll until a good number of runs finished (bounded: the test fails rather than hangs).
    for (let attempt = 0; attempt < 600 && seenBeforeKill < 30; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seenBeforeKill = countRuns(store);
    }
    expect(seenBeforeKill).toBeGreaterThanOrEqual(30);
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(child.signalCode).toBe('SIGKILL');

    const db = new Database(store, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
    const reopened = RunStore.open(store);
    try {
      const runs = reopened.listRuns();
      expect(runs.length).toBeGreaterThanOrEqual(seenBeforeKill);
      expect(runs.length).toBeLessThan(100_000);
      expect(new Set(runs.map((run) => run.seed)).size).toBe(runs.length);
      for (const run of runs) {
        expect(run.verdict).toBe('invalid');
        expect(run.kept).toBe(true);
        // Whole: the history holds exactly the run's ops, and its trace is there.
        const history = reopened.history(run.id);
        expect(history.filter((record) => record.type === 'invoke').length).toBe(run.ops);
        expect(reopened.trace(run.id, { limit: 1 }).length).toBe(1);
      }
    } finally {
      reopened.close();
    }
  });
});
