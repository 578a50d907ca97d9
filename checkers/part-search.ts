// The search for a linearization of one part of a history: Wing and Gong's depth-first search with
// Lowe's just-in-time linearization and memo of configurations (config-cache.ts).
//
// Completed ops sit in a doubly linked list of call and return entries in history order. From a
// configuration, the candidates to linearize next are the calls before the first return still in
// the list (an op whose return is passed must already be linearized). Linearizing one lifts its two
// entries out; backtracking puts them back. Pending ops (`info`, or never completed) have no return:
// they may be linearized at any point after their invoke, or never, so they sit in a second list and
// are tried after the completed candidates, and the part is linearizable as soon as every completed
// op is placed.
//
// Reductions keep the search small, each sound on its own:
// - a read-only op (one that never changes the state) that is legal now is placed now and nothing
//   else is tried from this configuration: any linearization that places it later can place it here;
// - identical pending ops are placed in invoke order only: swapping two of them changes nothing;
// - a finished configuration rules out the same one with more pending ops linearized (config-cache.ts);
// - a read that is illegal now and that no op left to place could make legal (Model.mayEnable: no
//   write of the value it read is left) makes the configuration a dead end. Candidate reads are
//   checked as they come; reads with few producers are watched wherever they are in the history,
//   so a read of a value whose only writer is placed and overwritten ends every branch at once;
// - a read whose value the state can no longer grow into (Model.canReach: a kv string that is not
//   a prefix of what a get returned) is a dead end too, unless a reset (a put) is left that could help.
//
// The loop runs in slices of steps and keeps all its state in fields, so parts can be interleaved
// and a budget can stop it at any step. It allocates nothing per step: lists, bitsets, the frame
// stack, hashes and the memo are typed arrays, and states are numbers (state-space.ts).
import { assert } from './assert.js';
import { ConfigCache } from './config-cache.js';
import { Int32Pool } from './int32-pool.js';
import type { StateSpace } from './state-space.js';
import { zobristWords } from './zobrist.js';

/** One op of a part, read by the model. */
export interface PartOp<O = unknown> {
  /** The op as the history had it, for evidence. */
  source: O;
  input: unknown;
  readOnly: boolean;
  /** The state after it does not depend on the state before (Model.canReach). */
  reset?: boolean;
  /**
   * For a pending op only: it may be placed any number of times (a relaxation used when a window
   * of the history is refuted on its own, local-refutation.ts).
   */
  reusable?: boolean;
  invokeIndex: number;
  /** Null for a pending op (unknown outcome): it may have taken effect, or not. */
  completeIndex: number | null;
}

export const SEARCH_RUNNING = 0;
export const SEARCH_LINEARIZABLE = 1;
export const SEARCH_NOT_LINEARIZABLE = 2;
export type SearchStatus = typeof SEARCH_RUNNING | typeof SEARCH_LINEARIZABLE | typeof SEARCH_NOT_LINEARIZABLE;

/**
 * A list of ops per op, in typed arrays: list `op` is `ops[from[op]..from[op + 1])`, unless
 * `unlisted[op]` says the list was too long to keep (then it counts as "some are left").
 */
class OpLists {
  private constructor(
    readonly from: Int32Array,
    readonly ops: Int32Array,
    readonly unlisted: Int32Array,
  ) {}

  /** `listOf` returns null for a list too long to keep. */
  static build(count: number, listOf: (op: number) => number[] | null, pool: Int32Pool): OpLists {
    const from = pool.take(count + 1);
    const unlisted = pool.take(count);
    const ops: number[] = [];
    for (let op = 0; op < count; op += 1) {
      from[op] = ops.length;
      const list = listOf(op);
      if (list === null) unlisted[op] = 1;
      else for (const item of list) ops.push(item);
    }
    from[count] = ops.length;
    const table = pool.take(ops.length);
    table.set(ops);
    return new OpLists(from, table, unlisted);
  }

  /** Lists from (op, item) pairs laid flat, items kept in the order given. */
  static fromPairs(count: number, pairs: readonly number[], pool: Int32Pool): OpLists {
    const from = pool.take(count + 1);
    for (let index = 0; index < pairs.length; index += 2) from[pairs[index]! + 1]! += 1;
    for (let op = 0; op < count; op += 1) from[op + 1]! += from[op]!;
    const ops = pool.take(pairs.length / 2);
    const fill = pool.take(count);
    fill.set(from.subarray(0, count));
    for (let index = 0; index < pairs.length; index += 2) ops[fill[pairs[index]!]!++] = pairs[index + 1]!;
    return new OpLists(from, ops, pool.take(count));
  }

  /** Whether the list of `op` is known in full. */
  listed(op: number): boolean {
    return this.unlisted[op] === 0;
  }

  /** The same lists keeping only the items `keep` accepts (an unlisted list stays unlisted). */
  filtered(keep: (item: number, op: number) => boolean, pool: Int32Pool): OpLists {
    const count = this.unlisted.length;
    return OpLists.build(
      count,
      (op) => {
        if (this.unlisted[op] !== 0) return null;
        const kept: number[] = [];
        for (let index = this.from[op]!; index < this.from[op + 1]!; index += 1) if (keep(this.ops[index]!, op)) kept.push(this.ops[index]!);
        return kept;
      },
      pool,
    );
  }
}

