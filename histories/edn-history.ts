// Jepsen histories in EDN, to and from our records. A history is a vector or list of op maps, or
// bare maps one after another (Porcupine's kv logs). Ops of named processes such as `:nemesis` are
// not client operations and are dropped; keywords become their names (`:cas` -> `cas`); `:time` is
// kept as nanoseconds, `:key` and `:node` as strings; other fields (`:error`, `:index`) are dropped,
// and indexes are renumbered from 0 in file order, which is Jepsen's time order.
import { Keyword, nameToEdn, parseEdn, plainToEdn, printEdn, ednToPlain, type EdnDocument, type EdnMap, type EdnValue } from './edn.js';
import { OP_TYPES, type History, type HistoryRecord, type OpType } from './schema.js';

const PROCESS = Keyword.of('process');
const TYPE = Keyword.of('type');
const F = Keyword.of('f');
const VALUE = Keyword.of('value');
const KEY = Keyword.of('key');
const TIME = Keyword.of('time');
const NODE = Keyword.of('node');

const EXAMPLE = '{:process 0, :type :invoke, :f :read, :value nil}';

/** The op maps of a document: one vector or list of maps, or top-level maps. */
function opForms(document: EdnDocument): { items: EdnValue[]; container: object | null } {
  const forms = document.forms;
  if (forms.length === 1 && Array.isArray(forms[0])) return { items: forms[0], container: forms[0] };
  for (const form of forms) {
    if (Array.isArray(form)) {
      const offset = document.offsets.get(form) ?? 0;
      throw document.errorAt(offset, `expected one vector of ops or op maps one after another, not several vectors; e.g. [${EXAMPLE}]`);
    }
  }
  return { items: forms, container: null };
}

function nameOf(value: EdnValue | undefined): string | undefined {
  if (value instanceof Keyword) return value.name;
  if (typeof value === 'string' && value.length > 0) return value;
  return undefined;
}

function keyOf(value: EdnValue): string | undefined {
  if (value instanceof Keyword) return value.name;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/**
 * Reads a Jepsen EDN history (Knossos's data, Porcupine's kv logs) into records. Client processes
 * are integers; ops of any named process (`:nemesis`) are dropped. Errors name file, line and column.
 */
export function readEdnHistory(text: string, file = 'history.edn'): History {
  const document = parseEdn(text, file);
  const { items, container } = opForms(document);
  const history: History = [];
  for (const item of items) {
    const offset = (item !== null && typeof item === 'object' ? document.offsets.get(item) : undefined) ??
      (container === null ? 0 : (document.offsets.get(container) ?? 0));
    const fail = (problem: string): never => {
      throw document.errorAt(offset, problem);
    };
    if (!(item instanceof Map)) fail(`expected an op map such as ${EXAMPLE}, got ${printEdn(item).slice(0, 40)}`);
    const map = item as EdnMap;
    const process = map.get(PROCESS);
    if (process instanceof Keyword) continue;
    if (typeof process !== 'number' || !Number.isSafeInteger(process) || process < 0) {
      fail(`:process must be a non-negative integer or a keyword such as :nemesis, got ${process === undefined ? 'nothing' : printEdn(process)}`);
    }
    const type = nameOf(map.get(TYPE));
    if (type === undefined || !(OP_TYPES as readonly string[]).includes(type)) {
      fail(`:type must be one of :invoke, :ok, :fail, :info, got ${map.has(TYPE) ? printEdn(map.get(TYPE)!) : 'nothing'}`);
    }
    const f = nameOf(map.get(F));
    if (f === undefined) fail(`:f must be a keyword such as :read, got ${map.has(F) ? printEdn(map.get(F)!) : 'nothing'}`);
    const record: HistoryRecord = {
      index: history.length,
      process: process as number,
      type: type as OpType,
      f: f as string,
      value: map.has(VALUE) ? ednToPlain(map.get(VALUE)!) : null,
    };
    if (map.has(KEY)) {
      const key = keyOf(map.get(KEY)!);
      if (key === undefined) fail(`:key must be a string, keyword or integer, got ${printEdn(map.get(KEY)!)}`);
      record.key = key;
    }
    if (map.has(TIME)) {
      const time = map.get(TIME);
      if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) {
        fail(`:time must be non-negative integer nanoseconds, got ${printEdn(time ?? null)}`);
      }
      record.time = time as number;
    }
    if (map.has(NODE)) {
      const node = keyOf(map.get(NODE)!);
      if (node === undefined) fail(`:node must be a string or keyword, got ${printEdn(map.get(NODE)!)}`);
      record.node = node;
    }
    history.push(record);
  }
  return history;
}

/** One record as a Jepsen op map on one line. */
export function encodeEdnRecord(record: HistoryRecord): string {
  const map: EdnMap = new Map();
  map.set(Keyword.of('index'), record.index);
  map.set(PROCESS, record.process);
  map.set(TYPE, Keyword.of(record.type));
  map.set(F, nameToEdn(record.f));
  if (record.key !== undefined) map.set(KEY, record.key);
  map.set(VALUE, plainToEdn(record.value));
  if (record.time !== undefined) map.set(TIME, record.time);
  if (record.node !== undefined) map.set(NODE, record.node);
  return printEdn(map);
}

/**
 * A history as a Jepsen EDN vector, one op map per line, so Jepsen's tools (Knossos, Elle) can read
 * a Crucible history. String values stay strings: a value that was a keyword in EDN comes back as a
 * string, which Jepsen's models compare the same way within one history.
 */
export function writeEdnHistory(history: Iterable<HistoryRecord>): string {
  const lines: string[] = [];
  for (const record of history) lines.push(encodeEdnRecord(record));
  return `[${lines.join('\n ')}]\n`;
}
