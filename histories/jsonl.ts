// Our JSONL history format: one HistoryRecord (histories/schema.ts) per line, indexes strictly
// increasing. Every error names the file, the line and the field, because a person fixes a history
// file by opening it at that line.
import { closeSync, createReadStream, openSync, readSync, writeSync } from 'node:fs';
import type { z } from 'zod';
import { historyRecordSchema, VALUE_DEPTH_MAX, type History, type HistoryRecord } from './schema.js';
import { LineSplitter, LineTooLongError } from './line-splitter.js';
import { jsonProblem } from './json-problem.js';

/** A bad history file: the message is one line, `file:line: what is wrong`. */
export class HistoryFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'HistoryFormatError';
  }
}

/** One record's line may not exceed this; a longer line is a broken file, not a history. */
export const RECORD_BYTES_MAX = 16 * 1024 * 1024;
/** readJsonl keeps the whole history in memory; beyond this use readJsonlStream. */
export const HISTORY_RECORDS_MAX = 50_000_000;

const READ_CHUNK_BYTES = 1024 * 1024;
const WRITE_BATCH_RECORDS = 4096;
const FIELDS = Object.keys(historyRecordSchema.shape);

function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (Array.isArray(input)) return 'an array';
  if (input === null) return 'null';
  const text = JSON.stringify(input);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** The first problem zod found, said the way a person fixing the file needs it. */
