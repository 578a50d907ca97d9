// The end-to-end tests: `crucible cluster test` against 3 real processes on loopback (Raft,
// and the leaderless test system loaded with --plugin), with the real CLI, the real store, the
// shared nemesis and the system's own checkers. Each run takes about 7-15 s.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../histories/store.js';
import { pluginFaultCatalog } from '../../workloads/system.js';
import { raftSystem } from '../../workloads/raft/plugin.js';
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

const RAFT = ['--system', 'raft'];
const LEADERLESS = ['--system', 'test-leaderless', '--plugin', 'workloads/testing/leaderless.ts'];

function clusterTest(name: string, args: string[], system: readonly string[] = RAFT): Promise<CliRun> {
  const [program, ...prefix] = crucibleCommand();
  const child = spawn(
    program!,
    [...prefix, 'cluster', 'test', ...system, '--nodes', '3', '--json', '--store', path.join(root, 'runs.db'), '--dir', path.join(root, name), ...args],
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
    const run = store.getRun(runId)!;
    return { run, history: store.history(runId), faults: store.faults(runId), scenario: run.scenario as { schedule: { kind: string; role?: string }[] } };
  } finally {
    store.close();
  }
}

describe('cluster test on 3 Raft processes over TCP', () => {
  it('stays linearizable through crashes, pauses and partitions of every shape drawn by the shared planner', async () => {
    const run = await clusterTest('faults', ['--duration', '10000', '--faults', 'crash,pause,partition,disk-full', '--fault-rate', '1.5', '--seed', '11']);
    expect(run.stderr).not.toMatch(/internal error/);
    // What a real process cannot suffer is said before the run, by name.
    expect(run.stderr).toMatch(/cannot apply for real: disk-full/);
    expect(run.json.cannotApplyForReal).toEqual(['disk-full']);
    expect(checker(run, 'linearizable')?.verdict).toBe('valid');
    expect(checker(run, 'cluster')?.verdict).toBe('valid');
    expect(run.json.verdict).toBe('valid');
    expect(run.code).toBe(0);
    // Stored like a simulated run, with the history (real timestamps) and the faults that happened.
    const { run: stored, history, faults, scenario } = storedRun(run.json.runId as number);
    expect(stored.kind).toBe('cluster');
    expect(history.length).toBeGreaterThan(2 * 100);
    expect(history.filter((record) => record.type === 'invoke').length).toBe(run.json.ops);
    expect(history.every((record, index) => index === 0 || record.time! >= history[index - 1]!.time!)).toBe(true);
    // The fault actions have the simulator's shape: `<kind>.start|stop|skip` of the catalog's kinds,
    // each start saying which nodes it touched; the schedule drawn is stored with the run.
    const allowed = new Set(pluginFaultCatalog(raftSystem).expand(['crash', 'pause', 'partition', 'disk-full']));
    const starts = faults.filter((event) => event.kind.endsWith('.start') && event.kind !== 'heal.start');
    expect(starts.length).toBe(run.json.faultEvents);
    expect(starts.length).toBeGreaterThanOrEqual(3);
    for (const event of starts) {
      expect(allowed.has(event.kind.slice(0, -'.start'.length))).toBe(true);
      expect(typeof event.fields?.touched).toBe('string');
    }
    for (const event of faults.filter((fault) => fault.kind === 'disk-full.skip')) expect(String(event.fields?.reason)).toMatch(/cannot apply for real/);
    expect(faults.filter((event) => event.kind === 'heal.start')).toHaveLength(1);
    expect(scenario.schedule.length).toBe(faults.filter((event) => /\.(start|skip)$/.test(event.kind) && event.kind !== 'heal.start').length);
  });

  it('catches raft.stale-local-read', async () => {
    const run = await clusterTest('bug', ['--duration', '8000', '--faults', 'crash,pause,partition', '--seed', '11', '--bug', 'raft.stale-local-read']);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(checker(run, 'linearizable')?.verdict).toBe('invalid');
    expect(run.json.verdict).toBe('invalid');
    expect(run.code).toBe(1);
    expect(String(run.json.repro)).toMatch(/^npm run --silent crucible -- cluster test .*--bug raft\.stale-local-read/);
  });

  it('loses no acknowledged write when nodes are killed and restarted', async () => {
    const run = await clusterTest('crashes', ['--duration', '12000', '--faults', 'crash', '--fault-rate', '2', '--seed', '12']);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(checker(run, 'linearizable')?.verdict).toBe('valid');
    expect(run.json.verdict).toBe('valid');
    const { history, faults } = storedRun(run.json.runId as number);
    const killed = new Set(faults.filter((event) => event.kind === 'crash.start').map((event) => event.fields?.node));
    expect(killed.size).toBeGreaterThanOrEqual(2);
    // The check covers the question: after the heal restarted everything, every key written is read back ok.
    const healNs = faults.find((event) => event.kind === 'heal.start')!.time;
    const written = new Set(history.filter((record) => record.type === 'ok' && record.f === 'write').map((record) => record.key));
    const readAfter = new Set(history.filter((record) => record.type === 'ok' && record.f === 'read' && record.time! > healNs).map((record) => record.key));
    expect([...written].filter((key) => !readAfter.has(key))).toEqual([]);
  });
});

describe('cluster test on 3 processes of the leaderless test system, loaded with --plugin', () => {
  const args = ['--duration', '5000', '--fault-rate', '3', '--faults', 'partition,crash,pause,coordinator-stall', '--seed', '1'];

  it('finds leaderless.read-one with faults aimed at its own target sets and its own kind', async () => {
    const run = await clusterTest('leaderless-bug', [...args, '--bug', 'leaderless.read-one'], LEADERLESS);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(checker(run, 'cluster')?.verdict).toBe('valid');
    expect(checker(run, 'linearizable')?.verdict).toBe('invalid');
    expect(run.code).toBe(1);
    expect(String(run.json.repro)).toMatch(/--plugin workloads\/testing\/leaderless\.ts .*--bug leaderless\.read-one/);
    const { faults, scenario } = storedRun(run.json.runId as number);
    // The drawn schedule aims at the system's own words, and every such fault found its node.
    expect(scenario.schedule.some((event) => event.role === 'freshest' || event.role === 'stalest')).toBe(true);
    expect(faults.filter((event) => event.kind.endsWith('.skip'))).toEqual([]);
    expect(faults.some((event) => event.kind === 'coordinator-stall.start')).toBe(true);
  });

  it('passes the same run without the bug', async () => {
    const run = await clusterTest('leaderless-ok', args, LEADERLESS);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.json.verdict).toBe('valid');
    expect(run.code).toBe(0);
  });
});
