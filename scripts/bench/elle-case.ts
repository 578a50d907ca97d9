// One case of the elle benchmark, run in its own process so its peak memory is its own:
// `elle-case.ts '{"txns":100000,"skewEvery":997,"runs":3}'` prints one JSON line of figures.
import { checkTxnHistory } from '../../checkers/txn/check.js';
import { generateListAppend } from '../../checkers/txn/testing/generate.js';

export interface ElleCaseInput {
  txns: number;
  skewEvery: number;
  /** Timed runs after one warm-up run (0: a single timed run, no warm-up). */
  runs: number;
}

export interface ElleCaseOutput {
  checkMs: number;
  generateMs: number;
  peakRssMb: number;
  /** Resident memory before the first check (the generated history), so the checker's share shows. */
  rssBeforeCheckMb: number;
  verdict: string;
  planted: number;
  g2item: number;
  otherAnomalies: number;
  components: number;
  edges: number;
  steps: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const input = JSON.parse(process.argv[2] ?? '{}') as ElleCaseInput;
const generateStart = performance.now();
const { history, planted } = generateListAppend({ txns: input.txns, seed: 16, skewEvery: input.skewEvery });
const generateMs = performance.now() - generateStart;
const rssBeforeCheckMb = process.memoryUsage().rss / 1024 / 1024;
const times: number[] = [];
let result;
for (let run = 0; run <= input.runs; run += 1) {
  const start = performance.now();
  result = checkTxnHistory(history, { model: 'list-append', consistency: 'strict-serializable' });
  if (run > 0 || input.runs === 0) times.push(performance.now() - start);
}
const evidence = result!.evidence;
const output: ElleCaseOutput = {
  checkMs: median(times),
  generateMs,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  rssBeforeCheckMb,
  verdict: result!.verdict,
  planted,
  g2item: evidence.counts['G2-item'] ?? 0,
  otherAnomalies: Object.entries(evidence.counts).filter(([cls]) => cls !== 'G2-item').reduce((sum, [, count]) => sum + (count ?? 0), 0),
  components: evidence.components,
  edges: evidence.edges,
  steps: evidence.steps,
};
process.stdout.write(`${JSON.stringify(output)}\n`);
