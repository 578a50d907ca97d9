// Reads a history file record by record, in chunks, for histories too large to hold whole (a
// million ops is some 150 MB of text and, as records, over a gigabyte). Memory stays at one chunk
// and one line. The line formats stream: Porcupine's kv logs (one EDN map a line, read by a fast
// pattern for the usual shape and by the EDN reader otherwise), Jepsen etcd logs and JSONL. An EDN
// vector is one form, so it is read whole and then handed out record by record.
import { closeSync, openSync, readSync } from 'node:fs';
import { detectFormat, readHistoryAs, UnknownFormatError, type HistoryFormat } from './detect.js';
import { EdnSyntaxError } from './edn.js';
import { readEdnHistory } from './edn-history.js';
import { HistoryFormatError, parseJsonlLine, RECORD_BYTES_MAX } from './jsonl.js';
import { etcdRecordOf } from './porcupine.js';
import type { HistoryRecord, OpType } from './schema.js';

const CHUNK_BYTES = 1024 * 1024;
/** The first chunk read to tell the format (detectFormat looks at its first lines). */
const DETECT_BYTES = 256 * 1024;

/**
 * `{:process 3, :type :ok, :f :get, :key "7", :value "x 1 0 y"}`: the shape Porcupine's logs (and
 * ours) write, with strings free of escapes. Any other line goes to the EDN reader.
 */
const KV_LINE = /^\{:process (\d+), :type :(invoke|ok|fail|info), :f :([A-Za-z][\w.-]*), :key "([^"\\]*)", :value (?:nil|"([^"\\]*)")\}$/;

/**
 * A copy of a string cut from a chunk that no longer holds the chunk alive. V8 keeps a slice of 13
 * characters or more as a view of its parent, so each long value read from a 1 MB chunk would
 * keep that chunk, and a whole file would stay in memory. Slicing a fresh concatenation makes the
 * parent a new string of the value's own length.
 */
function detached(text: string): string {
  return text.length < 13 ? text : `${text} `.slice(0, -1);
}

/** Turns the lines of one format into records, numbering them from 0. */
type LineReader = (line: string, lineNumber: number) => HistoryRecord | undefined;

function kvLineReader(file: string): LineReader {
  let index = 0;
  return (line, lineNumber) => {
    const match = KV_LINE.exec(line);
    if (match !== null) {
      const process = Number(match[1]);
      if (!Number.isSafeInteger(process)) throw new HistoryFormatError(file, lineNumber, `process ${match[1]} is too large`);
      return { index: index++, process, type: match[2] as OpType, f: match[3]!, key: detached(match[4]!), value: match[5] === undefined ? null : detached(match[5]) };
    }
    let records: HistoryRecord[];
    try {
      records = readEdnHistory(line, file);
    } catch (error) {
      // The EDN reader saw one line: give the error the line's place in the file.
      if (error instanceof EdnSyntaxError) throw new EdnSyntaxError(file, lineNumber, error.column, error.problem);
      throw error;
    }
    if (records.length > 1) throw new HistoryFormatError(file, lineNumber, 'one op map per line in a Porcupine kv log');
    const record = records[0];
    if (record === undefined) return undefined;
    if (record.key === undefined) throw new HistoryFormatError(file, lineNumber, `op has no :key; a Porcupine kv log keys every op (or use --format edn)`);
    return { ...record, index: index++ };
  };
}

function etcdLineReader(file: string): LineReader {
  let index = 0;
  return (line, lineNumber) => {
    const record = etcdRecordOf(line, lineNumber, index, file);
    if (record !== undefined) index += 1;
    return record;
  };
}

function jsonlLineReader(file: string): LineReader {
  let indexPrevious = -1;
  return (line, lineNumber) => {
    if (line.trim().length === 0) return undefined;
    const record = parseJsonlLine(line, file, lineNumber);
    if (record.index <= indexPrevious) {
      throw new HistoryFormatError(file, lineNumber, `field "index": ${record.index} does not follow ${indexPrevious} (indexes must increase)`);
    }
    indexPrevious = record.index;
    return record;
  };
}

/**
 * Reads the history in `path` and hands each record to `take`, in order; the format is detected
 * from the file's start unless given. Returns the format and how many records there were.
 */
export function streamHistoryFile(path: string, take: (record: HistoryRecord) => void, format?: HistoryFormat): { format: HistoryFormat; records: number } {
  const fd = openSync(path, 'r');
  try {
    const chunk = new Uint8Array(CHUNK_BYTES);
    const decoder = new TextDecoder('utf-8');
    let text = '';
    let ended = false;
    const readMore = (bytesMax: number): void => {
      const bytes = readSync(fd, chunk, 0, bytesMax, null);
      if (bytes === 0) {
        text += decoder.decode();
        ended = true;
      } else {
        text += decoder.decode(chunk.subarray(0, bytes), { stream: true });
      }
    };
    readMore(DETECT_BYTES);
    const chosen = format ?? detectFormat(text);
    if (chosen === null) throw new UnknownFormatError(path);
    let records = 0;
    if (chosen === 'edn') {
      while (!ended) readMore(CHUNK_BYTES);
      for (const record of readHistoryAs(text, path, chosen)) {
        take(record);
        records += 1;
      }
      return { format: chosen, records };
    }
    const read = chosen === 'porcupine-kv' ? kvLineReader(path) : chosen === 'porcupine-etcd' ? etcdLineReader(path) : jsonlLineReader(path);
    let lineNumber = 1;
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    for (;;) {
      let start = 0;
      for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
        const end = newline > start && text.charCodeAt(newline - 1) === 0x0d ? newline - 1 : newline;
        const record = read(text.slice(start, end), lineNumber);
        if (record !== undefined) {
          take(record);
          records += 1;
        }
        lineNumber += 1;
        start = newline + 1;
      }
      text = text.slice(start);
      if (text.length > RECORD_BYTES_MAX) throw new HistoryFormatError(path, lineNumber, `line is longer than ${RECORD_BYTES_MAX} characters`);
      if (ended) break;
      readMore(CHUNK_BYTES);
    }
    if (text.length > 0) {
      const record = read(text.endsWith('\r') ? text.slice(0, -1) : text, lineNumber);
      if (record !== undefined) {
        take(record);
        records += 1;
      }
    }
    return { format: chosen, records };
  } finally {
    closeSync(fd);
  }
}
