// The linearizability checker's benchmark: the histories of ../shared/data (Porcupine's kv logs,
// Knossos's cas-register histories) and generated Jepsen etcd logs, with parse time apart from
// check time. Each figure is the median of several runs after a warm-up run, on this one process
// (one core). Every verdict is compared with the expected one first: a fast wrong answer is no figure.
import { checkHistory, type CheckOptions, type LinResult } from '../../checkers/linearizability.js';
import { findModel } from '../../checkers/models/index.js';
import { generateEtcdLog, type EtcdLogOptions } from '../../checkers/testing/etcd-log.js';
import { readHistory } from '../../histories/detect.js';
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
  results.push({ name: 'checker.peak-rss', value: Math.round(process.resourceUsage().maxRSS / 1024), unit: 'MB' });
  return results;
}