/**
 * For each completed read-only op (by search number, below the count of completed ops), the other
 * ops that are not read-only and overlap it: invoked before it returns, and not completed before it
 * was invoked (pending ops never complete). Recent invokes first. When a read is a candidate of the
 * search, every op that returned before its invoke is placed already, so only these can still be
 * placed before it. One sweep over the part in history order, keeping the ops in flight; a read
 * overlapped by more than HELPERS_LISTED_MAX ops is left unlisted.
 */
function overlapLists(ops: readonly PartOp[], readOnly: Int32Array, pool: Int32Pool): OpLists {
  const count = ops.length;
  let required = 0;
  for (const op of ops) if (op.completeIndex !== null) required += 1;
  // Events: 2·op is the invoke of op, 2·op + 1 its completion.
  const events: number[] = [];
  const positions: number[] = [];
  for (let op = 0; op < count; op += 1) {
    events.push(2 * op);
    positions.push(ops[op]!.invokeIndex);
    if (ops[op]!.completeIndex !== null) {
      events.push(2 * op + 1);
      positions.push(ops[op]!.completeIndex!);
    }
  }
  const order = orderByDistinctKeys(positions, pool);
  /** Writers in flight (pending ones stay), in invoke order, with holes where one completed. */
  const inFlight: number[] = [];
  const slotOf = new Map<number, number>();
  let holes = 0;
  /** For each read in flight, the writers it overlaps so far (null once there are too many). */
  const overlaps = new Map<number, number[] | null>();
  const lists: (number[] | null)[] = new Array<number[] | null>(required).fill([]);
  for (let at = 0; at < order.length; at += 1) {
    const event = events[order[at]!]!;
    const op = event >>> 1;
    const isInvoke = (event & 1) === 0;
    if (readOnly[op] === 1) {
      if (isInvoke) {
        const seen = inFlight.filter((writer) => writer >= 0);
        overlaps.set(op, seen.length > HELPERS_LISTED_MAX ? null : seen);
      } else {
        lists[op] = overlaps.get(op) ?? null;
        overlaps.delete(op);
      }
      continue;
    }
    if (isInvoke) {
      slotOf.set(op, inFlight.length);
      inFlight.push(op);
      for (const [read, list] of overlaps) {
        if (list === null) continue;
        if (list.length >= HELPERS_LISTED_MAX) overlaps.set(read, null);
        else list.push(op);
      }
    } else {
      inFlight[slotOf.get(op)!] = -1;
      slotOf.delete(op);
      holes += 1;
      if (holes * 2 > inFlight.length) {
        // Compact, keeping invoke order.
        const kept = inFlight.filter((writer) => writer >= 0);
        inFlight.length = 0;
        for (const writer of kept) {
          slotOf.set(writer, inFlight.length);
          inFlight.push(writer);
        }
        holes = 0;
      }
    }
  }
  return OpLists.build(required, (read) => (readOnly[read] === 1 ? (lists[read] ?? null)?.slice().reverse() ?? null : []), pool);
}

/** Where the loop is in the current configuration. */
const PHASE_FRESH = 0;
const PHASE_COMPLETED = 1;
const PHASE_PENDING = 2;
const PHASE_BACKTRACK = 3;

/** A read's helpers are listed only up to this many candidates; with more, one is assumed left. */
const HELPERS_LISTED_MAX = 64;
/** Reads with at most this many producers are watched for becoming orphans. */
const WATCHED_PRODUCERS_MAX = 8;
/** A position after every history index: the end of the list of entries. */
const POSITION_END = 0x7fffffff;
const ZOBRIST_SEED_A = 0x1f123bb5;
const ZOBRIST_SEED_B = 0x5be0cd19;
/** Packed sorts (orderByDistinctKeys) hold a position below 2^21 and a key span below 2^31. */
const PACKED_SORT_COUNT_MAX = 1 << 21;
const PACKED_SORT_SPAN_MAX = 2 ** 31;
/** Up to this many keys are ordered by insertion sort. */
const INSERTION_SORT_MAX = 32;

/**
 * The positions 0..keys.length-1 ordered by their keys, which are distinct non-negative integers
 * (history indexes): placed through a table when the keys are dense, else sorted.
 */
export function orderByDistinctKeys(keys: ArrayLike<number>, pool?: Int32Pool): Int32Array {
  const count = keys.length;
  const order = pool === undefined ? new Int32Array(count) : pool.take(count);
  if (count <= INSERTION_SORT_MAX) {
    // Few keys (the parts of a small history): insertion sort, with no table to allocate.
    for (let index = 0; index < count; index += 1) {
      const key = keys[index]!;
      let at = index;
      while (at > 0 && keys[order[at - 1]!]! > key) {
        order[at] = order[at - 1]!;
        at -= 1;
      }
      assert(at === 0 || keys[order[at - 1]!] !== key, 'history indexes are distinct');
      order[at] = index;
    }
    return order;
  }
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  for (let index = 0; index < count; index += 1) {
    low = Math.min(low, keys[index]!);
    high = Math.max(high, keys[index]!);
  }
  if (high - low > 64 * count) {
    if (count > PACKED_SORT_COUNT_MAX || high - low >= PACKED_SORT_SPAN_MAX) {
      for (let index = 0; index < count; index += 1) order[index] = index;
      return order.sort((a, b) => keys[a]! - keys[b]!);
    }
    // Key and position packed in one double and sorted natively: several times faster than a sort
    // with a comparator, and exact while (key - low) · 2^21 + position stays below 2^53.
    const packed = new Float64Array(count);
    for (let index = 0; index < count; index += 1) packed[index] = (keys[index]! - low) * PACKED_SORT_COUNT_MAX + index;
    packed.sort();
    for (let index = 0; index < count; index += 1) order[index] = packed[index]! % PACKED_SORT_COUNT_MAX;
    for (let index = 1; index < count; index += 1) assert(keys[order[index]!] !== keys[order[index - 1]!], 'history indexes are distinct');
    return order;
  }
  const slot = pool === undefined ? new Int32Array(high - low + 1).fill(-1) : pool.filled(high - low + 1, -1);
  for (let index = 0; index < count; index += 1) {
    assert(slot[keys[index]! - low] === -1, 'history indexes are distinct');
    slot[keys[index]! - low] = index;
  }
  let at = 0;
  for (let position = 0; position < slot.length; position += 1) if (slot[position]! >= 0) order[at++] = slot[position]!;
  return order;
}