function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.map(String).join('.');
  const got = valueAt(input, issue.path);
  if (path === '') {
    if (issue.code === 'unrecognized_keys') {
      return `unknown field "${issue.keys[0]}" (fields are ${FIELDS.join(', ')})`;
    }
    return `expected a JSON object per line, got ${describeInput(got)}`;
  }
  const field = `field "${path}"`;
  switch (issue.code) {
    case 'invalid_value':
      return `${field}: expected one of ${issue.values.map(String).join('|')}, got ${describeInput(got)}`;
    case 'invalid_type':
      if (got === undefined && issue.expected === 'nonoptional') return `${field}: missing (write null for no value)`;
      return got === undefined
        ? `${field}: missing (expected ${issue.expected})`
        : `${field}: expected ${issue.expected}, got ${describeInput(got)}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `${field}: must not be empty`
        : `${field}: must be at least ${String(issue.minimum)}, got ${describeInput(got)}`;
    default:
      return `${field}: ${issue.message}`;
  }
}

/** Parses one line (already known to be non-blank) into a validated record. */
export function parseJsonlLine(text: string, file: string, line: number): HistoryRecord {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new HistoryFormatError(file, line, `not valid JSON (${jsonProblem(error)})`);
  }
  // Checkers compare and hash values recursively: refuse what would exhaust their stack first.
  if (nestsDeeperThan(input, VALUE_DEPTH_MAX)) throw new HistoryFormatError(file, line, `a value nests deeper than ${VALUE_DEPTH_MAX} arrays or objects; histories carry flat values`);
  const result = historyRecordSchema.safeParse(input);
  if (!result.success) throw new HistoryFormatError(file, line, describeIssue(result.error.issues[0]!, input));
  return result.data;
}

/** True when `value` nests arrays or objects more than `limit` deep; iterative, so any input is safe. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item as object)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * Turns lines into records, checking that indexes increase. One per file: it remembers the last
 * index so the check also holds across chunks of a stream.
 */
class RecordReader {
  private indexPrevious = -1;
  records = 0;

  constructor(private readonly file: string) {}

  read(text: string, line: number): HistoryRecord | undefined {
    if (text.trim().length === 0) return undefined;
    const record = parseJsonlLine(text, this.file, line);
    if (record.index <= this.indexPrevious) {
      throw new HistoryFormatError(
        this.file,
        line,
        `field "index": ${record.index} does not follow ${this.indexPrevious} (indexes must increase)`,
      );
    }
    this.indexPrevious = record.index;
    this.records += 1;
    return record;
  }
}

function lineTooLong(file: string, error: LineTooLongError): HistoryFormatError {
  return new HistoryFormatError(file, error.lineNumber, `line is longer than ${error.lineBytesMax} bytes; is this a JSONL history?`);
}

/** Parses a whole JSONL text; `file` names it in errors. Blank lines are skipped. */
export function parseJsonl(text: string, file = 'history.jsonl'): History {
  const reader = new RecordReader(file);
  const history: History = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    let line = lines[index]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (index === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    const record = reader.read(line, index + 1);
    if (record !== undefined) history.push(record);
  }
  return history;
}

/** One record as one line, fields in a fixed order so equal records encode to equal bytes. */
export function encodeRecord(record: HistoryRecord): string {
  const ordered: Record<string, unknown> = {
    index: record.index,
    process: record.process,
    type: record.type,
    f: record.f,
  };
  if (record.key !== undefined) ordered.key = record.key;
  // The schema requires the field; JSON has no undefined, so an absent value is written as null.
  ordered.value = record.value === undefined ? null : record.value;
  if (record.time !== undefined) ordered.time = record.time;
  if (record.node !== undefined) ordered.node = record.node;
  return JSON.stringify(ordered);
}

export function encodeJsonl(history: Iterable<HistoryRecord>): string {
  let text = '';
  for (const record of history) text += `${encodeRecord(record)}\n`;
  return text;
}

/** Writes records to `path` in batches, so an iterable longer than memory can be written. */
export function writeJsonl(path: string, history: Iterable<HistoryRecord>): number {
  const fd = openSync(path, 'w');
  let written = 0;
  let indexPrevious = -1;
  try {
    let batch: string[] = [];
    for (const record of history) {
      if (record.index <= indexPrevious) {
        throw new Error(`writeJsonl: index ${record.index} does not follow ${indexPrevious}`);
      }
      indexPrevious = record.index;
      batch.push(encodeRecord(record));
      written += 1;
      if (batch.length === WRITE_BATCH_RECORDS) {
        writeSync(fd, `${batch.join('\n')}\n`);
        batch = [];
      }
    }
    if (batch.length > 0) writeSync(fd, `${batch.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
  return written;
}

/** Reads a whole history into memory (chunk by chunk, so only the records are kept, not the text). */
export function readJsonl(path: string): History {
  const reader = new RecordReader(path);
  const splitter = new LineSplitter(RECORD_BYTES_MAX);
  const history: History = [];
  const take = (line: string, lineNumber: number): void => {
    const record = reader.read(line, lineNumber);
    if (record === undefined) return;
    if (history.length >= HISTORY_RECORDS_MAX) {
      throw new HistoryFormatError(path, lineNumber, `more than ${HISTORY_RECORDS_MAX} records; stream it instead`);
    }
    history.push(record);
  };
  const fd = openSync(path, 'r');
  try {
    const chunk = new Uint8Array(READ_CHUNK_BYTES);
    for (;;) {
      const bytes = readSync(fd, chunk, 0, chunk.length, null);
      if (bytes === 0) break;
      splitter.push(chunk.subarray(0, bytes), take);
    }
    const last = splitter.end();
    if (last !== undefined) take(last.line, last.lineNumber);
  } catch (error) {
    if (error instanceof LineTooLongError) throw lineTooLong(path, error);
    throw error;
  } finally {
    closeSync(fd);
  }
  return history;
}

/**
 * Yields the records of a JSONL file one by one while reading it in chunks: memory stays at one
 * chunk plus one line, whatever the file's size.
 */
export async function* readJsonlStream(path: string): AsyncGenerator<HistoryRecord, void, undefined> {
  const reader = new RecordReader(path);
  const splitter = new LineSplitter(RECORD_BYTES_MAX);
  const ready: HistoryRecord[] = [];
  const take = (line: string, lineNumber: number): void => {
    const record = reader.read(line, lineNumber);
    if (record !== undefined) ready.push(record);
  };
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      try {
        splitter.push(chunk, take);
      } catch (error) {
        if (error instanceof LineTooLongError) throw lineTooLong(path, error);
        throw error;
      }
      // One chunk's records at a time: the stream is paused while the consumer takes them.
      for (const record of ready) yield record;
      ready.length = 0;
    }
    const last = splitter.end();
    if (last !== undefined) take(last.line, last.lineNumber);
    for (const record of ready) yield record;
  } finally {
    stream.destroy();
  }
}
