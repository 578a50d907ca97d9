// A set of numbers or strings: `add x` puts x in, `read` returns every element. Starts empty. A
// read's elements may come in any order. Keyed, so a history of several sets is checked set by set.
import { ILLEGAL, ModelInputError, opValue, type Model, type PreparedOp } from '../model.js';
import type { PairedOp } from '../paired-ops.js';
import { combine32, hashValue, showValue } from '../values.js';

type Element = number | string;

interface SetInput {
  read: boolean;
  /** Add: one element; read: the elements read, sorted. */
  elements: readonly Element[];
}

/** Numbers before strings, each in natural order: one total order for sorted states. */
function compareElements(a: Element, b: Element): number {
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function element(op: PairedOp, value: unknown): Element {
  if (typeof value === 'number' || typeof value === 'string') return value;
  throw new ModelInputError('set', op.invokeIndex, `set elements are numbers or strings, got ${showValue(value)}`);
}

function prepare(op: PairedOp): PreparedOp<SetInput> | null {
  if (op.type === 'fail') return null;
  const value = opValue(op);
  switch (op.f) {
    case 'add':
      return { input: { read: false, elements: [element(op, value)] }, readOnly: false };
    case 'read': {
      if (op.type !== 'ok' || value === null) return null;
      if (!Array.isArray(value)) throw new ModelInputError('set', op.invokeIndex, `read returns a list of elements, got ${showValue(value)}`);
      const elements = value.map((item) => element(op, item)).sort(compareElements);
      return { input: { read: true, elements }, readOnly: true };
    }
    default:
      throw new ModelInputError('set', op.invokeIndex, `unknown f "${op.f}" (set has add and read)`);
  }
}

function sameElements(a: readonly Element[], b: readonly Element[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

/** The state is the sorted list of the elements added. */
export const set: Model<readonly Element[], SetInput> = {
  name: 'set',
  summary: 'add x, read -> all elements (any order); starts empty',
  keyed: true,
  init: () => [],
  prepare,
  step(state, input) {
    if (input.read) return sameElements(state, input.elements) ? state : ILLEGAL;
    const added = input.elements[0]!;
    let position = 0;
    while (position < state.length && compareElements(state[position]!, added) < 0) position += 1;
    if (position < state.length && state[position] === added) return state;
    return [...state.slice(0, position), added, ...state.slice(position)];
  },
  hash(state) {
    let h = 0x3b9aca07 ^ state.length;
    for (const item of state) h = combine32(h, hashValue(item));
    return h;
  },
  equal: sameElements,
  show: (state) => `#{${state.map(showValue).join(' ')}}`,
  // The last add before a read must add one of the elements read.
  mayEnable: (op, read) => !op.read && read.elements.includes(op.elements[0]!),
  // Elements are only ever added, so a read can still be answered only if it holds every element now.
  canReach(from, read) {
    let position = 0;
    for (const item of from) {
      while (position < read.elements.length && compareElements(read.elements[position]!, item) < 0) position += 1;
      if (position === read.elements.length || read.elements[position] !== item) return false;
    }
    return true;
  },
};
