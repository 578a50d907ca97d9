// The transactional checker's benchmark: generated list-append histories of 10k, 100k and 1M
// transactions (checkers/txn/testing/generate.ts), valid and with planted write-skew cycles, and
// Elle's huge-scc.edn. Each generated case runs in its own process so its peak memory is its own;
// every verdict is compared with the expected one first (a fast wrong answer is no figure).
// Target: 100k transactions checked in under 5 s on this machine.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkTxnHistory } from '../../checkers/txn/check.js';
import { readSharedFile } from '../../histories/testing/shared-data.js';
import { readTxnEdnHistory } from '../../histories/txn-edn.js';
import type { ElleCaseInput, ElleCaseOutput } from './elle-case.js';
import type { BenchResult } from './index.js';

/** A planted write-skew pair every this many transactions. */
const SKEW_EVERY = 997;
const CASE_WALL_MS_MAX = 15 * 60 * 1000;

const SIZES: { label: string; txns: number; runs: number }[] = [
  { label: '10k', txns: 10_000, runs: 5 },
  { label: '100k', txns: 100_000, runs: 3 },
  { label: '1m', txns: 1_000_000, runs: 0 },
];

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function runCase(input: ElleCaseInput): ElleCaseOutput {
  const entry = fileURLToPath(new URL('./elle-case.ts', import.meta.url));
  const child = spawnSync(process.execPath, [...process.execArgv, '--max-old-space-size=8192', entry, JSON.stringify(input)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: CASE_WALL_MS_MAX,
  });
  if (child.status !== 0) throw new Error(`elle case ${JSON.stringify(input)} failed (exit ${child.status ?? child.signal})`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as ElleCaseOutput;
}

function expectVerdict(name: string, output: ElleCaseOutput, planted: boolean): void {
  const ok = planted
    ? output.verdict === 'invalid' && output.g2item === output.planted && output.planted > 0 && output.otherAnomalies === 0
    : output.verdict === 'valid' && output.g2item === 0 && output.otherAnomalies === 0;
  if (!ok) throw new Error(`bench case ${name}: expected ${planted ? `${output.planted} G2-item cycles and nothing else` : 'valid'}, got ${JSON.stringify(output)}`);
}

export async function runSuite(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const size of SIZES) {
    for (const kind of ['valid', 'cycles'] as const) {
      const name = `elle.list-append.${size.label}.${kind}`;
      const output = runCase({ txns: size.txns, skewEvery: kind === 'cycles' ? SKEW_EVERY : 0, runs: size.runs });
      expectVerdict(name, output, kind === 'cycles');
      results.push({ name, value: round(output.checkMs), unit: 'ms' });
      results.push({ name: `${name}.peak-rss`, value: Math.round(output.peakRssMb), unit: 'MB' });
      results.push({ name: `${name}.rss-before-check`, value: Math.round(output.rssBeforeCheckMb), unit: 'MB' });
      results.push({ name: `${name}.edges`, value: output.edges, unit: 'edges' });
      results.push({ name: `${name}.steps`, value: output.steps, unit: 'steps' });
    }
  }
  // Elle's own huge-scc history: one component of over a thousand transactions.
  const text = readSharedFile('elle/huge-scc.edn');
  const parseStart = performance.now();
  const history = readTxnEdnHistory(text, 'elle/huge-scc.edn');
  const checkStart = performance.now();
  const result = checkTxnHistory(history, { model: 'list-append', consistency: 'strong-snapshot-isolation' });
  const checkMs = performance.now() - checkStart;
  if (result.verdict !== 'invalid') throw new Error(`bench case elle.huge-scc: expected not strong snapshot isolation, got ${result.summary}`);
  results.push({ name: 'elle.huge-scc', value: round(checkMs), unit: 'ms' });
  results.push({ name: 'elle.huge-scc.parse', value: round(checkStart - parseStart), unit: 'ms' });
  results.push({ name: 'elle.huge-scc.steps', value: result.evidence.steps, unit: 'steps' });
  return results;
}
