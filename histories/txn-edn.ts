// Jepsen transactional histories in EDN (Elle's list-append and rw-register): op maps whose value
// is a vector of micro-ops, `[[:append 9 2] [:r 8 [1]] [:w 3 4]]`. Elle's own examples leave out
// `:f` (it is always `:txn`) and sometimes `:process`; a map without `:process` is its own
// process: its invoke opens one and the next process-less completion closes the oldest open one.
// Keys become strings (EDN's 9 is "9"), micro-op names plain strings, values stay numbers or
// strings. Ops of named processes (`:nemesis`) are dropped, as in edn-history.ts.
import { Keyword, parseEdn, printEdn, ednToPlain, type EdnMap } from './edn.js';
import { OP_TYPES, type History, type OpType } from './schema.js';

const PROCESS = Keyword.of('process');
const TYPE = Keyword.of('type');
const F = Keyword.of('f');
const VALUE = Keyword.of('value');
const TIME = Keyword.of('time');

const EXAMPLE = '{:type :invoke, :f :txn, :value [[:append 1 2] [:r 1 nil]], :process 0}';

/** Micro-op keys as strings so EDN and JSONL histories of the same test compare equal. */
function normalizeTxnValue(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((op) => (Array.isArray(op) && op.length === 3 && (typeof op[1] === 'number' || typeof op[1] === 'string') ? [op[0], String(op[1]), op[2]] : op));
}

export function readTxnEdnHistory(text: string, file = 'history.edn'): History {
  const document = parseEdn(text, file);
  const forms = document.forms.length === 1 && Array.isArray(document.forms[0]) ? document.forms[0] : document.forms;
  const history: History = [];
  let anonymousNext = 0;
  const anonymousOpen: number[] = [];
  const records: { map: EdnMap; offset: number }[] = [];
  let processMax = -1;
  for (const form of forms) {
    const offset = (form !== null && typeof form === 'object' ? document.offsets.get(form) : undefined) ?? 0;
    if (!(form instanceof Map)) throw document.errorAt(offset, `expected an op map such as ${EXAMPLE}, got ${printEdn(form).slice(0, 40)}`);
    const process = form.get(PROCESS);
    if (typeof process === 'number') processMax = Math.max(processMax, process);
    records.push({ map: form, offset });
  }
  // Process-less ops get process numbers after every named one, so they cannot collide.
  anonymousNext = processMax + 1;
  for (const { map, offset } of records) {
    const fail = (problem: string): never => {
      throw document.errorAt(offset, problem);
    };
    const type = map.get(TYPE);
    if (!(type instanceof Keyword) || !(OP_TYPES as readonly string[]).includes(type.name)) {
      fail(`:type must be one of :invoke, :ok, :fail, :info, got ${map.has(TYPE) ? printEdn(map.get(TYPE)!) : 'nothing'}`);
    }
    const opType = (type as Keyword).name as OpType;
    let process = map.get(PROCESS);
    if (process instanceof Keyword) continue;
    if (process === undefined) {
      if (opType === 'invoke') {
        process = anonymousNext++;
        anonymousOpen.push(process);
      } else {
        const open = anonymousOpen.shift();
        if (open === undefined) fail(`a ${opType} without :process and no open invoke without :process before it; add :process`);
        process = open!;
      }
    }
    if (typeof process !== 'number' || !Number.isSafeInteger(process) || process < 0) {
      fail(`:process must be a non-negative integer or a keyword such as :nemesis, got ${printEdn(process)}`);
    }
    const f = map.get(F);
    if (f !== undefined && !(f instanceof Keyword && f.name === 'txn')) fail(`:f must be :txn in a transactional history, got ${printEdn(f)}`);
    if (!map.has(VALUE)) fail(`:value is missing; a txn's value is its micro-ops, e.g. [[:append 1 2] [:r 1 nil]]`);
    const record: History[number] = { index: history.length, process: process as number, type: opType, f: 'txn', value: normalizeTxnValue(ednToPlain(map.get(VALUE)!)) };
    const time = map.get(TIME);
    if (time !== undefined) {
      if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) fail(`:time must be non-negative integer nanoseconds, got ${printEdn(time)}`);
      record.time = time as number;
    }
    history.push(record);
  }
  return history;
}
