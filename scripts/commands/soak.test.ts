// The soak command end to end, and the trace it streams to a spool beside the store: the same
// fingerprint and the same stored trace as a run that holds its trace.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../histories/store.js';
import { spoolFolder, TraceSpool } from '../../histories/trace-spool.js';
import { raftSystem as plugin } from '../../workloads/raft/plugin.js';
import { runScenario, type RunProgress } from '../lab/runner.js';
import { saveResult } from '../lab/persist.js';
import type { ScenarioInput } from '../lab/scenario.js';
import { main, type CliIo } from '../crucible.js';
import { command as soak } from './soak.js';

const dir = mkdtempSync(join(tmpdir(), 'crucible-soak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const captured = { code: -1, out: [] as string[], err: [] as string[] };
  const io: CliIo = { out: (text) => captured.out.push(text), err: (text) => captured.err.push(text), isTTY: false, env: {} };
  captured.code = await main(argv, [soak], io);
  return captured;
}

describe('streaming the trace', () => {
  it('gives the same fingerprint and the same stored trace as holding it, in slices or not', () => {
    const scenario: ScenarioInput = { system: 'raft', durationMs: 6_000, livenessMs: 3_000, faults: { kinds: ['all'] } };
    const held = runScenario(scenario, 3, { plugin, traceLimit: 10_000_000 });
    const spool = new TraceSpool(join(dir, 'held-vs-streamed.trace.jsonl'));
    const progress: RunProgress[] = [];
    const streamed = runScenario(scenario, 3, { plugin, traceSink: spool, progressEveryMs: 1_000, onProgress: (step) => progress.push(step) });
    spool.close();
    expect(streamed.fingerprint).toBe(held.fingerprint);
    expect(streamed.history).toEqual(held.history);
    // Nothing held, everything streamed: as many events as the held run kept (it kept them all).
    expect(streamed.trace).toEqual([]);
    expect(held.trace.length).toBeGreaterThan(10_000);
    expect(spool.count).toBe(held.trace.length);
    expect(streamed.traceStreamed).toBe(held.trace.length);
    // Progress came every simulated second, the last one at the end, counting up.
    expect(progress.map((step) => step.simMs)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => s * 1_000));
    expect(progress.map((step) => step.done)).toEqual([...Array<boolean>(8).fill(false), true]);
    expect(progress.at(-1)).toMatchObject({ simMs: 9_000, endMs: 9_000, events: held.events, ops: held.ops, faults: held.faultEvents });
    for (let at = 1; at < progress.length; at++) expect(progress[at]!.events).toBeGreaterThan(progress[at - 1]!.events);

    const store = RunStore.open(join(dir, 'runs.db'));
    try {
      const base = { wallMs: 1, repro: 'test', keep: true };
      const heldId = saveResult(store, held, base);
      const streamedId = saveResult(store, streamed, { ...base, trace: spool.events() });
      const heldTrace = store.trace(heldId);
      expect(heldTrace.length).toBe(held.trace.length);
      expect(store.trace(streamedId)).toEqual(heldTrace);
    } finally {
      store.close();
      spool.remove();
    }
  });
});

describe('crucible soak', () => {
  it('runs with faults throughout, stores the run without its trace when it passes, and leaves no spool behind', async () => {
    const store = join(dir, 'cli.db');
    const result = await cli(['soak', '--store', store, '--system', 'raft', '--duration', '30s', '--phases', '10s/5s', '--json']);
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.out[0]!) as { verdict: string; faultEvents: number; repro: string; soak: { traceSpooled: number; quietWindows: number; stoppedAtMs: number | null } };
    expect(answer.verdict).toBe('valid');
    expect(answer.faultEvents).toBeGreaterThan(10);
    expect(answer.soak.quietWindows).toBe(1);
    expect(answer.soak.traceSpooled).toBeGreaterThan(10_000);
    expect(answer.repro).toBe('npm run --silent crucible -- soak --system raft --seed 1 --faults all --ops 1000000 --duration 30000 --phases 10s/5s');
    expect(readdirSync(spoolFolder(store))).toEqual([]);
    const opened = RunStore.open(store);
    try {
      const [run] = opened.listRuns();
      expect(run).toMatchObject({ verdict: 'valid', tags: ['soak'] });
      expect(opened.trace(run!.id)).toEqual([]);
    } finally {
      opened.close();
    }
  });

  it('stops at the first violation of a bug switched on late, keeps the trace, and writes a capsule', async () => {
    const store = join(dir, 'late.db');
    const capsules = join(dir, 'capsules');
    const argv = ['soak', '--store', store, '--system', 'raft', '--duration', '40s', '--faults', 'crash,partition', '--bug', 'raft.unpersisted-vote', '--bug-at', '20s', '--capsules', capsules, '--json'];
    const result = await cli(argv);
    expect(result.code).toBe(1);
    const answer = JSON.parse(result.out[0]!) as { violation: string; soak: { stoppedAtMs: number }; capsule: { file: string }; runId: number };
    expect(answer.violation).toBe('invariants');
    expect(answer.soak.stoppedAtMs).toBeGreaterThan(20_000);
    expect(existsSync(answer.capsule.file)).toBe(true);
    const opened = RunStore.open(store);
    try {
      expect(opened.trace(answer.runId, { limit: 5 }).length).toBe(5);
    } finally {
      opened.close();
    }
  });

  it('says what is wrong with its flags, in one line, exit 2', async () => {
    const bad = async (argv: string[]) => {
      const result = await cli(['soak', '--store', join(dir, 'bad.db'), '--system', 'raft', ...argv]);
      expect(result.code).toBe(2);
      return result.err.join(' ');
    };
    expect(await bad(['--duration', '1 day'])).toContain('--duration 1 day: expected a duration such as 1h');
    expect(await bad(['--duration', '2h'])).toContain('a soak runs 1 ms to 1h00m00s');
    expect(await bad(['--duration', '1m', '--phases', '10s'])).toContain('--phases 10s: expected FAULT/QUIET');
    expect(await bad(['--duration', '1m', '--bug-at', '30s'])).toContain('--bug-at needs --bug NAME');
  });
});
