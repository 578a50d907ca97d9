// `crucible check FILE... --model M`: checks history files from anywhere (our runs, Jepsen EDN,
// Porcupine's logs) for linearizability against a model, one result per file.
import { readFileSync } from 'node:fs';
import { EXIT, UsageError, type Command, type CommandContext, type ExitCode } from '../cli/command.js';
import { describeOp, type LinEvidence } from '../../checkers/evidence.js';
import { checkHistory, MalformedHistoryError, summarize, type LinResult } from '../../checkers/linearizability.js';
import { ModelInputError } from '../../checkers/model.js';
import { findModel, models } from '../../checkers/models/index.js';
import { HISTORY_FORMATS, isHistoryFormat, readHistory, UnknownFormatError, type HistoryFormat } from '../../histories/detect.js';
import { HistoryFormatError } from '../../histories/jsonl.js';
import { checkTxnFile, describeTxnLine, isTxnModel, parseConsistency, TXN_MODELS } from './check-txn.js';

/** The model a format implies when --model is not given. */
const DEFAULT_MODEL: Partial<Record<HistoryFormat, string>> = {
  'porcupine-kv': 'kv',
  'porcupine-etcd': 'cas-register-absent',
};

/** Prefix ops shown in the human-readable evidence; --json has them all. */
const PREFIX_SHOWN_MAX = 5;

export interface CheckLine {
  file: string;
  format: HistoryFormat;
  model: string;
  verdict: LinResult['verdict'];
  ops: number;
  parts: number;
  /** Checking time, without reading and parsing the file. */
  ms: number;
  parseMs: number;
  steps: number;
  evidence?: LinEvidence;
}

function modelNames(): string {
  return [...Object.keys(models), ...TXN_MODELS].join(', ');
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`${file}: cannot read it (${code}); check the path`);
  }
}

