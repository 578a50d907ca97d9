// Tables for a search, cut from shared chunks. A typed array of more than 64 bytes costs about a
// microsecond to allocate (its memory lives outside the heap), a view of a chunk some tens of
// nanoseconds, and the search of a small part needs some forty tables: without the pool, a check of
// a one-client history spends most of its time allocating. A view is zero when handed out (chunk
// memory is fresh and each range is handed out once); a table that grows later gets its own array.
import { assert } from './assert.js';

/** Ints of the first chunk (4 KB): a one-client history needs about that much. */
const CHUNK_INTS_FIRST = 1024;
/** Chunks double up to this many ints (128 KB). */
const CHUNK_INTS_MAX = 32768;
/** Requests longer than this get their own array, so a chunk is not wasted on one large table. */
const POOLED_INTS_MAX = 2048;

export class Int32Pool {
  private chunk = new Int32Array(0);
  private used = 0;
  private chunkIntsNext: number;

  /** `firstChunkInts`: about what the check will need, so a small one allocates once. */
  constructor(firstChunkInts = CHUNK_INTS_FIRST) {
    this.chunkIntsNext = Math.max(CHUNK_INTS_FIRST, Math.min(CHUNK_INTS_MAX, firstChunkInts));
  }

  /** A zeroed table of `length` ints. */
  take(length: number): Int32Array {
    assert(length >= 0, 'a table length is not negative');
    if (length > POOLED_INTS_MAX) return new Int32Array(length);
    if (this.used + length > this.chunk.length) {
      this.chunk = new Int32Array(Math.max(this.chunkIntsNext, length));
      this.chunkIntsNext = Math.min(CHUNK_INTS_MAX, this.chunkIntsNext * 2);
      this.used = 0;
    }
    const view = this.chunk.subarray(this.used, this.used + length);
    this.used += length;
    return view;
  }

  /** A table of `length` ints, each `value`. */
  filled(length: number, value: number): Int32Array {
    const table = this.take(length);
    if (value !== 0) table.fill(value);
    return table;
  }
}
