// The viewer's screens, driven as a person drives them: keys in, frames out (ink-testing-library).
import React from 'react';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RunStore } from '../../histories/store.js';
import { makeFixtureStore, type FixtureStore } from '../testing/fixtures.js';
import { KEYMAP } from './keys.js';
import { ViewerSession } from './session.js';
import { Viewer } from './Viewer.js';

const KEY = { enter: '\r', tab: '\t', esc: '\u001B', down: '\u001B[B', up: '\u001B[A', pageDown: '\u001B[6~' } as const;

let fixture: FixtureStore;
let store: RunStore;

beforeAll(() => {
  fixture = makeFixtureStore();
  store = RunStore.open(fixture.path, { readonly: true });
});

afterAll(() => {
  store.close();
});

type Instance = ReturnType<typeof render>;

function open(runId?: number, rows = 34, cols = 110): Instance {
  const session = new ViewerSession(store);
  const props: React.ComponentProps<typeof Viewer> = { session, rows, cols, storeLabel: 'fixture store' };
  if (runId !== undefined) props.runId = runId;
  return render(<Viewer {...props} />);
}

/** Types keys one at a time, waiting for each to be drawn before the next. */
async function press(instance: Instance, ...inputs: string[]): Promise<void> {
  for (const input of inputs) {
    const before = instance.frames.length;
    instance.stdin.write(input);
    // A key that changes nothing draws no new frame; a short wait covers ink's input flush.
    await vi.waitFor(() => expect(instance.frames.length).toBeGreaterThan(before), { timeout: 400, interval: 5 }).catch(() => undefined);
  }
}

async function frameWith(instance: Instance, text: string): Promise<string> {
  await vi.waitFor(() => expect(instance.lastFrame()).toContain(text), { timeout: 5_000, interval: 10 });
  return instance.lastFrame()!;
}

