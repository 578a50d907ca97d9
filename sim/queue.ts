// The event queue: a binary min-heap ordered by (time ns, scheduling sequence), in typed arrays.
// Events with equal times come out in the order they were scheduled, which is what makes a run a
// pure function of its seed. Event payloads live in a slot pool of parallel arrays (struct of
// arrays), so scheduling a message or a timer allocates nothing but, at most, a growth of the pool.
import { AssertionError, assert, isCount } from './assert.js';

/** What a slot holds. The World interprets the fields per kind. */
export const EventKind = {
  /** A message arriving: target = receiver, source = sender, id = message id, payload = message. */
  message: 1,
  /** A timer firing: target, incarnation, id = timer id, payload = tag. */
  timer: 2,
  /** An fsync completing: target, incarnation, payload = the disk's pending fsync record. */
  fsync: 3,
  /** A control action of the harness (nemesis): payload = closure. */
  control: 4,
} as const;
export type EventKindCode = (typeof EventKind)[keyof typeof EventKind];

/** The largest number of live events (queued or held) the queue may grow to. */
export const QUEUE_CAPACITY_MAX = 1 << 22;
export const QUEUE_CAPACITY_INITIAL = 1 << 10;
/** Slots are below 2^22, so a heap key packs sequence * 2^22 + slot. */
const SLOT_SPAN = QUEUE_CAPACITY_MAX;
/** Exact (a power of two): the slot is the key minus whole spans, without a slow double modulo. */
const SLOT_SPAN_INVERSE = 1 / SLOT_SPAN;
/** Sequences below 2^31 keep keys below 2^53, exact in a double. */
export const SEQUENCE_MAX = 2 ** 31;

export class EventQueue {
  // Slot pool (struct of arrays). Index = slot number.
  kind: Uint8Array;
  target: Int32Array;
  source: Int32Array;
  incarnation: Uint32Array;
  /** Message id or timer id (safe integers). */
  id: Float64Array;
  /** Set when a timer was cancelled while queued; the slot is released when it pops. */
  cancelled: Uint8Array;
  payload: unknown[];

  // Heap of (time, key) pairs interleaved in one array, so a comparison reads one cache line.
  // key = sequence * 2^22 + slot: ordering by key is ordering by sequence, and the slot rides along.
  private heap: Float64Array;
  private heapSize = 0;

  private freeSlots: Int32Array;
  private freeCount: number;
  private capacity: number;
  private sequence = 0;
  /** Peak number of live slots, for stats. */
  liveMax = 0;

  constructor(
    capacityInitial: number = QUEUE_CAPACITY_INITIAL,
    readonly capacityMax: number = QUEUE_CAPACITY_MAX,
    /** Tests lower this to exercise renumbering; keys stay exact up to SEQUENCE_MAX. */
    private readonly sequenceMax: number = SEQUENCE_MAX,
  ) {
    assert(sequenceMax > 0 && sequenceMax <= SEQUENCE_MAX, 'queue: sequence limit beyond 2^31');
    assert(isCount(capacityInitial) && capacityInitial > 0, 'queue: initial capacity must be positive');
    assert(capacityInitial <= capacityMax && capacityMax <= QUEUE_CAPACITY_MAX, 'queue: capacity beyond the stated maximum');
    this.capacity = capacityInitial;
    this.kind = new Uint8Array(capacityInitial);
    this.target = new Int32Array(capacityInitial);
    this.source = new Int32Array(capacityInitial);
    this.incarnation = new Uint32Array(capacityInitial);
    this.id = new Float64Array(capacityInitial);
    this.cancelled = new Uint8Array(capacityInitial);
    this.payload = new Array<unknown>(capacityInitial).fill(undefined);
    this.heap = new Float64Array(2 * capacityInitial);
    this.freeSlots = new Int32Array(capacityInitial);
    // Hand out low slots first: a stack popped from the end holds them in reverse.
    for (let i = 0; i < capacityInitial; i++) this.freeSlots[i] = capacityInitial - 1 - i;
    this.freeCount = capacityInitial;
  }

  /** Events in the heap (not counting slots held outside it, such as a paused process's). */
  get size(): number {
    return this.heapSize;
  }

  /** Slots in use: queued plus held. */
  get live(): number {
    return this.capacity - this.freeCount;
  }

  /** A free slot with its fields reset, or -1 when the queue is at its maximum capacity. */
  allocate(kind: EventKindCode): number {
    if (this.freeCount === 0 && !this.grow()) return -1;
    const slot = this.freeSlots[--this.freeCount]!;
    this.kind[slot] = kind;
    this.cancelled[slot] = 0;
    const live = this.capacity - this.freeCount;
    if (live > this.liveMax) this.liveMax = live;
    return slot;
  }

  /** Returns a slot to the pool; its payload reference is dropped so memory can be collected. */
  release(slot: number): void {
    if (this.kind[slot] === 0) throw new AssertionError(`queue: release of a free slot ${slot}`);
    this.kind[slot] = 0;
    this.payload[slot] = undefined;
    this.freeSlots[this.freeCount++] = slot;
  }

