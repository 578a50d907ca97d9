// The end-to-end tests: `crucible cluster test` against 3 real Raft processes on loopback,
// with the real CLI, the real store and the system's own checkers. Each run takes about 10-15 s.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../histories/store.js';
import { REPO_ROOT, crucibleCommand } from './node-command.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-cluster-test-'));
const children = new Set<ChildProcess>();

afterAll(() => {
  // The CLI's nodes watch their parent (--parent-pid) and exit with it, so killing the CLI is enough.
  for (const child of children) child.kill('SIGKILL');
  fs.rmSync(root, { recursive: true, force: true });
});

interface CliRun {
  code: number | null;
  json: Record<string, unknown>;
  stderr: string;
}

function clusterTest(name: string, args: string[]): Promise<CliRun> {
  const [program, ...prefix] = crucibleCommand();
  const child = spawn(
    program!,
    [...prefix, 'cluster', 'test', '--system', 'raft', '--nodes', '3', '--json', '--store', path.join(root, 'runs.db'), '--dir', path.join(root, name), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT },
  );
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      children.delete(child);
      const lines = stdout.trim().split('\n');
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown>;
      } catch {
        json = { unparsable: stdout };
      }
      resolve({ code, json, stderr });
    });
  });
}

function checker(run: CliRun, name: string): { verdict: string; summary: string } | undefined {
  return (run.json.checkers as { checker: string; verdict: string; summary: string }[] | undefined)?.find((result) => result.checker === name);
}

function storedRun(runId: number) {
  const store = RunStore.open(path.join(root, 'runs.db'), { readonly: true });
  try {
    return { run: store.getRun(runId)!, history: store.history(runId), faults: store.faults(runId) };
  } finally {
    store.close();
  }
}

describe('cluster test on 3 Raft processes over TCP', () => {
  it('stays linearizable through a kill, a pause and a partition', async () => {
    const run = await clusterTest('faults', ['--duration', '10000', '--faults', 'kill,pause,partition', '--seed', '11']);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(checker(run, 'linearizable')?.verdict).toBe('valid');
    expect(checker(run, 'cluster')?.verdict).toBe('valid');
    expect(run.json.verdict).toBe('valid');
    expect(run.code).toBe(0);
    expect(run.json.faultEvents).toBe(3);
    // Stored like a simulated run, with the history (real timestamps) and the faults that happened.
    const { run: stored, history, faults } = storedRun(run.json.runId as number);
    expect(stored.kind).toBe('cluster');
    expect(history.length).toBeGreaterThan(2 * 100);
    expect(history.filter((record) => record.type === 'invoke').length).toBe(run.json.ops);
    expect(history.every((record, index) => index === 0 || record.time! >= history[index - 1]!.time!)).toBe(true);
    expect(faults.map((event) => event.kind).filter((kind) => kind.endsWith('.start')).sort()).toEqual(['crash.start', 'partition-isolate.start', 'pause.start']);
  });

  it('catches raft.stale-local-read', async () => {
    const run = await clusterTest('bug', ['--duration', '8000', '--faults', 'kill,pause,partition', '--seed', '11', '--bug', 'raft.stale-local-read']);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(checker(run, 'linearizable')?.verdict).toBe('invalid');
    expect(run.json.verdict).toBe('invalid');
    expect(run.code).toBe(1);
    expect(String(run.json.repro)).toMatch(/^npm run --silent crucible -- cluster test .*--bug raft\.stale-local-read/);
  });

  it('loses no acknowledged write when every node is killed and restarted in turn', async () => {
    const run = await clusterTest('rolling', ['--duration', '12000', '--faults', 'restart-all', '--seed', '12']);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(checker(run, 'linearizable')?.verdict).toBe('valid');
    expect(run.json.verdict).toBe('valid');
    const { history, faults } = storedRun(run.json.runId as number);
    const killed = faults.filter((event) => event.kind === 'crash.start').map((event) => event.fields?.node);
    expect([...killed].sort()).toEqual(['n1', 'n2', 'n3']);
    // The check covers the question: after the last restart, every key written is read back ok.
    const lastRestartNs = Math.max(...faults.filter((event) => event.kind === 'crash.stop').map((event) => event.time));
    const written = new Set(history.filter((record) => record.type === 'ok' && record.f === 'write').map((record) => record.key));
    const readAfter = new Set(history.filter((record) => record.type === 'ok' && record.f === 'read' && record.time! > lastRestartNs).map((record) => record.key));
    expect([...written].filter((key) => !readAfter.has(key))).toEqual([]);
  });
});
