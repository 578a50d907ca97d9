// The example project's own tests, as a user writes them: the public API only.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { check, simulate } from 'crucible';
import { scenarioArb } from 'crucible/fast-check';
import { expectSafe } from 'crucible/vitest';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { system } from './counter.js';

const FAULTS = { kinds: ['all'] };

describe('the replicated counter', () => {
  it('stays linearizable and live under every fault kind', async () => {
    const report = await expectSafe(system, { runs: 40, scenario: { faults: FAULTS } });
    expect(report.valid).toBe(40);
  });

  it('finds, shrinks and explains its planted bug; the message begins with the replay command', async () => {
    const failed = await expectSafe(system, { runs: 60, scenario: { faults: FAULTS, bug: 'counter.count-retries' } }).then(
      () => null,
      (error: Error) => error,
    );
    expect(failed).not.toBeNull();
    const message = failed!.message;
    const [command, file] = /^(npm run --silent crucible -- replay (\S+))/.exec(message)!.slice(1);
    expect(command).toBeDefined();
    // The capsule sits beside this test file, and it replays to the same violation.
    expect(file).toMatch(/examples\/counter\/__capsules__\/counter-counter\.count-retries-seed\d+-[0-9a-f]+\.json$/);
    expect(existsSync(file!)).toBe(true);
    const capsule = JSON.parse(readFileSync(file!, 'utf8'));
    expect(capsule.expected.violation).toBe('linearizable');
    expect(capsule.size.ops).toBeLessThan(capsule.found.ops);
    const again = simulate({ system, seed: capsule.seed, scenario: capsule.scenario, capsules: false });
    expect(again).toHaveVerdict('invalid');
    expect(again.fingerprint).toBe(capsule.expected.fingerprint);
    rmSync(file!);
  });

  it('is valid under one simulation, and the history judges the same through check()', () => {
    const run = simulate({ system, seed: 7, scenario: { faults: { kinds: ['partition', 'crash'] } } });
    expect(run).toBeValid();
    expect(check(run.history, 'counter')).toHaveVerdict('valid');
    // A read the adds cannot explain: the same checker refuses it.
    const forged = [
      { index: 0, process: 0, type: 'invoke' as const, f: 'add', value: 2 },
      { index: 1, process: 0, type: 'ok' as const, f: 'add', value: 2 },
      { index: 2, process: 1, type: 'invoke' as const, f: 'read', value: null },
      { index: 3, process: 1, type: 'ok' as const, f: 'read', value: 4 },
    ];
    expect(check(forged, 'counter')).toHaveVerdict('invalid');
  });

  it('a fast-check property over scenarios fails on the planted bug, and shrinks to a capsule', () => {
    const property = fc.property(scenarioArb(system, { bug: 'counter.count-retries', faults: ['network'], capsules: 'examples/counter/__capsules__' }), (s) => simulate(s).valid);
    const details = fc.check(property, { numRuns: 30, seed: 11 });
    expect(details.failed).toBe(true);
    const printed = fc.stringify(details.counterexample![0]);
    const file = /replay (\S+\.json)/.exec(printed)![1]!;
    expect(printed.startsWith('npm run --silent crucible -- replay ')).toBe(true);
    expect(existsSync(file)).toBe(true);
    // fast-check's shrinking made the case small: few fault events, few ops.
    const counterexample = details.counterexample![0];
    expect((counterexample.scenario.faults as unknown[]).length).toBeLessThanOrEqual(2);
    rmSync(file);
  });
});
