// A counter: `add n` (n defaults to 1) adds to it, `read` returns it; starts at 0. Keyed.
import { ILLEGAL, ModelInputError, opValue, type Model, type PreparedOp } from '../model.js';
import type { PairedOp } from '../paired-ops.js';
import { showValue } from '../values.js';

interface CounterInput {
  read: boolean;
  amount: number;
}

function amountOf(op: PairedOp, value: unknown, fallback: number | null): number {
  if (value === null && fallback !== null) return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new ModelInputError('counter', op.invokeIndex, `${op.f} needs an integer, got ${showValue(value)}`);
}

function prepare(op: PairedOp): PreparedOp<CounterInput> | null {
  if (op.type === 'fail') return null;
  const value = opValue(op);
  switch (op.f) {
    case 'read':
      if (op.type !== 'ok' || value === null) return null;
      return { input: { read: true, amount: amountOf(op, value, null) }, readOnly: true };
    case 'add':
    case 'increment':
      return { input: { read: false, amount: amountOf(op, value, 1) }, readOnly: false };
    default:
      throw new ModelInputError('counter', op.invokeIndex, `unknown f "${op.f}" (counter has add and read)`);
  }
}

export const counter: Model<number, CounterInput> = {
  name: 'counter',
  summary: 'add n (default 1), read; starts at 0; a read must return the sum of the adds before it',
  keyed: true,
  init: () => 0,
  prepare,
  step(state, input) {
    if (input.read) return state === input.amount ? state : ILLEGAL;
    return state + input.amount;
  },
  hash: (state) => state | 0,
  equal: (a, b) => a === b,
  show: String,
};
