// Node's Buffer typings (@types/node 20.9) predate TypeScript 5.9's generic typed arrays, so a
// Buffer does not type-check where a Uint8Array is expected. These views convert without copying.

/** The same bytes as a plain Uint8Array view (no copy). */
export function view(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** A Buffer over the same bytes as a Uint8Array (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Concatenates into a new Buffer. */
export function concat(parts: readonly Buffer[]): Buffer {
  return Buffer.concat(parts.map(view));
}

/** A fresh copy of `buffer[start..]`. */
export function copyTail(buffer: Buffer, start: number): Buffer {
  const tail = Buffer.allocUnsafe(buffer.length - start);
  view(tail).set(view(buffer).subarray(start));
  return tail;
}