  /** Schedules an allocated slot at `timeNs`; ties are broken by the order of calls to push. */
  push(timeNs: number, slot: number): void {
    assert(this.heapSize < this.capacity, 'queue: heap overflow (a slot pushed twice?)');
    if (this.sequence >= this.sequenceMax) this.renumber();
    const key = this.sequence++ * SLOT_SPAN + slot;
    const heap = this.heap;
    let hole = this.heapSize++;
    // Sift up: move parents down until the new entry fits.
    while (hole > 0) {
      const parent = (hole - 1) >> 1;
      const parentTime = heap[2 * parent]!;
      if (parentTime < timeNs || (parentTime === timeNs && heap[2 * parent + 1]! < key)) break;
      heap[2 * hole] = parentTime;
      heap[2 * hole + 1] = heap[2 * parent + 1]!;
      hole = parent;
    }
    heap[2 * hole] = timeNs;
    heap[2 * hole + 1] = key;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    return this.heapSize === 0 ? Infinity : this.heap[0]!;
  }

  /** Time of the event returned by the last `pop`. */
  poppedTimeNs = 0;

  /** Removes the earliest event and returns its slot (its time in `poppedTimeNs`), or -1 when empty. */
  pop(): number {
    if (this.heapSize === 0) return -1;
    const heap = this.heap;
    const topKey = heap[1]!;
    this.poppedTimeNs = heap[0]!;
    const size = --this.heapSize;
    if (size > 0) {
      const time = heap[2 * size]!;
      const key = heap[2 * size + 1]!;
      let hole = 0;
      // Sift down: move the smaller child up until the last entry fits.
      for (;;) {
        let child = 2 * hole + 1;
        if (child >= size) break;
        let childTime = heap[2 * child]!;
        let childKey = heap[2 * child + 1]!;
        const right = child + 1;
        if (right < size) {
          const rightTime = heap[2 * right]!;
          const rightKey = heap[2 * right + 1]!;
          if (rightTime < childTime || (rightTime === childTime && rightKey < childKey)) {
            child = right;
            childTime = rightTime;
            childKey = rightKey;
          }
        }
        if (time < childTime || (time === childTime && key < childKey)) break;
        heap[2 * hole] = childTime;
        heap[2 * hole + 1] = childKey;
        hole = child;
      }
      heap[2 * hole] = time;
      heap[2 * hole + 1] = key;
    }
    return topKey - Math.floor(topKey * SLOT_SPAN_INVERSE) * SLOT_SPAN;
  }

  /**
   * Sequence numbers are finite (key must stay below 2^53): when they run out, the queued entries
   * are renumbered 0..n-1 in their (time, sequence) order. A sorted array is a valid heap, and
   * relative order among equal times is kept, so nothing observable changes.
   */
  private renumber(): void {
    const entries: [number, number][] = [];
    for (let i = 0; i < this.heapSize; i++) entries.push([this.heap[2 * i]!, this.heap[2 * i + 1]!]);
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    entries.forEach(([time, key], index) => {
      this.heap[2 * index] = time;
      this.heap[2 * index + 1] = index * SLOT_SPAN + (key % SLOT_SPAN);
    });
    this.sequence = entries.length;
    this.renumbered++;
  }

  /** How many times sequences were renumbered (tests force it with a small sequence limit). */
  renumbered = 0;

  /** Doubles every array up to `capacityMax`; false when already there. */
  private grow(): boolean {
    if (this.capacity >= this.capacityMax) return false;
    const old = this.capacity;
    const capacity = Math.min(old * 2, this.capacityMax);
    this.kind = growU8(this.kind, capacity);
    this.target = growI32(this.target, capacity);
    this.source = growI32(this.source, capacity);
    this.incarnation = growU32(this.incarnation, capacity);
    this.id = growF64(this.id, capacity);
    this.cancelled = growU8(this.cancelled, capacity);
    for (let i = old; i < capacity; i++) this.payload.push(undefined);
    this.heap = growF64(this.heap, 2 * capacity);
    this.freeSlots = growI32(this.freeSlots, capacity);
    for (let slot = capacity - 1; slot >= old; slot--) this.freeSlots[this.freeCount++] = slot;
    this.capacity = capacity;
    return true;
  }
}

function growU8(array: Uint8Array, capacity: number): Uint8Array {
  const next = new Uint8Array(capacity);
  next.set(array);
  return next;
}
function growU32(array: Uint32Array, capacity: number): Uint32Array {
  const next = new Uint32Array(capacity);
  next.set(array);
  return next;
}
function growI32(array: Int32Array, capacity: number): Int32Array {
  const next = new Int32Array(capacity);
  next.set(array);
  return next;
}
function growF64(array: Float64Array, capacity: number): Float64Array {
  const next = new Float64Array(capacity);
  next.set(array);
  return next;
}