describe('crucible view (ink)', () => {
  it('lists the runs newest first and opens one with Enter', async () => {
    const instance = open();
    try {
      const list = await frameWith(instance, 'Crucible runs in fixture store: 2 of 2');
      const failingRow = list.split('\n').findIndex((line) => line.includes(`#${fixture.failingRunId} `));
      const passingRow = list.split('\n').findIndex((line) => line.includes(`#${fixture.passingRunId} `));
      expect(failingRow).toBeGreaterThan(-1);
      expect(failingRow).toBeLessThan(passingRow);
      expect(list).toContain('raft.stale-local-read');
      await press(instance, KEY.enter);
      const run = await frameWith(instance, `run #${fixture.failingRunId}`);
      expect(run).toContain('INVALID');
      expect(run).toContain('✗ linearizable');
      expect(run).toContain('Evidence (linearizable)');
    } finally {
      instance.unmount();
    }
  });

  it('shows the violation after pressing e on a failing run', async () => {
    const instance = open(fixture.failingRunId);
    try {
      const first = await frameWith(instance, 'op 1 of 11');
      // Before `e` the cursor is on the first op and the status line shows the key hints.
      expect(first).toContain('e violation');
      await press(instance, 'e');
      const frame = await frameWith(instance, 'first violation (linearizable)');
      // The status line names the offending op, the timeline marks it, the evidence explains it.
      expect(frame).toContain(`first violation (linearizable): #${fixture.staleReadIndex} p0 read x -> ok 2`);
      expect(frame).toMatch(new RegExp(`◆.*✗ #${fixture.staleReadIndex} p0 read x -> ok 2 @n1`));
      expect(frame).toContain('cannot follow it (1 op):');
      expect(frame).toContain(`✗ #${fixture.staleReadIndex} p0 read x 2 -> ok`);
      expect(frame).toContain('state before: 3');
      expect(frame).toContain('op 7 of 11');
      // The trace pane moved to the violation's time.
      expect(frame).toContain('Trace around 70.000ms');
      expect(frame).toContain('▶ 70.000ms');
    } finally {
      instance.unmount();
    }
  });

  it('draws fault bands in the gutter and marks where they start', async () => {
    const instance = open(fixture.failingRunId);
    try {
      const frame = await frameWith(instance, 'op 1 of 11');
      const lines = frame.split('\n');
      const partitioned = lines.find((line) => line.includes('41.000ms'))!;
      expect(partitioned.startsWith('P')).toBe(true);
      expect(partitioned).toContain('▸partition-isolate n1');
      const crashed = lines.find((line) => line.includes('60.000ms'))!;
      expect(crashed.startsWith('PC')).toBe(true);
      const healed = lines.find((line) => line.includes('95.000ms'))!;
      expect(healed.startsWith('   ')).toBe(true);
    } finally {
      instance.unmount();
    }
  });

  it('searches with / and n', async () => {
    const instance = open(fixture.failingRunId);
    try {
      await frameWith(instance, 'op 1 of 11');
      // Typed in a burst, the query arrives as one chunk; every character must still count.
      await press(instance, '/', 'cas');
      await frameWith(instance, 'search ops: cas▏');
      await press(instance, KEY.enter);
      await frameWith(instance, 'match 1 of 2 for "cas"');
      expect(instance.lastFrame()).toContain('op 3 of 11');
      await press(instance, 'n');
      const frame = await frameWith(instance, 'match 2 of 2 for "cas"');
      expect(frame).toContain('op 8 of 11');
    } finally {
      instance.unmount();
    }
  });

  it('moves the focus with Tab and filters the trace with f', async () => {
    const instance = open(fixture.failingRunId);
    try {
      await frameWith(instance, 'op 1 of 11');
      await press(instance, KEY.tab);
      await frameWith(instance, '▶ Evidence');
      await press(instance, KEY.tab);
      await frameWith(instance, '▶ Trace');
      await press(instance, 'f', 'n', '3', KEY.enter);
      const frame = await frameWith(instance, '(filter: n3)');
      const traceLines = frame.split('\n').slice(frame.split('\n').findIndex((line) => line.includes('▶ Trace')) + 1, -1);
      const events = traceLines.filter((line) => /\d+\.\d{3}ms /.test(line));
      expect(events.length).toBeGreaterThan(0);
      for (const line of events) expect(line).toMatch(/ms n3 /);
    } finally {
      instance.unmount();
    }
  });

  it('shows each node\'s status at the cursor in the header, in the node\'s own words', async () => {
    const instance = open(fixture.failingRunId);
    try {
      await frameWith(instance, 'op 1 of 11');
      // Read after the first frame; at 10 ms no node has reported anything yet.
      await frameWith(instance, 'nodes at 10.000ms: n1 no status yet  n2 no status yet  n3 no status yet');
      await press(instance, 'e');
      const frame = await frameWith(instance, 'nodes at 70.000ms:');
      expect(frame).toContain('n2 become-leader term=2');
      expect(frame).toContain('n3 down: crashed');
    } finally {
      instance.unmount();
    }
  });

  it('filters the timeline by key and by process, numbering rows by op', async () => {
    const instance = open(fixture.failingRunId);
    try {
      await frameWith(instance, 'op 1 of 11');
      await press(instance, 'f', 'p', ':', '2', KEY.enter);
      const frame = await frameWith(instance, '4 ops match "p:2"');
      expect(frame).toContain('op 1 of 4 shown, filter p:2, 11 in all');
      const lines = frame.split('\n');
      const timeline = lines.slice(0, lines.findIndex((line) => line.includes('Evidence (')));
      const rows = timeline.filter((line) => / #\d+ p\d /.test(line));
      expect(rows).toHaveLength(4);
      for (const row of rows) expect(row).toMatch(/ #\d+ p2 /);
      await press(instance, 'b');
      await frameWith(instance, '(background shown)');
    } finally {
      instance.unmount();
    }
  });

  it('shows help generated from the keymap with ?', async () => {
    const instance = open(fixture.failingRunId);
    try {
      await frameWith(instance, 'op 1 of 11');
      await press(instance, '?');
      const frame = await frameWith(instance, 'any key closes this help');
      for (const binding of KEYMAP.filter((entry) => entry.screens.includes('run'))) expect(frame).toContain(binding.description);
      await press(instance, 'j');
      await frameWith(instance, 'op 1 of 11');
    } finally {
      instance.unmount();
    }
  });

  it('goes back to the list with Esc and filters it with f', async () => {
    const instance = open(fixture.failingRunId);
    try {
      await frameWith(instance, 'op 1 of 11');
      await press(instance, KEY.esc);
      await frameWith(instance, 'Crucible runs in fixture store');
      await press(instance, 'f', 'v', 'a', 'l', 'i', 'd', KEY.enter);
      const frame = await frameWith(instance, 'filter: valid');
      expect(frame).toContain('1 of 2');
      expect(frame).toContain(`#${fixture.passingRunId} `);
      expect(frame).not.toContain(`#${fixture.failingRunId} `);
      await press(instance, KEY.enter);
      const passing = await frameWith(instance, 'No history stored for this run');
      expect(passing).toContain(`replay ${fixture.passingRunId}`);
    } finally {
      instance.unmount();
    }
  });
});
