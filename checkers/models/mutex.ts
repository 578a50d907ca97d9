// A lock (Knossos's mutex): `acquire` takes a free lock, `release` frees a held one; anything else
// is illegal. Keyed, so a history of several named locks is checked lock by lock.
import { ILLEGAL, ModelInputError, type Model, type PreparedOp } from '../model.js';
import type { PairedOp } from '../paired-ops.js';

const ACQUIRE = true;
const RELEASE = false;

function prepare(op: PairedOp): PreparedOp<boolean> | null {
  if (op.type === 'fail') return null;
  if (op.f === 'acquire') return { input: ACQUIRE, readOnly: false };
  if (op.f === 'release') return { input: RELEASE, readOnly: false };
  throw new ModelInputError('mutex', op.invokeIndex, `unknown f "${op.f}" (mutex has acquire and release)`);
}

/** The state is whether the lock is held. */
export const mutex: Model<boolean, boolean> = {
  name: 'mutex',
  summary: 'acquire, release; starts free; acquiring a held lock or releasing a free one is illegal',
  keyed: true,
  init: () => false,
  prepare,
  step: (held, acquire) => (held === acquire ? ILLEGAL : acquire),
  hash: (held) => (held ? 1 : 2),
  equal: (a, b) => a === b,
  show: (held) => (held ? 'held' : 'free'),
  statesOf: () => [false, true],
};