/** Reads, parses and checks one file; bad input becomes a UsageError naming the file. */
export function checkFile(
  file: string,
  options: { model?: string; format?: HistoryFormat; budgetSteps?: number; evidence?: boolean; partition?: boolean },
): { line: CheckLine; result: LinResult } {
  const text = readText(file);
  const parseStart = performance.now();
  let read;
  try {
    read = readHistory(text, file, options.format);
  } catch (error) {
    if (error instanceof HistoryFormatError || error instanceof UnknownFormatError) throw new UsageError(error.message);
    throw error;
  }
  const parseMs = performance.now() - parseStart;
  const modelName = options.model ?? DEFAULT_MODEL[read.format];
  if (modelName === undefined) {
    throw new UsageError(`${file}: --model is needed for a history in format ${read.format} (one of ${modelNames()})`);
  }
  const model = findModel(modelName);
  if (model === undefined) throw new UsageError(`--model ${modelName}: unknown model (one of ${modelNames()})`);
  const checkStart = performance.now();
  let result: LinResult;
  try {
    result = checkHistory(read.history, model, {
      budgetSteps: options.budgetSteps,
      evidence: options.evidence === true,
      partition: options.partition,
    });
  } catch (error) {
    if (error instanceof MalformedHistoryError || error instanceof ModelInputError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
  const line: CheckLine = {
    file,
    format: read.format,
    model: model.name,
    verdict: result.verdict,
    ops: result.ops,
    parts: result.parts,
    ms: Math.round((performance.now() - checkStart) * 100) / 100,
    parseMs: Math.round(parseMs * 100) / 100,
    steps: result.steps,
  };
  if (options.evidence === true && result.evidence !== undefined) line.evidence = result.evidence;
  return { line, result };
}

function printHuman(line: CheckLine, result: string, context: CommandContext): void {
  context.out(`${line.file} (${line.format}): ${result} [${line.ms} ms]`);
  const evidence = line.evidence;
  if (evidence === undefined) return;
  if (evidence.kind === 'not-linearizable') {
    const shown = evidence.prefix.slice(-PREFIX_SHOWN_MAX);
    context.out(`  longest linearizable prefix: ${evidence.prefix.length} ops${evidence.prefix.length > shown.length ? `, the last ${shown.length}:` : ':'}`);
    for (const op of shown) context.out(`    ${describeOp(op)}${op.stateBefore === undefined ? '' : `  (state before: ${op.stateBefore})`}`);
    context.out(`  then state ${evidence.stateAfterPrefix}, and none of these can be placed:`);
    for (const op of evidence.stuck) context.out(`    ${describeOp(op)}`);
    if (evidence.window !== undefined) {
      const window = evidence.window;
      context.out(`  these ${window.ops.length} ops (#${window.fromIndex} to #${window.toIndex - 1}) cannot be linearized from any state (${window.startStates.join(', ')}):`);
      for (const op of window.ops) context.out(`    ${describeOp(op)}`);
    }
  } else if (evidence.kind === 'linearization') {
    for (const part of evidence.parts) {
      const key = part.key === null ? '' : `key ${JSON.stringify(part.key)}: `;
      context.out(`  ${key}${part.order.map((op) => `#${op.invokeIndex}`).join(' ')}`);
    }
  } else {
    context.out(`  got through ${evidence.prefixLength} ops (state ${evidence.stateAfterPrefix}) before the ${evidence.exhausted} budget ran out`);
  }
}

export const command: Command = {
  name: 'check',
  summary: 'Check history files (JSONL, Jepsen EDN, Porcupine logs) for linearizability, or transactions for isolation anomalies',
  usage: 'crucible check FILE... --model M [--format F] [--budget N] [--evidence] [--no-partition] [--consistency C] [--json]',
  positionals: [{ name: 'FILE', description: 'History files; the format is told from the content', variadic: true, required: true }],
  flags: [
    {
      name: 'model',
      type: 'string',
      valueName: 'M',
      description: `The model: ${Object.keys(models).join(', ')} (default: kv for Porcupine kv logs, cas-register-absent for etcd logs)`,
    },
    { name: 'format', type: 'string', valueName: 'F', description: `Force the format: ${HISTORY_FORMATS.join(', ')}` },
    { name: 'budget', type: 'int', valueName: 'N', description: 'Search steps per file before the verdict is unknown (default 200000000)' },
    { name: 'evidence', type: 'boolean', description: "Include the evidence: a violation's prefix and stuck ops, a valid history's linearization" },
    { name: 'partition', type: 'boolean', default: true, description: 'Check a keyed history key by key (--no-partition: all keys in one search)' },
    {
      name: 'consistency',
      type: 'string',
      valueName: 'C',
      description: 'With --model list-append or rw-register: the claimed model (default strict-serializable)',
    },
    { name: 'wfr', type: 'boolean', description: "rw-register: a txn's write to a key follows its own earlier read of it (Elle's wfr-keys)" },
  ],
  details: [
    'Models:',
    ...Object.values(models).map((model) => `  ${model.name.padEnd(20)} ${model.summary}`),
    '',
    `Formats (told from the content unless --format): jsonl (ours), edn (Jepsen: a vector of op maps),`,
    'porcupine-kv (one EDN op map per line), porcupine-etcd (Jepsen log lines "INFO jepsen.util - 3 :invoke :read nil").',
    'Jepsen semantics: a fail op did not happen; an info op (or an invoke that never completed) may have',
    'happened at any time after its invoke, or never. Ops of :nemesis are ignored.',
    '',
    'With --json, one line per file: {file, format, model, verdict, ops, parts, ms, parseMs, steps, evidence?};',
    'verdict is linearizable, not-linearizable or unknown; ms is checking time without parsing.',
    'Every file is checked and reported on its own line, even after one that cannot be read (with --json:',
    '{file, verdict: "unreadable", error}). Exit codes: 1 if any file is not linearizable (or, with a',
    'transactional model, invalid), else 2 if any file could not be read, else 3 if any is unknown, else 0.',
    '',
    'Transactions (--model list-append | rw-register, Jepsen EDN or JSONL with f "txn"): infers ww, wr and',
    'rw dependencies plus process and real-time order (Elle), finds G0, G1a, G1b, G1c, G-single, G2-item',
    'and their -process and -realtime variants, lost updates, internal inconsistencies, duplicate appends,',
    'garbage reads and incompatible orders, and names the strongest consistency models satisfied and the',
    'weakest violated. --budget is search steps; the verdict is whether --consistency holds. With --json:',
    '{file, format, model, consistency, verdict (valid|invalid|unknown), summary, txns, ms, parseMs, steps, evidence}.',
  ].join('\n'),
  async run(args, context) {
    const format = args.flags.format as string | undefined;
    if (format !== undefined && !isHistoryFormat(format)) {
      throw new UsageError(`--format ${format}: unknown format (one of ${HISTORY_FORMATS.join(', ')})`);
    }
    const modelName = args.flags.model as string | undefined;
    if (isTxnModel(modelName)) {
      const consistency = parseConsistency(args.flags.consistency as string | undefined);
      const stepsMax = args.flags.budget as number | undefined;
      if (stepsMax !== undefined && stepsMax <= 0) throw new UsageError(`--budget ${stepsMax}: must be a positive number of steps`);
      const verdicts: string[] = [];
      for (const file of args.positionals) {
        const line = readable(file, context, () => checkTxnFile(file, { model: modelName, consistency, format: format as HistoryFormat | undefined, stepsMax, wfr: args.flags.wfr === true }));
        if (line === null) {
          verdicts.push(UNREADABLE);
          continue;
        }
        verdicts.push(line.verdict);
        if (context.json) context.out(JSON.stringify(line));
        else for (const text of describeTxnLine(line)) context.out(text);
      }
      return worstExit(verdicts.includes('invalid'), verdicts.includes(UNREADABLE), verdicts.includes('unknown'));
    }
    if (args.flags.consistency !== undefined) throw new UsageError('--consistency applies to --model list-append or rw-register only');
    if (modelName !== undefined && findModel(modelName) === undefined) {
      throw new UsageError(`--model ${modelName}: unknown model (one of ${modelNames()})`);
    }
    const budgetSteps = args.flags.budget as number | undefined;
    if (budgetSteps !== undefined && budgetSteps <= 0) throw new UsageError(`--budget ${budgetSteps}: must be a positive number of steps`);
    let violations = 0;
    let unknowns = 0;
    let unreadable = 0;
    for (const file of args.positionals) {
      const checked = readable(file, context, () =>
        checkFile(file, {
          model: modelName,
          format: format as HistoryFormat | undefined,
          budgetSteps,
          evidence: args.flags.evidence === true,
          partition: args.flags.partition !== false,
        }),
      );
      if (checked === null) {
        unreadable += 1;
        continue;
      }
      const { line, result } = checked;
      if (line.verdict === 'not-linearizable') violations += 1;
      if (line.verdict === 'unknown') unknowns += 1;
      if (context.json) context.out(JSON.stringify(line));
      else printHuman(line, summarize(result), context);
    }
    return worstExit(violations > 0, unreadable > 0, unknowns > 0);
  },
};

const UNREADABLE = 'unreadable';

/**
 * Runs one file's check; a file that cannot be read (a usage error naming it) is reported on its
 * own line and gives null, so the files after it are still checked and their violations reported.
 */
function readable<T>(file: string, context: CommandContext, check: () => T): T | null {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (context.json) context.out(JSON.stringify({ file, verdict: UNREADABLE, error: error.message }));
    else context.err(`crucible check: ${error.message}`);
    return null;
  }
}

/** A violation outranks an unreadable file, which outranks an undecided one. */
function worstExit(violation: boolean, unreadable: boolean, unknown: boolean): ExitCode {
  if (violation) return EXIT.VIOLATION;
  if (unreadable) return EXIT.USAGE;
  return unknown ? EXIT.UNKNOWN : EXIT.OK;
}
