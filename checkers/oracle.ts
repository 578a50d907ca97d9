// The dumb, obviously right twin of the linearizability search, for tests: it tries every order
// of every subset of the pending ops, with no memo, no pruning, no partitioning (keyed states are
// kept per key in one map). Only for tiny histories. Also a checker of a claimed linearization.
import type { History } from '../histories/schema.js';
import { ILLEGAL, type Model } from './model.js';
import { pairOps, type PairedOp } from './paired-ops.js';

/** The oracle refuses histories with more ops than this (after the model drops what it drops). */
export const ORACLE_OPS_MAX = 10;

interface OracleOp {
  op: PairedOp;
  input: unknown;
  key: string;
  /** Null when the op may or may not have happened. */
  completeIndex: number | null;
}

function oracleOps(history: History, model: Model): OracleOp[] {
  const paired = pairOps(history);
  if (paired.problems.length > 0) throw new Error(`oracle: malformed history: ${paired.problems[0]!.message}`);
  const ops: OracleOp[] = [];
  for (const op of paired.ops) {
    const prepared = model.prepare(op);
    if (prepared === null) continue;
    ops.push({ op, input: prepared.input, key: model.keyed ? (op.key ?? '') : '', completeIndex: op.type === 'info' ? null : op.completeIndex });
  }
  if (ops.length > ORACLE_OPS_MAX) throw new Error(`oracle: ${ops.length} ops, more than ${ORACLE_OPS_MAX}`);
  return ops;
}

/** True when some order of the ops (every completed one, any of the others) is legal and respects real time. */
export function bruteForceLinearizable(history: History, model: Model): boolean {
  const ops = oracleOps(history, model);
  const placed = new Array<boolean>(ops.length).fill(false);
  const required = ops.filter((op) => op.completeIndex !== null).length;
  const search = (states: ReadonlyMap<string, unknown>, requiredPlaced: number): boolean => {
    if (requiredPlaced === required) return true;
    for (let index = 0; index < ops.length; index += 1) {
      if (placed[index]) continue;
      const candidate = ops[index]!;
      // Every completed op that returned before this one was invoked must already be placed.
      const waiting = ops.some((other, j) => !placed[j] && j !== index && other.completeIndex !== null && other.completeIndex < candidate.op.invokeIndex);
      if (waiting) continue;
      const before = states.has(candidate.key) ? states.get(candidate.key) : model.init();
      const after = model.step(before, candidate.input);
      if (after === ILLEGAL) continue;
      const next = new Map(states);
      next.set(candidate.key, after);
      placed[index] = true;
      const found = search(next, requiredPlaced + (candidate.completeIndex === null ? 0 : 1));
      placed[index] = false;
      if (found) return true;
    }
    return false;
  };
  return search(new Map(), 0);
}

/**
 * Whether `order` (history invoke indexes) is a linearization of the history: each listed op at
 * most once, every completed op listed, real-time order kept, every step legal. Null if it is,
 * else what is wrong. Works for any size.
 */
export function linearizationProblem(history: History, model: Model, order: readonly number[]): string | null {
  const paired = pairOps(history);
  const byInvoke = new Map<number, PairedOp>(paired.ops.map((op) => [op.invokeIndex, op]));
  const inputs = new Map<number, { input: unknown; key: string; completeIndex: number | null }>();
  for (const op of paired.ops) {
    const prepared = model.prepare(op);
    if (prepared !== null) inputs.set(op.invokeIndex, { input: prepared.input, key: model.keyed ? (op.key ?? '') : '', completeIndex: op.type === 'info' ? null : op.completeIndex });
  }
  const states = new Map<string, unknown>();
  const seen = new Set<number>();
  for (const [position, index] of order.entries()) {
    const op = inputs.get(index);
    if (op === undefined || !byInvoke.has(index)) return `position ${position}: no op of the model invoked at index ${index}`;
    if (seen.has(index)) return `position ${position}: op ${index} appears twice`;
    // An op that completed before this one was invoked must come earlier.
    for (const [other, otherOp] of inputs) {
      if (!seen.has(other) && other !== index && otherOp.completeIndex !== null && otherOp.completeIndex < index && order.includes(other)) {
        return `position ${position}: op ${index} comes before op ${other}, which completed before it was invoked`;
      }
      if (!seen.has(other) && other !== index && otherOp.completeIndex !== null && otherOp.completeIndex < index && !order.includes(other)) {
        return `position ${position}: op ${other} completed before op ${index} was invoked but is missing`;
      }
    }
    const before = states.has(op.key) ? states.get(op.key) : model.init();
    const after = model.step(before, op.input);
    if (after === ILLEGAL) return `position ${position}: op ${index} is illegal in state ${model.show(before)}`;
    states.set(op.key, after);
    seen.add(index);
  }
  for (const [index, op] of inputs) {
    if (op.completeIndex !== null && !seen.has(index)) return `completed op ${index} is missing`;
  }
  return null;
}