/** The part's ops numbered for the search: completed ones by completion, then pending by invoke. */
function searchOrder(ops: readonly PartOp[]): number[] {
  const completed: number[] = [];
  const pending: number[] = [];
  ops.forEach((op, index) => (op.completeIndex === null ? pending : completed).push(index));
  const byCompletion = orderByDistinctKeys(completed.map((index) => ops[index]!.completeIndex!));
  const byInvoke = orderByDistinctKeys(pending.map((index) => ops[index]!.invokeIndex));
  return [...Array.from(byCompletion, (at) => completed[at]!), ...Array.from(byInvoke, (at) => pending[at]!)];
}

export class PartSearch<O = unknown> {
  /** The ops in search order: completed `0..requiredCount-1`, then pending. */
  readonly ops: readonly PartOp<O>[];
  readonly requiredCount: number;
  readonly pendingCount: number;
  readonly space: StateSpace;
  private readonly cache: ConfigCache;
  private readonly readOnly: Int32Array;
  private readonly hasReadOnly: boolean;
  private readonly reusable: Int32Array;
  /**
   * For each completed read-only op, the resets that could make it reachable again (Model.canReach),
   * and the ops that could make it legal (Model.mayEnable), among those invoked before it returns.
   * Null when the model offers no such pruning. `producers` lists every such op, for reads watched
   * wherever they are; `resetHelpers` and `candidateProducers` list only the ops that overlap the
   * read or are pending, for reads that are candidates (see overlapLists).
   */
  private readonly resetHelpers: OpLists | null;
  private readonly producers: OpLists | null;
  private readonly candidateProducers: OpLists | null;
  /** Bitsets over completed ops: the read-only ones, and the resets (PartOp.reset). */
  private readonly readBits: Int32Array;
  private readonly resetBits: Int32Array;
  /** For each completed read, how many completed ops completed before it was invoked. */
  private readonly completedBefore: Int32Array;
  /**
   * Reads with few producers are watched: `producersLeft` counts their producers not yet placed,
   * and a read whose count is zero is an orphan (kept on a stack that backtracking unwinds). An
   * unplaced orphan that is illegal now can never become legal, wherever it is in the history.
   */
  private readonly watchers: OpLists | null;
  private readonly producersLeft: Int32Array;
  private readonly orphans: Int32Array;
  private orphanCount = 0;

  // The list of completed ops' entries: 0 is the head, `entryCount + 1` the end.
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly entryOp: Int32Array;
  private readonly entryIsReturn: Int32Array;
  private readonly entryPosition: Int32Array;
  private readonly callEntry: Int32Array;
  private readonly returnEntry: Int32Array;

  // The list of pending ops: node j + 1 is pending op j; 0 is the head, `pendingCount + 1` the end.
  private readonly pendingNext: Int32Array;
  private readonly pendingPrev: Int32Array;
  private readonly pendingPosition: Int32Array;
  /** The previous pending op with the same input, or -1: identical ops are placed in invoke order. */
  private readonly pendingTwin: Int32Array;

  // The linearized set: bitsets with the span that differs from "all ones, then zeros".
  private readonly requiredBits: Int32Array;
  private readonly requiredLastMask: number;
  private requiredLo = 0;
  private requiredHi = 0;
  private readonly pendingBits: Int32Array;
  private pendingLo = 0;
  private pendingHi = 0;
  private pendingLinearized = 0;
  private readonly zobristA: Int32Array;
  private readonly zobristB: Int32Array;
  private hashA = 0;
  private hashB = 0;

  // The frame stack: one frame per linearized op (reusable ops may take several).
  private frameOp: Int32Array;
  private frameState: Int32Array;
  private frameEntry: Int32Array;
  private frameBound: Int32Array;
  private frameForced: Int32Array;
  private depth = 0;

  private state: number;
  private requiredLeft: number;
  private phase = PHASE_FRESH;
  private cursor = 0;
  private bound = 0;
  private status: SearchStatus = SEARCH_RUNNING;
  /** Steps taken so far: one per candidate tried or frame popped. */
  steps = 0;

  // The configuration with the most completed ops linearized, for evidence.
  private bestRequired = -1;
  private bestDepth = 0;
  private bestOps: Int32Array;
  /** The frame stack has not changed below this depth since the furthest configuration was copied. */
  private bestSameBelow = 0;
  private bestState = 0;

