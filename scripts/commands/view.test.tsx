// `crucible view` on a real failing Raft run: the ink viewer shows the violation after `e`, and
// without a terminal the command prints a summary that starts and ends with the replay command.
import React from 'react';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RunStore } from '../../histories/store.js';
import { ViewerSession } from '../../ui/viewer/session.js';
import { Viewer } from '../../ui/viewer/Viewer.js';
import { cli, failingRaftRun } from './testing/failing-raft.js';

let store: string;
let runId: number;
let reader: RunStore;

beforeAll(async () => {
  ({ store, runId } = await failingRaftRun());
  reader = RunStore.open(store, { readonly: true });
});

afterAll(() => reader?.close());

describe('crucible view', () => {
  it('shows the violation of a failing Raft run after pressing e', async () => {
    const run = reader.getRun(runId)!;
    const linearizable = run.checkers.find((result) => result.checker === 'linearizable')!;
    expect(linearizable.verdict).toBe('invalid');
    const evidence = linearizable.evidence as { stuck: { invokeIndex: number; f: string; process: number }[] };
    const stuck = evidence.stuck[0]!;
    const instance = render(<Viewer session={new ViewerSession(reader)} runId={runId} rows={40} cols={140} storeLabel={store} />);
    try {
      await vi.waitFor(() => expect(instance.lastFrame()).toContain(`run #${runId}`), { timeout: 10_000 });
      expect(instance.lastFrame()).not.toContain('first violation');
      instance.stdin.write('e');
      await vi.waitFor(() => expect(instance.lastFrame()).toContain('first violation (linearizable)'), { timeout: 10_000 });
      const frame = instance.lastFrame()!;
      // The status line and the highlighted timeline row name the op the checker could not place.
      expect(frame).toContain(`first violation (linearizable): #${stuck.invokeIndex} p${stuck.process} ${stuck.f}`);
      expect(frame).toMatch(new RegExp(`◆.*✗ #${stuck.invokeIndex} p${stuck.process} ${stuck.f}`));
      expect(frame).toContain('cannot follow it');
      expect(frame).toContain('state before:');
    } finally {
      instance.unmount();
    }
  });

  it('prints a plain summary without a terminal, first and last line the replay command', async () => {
    const result = await cli('view', String(runId), '--store', store);
    expect(result.code).toBe(1);
    const repro = `npm run --silent crucible -- replay ${runId}`;
    expect(result.out[0]).toBe(repro);
    expect(result.out[result.out.length - 1]).toBe(repro);
    expect(result.out.some((line) => line.startsWith('checker linearizable: invalid'))).toBe(true);
    expect(result.out.some((line) => line.startsWith('offending op '))).toBe(true);
    for (const line of result.out) expect(line).not.toContain('\n');
  });

  it('answers --json with the run summary, and opens the newest run without an id (as the README says)', async () => {
    const json = await cli('view', String(runId), '--store', store, '--json');
    expect(json.code).toBe(1);
    const summary = JSON.parse(json.out[0]!) as Record<string, any>;
    expect(summary).toMatchObject({ runId, system: 'raft', verdict: 'invalid', historyKept: true });
    expect(summary.firstViolation.index).toBeGreaterThanOrEqual(0);
    const newest = reader.listRuns({ limit: 1 })[0]!.id;
    const bare = await cli('view', '--store', store, '--json');
    expect(JSON.parse(bare.out[0]!)).toMatchObject({ runId: newest });
    const plain = await cli('view', '--store', store);
    expect(plain.out[0]).toBe(`npm run --silent crucible -- replay ${newest}`);
    expect(plain.out.some((line) => line.startsWith(`run #${newest}  system raft`))).toBe(true);
  });

  it('says clearly what is wrong with bad input', async () => {
    const bad = await cli('view', 'abc', '--store', store);
    expect(bad.code).toBe(2);
    expect(bad.err).toHaveLength(1);
    expect(bad.err[0]).toContain('RUN_ID "abc" is not a run id');
    const missing = await cli('view', '999', '--store', store);
    expect(missing.code).toBe(2);
    expect(missing.err[0]).toContain('run 999 is not in');
    const nowhere = await cli('view', '1', '--store', `${store}.missing`);
    expect(nowhere.code).toBe(2);
    expect(nowhere.err[0]).toContain('no run store at');
  });
});
