import { describe, expect, it } from 'vitest';
import { buildRunModel } from '../model/run.js';
import { failingModel, storedRun } from '../testing/fixtures.js';
import { runListLines, runSummaryLines } from './summary.js';

describe('plain-text summary', () => {
  it('starts and ends with the replay command and says what broke, one line per event', () => {
    const lines = runSummaryLines(failingModel(2));
    expect(lines[0]).toBe('npm run --silent crucible -- replay 2');
    expect(lines[lines.length - 1]).toBe('npm run --silent crucible -- replay 2');
    expect(lines).toContain('fault 40.000ms until 90.000ms: partition-isolate n1');
    expect(lines).toContain('fault 55.000ms: clock-jump jumpMs=-20 n2');
    expect(lines.filter((line) => line.startsWith('checker '))).toHaveLength(2);
    expect(lines.some((line) => line.startsWith('evidence ✗ #11 p0 read x 2 -> ok') && line.endsWith('state before: 3'))).toBe(true);
    expect(lines).toContain('offending op 70.000ms #11 p0 read x -> ok 2 @n1');
    for (const line of lines) expect(line).not.toContain('\n');
  });

  it('says when a run kept no history', () => {
    const lines = runSummaryLines(buildRunModel(storedRun({ id: 8 }), [], []));
    expect(lines.some((line) => line.includes('history not stored'))).toBe(true);
    expect(lines.some((line) => line.startsWith('evidence'))).toBe(false);
  });

  it('lists runs one per line', () => {
    expect(runListLines([storedRun({ id: 3, bug: 'raft.x', verdict: 'invalid', ops: 9, faults: 2 })])).toEqual(['#3 2025-01-01 11:00:00 raft seed 42 invalid ops 9 faults 2 bug raft.x']);
  });
});
