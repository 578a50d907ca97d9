import { describe, expect, it } from 'vitest';
import { checkLiveness } from '../../checkers/liveness.js';
import { FAILING_OPS, failingCheckers, historyOf } from '../testing/fixtures.js';
import { describeEvidenceOp, indexesNamed, prettyEvidence, readEvidenceOp, violationsOf } from './evidence.js';

describe('evidence', () => {
  it('reads the linearizability checker evidence: key, model, prefix, stuck ops and their states', () => {
    const history = historyOf(FAILING_OPS);
    const violations = violationsOf(failingCheckers(history));
    expect(violations).toHaveLength(1);
    const violation = violations[0]!;
    expect(violation.checker).toBe('linearizable');
    const lin = violation.linearizability!;
    expect(lin.key).toBe('x');
    expect(lin.model).toBe('cas-register');
    expect(lin.stateAfterPrefix).toBe('3');
    expect(lin.prefix.map((op) => op.f)).toEqual(['write', 'read', 'cas', 'read', 'write']);
    expect(lin.stuck).toHaveLength(1);
    const stale = history.find((record) => record.type === 'invoke' && record.process === 0 && record.time === 70_000_000)!;
    expect(lin.stuck[0]).toMatchObject({ invokeIndex: stale.index, process: 0, f: 'read', value: 2, outcome: 'ok', stateBefore: '3' });
    // The highlight is the stuck op's invoke and completion, nothing from the prefix.
    expect(violation.indexes).toEqual([stale.index, stale.index + 1]);
  });

  it('shows other checkers generically and highlights the history indexes they name', () => {
    const history = historyOf([
      { process: 0, f: 'write', value: 1, type: 'info', startMs: 1, endMs: 13, node: 'n1' },
      { process: 1, f: 'read', value: null, type: 'fail', startMs: 11, endMs: 14, node: 'n2' },
    ]);
    const liveness = checkLiveness(history, { healedAtNs: 10_000_000, endNs: 40_000_000, boundNs: 5_000_000 });
    expect(liveness.verdict).not.toBe('valid');
    const [violation] = violationsOf([{ checker: 'set', verdict: 'valid', summary: 'fine' }, liveness]);
    expect(violation!.checker).toBe('liveness');
    expect(violation!.linearizability).toBeNull();
    // The liveness checker names the stalled ops by their completions (the info and the fail).
    expect(violation!.indexes).toEqual([2, 3]);
    expect(violation!.indexes.map((index) => history[index]!.type)).toEqual(['info', 'fail']);
    expect(prettyEvidence(violation!.evidence, 1000).join('\n')).toContain('windowStartNs');
  });

  it('orders invalid before unknown and skips valid checkers', () => {
    const violations = violationsOf([
      { checker: 'a', verdict: 'unknown', summary: 'budget' },
      { checker: 'b', verdict: 'valid', summary: 'ok' },
      { checker: 'c', verdict: 'invalid', summary: 'lost 3' },
    ]);
    expect(violations.map((violation) => violation.checker)).toEqual(['c', 'a']);
  });

  it('reads ops of other shapes: nested op objects, bare indexes, and rejects what is not an op', () => {
    expect(readEvidenceOp({ op: { index: 4, process: 2, f: 'get' }, state: { x: 1 } })).toEqual({ invokeIndex: 4, process: 2, f: 'get', stateBefore: '{"x":1}' });
    expect(readEvidenceOp(7)).toEqual({ invokeIndex: 7 });
    expect(readEvidenceOp({ colour: 'red' })).toBeNull();
    expect(readEvidenceOp('text')).toBeNull();
    expect(indexesNamed({ lost: [{ index: 3 }, { index: 9 }], indexes: [1, 2], nested: { invokeIndex: 5, completeIndex: 6, other: 99 } }).sort((a, b) => a - b)).toEqual([1, 2, 3, 5, 6, 9]);
  });

  it('describes an op in one line and cuts long JSON', () => {
    expect(describeEvidenceOp({ invokeIndex: 3, process: 1, f: 'cas', key: 'k', value: [1, 2], outcome: 'fail', invokeNs: 1_500_000, completeNs: 2_000_000 })).toBe('#3 p1 cas k [1,2] -> fail [1.500-2.000ms]');
    const lines = prettyEvidence({ list: Array.from({ length: 50 }, (_, index) => index) }, 10);
    expect(lines).toHaveLength(11);
    expect(lines[10]).toMatch(/^… \d+ more lines$/);
    expect(prettyEvidence(undefined, 5)).toEqual(['(no evidence)']);
  });
});
