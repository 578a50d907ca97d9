// The fast search against its dumb twin: on many small random histories (concurrent ops, fail and
// info outcomes, invokes never completed) both must give the same verdict, for every model, split
// by key or not; and the evidence must check out independently.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { History } from '../histories/schema.js';
import { checkHistory } from './linearizability.js';
import { ILLEGAL, type Model } from './model.js';
import { models } from './models/index.js';
import { bruteForceLinearizable, linearizationProblem } from './oracle.js';
import { pairOps } from './paired-ops.js';
import { randomHistory } from './testing/random-history.js';

const RUNS = 250;

/** Replays a prefix of evidence ops (by invoke index) from the start; returns the states per key. */
function replay(history: History, model: Model, invokeIndexes: readonly number[]): Map<string, unknown> {
  const byInvoke = new Map(pairOps(history).ops.map((op) => [op.invokeIndex, op]));
  const states = new Map<string, unknown>();
  for (const index of invokeIndexes) {
    const op = byInvoke.get(index)!;
    const key = model.keyed ? (op.key ?? '') : '';
    const prepared = model.prepare(op)!;
    const after = model.step(states.has(key) ? states.get(key) : model.init(), prepared.input);
    expect(after).not.toBe(ILLEGAL);
    states.set(key, after);
  }
  return states;
}

function agreesWithOracle(name: string, keys: number, opsMax: number): void {
  const model = models[name]!;
  const seen = { linearizable: 0, not: 0 };
  fc.assert(
    fc.property(randomHistory(name, opsMax, keys), (history) => {
      const expected = bruteForceLinearizable(history, model);
      const result = checkHistory(history, model, { evidence: true });
      expect(result.verdict).toBe(expected ? 'linearizable' : 'not-linearizable');
      if (model.keyed) expect(checkHistory(history, model, { partition: false }).verdict).toBe(result.verdict);
      if (expected) seen.linearizable += 1;
      else seen.not += 1;
      const evidence = result.evidence!;
      if (evidence.kind === 'linearization') {
        // Each part's order is a linearization of that part's ops.
        for (const part of evidence.parts) {
          const ops = part.key === null ? history : history.filter((record) => record.key === part.key);
          expect(linearizationProblem(ops, model, part.order.map((op) => op.invokeIndex))).toBeNull();
        }
      } else if (evidence.kind === 'not-linearizable') {
        const ops = evidence.key === null ? history : history.filter((record) => record.key === evidence.key);
        const states = replay(ops, model, evidence.prefix.map((op) => op.invokeIndex));
        expect(evidence.stuck.length + (evidence.window === undefined ? 0 : 1)).toBeGreaterThan(0);
        const byInvoke = new Map(pairOps(ops).ops.map((op) => [op.invokeIndex, op]));
        for (const stuck of evidence.stuck) {
          const op = byInvoke.get(stuck.invokeIndex)!;
          const key = model.keyed ? (op.key ?? '') : '';
          const state = states.has(key) ? states.get(key) : model.init();
          expect(stuck.stateBefore).toBe(model.show(state));
          expect(model.step(state, model.prepare(op)!.input)).toBe(ILLEGAL);
        }
      }
    }),
    { numRuns: RUNS },
  );
  // Both verdicts must come up, or the property proved little.
  expect(seen.linearizable).toBeGreaterThan(RUNS / 20);
  expect(seen.not).toBeGreaterThan(RUNS / 20);
}

describe('the search agrees with brute force on small random histories', () => {
  for (const name of ['register', 'cas-register', 'cas-register-absent', 'mutex', 'counter', 'set', 'queue', 'multi-register']) {
    it(name, () => agreesWithOracle(name, 1, 8));
  }
  it('kv, split by key and not', () => agreesWithOracle('kv', 2, 8));
  it('cas-register with keys, split by key and not', () => agreesWithOracle('cas-register', 3, 9));
});
