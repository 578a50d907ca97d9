// The size of a message as the TCP host sends it: the UTF-8 bytes of its JSON, computed by walking
// the value instead of serialising it (no string is built), and cut short once past a limit, so
// the check costs little on the small messages that make up nearly all traffic.
import { AssertionError } from './assert.js';

/** Nesting beyond this is not a message; it would overflow the stack of JSON.stringify too. */
const DEPTH_MAX = 512;

/** Bytes of one JSON string literal, quotes and escapes included, in UTF-8. */
function stringBytes(text: string): number {
  let bytes = 2;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20) bytes += code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d ? 2 : 6;
    else if (code === 0x22 || code === 0x5c) bytes += 2;
    else if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      const next = index + 1 < text.length ? text.charCodeAt(index + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        index++;
      } else bytes += 6; // A lone surrogate is written as \uXXXX.
    } else if (code >= 0xdc00 && code <= 0xdfff) bytes += 6;
    else bytes += 3;
  }
  return bytes;
}

/**
 * The UTF-8 length of `JSON.stringify(value)`, or some number above `limitBytes` as soon as it is
 * certain to exceed it. Messages are plain JSON values (nodes/host.ts): anything else is an
 * assertion failure of the sender, as it would be for real.
 */
export function jsonSizeBytes(value: unknown, limitBytes: number): number {
  return sizeOf(value, 0, true, limitBytes);
}

/** One value's bytes; `remaining` bounds the work (past it the caller only needs "too big"). */
function sizeOf(item: unknown, depth: number, inArray: boolean, remaining: number): number {
  switch (typeof item) {
    case 'string':
      return stringBytes(item);
    case 'number':
      return Number.isFinite(item) ? numberBytes(item) : 4;
    case 'boolean':
      return item ? 4 : 5;
    case 'undefined':
      // Only reached inside arrays (object fields that are undefined are skipped): written null.
      return inArray ? 4 : 0;
    case 'object':
      break;
    default:
      throw new AssertionError(`a message must be plain JSON; found a ${typeof item}`);
  }
  if (item === null) return 4;
  if (depth > DEPTH_MAX) throw new AssertionError(`message nested deeper than ${DEPTH_MAX}`);
  if (Array.isArray(item)) {
    let total = 2 + (item.length > 0 ? item.length - 1 : 0);
    for (let index = 0; index < item.length && total <= remaining; index++) total += sizeOf(item[index], depth + 1, true, remaining - total);
    return total;
  }
  // A class instance, typed array or map does not survive JSON unchanged: refused, as the contract says (nodes/host.ts).
  const prototype = Object.getPrototypeOf(item);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new AssertionError(`a message must be plain JSON; found a ${(item as object).constructor?.name ?? 'non-plain object'}`);
  }
  let total = 2;
  let fields = 0;
  for (const key in item) {
    const field = (item as Record<string, unknown>)[key];
    if (field === undefined || typeof field === 'function') continue;
    total += stringBytes(key) + 1 + sizeOf(field, depth + 1, false, remaining - total);
    fields++;
    if (total > remaining) return total;
  }
  return total + (fields > 0 ? fields - 1 : 0);
}

/** Digits of a safe integer without making its string; other numbers as JavaScript writes them. */
function numberBytes(value: number): number {
  if (Number.isSafeInteger(value)) {
    let digits = value < 0 ? 2 : 1;
    let rest = value < 0 ? -value : value;
    while (rest >= 10) {
      rest = Math.floor(rest / 10);
      digits++;
    }
    return digits;
  }
  return String(value).length;
}
