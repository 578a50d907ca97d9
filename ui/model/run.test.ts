import { describe, expect, it } from 'vitest';
import { historyOf, FAILING_OPS, storedRun } from '../testing/fixtures.js';
import { runSummaryLines } from '../viewer/summary.js';
import { buildRunModel, reproOf } from './run.js';

describe('the repro of a stored run', () => {
  it('replays a simulated run by its id', () => {
    expect(reproOf(storedRun({ id: 4, kind: 'sim', repro: 'npm run --silent crucible -- run --system raft --seed 1' }))).toBe('npm run --silent crucible -- replay 4');
  });

  it('keeps the plugin module and the CLI prefix of the command that made the run', () => {
    const run = storedRun({ id: 6, kind: 'sim', repro: 'npx crucible run --system counter --seed 2 --plugin counter.ts' });
    expect(reproOf(run)).toBe('npx crucible replay 6 --plugin counter.ts');
  });

  it('gives a cluster run its own command, never `replay ID` (a cluster run has no seed to replay)', () => {
    const command = 'npm run --silent crucible -- cluster test --system raft --nodes 3 --ops 200';
    const model = buildRunModel(storedRun({ id: 22, kind: 'cluster', seed: null, repro: command }), historyOf(FAILING_OPS), []);
    expect(model.repro).toBe(command);
    const lines = runSummaryLines(model);
    expect(lines[0]).toBe(command);
    expect(lines.at(-1)).toBe(command);
    expect(lines.join('\n')).not.toContain('replay 22');
  });

  it('says in words when nothing reproduces a run', () => {
    const model = buildRunModel(storedRun({ id: 9, kind: 'import', seed: null, repro: null }), [], []);
    expect(model.repro).toBeNull();
    expect(model.reproLine).toBe('run 9 is an import run with no stored command to reproduce it');
  });
});
