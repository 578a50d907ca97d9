// A FIFO queue: `enqueue v` adds at the tail, `dequeue` takes the head and returns it. Starts
// empty. A dequeue that returned nil found the queue empty; one whose outcome is unknown took
// whatever was at the head, if anything. Keyed, so several named queues are checked apart.
import { ILLEGAL, ModelInputError, opValue, type Model, type PreparedOp } from '../model.js';
import type { PairedOp } from '../paired-ops.js';
import { combine32, hashValue, sameValue, showValue } from '../values.js';

const ENQUEUE = 0;
/** A dequeue that returned a value: the head must be that value. */
const DEQUEUE = 1;
/** A dequeue that returned nil: the queue must be empty. */
const DEQUEUE_EMPTY = 2;
/** A dequeue with an unknown outcome: it took the head, if there was one. */
const DEQUEUE_ANY = 3;

interface QueueInput {
  kind: number;
  value: unknown;
}

function prepare(op: PairedOp): PreparedOp<QueueInput> | null {
  if (op.type === 'fail') return null;
  const value = opValue(op);
  switch (op.f) {
    case 'enqueue':
      return { input: { kind: ENQUEUE, value }, readOnly: false };
    case 'dequeue':
      if (op.type !== 'ok') return { input: { kind: DEQUEUE_ANY, value: null }, readOnly: false };
      if (value === null) return { input: { kind: DEQUEUE_EMPTY, value: null }, readOnly: true };
      return { input: { kind: DEQUEUE, value }, readOnly: false };
    default:
      throw new ModelInputError('queue', op.invokeIndex, `unknown f "${op.f}" (queue has enqueue and dequeue)`);
  }
}

/** The state is the queue's contents, head first. */
export const queue: Model<readonly unknown[], QueueInput> = {
  name: 'queue',
  summary: 'enqueue v, dequeue -> v (nil when empty); FIFO; starts empty',
  keyed: true,
  init: () => [],
  prepare,
  step(state, input) {
    switch (input.kind) {
      case ENQUEUE:
        return [...state, input.value];
      case DEQUEUE:
        return state.length > 0 && sameValue(state[0], input.value) ? state.slice(1) : ILLEGAL;
      case DEQUEUE_EMPTY:
        return state.length === 0 ? state : ILLEGAL;
      default:
        return state.length > 0 ? state.slice(1) : state;
    }
  },
  hash(state) {
    let h = 0x510e527f ^ state.length;
    for (const item of state) h = combine32(h, hashValue(item));
    return h;
  },
  equal(a, b) {
    if (a.length !== b.length) return false;
    for (let index = 0; index < a.length; index += 1) if (!sameValue(a[index], b[index])) return false;
    return true;
  },
  show: (state) => `[${state.map(showValue).join(' ')}]`,
};
