// History records to transactions: pairs each `txn` invoke with its completion per process and
// reads the micro-operations. Malformed input is an error naming the record and the fix, never a
// transaction quietly dropped.
import type { History } from '../../histories/schema.js';
import type { MicroOp, Scalar, Txn } from './types.js';

export class TxnInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TxnInputError';
  }
}

const EXAMPLE = `[["append", "x", 1], ["r", "y", null]]`;

function isScalar(value: unknown): value is Scalar {
  return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string';
}

function keyOf(raw: unknown, where: string): string {
  if (typeof raw === 'string' || (typeof raw === 'number' && Number.isFinite(raw))) return String(raw);
  throw new TxnInputError(`${where}: a key must be a string or a number, got ${JSON.stringify(raw)}`);
}

/** The micro-ops of one record's value; `where` names the record in errors. */
export function parseMicroOps(value: unknown, where: string): MicroOp[] {
  if (!Array.isArray(value)) throw new TxnInputError(`${where}: a txn value must be a list of micro-ops such as ${EXAMPLE}, got ${JSON.stringify(value)?.slice(0, 60)}`);
  return value.map((raw, position) => {
    const at = `${where}, micro-op ${position}`;
    if (!Array.isArray(raw) || raw.length !== 3) throw new TxnInputError(`${at}: expected [f, key, value] such as ["append", "x", 1], got ${JSON.stringify(raw)?.slice(0, 60)}`);
    const [f, rawKey, item] = raw as [unknown, unknown, unknown];
    const key = keyOf(rawKey, at);
    if (f === 'append' || f === 'w') {
      if (!isScalar(item)) throw new TxnInputError(`${at}: ${f} needs a number or string value, got ${JSON.stringify(item)}`);
      return { f, key, value: item };
    }
    if (f === 'r') {
      if (item === null || isScalar(item)) return { f, key, value: item };
      if (Array.isArray(item) && item.every(isScalar)) return { f, key, value: item as Scalar[] };
      throw new TxnInputError(`${at}: a read's value must be null, a value, or a list of values, got ${JSON.stringify(item)?.slice(0, 60)}`);
    }
    throw new TxnInputError(`${at}: unknown micro-op ${JSON.stringify(f)} (append, r, w)`);
  });
}

/**
 * The transactions of a history, in invoke order. Records whose `f` is not `txn` are an error: a
 * transactional history has nothing else to judge, and skipping them would hide a wrong file.
 */
export function readTxns(history: History): Txn[] {
  const txns: Txn[] = [];
  const open = new Map<number, Txn>();
  for (const record of history) {
    const where = `record ${record.index}`;
    if (record.f !== 'txn') throw new TxnInputError(`${where}: f is "${record.f}", not "txn"; this checker reads transactional histories only`);
    if (record.type === 'invoke') {
      if (open.has(record.process)) throw new TxnInputError(`${where}: process ${record.process} invokes again before its txn at record ${open.get(record.process)!.invokeIndex} completed`);
      const txn: Txn = {
        id: txns.length,
        process: record.process,
        status: 'info',
        ops: parseMicroOps(record.value, where),
        invokeIndex: record.index,
        completeIndex: -1,
      };
      txns.push(txn);
      open.set(record.process, txn);
      continue;
    }
    const txn = open.get(record.process);
    if (txn === undefined) throw new TxnInputError(`${where}: a ${record.type} completion for process ${record.process}, which has no open invoke`);
    open.delete(record.process);
    txn.status = record.type;
    txn.completeIndex = record.index;
    if (record.type === 'ok') {
      const ops = parseMicroOps(record.value, where);
      if (ops.length !== txn.ops.length || ops.some((op, i) => op.f !== txn.ops[i]!.f || op.key !== txn.ops[i]!.key)) {
        throw new TxnInputError(`${where}: the completion's micro-ops differ from the invoke's at record ${txn.invokeIndex} (same f and key expected, in order)`);
      }
      txn.ops = ops;
    }
  }
  return txns;
}

/** A value as EDN prints it, for explanations. */
export function showValue(value: Scalar | readonly Scalar[] | null): string {
  if (value === null) return 'nil';
  if (typeof value === 'object') return `[${value.map((item) => showValue(item)).join(' ')}]`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function showOps(ops: readonly MicroOp[]): string {
  return ops.map((op) => `[:${op.f} ${op.key} ${showValue(op.value)}]`).join(' ');
}
