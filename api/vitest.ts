// vitest integration (`import { expectSafe } from 'crucible/vitest'`): a campaign as one assertion,
// whose failure message begins with the replay command and whose capsule is written beside the test
// file (`__capsules__/` in the test's folder), and matchers for verdicts:
//
//     await expectSafe(system, { runs: 200, scenario: { faults: { kinds: ['partition'] } } });
//     expect(simulate({ system, seed: 1 })).toBeValid();
//     expect(check(history, 'counter')).toHaveVerdict('invalid');
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import type { CheckerResult, Verdict } from '../nodes/host.js';
import { fuzz, type FuzzOptions, type FuzzReport } from './fuzz.js';
import type { SystemRef } from './system.js';

/** The folder beside the running test file where its capsules go. */
export function capsuleDirBesideTest(): string {
  const testPath = expect.getState().testPath;
  if (testPath === undefined) throw new Error('expectSafe: no test is running (call it inside it(...))');
  return join(dirname(testPath), '__capsules__');
}

export type ExpectSafeOptions = Omit<FuzzOptions, 'system'>;

/**
 * Fuzzes `system` and fails the test on the first violation: the message begins with the replay
 * command of the shrunk capsule, then what the checkers said and how far it shrank. Resolves with
 * the report when every run was valid.
 */
export async function expectSafe(system: SystemRef | { module: string }, options: ExpectSafeOptions): Promise<FuzzReport> {
  const report = await fuzz({ ...options, system, capsules: options.capsules ?? capsuleDirBesideTest() });
  const failure = report.failures[0];
  if (failure !== undefined) {
    const shrunk = failure.shrunk;
    const size = failure.shrink === null ? 'not shrunk' : `shrunk ${failure.found.faultEvents} -> ${shrunk.faultEvents} fault events, ${failure.found.ops} -> ${shrunk.ops} ops in ${failure.shrink.runs} runs`;
    const head = shrunk.repro ?? `(no capsule written) seed ${failure.seed}`;
    const error = new Error(
      `${head}\n  # seed ${failure.seed} (capsule seed ${shrunk.seed}) ${shrunk.verdict} (${failure.violation}); ${size}\n  # ${shrunk.summary}` +
        (report.failures.length > 1 ? `\n  # and ${report.failures.length - 1} more failing seed(s): ${report.failures.slice(1).map((other) => other.seed).join(', ')}` : ''),
    );
    // The report rides along for a test that wants to look further.
    Object.assign(error, { report });
    throw error;
  }
  if (report.errors.length > 0) throw new Error(`expectSafe: ${report.errors.length} run(s) threw; first, seed ${report.errors[0]!.seed}: ${report.errors[0]!.message.split('\n')[0]}`);
  if (report.unknown > 0) throw new Error(`expectSafe: ${report.unknown} of ${report.runs} runs could not be decided (a checker ran out of budget); that is not a pass`);
  return report;
}

/** Anything with a verdict: a Simulation, a Replay, a CheckerResult, a fuzz report's shrunk run. */
interface HasVerdict {
  verdict: Verdict;
  checkers?: readonly CheckerResult[];
  summary?: string;
  repro?: string | null;
}

function verdictOf(received: unknown): HasVerdict | null {
  if (typeof received !== 'object' || received === null) return null;
  const verdict = (received as { verdict?: unknown }).verdict;
  return verdict === 'valid' || verdict === 'invalid' || verdict === 'unknown' ? (received as HasVerdict) : null;
}

function explain(value: HasVerdict): string {
  const complaints = value.checkers?.filter((checker) => checker.verdict !== 'valid').map((checker) => `${checker.checker}: ${checker.summary}`) ?? [];
  const what = complaints.length > 0 ? complaints.join('; ') : (value.summary ?? '');
  return `${value.repro ? `${value.repro}\n  # ` : ''}${value.verdict}${what === '' ? '' : `: ${what}`}`;
}

expect.extend({
  toHaveVerdict(received: unknown, expected: Verdict) {
    const value = verdictOf(received);
    if (value === null) return { pass: false, message: () => `expected a simulation or checker result (with a verdict), got ${this.utils.printReceived(received)}` };
    return {
      pass: value.verdict === expected,
      message: () => (value.verdict === expected ? `expected a verdict other than ${expected}` : `expected verdict ${expected}, got ${explain(value)}`),
    };
  },
  toBeValid(received: unknown) {
    const value = verdictOf(received);
    if (value === null) return { pass: false, message: () => `expected a simulation or checker result (with a verdict), got ${this.utils.printReceived(received)}` };
    return { pass: value.verdict === 'valid', message: () => (value.verdict === 'valid' ? 'expected a violation, but every checker said valid' : explain(value)) };
  },
});

interface VerdictMatchers<R = unknown> {
  /** Every checker said valid; otherwise the message begins with the replay command. */
  toBeValid(): R;
  toHaveVerdict(verdict: Verdict): R;
}

declare module 'vitest' {
  interface Assertion<T = any> extends VerdictMatchers<T> {}
  interface AsymmetricMatchersContaining extends VerdictMatchers {}
}
