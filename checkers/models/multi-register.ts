// Knossos's multi-register: named registers that all start at 0, changed by transactions `txn`
// whose value is a list of micro-ops `[read k v]` and `[write k v]`, applied in order. A read of nil
// observed nothing and is legal in any state. Not keyed: one transaction touches several registers.
import { ILLEGAL, ModelInputError, opValue, type Model, type PreparedOp } from '../model.js';
import type { PairedOp } from '../paired-ops.js';
import { hashValue, sameValue, showValue } from '../values.js';

/** A register's value before any write. */
const INITIAL = 0;

/** Registers whose value is not INITIAL, keys sorted, so equal states are equal objects. */
type Registers = Readonly<Record<string, unknown>>;

interface MicroOp {
  write: boolean;
  key: string;
  value: unknown;
}

function microOps(op: PairedOp, value: unknown): MicroOp[] {
  if (!Array.isArray(value)) throw new ModelInputError('multi-register', op.invokeIndex, `txn needs a list of [f k v], got ${showValue(value)}`);
  return value.map((item) => {
    if (!Array.isArray(item) || item.length !== 3 || (item[0] !== 'read' && item[0] !== 'write')) {
      throw new ModelInputError('multi-register', op.invokeIndex, `micro-op must be [read k v] or [write k v], got ${showValue(item)}`);
    }
    return { write: item[0] === 'write', key: String(item[1]), value: item[2] ?? null };
  });
}

function prepare(op: PairedOp): PreparedOp<MicroOp[]> | null {
  if (op.type === 'fail') return null;
  if (op.f !== 'txn') throw new ModelInputError('multi-register', op.invokeIndex, `unknown f "${op.f}" (multi-register has txn)`);
  let micro = microOps(op, opValue(op));
  // An unknown outcome observed nothing: only its writes may matter. A nil read observed nothing.
  micro = micro.filter((item) => item.write || (op.type === 'ok' && item.value !== null));
  if (micro.length === 0) return null;
  return { input: micro, readOnly: micro.every((item) => !item.write) };
}

function sortedRegisters(registers: Record<string, unknown>): Registers {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(registers).sort()) sorted[key] = registers[key];
  return sorted;
}

export const multiRegister: Model<Registers, MicroOp[]> = {
  name: 'multi-register',
  summary: 'txn [[read k v] [write k v] ...]; every register starts at 0; a nil read is legal in any state',
  keyed: false,
  init: () => ({}),
  prepare,
  step(state, micro) {
    let next: Record<string, unknown> | null = null;
    for (const item of micro) {
      const current = next ?? state;
      const value = Object.prototype.hasOwnProperty.call(current, item.key) ? current[item.key] : INITIAL;
      if (!item.write) {
        if (!sameValue(value, item.value)) return ILLEGAL;
        continue;
      }
      next ??= { ...state };
      if (sameValue(item.value, INITIAL)) delete next[item.key];
      else next[item.key] = item.value;
    }
    return next === null ? state : sortedRegisters(next);
  },
  hash: hashValue,
  equal: sameValue,
  show(state) {
    const keys = Object.keys(state);
    return keys.length === 0 ? 'all 0' : `{${keys.map((key) => `${key} ${showValue(state[key])}`).join(', ')}}`;
  },
};
