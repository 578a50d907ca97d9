// Assertions state the scheduler's invariants; a failed one is a bug in this code, never an input.
export class SchedulerAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchedulerAssertionError';
  }
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new SchedulerAssertionError(`scheduler assertion failed: ${message}`);
}
