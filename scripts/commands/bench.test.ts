import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../cli/command.js';
import { loadSuite } from '../bench/index.js';
import { main, type CliIo } from '../crucible.js';
import { command } from './bench.js';

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'crucible-bench-'));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('bench', () => {
  it('refuses an unknown suite and one that is not written yet, with one clear line', async () => {
    await expect(loadSuite('kernal')).rejects.toThrow(new UsageError('--suite kernal: unknown suite (known: kernel, checker, raft, fuzz, cluster, store, elle, quorum-kv, broker, cache, scheduler, soak, all)'));
    await expect(loadSuite('cluster', () => false)).rejects.toThrow(
      new UsageError('--suite cluster: scripts/bench/cluster.ts is not written yet; pick another suite'),
    );
  });

  it('runs a suite, prints {suite, results, peakRssMb} and writes it next to the store', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text), isTTY: false, env: {} };
    const store = join(directory, 'state', 'runs.db');
    const code = await main(['bench', '--suite', 'store', '--json', '--store', store], [command], io);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const report = JSON.parse(out[0]!) as { suite: string; results: { name: string; value: number; unit: string }[]; peakRssMb: number };
    expect(report.suite).toBe('store');
    expect(report.results.map((result) => result.name)).toEqual(['store.insert100k', 'store.read100k', 'store.smallRuns', 'jsonl.stream']);
    for (const result of report.results) expect(result.value).toBeGreaterThan(0);
    expect(report.peakRssMb).toBeGreaterThan(0);
    const file = join(directory, 'state', 'bench', 'store.json');
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ suite: 'store', results: report.results });
  });
});
