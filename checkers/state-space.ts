// The model as the search sees it: states are small integers, and `next(state, op)` is a table
// lookup after its first computation. Each distinct model state is kept once (interned by the
// model's hash and equality), so the search compares states by number and never allocates for a
// transition it has seen before.
import { assert } from './assert.js';
import { ILLEGAL, type Model } from './model.js';
import { Int32Pool } from './int32-pool.js';
import { MISSING, PairTable } from './pair-table.js';

export interface StateSpace {
  /** The number of the model's start state. */
  readonly initial: number;
  /** The state after op number `op` (as numbered by the search) from `state`, or -1 if illegal. */
  next(state: number, op: number): number;
  /** The state for a person. */
  show(state: number): string;
  /** What the tables hold, for the memory budget. */
  memoryBytes(): number;
  /** Whether the model can rule out reads (Model.canReach); the two calls below answer true otherwise. */
  readonly prunes: boolean;
  /** False when no non-reset ops can take `state` to one where read-only op `read` is legal. */
  canReach(state: number, read: number): boolean;
  /** False when no non-reset ops can take the state made by reset op `reset` to one where `read` is legal. */
  resetReaches(reset: number, read: number): boolean;
  /** Whether the model knows which ops can make a read legal (Model.mayEnable). */
  readonly enables: boolean;
  /** False when op `op` can never leave a state in which read-only op `read` is legal. */
  mayEnable(op: number, read: number): boolean;
  /** Model.enableKey of an op, or null. */
  enableKey(op: number): string | null;
}

/** A rough cost of one model state object kept alive, for the memory budget. */
const STATE_OBJECT_BYTES = 96;

export class ModelSpace implements StateSpace {
  readonly initial: number;
  readonly prunes: boolean;
  readonly enables: boolean;
  private readonly states: unknown[] = [];
  private hashes: Int32Array;
  /** Open addressing: state number + 1, or 0 for an empty slot. */
  private slots: Int32Array;
  private readonly transitions: PairTable;
  /** The state each reset op makes (the same from any state), computed once. */
  private readonly resetStates = new Map<number, unknown>();

  constructor(
    private readonly model: Model,
    /** The model input of each op, by the search's op number. */
    private readonly inputs: readonly unknown[],
    /** Where the search starts; the model's `init()` unless a window is checked from another state. */
    start: unknown = model.init(),
    /** Where the first tables come from (the search's pool). */
    pool: Int32Pool = new Int32Pool(),
  ) {
    // Sized from the part: a part of a few ops has a few states; the tables grow when needed.
    const opsLog2 = Math.ceil(Math.log2(inputs.length + 2));
    this.hashes = pool.take(1 << Math.min(6, Math.max(3, opsLog2)));
    this.slots = pool.take(2 << Math.min(6, Math.max(3, opsLog2)));
    this.transitions = new PairTable(Math.min(8, Math.max(4, opsLog2 + 1)), pool);
    this.initial = this.intern(start);
    this.prunes = model.canReach !== undefined;
    this.enables = model.mayEnable !== undefined;
  }

  mayEnable(op: number, read: number): boolean {
    return this.model.mayEnable === undefined || this.model.mayEnable(this.inputs[op], this.inputs[read]);
  }

  enableKey(op: number): string | null {
    return this.model.enableKey === undefined ? null : this.model.enableKey(this.inputs[op]);
  }

  /** The model's own state object behind a state number. */
  stateOf(state: number): unknown {
    return this.states[state];
  }

  canReach(state: number, read: number): boolean {
    return this.model.canReach === undefined || this.model.canReach(this.states[state], this.inputs[read]);
  }

  resetReaches(reset: number, read: number): boolean {
    if (this.model.canReach === undefined) return true;
    let made = this.resetStates.get(reset);
    if (made === undefined) {
      made = this.model.step(this.model.init(), this.inputs[reset]);
      this.resetStates.set(reset, made);
    }
    return made === ILLEGAL || this.model.canReach(made, this.inputs[read]);
  }

  get size(): number {
    return this.states.length;
  }

  /** The model's hash of a state number. */
  hashOf(state: number): number {
    return this.hashes[state]!;
  }

  next(state: number, op: number): number {
    const known = this.transitions.get(state, op);
    if (known !== MISSING) return known;
    const after = this.model.step(this.states[state], this.inputs[op]);
    const result = after === ILLEGAL ? -1 : this.intern(after);
    this.transitions.add(state, op, result);
    return result;
  }

  show(state: number): string {
    return this.model.show(this.states[state]);
  }

  memoryBytes(): number {
    return this.transitions.memoryBytes() + this.slots.byteLength + this.hashes.byteLength + this.states.length * STATE_OBJECT_BYTES;
  }

  private intern(state: unknown): number {
    const hash = this.model.hash(state) | 0;
    const mask = this.slots.length - 1;
    let slot = (hash ^ (hash >>> 16)) & mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) break;
      const candidate = entry - 1;
      if (this.hashes[candidate] === hash && this.model.equal(this.states[candidate], state)) return candidate;
      slot = (slot + 1) & mask;
    }
    const number = this.states.length;
    this.states.push(state);
    if (number >= this.hashes.length) {
      const hashes = new Int32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.hashes[number] = hash;
    this.slots[slot] = number + 1;
    if ((number + 1) * 2 > this.slots.length) this.rehash();
    assert(this.model.equal(this.states[number], state), `model ${this.model.name}: equal(state, state) is false`);
    return number;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let number = 0; number < this.states.length; number += 1) {
      const hash = this.hashes[number]!;
      let slot = (hash ^ (hash >>> 16)) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = number + 1;
    }
    this.slots = slots;
  }
}