  constructor(
    ops: readonly PartOp<O>[],
    makeSpace: (ops: readonly PartOp<O>[], pool: Int32Pool) => StateSpace,
    /** Where the tables come from; parts of one check share one. */
    pool: Int32Pool = new Int32Pool(),
    /**
     * Off: none of the read pruning (helper lists, watched reads) is built. The verdict is the same;
     * an easy part is searched sooner without it, a hard one needs it (see checkOperations).
     */
    pruning = true,
  ) {
    const order = searchOrder(ops);
    this.ops = order.map((index) => ops[index]!);
    const n = this.ops.length;
    const nR = this.ops.filter((op) => op.completeIndex !== null).length;
    this.requiredCount = nR;
    this.pendingCount = n - nR;
    this.space = makeSpace(this.ops, pool);
    // Sized from the part (the cache grows when needed): a few ops reach a few configurations.
    this.cache = new ConfigCache(pool, Math.min(6, Math.max(3, Math.ceil(Math.log2(ops.length + 2)))));
    this.readOnly = pool.take(n);
    this.reusable = pool.take(n);
    for (let index = 0; index < n; index += 1) {
      const op = this.ops[index]!;
      this.readOnly[index] = op.readOnly ? 1 : 0;
      this.reusable[index] = op.reusable === true ? 1 : 0;
      assert(op.completeIndex === null || op.completeIndex > op.invokeIndex, 'an op completes after its invoke');
      assert(!(op.completeIndex === null && op.readOnly), 'pending read-only ops observed nothing and are left out');
      assert(op.reusable !== true || op.completeIndex === null, 'only pending ops are reusable');
    }
    this.hasReadOnly = this.readOnly.includes(1);

    const entryCount = 2 * nR;
    // Entry 2·op is the call of op, 2·op + 1 its return; the list holds them in history order.
    const entryPositions = pool.take(entryCount);
    for (let op = 0; op < nR; op += 1) {
      entryPositions[2 * op] = this.ops[op]!.invokeIndex;
      entryPositions[2 * op + 1] = this.ops[op]!.completeIndex!;
    }
    const entries = orderByDistinctKeys(entryPositions, pool);
    this.next = pool.take(entryCount + 2);
    this.prev = pool.take(entryCount + 2);
    this.entryOp = pool.filled(entryCount + 2, -1);
    this.entryIsReturn = pool.take(entryCount + 2);
    this.entryPosition = pool.take(entryCount + 2);
    this.callEntry = pool.take(nR);
    this.returnEntry = pool.take(nR);
    for (let node = 0; node < entryCount + 2; node += 1) {
      this.next[node] = node + 1;
      this.prev[node] = node - 1;
    }
    for (let index = 0; index < entryCount; index += 1) {
      const node = index + 1;
      const entry = entries[index]!;
      const op = entry >>> 1;
      const isReturn = (entry & 1) === 1;
      this.entryOp[node] = op;
      this.entryIsReturn[node] = isReturn ? 1 : 0;
      this.entryPosition[node] = entryPositions[entry]!;
      if (isReturn) this.returnEntry[op] = node;
      else this.callEntry[op] = node;
    }
    // The end node acts as a return, so a scan of candidates always stops there.
    this.entryIsReturn[entryCount + 1] = 1;
    this.entryPosition[entryCount + 1] = POSITION_END;

    const nP = this.pendingCount;
    this.pendingNext = pool.take(nP + 2);
    this.pendingPrev = pool.take(nP + 2);
    this.pendingPosition = pool.filled(nP + 2, POSITION_END);
    this.pendingTwin = pool.filled(nP, -1);
    const lastOfInput = new Map<string, number>();
    for (let node = 0; node < nP + 2; node += 1) {
      this.pendingNext[node] = node + 1;
      this.pendingPrev[node] = node - 1;
    }
    for (let pending = 0; pending < nP; pending += 1) {
      const op = this.ops[nR + pending]!;
      this.pendingPosition[pending + 1] = op.invokeIndex;
      const inputKey = JSON.stringify(op.input);
      this.pendingTwin[pending] = lastOfInput.get(inputKey) ?? -1;
      lastOfInput.set(inputKey, pending);
    }

    const byInvoke = orderByDistinctKeys(this.ops.map((op) => op.invokeIndex), pool);
    /** For each completed read, the `eligible` ops invoked before it returns that `helps` it. */
    const readHelpers = (wanted: boolean, eligible: (op: number) => boolean, helps: (op: number, read: number) => boolean): OpLists | null => {
      if (!wanted || !this.hasReadOnly) return null;
      // Writers grouped by enable key (Model.enableKey) in invoke order; unkeyed ones may help any read.
      const groups = new Map<string | null, number[]>();
      const all: number[] = [];
      const keys = this.ops.map((_, op) => this.space.enableKey(op));
      for (const op of byInvoke) {
        if (this.readOnly[op] === 1 || !eligible(op)) continue;
        all.push(op);
        const key = keys[op]!;
        let group = groups.get(key);
        if (group === undefined) {
          group = [];
          groups.set(key, group);
        }
        group.push(op);
      }
      /** How many ops of a group, in invoke order, were invoked before `position`. */
      const invokedBefore = (group: readonly number[], position: number): number => {
        let lo = 0;
        let hi = group.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (this.ops[group[mid]!]!.invokeIndex < position) lo = mid + 1;
          else hi = mid;
        }
        return lo;
      };
      return OpLists.build(nR, (read) => {
        if (this.readOnly[read] === 0) return [];
        const returns = this.ops[read]!.completeIndex!;
        const key = keys[read]!;
        const keyed = key === null ? all : (groups.get(key) ?? []);
        const unkeyed = key === null ? [] : (groups.get(null) ?? []);
        const keyedCut = invokedBefore(keyed, returns);
        const unkeyedCut = invokedBefore(unkeyed, returns);
        if (keyedCut + unkeyedCut > HELPERS_LISTED_MAX) return null;
        // Recent first: the ones most likely still to be placed when the list is read.
        const helpers: number[] = [];
        for (let index = keyedCut - 1; index >= 0; index -= 1) if (helps(keyed[index]!, read)) helpers.push(keyed[index]!);
        for (let index = unkeyedCut - 1; index >= 0; index -= 1) if (helps(unkeyed[index]!, read)) helpers.push(unkeyed[index]!);
        if (unkeyedCut > 0) helpers.sort((a, b) => this.ops[b]!.invokeIndex - this.ops[a]!.invokeIndex);
        return helpers;
      }, pool);
    };
    const overlapping = pruning && this.hasReadOnly && (this.space.prunes || this.space.enables) ? overlapLists(this.ops, this.readOnly, pool) : null;
    this.resetHelpers =
      overlapping === null || !this.space.prunes
        ? null
        : overlapping.filtered((op, read) => this.ops[op]!.reset === true && this.space.resetReaches(op, read), pool);
    this.candidateProducers = overlapping === null || !this.space.enables ? null : overlapping.filtered((op, read) => this.space.mayEnable(op, read), pool);
    this.producers = readHelpers(pruning && this.space.enables, () => true, (op, read) => this.space.mayEnable(op, read));
    const producers = this.producers;
    this.producersLeft = pool.take(nR);
    if (producers !== null) {
      const watched = (read: number) =>
        this.readOnly[read] === 1 && producers.listed(read) && producers.from[read + 1]! - producers.from[read]! <= WATCHED_PRODUCERS_MAX;
      const pairs: number[] = [];
      for (let read = 0; read < nR; read += 1) {
        if (!watched(read)) continue;
        for (let index = producers.from[read]!; index < producers.from[read + 1]!; index += 1) pairs.push(producers.ops[index]!, read);
        this.producersLeft[read] = producers.from[read + 1]! - producers.from[read]!;
      }
      this.watchers = OpLists.fromPairs(n, pairs, pool);
      this.orphans = pool.take(nR);
      for (let read = 0; read < nR; read += 1) if (watched(read) && this.producersLeft[read] === 0) this.orphans[this.orphanCount++] = read;
    } else {
      this.watchers = null;
      this.orphans = pool.take(0);
    }

