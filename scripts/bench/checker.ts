// The linearizability checker's benchmark: the histories of ../shared/data (Porcupine's kv logs,
// Knossos's cas-register histories) and generated Jepsen etcd logs, with parse time apart from
// check time. Each figure is the median of several runs after a warm-up run, on this one process
// (one core). Every verdict is compared with the expected one first: a fast wrong answer is no figure.
// Large generated kv histories (100k and 1M ops over 1,000 keys) are written to a scratch file by
// the seeded generator and checked streamed from it, as `crucible check` would read them.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHistory, checkOperations, type CheckOptions, type LinResult } from '../../checkers/linearizability.js';
import type { Model } from '../../checkers/model.js';
import { findModel } from '../../checkers/models/index.js';
import { OpPairer } from '../../checkers/paired-ops.js';
import { generateEtcdLog, type EtcdLogOptions } from '../../checkers/testing/etcd-log.js';
import { generateKvHistory, type KvHistoryOptions } from '../../checkers/testing/kv-history.js';
import { readHistory } from '../../histories/detect.js';
import { streamHistoryFile } from '../../histories/stream.js';
import type { History } from '../../histories/schema.js';
import { expectedVerdicts, readSharedFile } from '../../histories/testing/shared-data.js';
import type { BenchResult } from './index.js';

interface Case {
  name: string;
  model: string;
  expected: boolean;
  /** One or more histories, checked one after the other; the figure is their total. */
  load(): { text: string; file: string }[];
  options?: CheckOptions;
  /** Timed runs after the warm-up; the median is reported. */
  runs: number;
}

