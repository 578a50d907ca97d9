import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDataDirectory } from '../../histories/testing/shared-data.js';
import { encodeJsonl } from '../../histories/jsonl.js';
import type { History } from '../../histories/schema.js';
import { main, type CliIo } from '../crucible.js';
import { command } from './check.js';
import type { TxnCheckLine } from './check-txn.js';

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'crucible-check-txn-'));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text), isTTY: false, env: {} };
  return { code: await main(argv, [command], io), out, err };
}

// Write skew on registers: each reads the other's key as nil and writes its own.
const skew: History = [
  { index: 0, process: 0, type: 'invoke', f: 'txn', value: [['r', 'x', null], ['w', 'y', 1]] },
  { index: 1, process: 1, type: 'invoke', f: 'txn', value: [['r', 'y', null], ['w', 'x', 1]] },
  { index: 2, process: 0, type: 'ok', f: 'txn', value: [['r', 'x', null], ['w', 'y', 1]] },
  { index: 3, process: 1, type: 'ok', f: 'txn', value: [['r', 'y', null], ['w', 'x', 1]] },
];

describe('crucible check --model list-append|rw-register', () => {
  it('checks our JSONL as rw-register, with --json', async () => {
    const path = join(directory, 'skew.jsonl');
    writeFileSync(path, encodeJsonl(skew));
    const { code, out } = await run(['check', path, '--model', 'rw-register', '--json']);
    expect(code).toBe(1);
    const line = JSON.parse(out[0]!) as TxnCheckLine;
    expect(line).toMatchObject({ format: 'jsonl', model: 'rw-register', verdict: 'invalid', txns: 2 });
    expect(line.evidence!.counts).toEqual({ 'G2-item': 1 });
    const si = await run(['check', path, '--model', 'rw-register', '--consistency', 'snapshot-isolation']);
    expect(si.code).toBe(0);
    expect(si.out.join('\n')).toMatch(/weakest model violated: repeatable-read, by G2-item/);
  });

  it('checks Jepsen EDN as list-append and explains the cycle', async () => {
    const { code, out } = await run(['check', join(sharedDataDirectory(), 'elle/paper-example.edn'), '--model', 'list-append']);
    expect(code).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/G-single: a cycle of 3 transactions/);
    expect(text).toMatch(/wr: T2 .* read 8 of key 255, which T1 .* appended/);
  });

  it('says what is wrong with bad input, exit 2', async () => {
    const path = join(directory, 'bad.jsonl');
    writeFileSync(path, encodeJsonl([{ index: 0, process: 0, type: 'invoke', f: 'read', value: null }]));
    const bad = await run(['check', path, '--model', 'list-append']);
    expect(bad.code).toBe(2);
    expect(bad.err.join('\n')).toMatch(/record 0: f is "read", not "txn"/);
    const model = await run(['check', path, '--model', 'list-append', '--consistency', 'linearizable']);
    expect(model.code).toBe(2);
    expect(model.err.join('\n')).toMatch(/--consistency linearizable: unknown consistency model/);
  });
});
