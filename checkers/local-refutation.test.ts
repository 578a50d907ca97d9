// A refuted window must mean a history that is not linearizable: the relaxation is checked against
// brute force on small random histories and random windows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partsOf } from './linearizability.js';
import { refuteWindow, relaxedWindow } from './local-refutation.js';
import { models } from './models/index.js';
import { bruteForceLinearizable } from './oracle.js';
import { pairOps } from './paired-ops.js';
import { randomHistory } from './testing/random-history.js';

describe('window refutation', () => {
  for (const name of ['cas-register', 'cas-register-absent', 'mutex']) {
    it(`never refutes a linearizable history (${name})`, () => {
      const model = models[name]!;
      let refuted = 0;
      fc.assert(
        fc.property(randomHistory(name, 9), fc.nat(20), fc.nat(20), (history, a, b) => {
          const { parts } = partsOf(pairOps(history).ops, model, true);
          const part = parts[0];
          if (part === undefined) return;
          const from = Math.min(a, b);
          const to = Math.max(a, b) + 1;
          const states = model.statesOf!(part.ops.map((op) => op.input));
          const verdict = refuteWindow(model, relaxedWindow(part.ops, from, to), states, 100_000);
          if (!verdict.refuted) return;
          refuted += 1;
          expect(bruteForceLinearizable(history, model)).toBe(false);
        }),
        { numRuns: 1500 },
      );
      expect(refuted).toBeGreaterThan(10);
    });
  }

  it('keeps completed ops inside the window, makes the others optional, and drops what is outside', () => {
    const op = (invokeIndex: number, completeIndex: number | null, readOnly = false) => ({
      source: invokeIndex,
      input: invokeIndex,
      readOnly,
      invokeIndex,
      completeIndex,
    });
    const ops = [op(0, 1), op(2, 6), op(3, 4), op(5, 9), op(7, null), op(8, 12, true), op(10, 11), op(13, 14)];
    const window = relaxedWindow(ops, 3, 10);
    expect(window.map((item) => [item.invokeIndex, item.completeIndex, item.reusable === true])).toEqual([
      [2, null, true],
      [3, 4, false],
      [5, 9, false],
      [7, null, false],
    ]);
  });
});
