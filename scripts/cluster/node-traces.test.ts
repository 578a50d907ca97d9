import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readClusterTrace } from './node-traces.js';

describe('node traces on the test clock', () => {
  it('shifts each process life by its epoch and merges nodes in time order', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-traces-'));
    const testEpoch = 1_000_000_000_000n;
    const line = (value: object) => `${JSON.stringify(value)}\n`;
    // n1 lives twice: started 5 ms after the test epoch, restarted at 40 ms (its clock starts over).
    fs.writeFileSync(
      path.join(dir, 'n1.jsonl'),
      line({ kind: 'trace.epoch', time: 0, node: 'n1', epochNs: String(testEpoch + 5_000_000n) }) +
        line({ kind: 'role', time: 1_000_000, node: 'n1', role: 'leader', term: 2 }) +
        'not json\n' +
        line({ kind: 'trace.epoch', time: 0, node: 'n1', epochNs: String(testEpoch + 40_000_000n) }) +
        line({ kind: 'recovered', time: 2_000_000, node: 'n1', nested: { dropped: true } }),
    );
    fs.writeFileSync(
      path.join(dir, 'n2.jsonl'),
      line({ kind: 'before-epoch-line', time: 1, node: 'n2' }) +
        line({ kind: 'trace.epoch', time: 0, node: 'n2', epochNs: String(testEpoch - 10_000_000n) }) +
        line({ kind: 'old', time: 1_000_000, node: 'n2' }) +
        line({ kind: 'role', time: 20_000_000, node: 'n2', role: 'follower' }) +
        line({ kind: 'late', time: 900_000_000, node: 'n2' }),
    );
    const rows = await readClusterTrace({ n1: path.join(dir, 'n1.jsonl'), n2: path.join(dir, 'n2.jsonl') }, testEpoch, 100_000_000, 100);
    expect(rows).toEqual([
      { time: 6_000_000, node: 'n1', kind: 'role', fields: { role: 'leader', term: 2 } },
      { time: 10_000_000, node: 'n2', kind: 'role', fields: { role: 'follower' } },
      { time: 42_000_000, node: 'n1', kind: 'recovered', fields: {} },
    ]);
    expect(await readClusterTrace({ n1: path.join(dir, 'missing.jsonl') }, testEpoch, 1e9, 10)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
