// `crucible check FILE --model list-append|rw-register`: the transactional side of `check`, on
// Jepsen EDN (Elle's histories) and our JSONL. One line per file, like the linearizability check.
import { readFileSync } from 'node:fs';
import { UsageError } from '../cli/command.js';
import { checkTxnHistory, type TxnEvidence } from '../../checkers/txn/check.js';
import { isModelName, MODEL_NAMES, type ModelName } from '../../checkers/txn/models.js';
import { TxnInputError } from '../../checkers/txn/txns.js';
import type { TxnModel } from '../../checkers/txn/explain.js';
import { detectFormat, type HistoryFormat, UnknownFormatError } from '../../histories/detect.js';
import { HistoryFormatError, parseJsonl } from '../../histories/jsonl.js';
import { readTxnEdnHistory } from '../../histories/txn-edn.js';
import type { History } from '../../histories/schema.js';
import type { Verdict } from '../../checkers/verdict.js';

export const TXN_MODELS: readonly TxnModel[] = ['list-append', 'rw-register'];

export function isTxnModel(name: string | undefined): name is TxnModel {
  return name !== undefined && (TXN_MODELS as readonly string[]).includes(name);
}

export interface TxnCheckLine {
  file: string;
  format: HistoryFormat;
  model: TxnModel;
  consistency: ModelName;
  verdict: Verdict;
  summary: string;
  txns: number;
  ms: number;
  parseMs: number;
  steps: number;
  evidence?: TxnEvidence;
}

export function parseConsistency(name: string | undefined): ModelName | undefined {
  if (name === undefined) return undefined;
  if (!isModelName(name)) throw new UsageError(`--consistency ${name}: unknown consistency model (one of ${MODEL_NAMES.join(', ')})`);
  return name;
}

function readTxnHistory(text: string, file: string, format: HistoryFormat | undefined): { format: HistoryFormat; history: History } {
  const chosen = format ?? detectFormat(text);
  if (chosen === null) throw new UnknownFormatError(file);
  if (chosen === 'jsonl') return { format: chosen, history: parseJsonl(text, file) };
  if (chosen === 'edn') return { format: chosen, history: readTxnEdnHistory(text, file) };
  throw new UsageError(`${file}: a ${chosen} history holds no transactions; --model list-append and rw-register read Jepsen EDN or JSONL`);
}

export function checkTxnFile(
  file: string,
  options: { model: TxnModel; consistency?: ModelName; format?: HistoryFormat; stepsMax?: number; evidence?: boolean; wfr?: boolean },
): TxnCheckLine {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path`);
  }
  const parseStart = performance.now();
  let read;
  try {
    read = readTxnHistory(text, file, options.format);
  } catch (error) {
    if (error instanceof HistoryFormatError || error instanceof UnknownFormatError) throw new UsageError(error.message);
    throw error;
  }
  const parseMs = performance.now() - parseStart;
  const checkStart = performance.now();
  let result;
  try {
    result = checkTxnHistory(read.history, { model: options.model, consistency: options.consistency, stepsMax: options.stepsMax, wfr: options.wfr });
  } catch (error) {
    if (error instanceof TxnInputError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
  const line: TxnCheckLine = {
    file,
    format: read.format,
    model: options.model,
    consistency: result.evidence.consistency,
    verdict: result.verdict,
    summary: result.summary,
    txns: result.evidence.txns.ok + result.evidence.txns.info + result.evidence.txns.fail,
    ms: Math.round((performance.now() - checkStart) * 100) / 100,
    parseMs: Math.round(parseMs * 100) / 100,
    steps: result.evidence.steps,
  };
  if (options.evidence !== false) line.evidence = result.evidence;
  return line;
}

/** The human lines for one file: the summary, the model verdicts, then every anomaly explained. */
export function describeTxnLine(line: TxnCheckLine): string[] {
  const lines = [`${line.file} (${line.format}): ${line.verdict}: ${line.summary} [${line.ms} ms]`];
  const evidence = line.evidence;
  if (evidence === undefined) return lines;
  const models = evidence.models;
  lines.push(`  strongest models satisfied: ${models.strongestSatisfied.join(', ') || 'none'}`);
  for (const violated of models.weakestViolated) lines.push(`  weakest model violated: ${violated.model}, by ${violated.anomalies.join(', ')}`);
  for (const other of evidence.others) lines.push(`  ${other.class}: ${other.explanation}`);
  for (const cycle of evidence.cycles) lines.push(...cycle.explanation.map((text) => `  ${text}`));
  if (evidence.exhausted !== undefined) lines.push(`  the ${evidence.exhausted.budget} budget ran out; undecided: ${evidence.exhausted.undecided.join(', ')}`);
  return lines;
}
