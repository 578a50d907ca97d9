// Invariant assertions for the kernel. A failed assertion is a bug in the simulator (or a misuse of
// its API by a caller), never an event of the simulated world, so it throws a plain Error at once.

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

/**
 * Throws when `condition` is false. The message should say which invariant broke. On hot paths
 * write `if (!condition) throw new AssertionError(...)` instead when the message is a template:
 * an argument is built on every call, even when the condition holds.
 */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** True for a non-negative integer that is exactly representable (a time, a count, a size). */
export function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}