    this.requiredBits = pool.take((nR + 31) >>> 5);
    this.readBits = pool.take((nR + 31) >>> 5);
    this.resetBits = pool.take((nR + 31) >>> 5);
    this.completedBefore = pool.take(nR);
    for (let op = 0; op < nR; op += 1) {
      if (this.readOnly[op] === 1) this.readBits[op >>> 5] = this.readBits[op >>> 5]! | (1 << (op & 31));
      if (this.ops[op]!.reset === true) this.resetBits[op >>> 5] = this.resetBits[op >>> 5]! | (1 << (op & 31));
      if (this.readOnly[op] === 0) continue;
      // Completed ops are numbered by completion: count those completed before this read's invoke.
      let lo = 0;
      let hi = op;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.ops[mid]!.completeIndex! < this.ops[op]!.invokeIndex) lo = mid + 1;
        else hi = mid;
      }
      this.completedBefore[op] = lo;
    }
    this.requiredLastMask = nR % 32 === 0 ? -1 : (1 << (nR % 32)) - 1;
    this.pendingBits = pool.take((nP + 31) >>> 5);
    this.zobristA = zobristWords(pool.take(nR), ZOBRIST_SEED_A);
    this.zobristB = zobristWords(pool.take(nR), ZOBRIST_SEED_B);
    this.frameOp = pool.take(n + 1);
    this.frameState = pool.take(n + 1);
    this.frameEntry = pool.take(n + 1);
    this.frameBound = pool.take(n + 1);
    this.frameForced = pool.take(n + 1);
    this.bestOps = pool.take(n + 1);
    this.state = this.space.initial;
    this.requiredLeft = nR;
    this.noteProgress();
    if (nR === 0) this.status = SEARCH_LINEARIZABLE;
  }

  get result(): SearchStatus {
    return this.status;
  }

  memoryBytes(): number {
    return this.cache.memoryBytes() + this.space.memoryBytes();
  }

  /** Cache entries: configurations explored. */
  get configurations(): number {
    return this.cache.size;
  }

  /** Runs at most `stepsMax` steps; returns the status (running when the slice ended first). */
  run(stepsMax: number): SearchStatus {
    if (this.status !== SEARCH_RUNNING) return this.status;
    const limit = this.steps + stepsMax;
    const next = this.next;
    const entryOp = this.entryOp;
    const entryIsReturn = this.entryIsReturn;
    const readOnly = this.readOnly;
    const space = this.space;
    while (this.steps < limit) {
      this.steps += 1;
      switch (this.phase) {
        case PHASE_FRESH: {
          // A legal read-only candidate is placed now, and nothing else is tried from here. A read
          // that can no longer become legal makes this configuration a dead end.
          let forced = -1;
          let after = -1;
          let dead = (this.orphanCount > 0 && this.orphanStuck()) || (this.resetHelpers !== null && this.nextReadUnreachable());
          if (this.hasReadOnly && !dead) {
            for (let entry = next[0]!; entryIsReturn[entry] === 0; entry = next[entry]!) {
              const op = entryOp[entry]!;
              if (readOnly[op] === 0) continue;
              after = space.next(this.state, op);
              if (after >= 0) {
                forced = op;
                break;
              }
              if (this.hopeless(op)) {
                dead = true;
                break;
              }
            }
          }
          if (dead) {
            this.phase = PHASE_BACKTRACK;
          } else if (forced < 0) {
            this.phase = PHASE_COMPLETED;
            this.cursor = next[0]!;
          } else if (this.descend(forced, after, true, -1)) {
            if (this.requiredLeft === 0) return (this.status = SEARCH_LINEARIZABLE);
          } else {
            this.phase = PHASE_BACKTRACK;
          }
          break;
        }
        case PHASE_COMPLETED: {
          const entry = this.cursor;
          if (entryIsReturn[entry] === 0) {
            this.cursor = next[entry]!;
            const op = entryOp[entry]!;
            // Read-only candidates were tried when this configuration was fresh: they are illegal.
            if (readOnly[op] !== 0) break;
            const after = space.next(this.state, op);
            if (after >= 0 && this.descend(op, after, false, -1) && this.requiredLeft === 0) {
              return (this.status = SEARCH_LINEARIZABLE);
            }
            break;
          }
          // The first return bounds the candidates; pending ops invoked before it come next.
          this.bound = this.entryPosition[entry]!;
          this.cursor = this.pendingNext[0]!;
          this.phase = PHASE_PENDING;
          break;
        }
        case PHASE_PENDING: {
          const node = this.cursor;
          if (this.pendingPosition[node]! < this.bound) {
            this.cursor = this.pendingNext[node]!;
            const pending = node - 1;
            const twin = this.pendingTwin[pending]!;
            if (twin >= 0 && (this.pendingBits[twin >>> 5]! & (1 << (twin & 31))) === 0) break;
            const op = this.requiredCount + pending;
            const after = space.next(this.state, op);
            if (after >= 0) this.descend(op, after, false, this.bound);
            break;
          }
          this.phase = PHASE_BACKTRACK;
          break;
        }
        default: {
          if (this.depth === 0) return (this.status = SEARCH_NOT_LINEARIZABLE);
          this.backtrack();
          break;
        }
      }
    }
    return SEARCH_RUNNING;
  }

  /** Linearizes `op` (reaching state `after`) unless the cache covers the new configuration. */
  private descend(op: number, after: number, forced: boolean, bound: number): boolean {
    const nR = this.requiredCount;
    const reusable = this.reusable[op] === 1;
    if (op < nR) this.setRequired(op);
    else if (!reusable) this.setPending(op - nR);
    const entry = this.cache.visit(
      this.hashA,
      this.hashB,
      after,
      this.requiredBits,
      this.requiredLo,
      this.requiredHi,
      this.pendingBits,
      this.pendingLo,
      this.pendingHi,
    );
    if (entry < 0) {
      if (op < nR) this.clearRequired(op);
      else if (!reusable) this.clearPending(op - nR);
      return false;
    }
    const depth = this.depth;
    if (depth === this.frameOp.length) this.growFrames();
    this.frameOp[depth] = op;
    this.frameState[depth] = this.state;
    this.frameEntry[depth] = entry;
    this.frameBound[depth] = bound;
    this.frameForced[depth] = forced ? 1 : 0;
    this.depth = depth + 1;
    if (this.watchers !== null && !reusable) {
      const watchers = this.watchers;
      for (let index = watchers.from[op]!, end = watchers.from[op + 1]!; index < end; index += 1) {
        const read = watchers.ops[index]!;
        this.producersLeft[read] -= 1;
        if (this.producersLeft[read] === 0) this.orphans[this.orphanCount++] = read;
      }
    }
    if (op < nR) {
      this.unlink(this.callEntry[op]!);
      this.unlink(this.returnEntry[op]!);
      this.requiredLeft -= 1;
    } else if (!reusable) {
      const node = op - nR + 1;
      this.pendingNext[this.pendingPrev[node]!] = this.pendingNext[node]!;
      this.pendingPrev[this.pendingNext[node]!] = this.pendingPrev[node]!;
    }
    this.state = after;
    this.phase = PHASE_FRESH;
    if (nR - this.requiredLeft > this.bestRequired) this.noteProgress();
    return true;
  }

  /** Takes back the last linearized op and resumes the scan after it (or keeps popping if forced). */
  private backtrack(): void {
    const nR = this.requiredCount;
    const depth = this.depth - 1;
    this.depth = depth;
    if (depth < this.bestSameBelow) this.bestSameBelow = depth;
    const op = this.frameOp[depth]!;
    this.cache.finish(this.frameEntry[depth]!);
    this.state = this.frameState[depth]!;
    const reusable = this.reusable[op] === 1;
    if (this.watchers !== null && !reusable) {
      // In reverse, so the orphan stack unwinds in the order it was pushed.
      const watchers = this.watchers;
      for (let index = watchers.from[op + 1]! - 1, start = watchers.from[op]!; index >= start; index -= 1) {
        const read = watchers.ops[index]!;
        if (this.producersLeft[read] === 0) this.orphanCount -= 1;
        this.producersLeft[read] += 1;
      }
    }
    if (op < nR) {
      // Entries go back in the reverse order they were lifted, so the links they kept are valid.
      this.relink(this.returnEntry[op]!);
      this.relink(this.callEntry[op]!);
      this.clearRequired(op);
      this.requiredLeft += 1;
    } else if (!reusable) {
      const node = op - nR + 1;
      this.pendingNext[this.pendingPrev[node]!] = node;
      this.pendingPrev[this.pendingNext[node]!] = node;
      this.clearPending(op - nR);
    }
    if (this.frameForced[depth] !== 0) {
      // The forced op stood for every choice from the configuration below: that one is done too.
      this.phase = PHASE_BACKTRACK;
    } else if (op < nR) {
      this.phase = PHASE_COMPLETED;
      this.cursor = this.next[this.callEntry[op]!]!;
    } else {
      this.phase = PHASE_PENDING;
      this.bound = this.frameBound[depth]!;
      this.cursor = this.pendingNext[op - nR + 1]!;
    }
  }

  /** Whether some unplaced orphan read is illegal now: then it can never be placed. */
  private orphanStuck(): boolean {
    const bits = this.requiredBits;
    for (let index = 0; index < this.orphanCount; index += 1) {
      const read = this.orphans[index]!;
      if ((bits[read >>> 5]! & (1 << (read & 31))) !== 0) continue;
      if (this.space.next(this.state, read) < 0) return true;
    }
    return false;
  }

  /**
   * Whether the next read to place (the first unplaced read-only op by completion) can no longer be
   * reached (Model.canReach) and no reset is left that could come before it: then no extension of
   * this configuration places it. Checked for that read even before it is a candidate, so a wrong
   * choice far back (an op placed before a pending op it should have followed) ends here, not at
   * the read. The resets that could precede it are those completed before its invoke (any unplaced
   * one counts) and those overlapping it or pending (resetHelpers).
   */
  private nextReadUnreachable(): boolean {
    const required = this.requiredBits;
    const reads = this.readBits;
    let read = -1;
    for (let word = this.requiredLo; word < required.length; word += 1) {
      const unplaced = reads[word]! & ~required[word]!;
      if (unplaced !== 0) {
        read = (word << 5) + (31 - Math.clz32(unplaced & -unplaced));
        break;
      }
    }
    if (read < 0 || this.space.canReach(this.state, read)) return false;
    const before = this.completedBefore[read]!;
    const resets = this.resetBits;
    for (let word = this.requiredLo; word << 5 < before; word += 1) {
      const inRange = (word + 1) << 5 <= before ? -1 : (1 << (before & 31)) - 1;
      if ((resets[word]! & ~required[word]! & inRange) !== 0) return false;
    }
    return !this.anyLeft(this.resetHelpers!, read);
  }

  /** Whether read-only op `read`, illegal in the current state, can never become legal from here. */
  private hopeless(read: number): boolean {
    if (this.candidateProducers !== null && !this.anyLeft(this.candidateProducers, read)) return true;
    return this.resetHelpers !== null && !this.space.canReach(this.state, read) && !this.anyLeft(this.resetHelpers, read);
  }

  /** Whether some op on `read`'s list is not linearized yet. */
  private anyLeft(lists: OpLists, read: number): boolean {
    if (!lists.listed(read)) return true;
    const nR = this.requiredCount;
    const ops = lists.ops;
    for (let index = lists.from[read]!, end = lists.from[read + 1]!; index < end; index += 1) {
      const op = ops[index]!;
      const bits = op < nR ? this.requiredBits : this.pendingBits;
      const bit = op < nR ? op : op - nR;
      if ((bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return true;
    }
    return false;
  }

  private growFrames(): void {
    const grow = (array: Int32Array): Int32Array => {
      const bigger = new Int32Array(array.length * 2);
      bigger.set(array);
      return bigger;
    };
    this.frameOp = grow(this.frameOp);
    this.frameState = grow(this.frameState);
    this.frameEntry = grow(this.frameEntry);
    this.frameBound = grow(this.frameBound);
    this.frameForced = grow(this.frameForced);
    this.bestOps = grow(this.bestOps);
  }

  private unlink(node: number): void {
    const next = this.next;
    const prev = this.prev;
    next[prev[node]!] = next[node]!;
    prev[next[node]!] = prev[node]!;
  }

  private relink(node: number): void {
    this.next[this.prev[node]!] = node;
    this.prev[this.next[node]!] = node;
  }

  private fullMask(word: number): number {
    return word === this.requiredBits.length - 1 ? this.requiredLastMask : -1;
  }

  private setRequired(op: number): void {
    const bits = this.requiredBits;
    const word = op >>> 5;
    assert((bits[word]! & (1 << (op & 31))) === 0, 'an op is linearized once');
    bits[word] = bits[word]! | (1 << (op & 31));
    this.hashA ^= this.zobristA[op]!;
    this.hashB ^= this.zobristB[op]!;
    if (word >= this.requiredHi) this.requiredHi = word + 1;
    while (this.requiredLo < bits.length && bits[this.requiredLo] === this.fullMask(this.requiredLo)) this.requiredLo += 1;
  }

  private clearRequired(op: number): void {
    const bits = this.requiredBits;
    const word = op >>> 5;
    bits[word] = bits[word]! & ~(1 << (op & 31));
    this.hashA ^= this.zobristA[op]!;
    this.hashB ^= this.zobristB[op]!;
    if (word < this.requiredLo) this.requiredLo = word;
    while (this.requiredHi > 0 && bits[this.requiredHi - 1] === 0) this.requiredHi -= 1;
  }

  private setPending(pending: number): void {
    const bits = this.pendingBits;
    const word = pending >>> 5;
    bits[word] = bits[word]! | (1 << (pending & 31));
    if (this.pendingLinearized === 0) {
      this.pendingLo = word;
      this.pendingHi = word + 1;
    } else {
      if (word < this.pendingLo) this.pendingLo = word;
      if (word >= this.pendingHi) this.pendingHi = word + 1;
    }
    this.pendingLinearized += 1;
  }

  private clearPending(pending: number): void {
    const bits = this.pendingBits;
    const word = pending >>> 5;
    bits[word] = bits[word]! & ~(1 << (pending & 31));
    this.pendingLinearized -= 1;
    if (this.pendingLinearized === 0) {
      this.pendingLo = 0;
      this.pendingHi = 0;
      return;
    }
    while (bits[this.pendingLo] === 0) this.pendingLo += 1;
    while (bits[this.pendingHi - 1] === 0) this.pendingHi -= 1;
  }

  private noteProgress(): void {
    this.bestRequired = this.requiredCount - this.requiredLeft;
    // Frames below `bestSameBelow` are still those of the last copy: copy only the rest.
    const from = Math.min(this.bestSameBelow, this.bestDepth);
    this.bestOps.set(this.frameOp.subarray(from, this.depth), from);
    this.bestDepth = this.depth;
    this.bestSameBelow = this.depth;
    this.bestState = this.state;
  }

  /** The ops linearized so far, in order (the whole linearization once the status is linearizable). */
  linearized(): number[] {
    return Array.from(this.frameOp.subarray(0, this.depth));
  }

  /** The configuration that placed the most completed ops: its ops in order and its state. */
  furthest(): { ops: number[]; state: number } {
    return { ops: Array.from(this.bestOps.subarray(0, this.bestDepth)), state: this.bestState };
  }

  /**
   * The completed ops that could come next after the furthest configuration: not placed, and
   * invoked before the first completion among those not placed.
   */
  furthestCandidates(): number[] {
    const placed = this.furthestPlaced();
    let firstReturn = POSITION_END;
    for (let op = 0; op < this.requiredCount; op += 1) {
      if (placed[op] === 0) firstReturn = Math.min(firstReturn, this.ops[op]!.completeIndex!);
    }
    const candidates: number[] = [];
    for (let op = 0; op < this.requiredCount; op += 1) {
      if (placed[op] === 0 && this.ops[op]!.invokeIndex < firstReturn) candidates.push(op);
    }
    return candidates;
  }

  /**
   * Why the furthest configuration goes no further: reads (anywhere later) that no op left to
   * place could make legal, and the candidates that are illegal in its state. Reads that only the
   * model's reachability rules out (Model.canReach) are listed when nothing else explains it.
   */
  furthestStuck(): { op: number; reason: 'illegal' | 'unreachable' }[] {
    const placed = this.furthestPlaced();
    const state = this.bestState;
    const left = (lists: OpLists | null, read: number): boolean => {
      if (lists === null || !lists.listed(read)) return true;
      for (let index = lists.from[read]!; index < lists.from[read + 1]!; index += 1) if (placed[lists.ops[index]!] === 0) return true;
      return false;
    };
    const unplacedIllegalReads: number[] = [];
    for (let read = 0; read < this.requiredCount; read += 1) {
      if (placed[read] === 0 && this.readOnly[read] === 1 && this.space.next(state, read) < 0) unplacedIllegalReads.push(read);
    }
    const stuck = new Map<number, 'illegal' | 'unreachable'>();
    for (const read of unplacedIllegalReads) if (this.producers !== null && !left(this.producers, read)) stuck.set(read, 'unreachable');
    for (const op of this.furthestCandidates()) if (!stuck.has(op) && this.space.next(state, op) < 0) stuck.set(op, 'illegal');
    if (stuck.size === 0) {
      // Reset helpers are listed for reads as candidates (overlapLists), and for the next read to
      // place with the resets completed before its invoke (nextReadUnreachable): only those are judged.
      const candidates = new Set(this.furthestCandidates());
      let nextRead = 0;
      while (nextRead < this.requiredCount && (placed[nextRead] === 1 || this.readOnly[nextRead] === 0)) nextRead += 1;
      if (nextRead === this.requiredCount) nextRead = -1;
      let resetBefore = false;
      for (let op = 0; nextRead >= 0 && op < this.completedBefore[nextRead]!; op += 1) if (placed[op] === 0 && this.ops[op]!.reset === true) resetBefore = true;
      for (const read of unplacedIllegalReads) {
        if (!candidates.has(read) && (read !== nextRead || resetBefore)) continue;
        if (this.resetHelpers !== null && !this.space.canReach(state, read) && !left(this.resetHelpers, read)) stuck.set(read, 'unreachable');
      }
    }
    return [...stuck].map(([op, reason]) => ({ op, reason })).sort((x, y) => x.op - y.op);
  }

  private furthestPlaced(): Uint8Array {
    const placed = new Uint8Array(this.ops.length);
    for (let index = 0; index < this.bestDepth; index += 1) placed[this.bestOps[index]!] = 1;
    return placed;
  }
}