interface Measured {
  parseMs: number;
  checkMs: number;
  steps: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function measure(testCase: Case): Measured {
  const model = findModel(testCase.model);
  if (model === undefined) throw new Error(`bench case ${testCase.name}: unknown model ${testCase.model}`);
  const sources = testCase.load();
  const parseMs: number[] = [];
  const checkMs: number[] = [];
  let steps = 0;
  for (let run = 0; run <= testCase.runs; run += 1) {
    const parseStart = performance.now();
    const histories: History[] = sources.map((source) => readHistory(source.text, source.file).history);
    const checkStart = performance.now();
    const results: LinResult[] = histories.map((history) => checkHistory(history, model, testCase.options));
    const checkEnd = performance.now();
    const linearizable = results.every((result) => result.verdict === 'linearizable');
    const decided = results.every((result) => result.verdict !== 'unknown');
    if (!decided || linearizable !== testCase.expected) {
      throw new Error(`bench case ${testCase.name}: expected ${testCase.expected ? 'linearizable' : 'not linearizable'}, got ${results.map((r) => r.verdict).join(', ')}`);
    }
    steps = results.reduce((sum, result) => sum + result.steps, 0);
    // The first run warms the JIT up and is not counted.
    if (run === 0) continue;
    parseMs.push(checkStart - parseStart);
    checkMs.push(checkEnd - checkStart);
  }
  return { parseMs: median(parseMs), checkMs: median(checkMs), steps };
}

/** A generated kv history checked streamed from a file: parse (and pairing) apart from the check. */
interface StreamCase {
  name: string;
  options: KvHistoryOptions;
  /** Timed runs; with `warmUp`, after one run that is not counted. The median is reported. */
  runs: number;
  warmUp: boolean;
}

/** Lines written per batch to the scratch file. */
const WRITE_BATCH_LINES = 10_000;

function writeKvHistory(path: string, options: KvHistoryOptions): boolean {
  const fd = openSync(path, 'w');
  try {
    let batch: string[] = [];
    const summary = generateKvHistory(options, (line) => {
      batch.push(line);
      if (batch.length < WRITE_BATCH_LINES) return;
      writeSync(fd, `${batch.join('\n')}\n`);
      batch = [];
    });
    if (batch.length > 0) writeSync(fd, `${batch.join('\n')}\n`);
    return summary.linearizable;
  } finally {
    closeSync(fd);
  }
}

function measureStreamed(testCase: StreamCase, model: Model, folder: string): Measured {
  const path = join(folder, `${testCase.name}.txt`);
  const expected = writeKvHistory(path, testCase.options);
  const parseMs: number[] = [];
  const checkMs: number[] = [];
  let steps = 0;
  try {
    for (let run = testCase.warmUp ? 0 : 1; run <= testCase.runs; run += 1) {
      const parseStart = performance.now();
      const pairer = new OpPairer();
      streamHistoryFile(path, (record) => pairer.push(record));
      const { ops, problems } = pairer.finish();
      const checkStart = performance.now();
      if (problems.length > 0) throw new Error(`bench case ${testCase.name}: generated history is malformed: ${problems[0]!.message}`);
      const result = checkOperations(ops, model);
      const checkEnd = performance.now();
      if (result.verdict === 'unknown' || (result.verdict === 'linearizable') !== expected) {
        throw new Error(`bench case ${testCase.name}: expected ${expected ? 'linearizable' : 'not linearizable'}, got ${result.verdict}`);
      }
      steps = result.steps;
      if (run === 0) continue;
      parseMs.push(checkStart - parseStart);
      checkMs.push(checkEnd - checkStart);
    }
  } finally {
    rmSync(path, { force: true });
  }
  return { parseMs: median(parseMs), checkMs: median(checkMs), steps };
}

function streamCases(): StreamCase[] {
  const cases: StreamCase[] = [];
  for (const [size, ops, runs] of [['100k', 100_000, 3], ['1m', 1_000_000, 1]] as const) {
    for (const outcome of ['ok', 'bad']) {
      cases.push({
        name: `checker.kv-generated.${size}-${outcome}`,
        options: { seed: 1, ops, keys: 1000, clients: 30, infoPercent: 3, violation: outcome === 'bad' },
        runs,
        warmUp: size === '100k',
      });
    }
  }
  return cases;
}

function file(path: string): () => { text: string; file: string }[] {
  return () => [{ text: readSharedFile(path), file: path }];
}

function knossosCasRegister(): { text: string; file: string }[] {
  return Object.keys(expectedVerdicts())
    .filter((path) => path.startsWith('knossos/cas-register/'))
    .sort()
    .map((path) => ({ text: readSharedFile(path), file: path }));
}

function etcd(options: EtcdLogOptions): () => { text: string; file: string }[] {
  return () => [{ text: generateEtcdLog(options).text, file: `etcd-seed-${options.seed}.log` }];
}

function cases(): Case[] {
  const kv: Case[] = [];
  for (const clients of ['c01', 'c10', 'c50']) {
    for (const outcome of ['ok', 'bad']) {
      kv.push({ name: `checker.kv.${clients}-${outcome}`, model: 'kv', expected: outcome === 'ok', load: file(`porcupine-kv/${clients}-${outcome}.txt`), runs: 9 });
    }
  }
  for (const outcome of ['ok', 'bad']) {
    kv.push({
      name: `checker.kv.c10-${outcome}.unpartitioned`,
      model: 'kv',
      expected: outcome === 'ok',
      load: file(`porcupine-kv/c10-${outcome}.txt`),
      options: { partition: false },
      runs: 5,
    });
  }
  return [
    ...kv,
    // Good and bad apart, so each group's verdict is checked; checker.knossos.all is their sum.
    { name: 'checker.knossos.good', model: 'cas-register', expected: true, load: () => knossosCasRegister().filter((s) => s.file.includes('/good/')), runs: 9 },
    { name: 'checker.knossos.bad', model: 'cas-register', expected: false, load: () => knossosCasRegister().filter((s) => s.file.includes('/bad/')), runs: 9 },
    {
      name: 'checker.etcd.2000-ops-10pc-info.ok',
      model: 'cas-register-absent',
      expected: true,
      load: etcd({ seed: 7, clients: 10, ops: 2000, timeoutPercent: 10 }),
      runs: 5,
    },
    {
      name: 'checker.etcd.2000-ops-10pc-info.stale-read',
      model: 'cas-register-absent',
      expected: false,
      load: etcd({ seed: 7, clients: 10, ops: 2000, timeoutPercent: 10, violation: 'stale-read' }),
      runs: 5,
    },
    {
      name: 'checker.etcd.5000-ops-25pc-info.ok',
      model: 'cas-register-absent',
      expected: true,
      load: etcd({ seed: 3, clients: 20, ops: 5000, timeoutPercent: 25 }),
      runs: 3,
    },
  ];
}

export async function runSuite(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  let totalCheckMs = 0;
  let totalParseMs = 0;
  let knossosMs = 0;
  for (const testCase of cases()) {
    const measured = measure(testCase);
    if (testCase.name.startsWith('checker.knossos.')) knossosMs += measured.checkMs;
    totalCheckMs += measured.checkMs;
    totalParseMs += measured.parseMs;
    results.push({ name: testCase.name, value: round(measured.checkMs), unit: 'ms' });
    results.push({ name: `${testCase.name}.parse`, value: round(measured.parseMs), unit: 'ms' });
    results.push({ name: `${testCase.name}.steps`, value: measured.steps, unit: 'steps' });
  }
  results.push({ name: 'checker.knossos.all', value: round(knossosMs), unit: 'ms' });
  results.push({ name: 'checker.total', value: round(totalCheckMs), unit: 'ms' });
  results.push({ name: 'checker.total.parse', value: round(totalParseMs), unit: 'ms' });
  // Before the generated histories, so the figure means what it meant before they were added.
  results.push({ name: 'checker.peak-rss', value: Math.round(process.resourceUsage().maxRSS / 1024), unit: 'MB' });
  const folder = mkdtempSync(join(tmpdir(), 'crucible-bench-checker-'));
  try {
    for (const testCase of streamCases()) {
      const measured = measureStreamed(testCase, findModel('kv')!, folder);
      results.push({ name: testCase.name, value: round(measured.checkMs), unit: 'ms' });
      results.push({ name: `${testCase.name}.parse`, value: round(measured.parseMs), unit: 'ms' });
      results.push({ name: `${testCase.name}.steps`, value: measured.steps, unit: 'steps' });
      // The process's peak so far: the generated cases run smallest first, so it is this case's.
      results.push({ name: `${testCase.name}.peak-rss`, value: Math.round(process.resourceUsage().maxRSS / 1024), unit: 'MB' });
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return results;
}
