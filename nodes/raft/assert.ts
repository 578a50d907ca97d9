// Assertions that document invariants and run (TigerBeetle style). A failed assertion throws; the
// World records it as a failure of the node and crashes that node, so a broken invariant is never
// silent.

export class RaftAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RaftAssertionError';
  }
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new RaftAssertionError(`raft assertion failed: ${message}`);
}

/**
 * Throws a failed assertion. Hot paths write `if (!condition) fail(\`...\`)`: a template message
 * passed to `assert` would be built on every call, even when the condition holds.
 */
export function fail(message: string): never {
  throw new RaftAssertionError(`raft assertion failed: ${message}`);
}
