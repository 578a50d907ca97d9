// The contract between the linearizability search and a model of the object under test. A model
// is a sequential specification: a start state and a step function. The search never looks inside
// a state; it hashes and compares states through the model and keeps each distinct one once.
import type { PairedOp } from './paired-ops.js';

/** What `step` returns when an operation cannot happen in a state. */
export const ILLEGAL: unique symbol = Symbol('illegal');
export type Illegal = typeof ILLEGAL;

export interface PreparedOp<I> {
  /** What `step` receives: the operation in the model's own terms, read once from the history. */
  input: I;
  /**
   * True when the op never changes the state wherever it is legal (a read). The search then places
   * such an op as soon as it is legal, and drops it when its outcome is unknown (it observed nothing).
   */
  readOnly: boolean;
  /**
   * True when the state after the op does not depend on the state before (a write, a put). Only
   * used with `canReach`: after a reset, any state the reset can produce is reachable again.
   */
  reset?: boolean;
}

export interface Model<S = unknown, I = unknown> {
  name: string;
  /** One line for `check --help`: the ops, the start state, the rules that matter. */
  summary: string;
  /**
   * P-compositionality: ops on different keys (`record.key`) touch independent objects, so each
   * key's ops can be checked apart, and the history is linearizable when every part is.
   */
  keyed: boolean;
  init(): S;
  /**
   * Reads one paired op, or returns null to leave it out. The model applies Jepsen's semantics here:
   * a `fail` op did not happen (null) unless the model gives `fail` another meaning; an `info` op
   * (or an invoke never completed) may have happened, so its input must be legal whenever the op
   * could have taken effect. Throws a ModelInputError for an op the model does not know.
   */
  prepare(op: PairedOp): PreparedOp<I> | null;
  /** The state after the op, or ILLEGAL. Must not change `state`: states are shared. */
  step(state: S, input: I): S | Illegal;
  /** A 32-bit hash; equal states must hash equal. */
  hash(state: S): number;
  equal(a: S, b: S): boolean;
  /** The state for a person (`3`, `absent`, `"x 1 y"`). */
  show(state: S): string;
  /**
   * Optional pruning, for models whose state only grows between resets (appends, set adds): false
   * when no sequence of non-reset ops could take `from` to a state where the read-only op `read` is
   * legal. Must answer true when unsure. The search abandons a configuration in which some read it
   * still has to place can no longer become legal and no reset that could help is left.
   */
  canReach?(from: S, read: I): boolean;
  /**
   * Optional pruning: false when applying `op`, from any state, can never leave a state in which the
   * read-only op `read` is legal (a write of 3 cannot make a read of 4 legal). Must answer true when
   * unsure. A read that is illegal now needs one of these "producers" placed before it: when none
   * is left, the search abandons the configuration.
   */
  mayEnable?(op: I, read: I): boolean;
  /**
   * Optional, to find producers without trying every pair: when both an op and a read have a key,
   * `mayEnable` can only hold if the keys are equal (a register keys a write and a read by value).
   * Null means "no key": the pair is tried with `mayEnable`.
   */
  enableKey?(input: I): string | null;
  /**
   * Optional, for models with few states: every state some sequence of these inputs can produce
   * from `init()`, `init()` included (more is fine, fewer is not). It lets the checker refute a
   * window of the history from every state the ops before it could have left (local-refutation.ts).
   */
  statesOf?(inputs: readonly I[]): S[];
  /**
   * Optional, for splitting long histories at quiescent points (quiescent.ts): the value an op
   * writes and the value it observes, each spelled as `show` spells a state holding it (or null),
   * and whether the op resets the state: legal in every state, the state after it independent of
   * the state before (a blind write). With it, info ops whose values are unique can be resolved.
   */
  valueFlow?(input: I): { writes: string | null; observes: string | null; resets: boolean };
}

/** An op the model cannot read: bad input, said with the history index to look at. */
export class ModelInputError extends Error {
  constructor(
    readonly model: string,
    readonly index: number,
    problem: string,
  ) {
    super(`model ${model}: op at index ${index}: ${problem}`);
    this.name = 'ModelInputError';
  }
}

/**
 * The value an op carries: the completion's for an `ok` op (a read's result, Knossos's rule that
 * an invoke's value is filled in from its completion), otherwise the invoke's (an `info` completion
 * carries `:timed-out` or nothing useful).
 */
export function opValue(op: PairedOp): unknown {
  if (op.type === 'ok' && op.value !== null && op.value !== undefined) return op.value;
  if (op.type === 'ok' && (op.invokeValue === null || op.invokeValue === undefined)) return op.value ?? null;
  return op.invokeValue ?? null;
}
