// Porcupine's two kinds of test logs. Its kv logs are one EDN op map per line (with a `:key`), in
// time order; its etcd data are Jepsen log files where each client op is a line
// `INFO  jepsen.util - <process> :<type> :<f> <value>`, separated by tabs or runs of spaces, amid
// other log lines that are skipped. Neither carries timestamps: order in the file is time order.
import { readEdnHistory } from './edn-history.js';
import { HistoryFormatError } from './jsonl.js';
import type { History, HistoryRecord, OpType } from './schema.js';

/** Reads a Porcupine kv log: EDN op maps that each name a `:key`. */
export function readPorcupineKv(text: string, file = 'history.txt'): History {
  const history = readEdnHistory(text, file);
  for (const record of history) {
    if (record.key === undefined) {
      throw new HistoryFormatError(file, record.index + 1, `op ${record.index} has no :key; a Porcupine kv log keys every op (or use --format edn)`);
    }
  }
  return history;
}

/** `INFO  jepsen.util - 3  :invoke  :cas  [1 4]`: process, type, f and the rest of the line. */
const ETCD_LINE = /^\s*INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*?)\s*$/;
const INTEGER = /^-?\d+$/;
const PAIR = /^\[\s*(-?\d+)[\s,]+(-?\d+)\s*\]$/;
const KEYWORD = /^:([A-Za-z][\w.\-]*)$/;

/** The value of an op line: nil, an integer, `[from to]`, or a keyword (`:timed-out`); else undefined. */
function parseEtcdValue(text: string): unknown {
  if (text === 'nil') return null;
  if (INTEGER.test(text)) {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : undefined;
  }
  const pair = PAIR.exec(text);
  if (pair !== null) return [Number(pair[1]), Number(pair[2])];
  const keyword = KEYWORD.exec(text);
  if (keyword !== null) return keyword[1];
  return undefined;
}

/** True when a line has the shape of an op line of a Jepsen etcd log (its value is judged on reading). */
export function isEtcdOpLine(line: string): boolean {
  return ETCD_LINE.test(line);
}

/**
 * Reads a Jepsen etcd log as Porcupine's etcd test does: op lines become records in file order
 * (`[from to]` becomes an array, `:timed-out` the string `timed-out`), every other line is noise.
 * Unlike Porcupine, whose parser matches whole lines, an op line whose value has another shape
 * (`7.5`, an integer past 2^53) is an error naming its line: dropping it could drop the very read
 * that makes the history non-linearizable.
 */
export function readEtcdLog(text: string, file = 'jepsen.log'): History {
  const history: History = [];
  const lines = text.split('\n');
  for (let lineIndex = 0; lineIndex < lines.length; lineIndex += 1) {
    const record = etcdRecordOf(lines[lineIndex]!, lineIndex + 1, history.length, file);
    if (record !== undefined) history.push(record);
  }
  return history;
}

/** The record of one line of a Jepsen etcd log (numbered `index`), or undefined for noise. */
export function etcdRecordOf(line: string, lineNumber: number, index: number, file: string): HistoryRecord | undefined {
  const match = ETCD_LINE.exec(line);
  if (match === null) return undefined;
  const value = parseEtcdValue(match[4]!);
  if (value === undefined) {
    throw new HistoryFormatError(file, lineNumber, `the value "${match[4]!.slice(0, 40)}" of this :${match[2]} :${match[3]} is not nil, a safe integer, [from to] or a keyword; fix the line (an op left out could change the verdict)`);
  }
  const process = Number(match[1]);
  if (!Number.isSafeInteger(process)) throw new HistoryFormatError(file, lineNumber, `process ${match[1]} is too large`);
  return { index, process, type: match[2] as OpType, f: match[3]!, value };
}
