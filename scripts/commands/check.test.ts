import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedVerdicts, sharedDataDirectory } from '../../histories/testing/shared-data.js';
import { encodeJsonl } from '../../histories/jsonl.js';
import { writeEdnHistory } from '../../histories/edn-history.js';
import type { History } from '../../histories/schema.js';
import { generateEtcdLog } from '../../checkers/testing/etcd-log.js';
import { main, type CliIo } from '../crucible.js';
import { checkFile, command, type CheckLine } from './check.js';
import type { TxnCheckLine } from './check-txn.js';

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'crucible-check-'));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text), isTTY: false, env: {} };
  const code = await main(argv, [command], io);
  return { code, out, err };
}

function file(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

const data = (path: string) => join(sharedDataDirectory(), path);

describe('every history of ../shared/data gets the verdict its source project asserts', () => {
  const expected = expectedVerdicts();
  const paths = Object.keys(expected);
  it('covers the files of expected.json', () => {
    expect(paths.length).toBeGreaterThan(100);
  });
  for (const path of paths) {
    it(path, () => {
      const { line } = checkFile(data(path), { model: expected[path]!.model });
      expect(line.verdict).toBe(expected[path]!.linearizable ? 'linearizable' : 'not-linearizable');
    });
  }
  it('gives the same verdicts for Porcupine kv logs searched as one part (no P-compositionality)', () => {
    for (const path of paths.filter((candidate) => /c(01|10)-/.test(candidate))) {
      const { line } = checkFile(data(path), { model: 'kv', partition: false });
      expect(line.verdict).toBe(expected[path]!.linearizable ? 'linearizable' : 'not-linearizable');
      expect(line.parts).toBe(1);
    }
  });
});

describe('crucible check', () => {
  const history: History = [
    { index: 0, process: 0, type: 'invoke', f: 'write', value: 1, time: 5 },
    { index: 1, process: 0, type: 'ok', f: 'write', value: 1, time: 9 },
    { index: 2, process: 1, type: 'invoke', f: 'read', value: null, time: 12 },
    { index: 3, process: 1, type: 'ok', f: 'read', value: 1, time: 15 },
  ];
  const stale: History = [...history.slice(0, 3), { index: 3, process: 1, type: 'ok', f: 'read', value: 0, time: 15 }];

  it('prints one JSON line per file and exits 1 when any is not linearizable', async () => {
    const good = file('good.jsonl', encodeJsonl(history));
    const bad = file('bad.edn', writeEdnHistory(stale));
    const { code, out, err } = await run(['check', good, bad, '--model', 'cas-register', '--json']);
    expect(err).toEqual([]);
    expect(code).toBe(1);
    const lines = out.map((text) => JSON.parse(text) as CheckLine);
    expect(lines.map((line) => [line.file, line.format, line.model, line.verdict, line.ops, line.parts])).toEqual([
      [good, 'jsonl', 'cas-register', 'linearizable', 2, 1],
      [bad, 'edn', 'cas-register', 'not-linearizable', 2, 1],
    ]);
    for (const line of lines) {
      expect(line.ms).toBeGreaterThanOrEqual(0);
      expect(line.evidence).toBeUndefined();
    }
  });

  it('gives the evidence when asked: the violation, or the linearization of a valid history', async () => {
    const bad = file('bad2.jsonl', encodeJsonl(stale));
    const good = file('good2.jsonl', encodeJsonl(history));
    const { code, out } = await run(['check', good, bad, '--model', 'cas-register', '--json', '--evidence']);
    expect(code).toBe(1);
    const [valid, invalid] = out.map((text) => JSON.parse(text) as CheckLine);
    expect(valid!.evidence).toMatchObject({ kind: 'linearization', parts: [{ key: null, order: [{ invokeIndex: 0 }, { invokeIndex: 2 }] }] });
    expect(invalid!.evidence).toMatchObject({
      kind: 'not-linearizable',
      prefix: [{ f: 'write', invokeIndex: 0, completeIndex: 1, invokeTime: 5, completeTime: 9 }],
      stateAfterPrefix: '1',
      stuck: [{ f: 'read', value: 0, process: 1, stateBefore: '1', invokeTime: 12 }],
    });
    const human = await run(['check', bad, '--model', 'cas-register', '--evidence']);
    expect(human.code).toBe(1);
    expect(human.out[0]).toMatch(/not linearizable \(cas-register\): after 1 ops \(state 1\), stuck on p1 read 0 \[#2-#3\]/);
    expect(human.out.join('\n')).toContain('p0 write 1 [#0-#1]  (state before: 0)');
  });

  it('detects Porcupine etcd logs, defaults their model, and exits 3 when the budget runs out', async () => {
    const log = file('etcd.log', generateEtcdLog({ seed: 2, clients: 10, ops: 1500, timeoutPercent: 10 }).text);
    const decided = await run(['check', log, '--json']);
    expect(decided.code).toBe(0);
    expect(JSON.parse(decided.out[0]!)).toMatchObject({ format: 'porcupine-etcd', model: 'cas-register-absent', verdict: 'linearizable' });
    const cut = await run(['check', log, '--budget', '50', '--json']);
    expect(cut.code).toBe(3);
    expect(JSON.parse(cut.out[0]!)).toMatchObject({ verdict: 'unknown', steps: 50 });
  });

  it('answers bad input with one line that names the place and exits 2', async () => {
    const missing = await run(['check', join(directory, 'nope.edn'), '--model', 'kv']);
    expect(missing.code).toBe(2);
    expect(missing.err).toEqual([`crucible check: ${join(directory, 'nope.edn')}: cannot read it (ENOENT); check the path`]);
    const broken = file('broken.edn', '[{:process 0, :type :invoke, :f :read}\n {:process 0 :type}]');
    const syntax = await run(['check', broken, '--model', 'cas-register']);
    expect(syntax.code).toBe(2);
    expect(syntax.err).toEqual([`crucible check: ${broken}:2:2: a map needs an even number of forms (a value for every key)`]);
    const unknownModel = await run(['check', broken, '--model', 'stack']);
    expect(unknownModel.err[0]).toMatch(/--model stack: unknown model \(one of register, cas-register, cas-register-absent, kv/);
    const noModel = await run(['check', file('plain.jsonl', encodeJsonl(history))]);
    expect(noModel.err[0]).toMatch(/--model is needed for a history in format jsonl/);
    const wrongOp = await run(['check', file('wrong.jsonl', encodeJsonl(history)), '--model', 'kv']);
    expect(wrongOp.err[0]).toMatch(/wrong\.jsonl: model kv: op at index 0: unknown f "write"/);
    const format = await run(['check', broken, '--format', 'yaml', '--model', 'kv']);
    expect(format.err[0]).toMatch(/--format yaml: unknown format/);
  });

  it('checks every file of a batch after one it cannot read: its own line each, and the worst exit', async () => {
    const unreadable = file('dup.edn', '[{:process 0, :type :invoke, :f :read, :type :ok}]');
    const bad = file('bad3.jsonl', encodeJsonl(stale));
    const good = file('good3.jsonl', encodeJsonl(history));
    const human = await run(['check', unreadable, bad, good, '--model', 'cas-register']);
    expect(human.code).toBe(1);
    expect(human.err).toEqual([`crucible check: ${unreadable}:1:2: the map has the key :type twice; EDN maps hold each key once`]);
    expect(human.out.filter((line) => /linearizable/.test(line))).toHaveLength(2);
    const json = await run(['check', unreadable, good, '--model', 'cas-register', '--json']);
    expect(json.code).toBe(2);
    expect(json.out.map((text) => (JSON.parse(text) as { verdict: string }).verdict)).toEqual(['unreadable', 'linearizable']);
    const txn = await run(['check', join(directory, 'missing.edn'), good, '--model', 'rw-register', '--json']);
    expect(txn.out.map((text) => (JSON.parse(text) as { verdict: string }).verdict)[0]).toBe('unreadable');
    expect(txn.out).toHaveLength(2);
  });
});

// Write skew on registers: each reads the other's key as nil and writes its own.
const skew: History = [
  { index: 0, process: 0, type: 'invoke', f: 'txn', value: [['r', 'x', null], ['w', 'y', 1]] },
  { index: 1, process: 1, type: 'invoke', f: 'txn', value: [['r', 'y', null], ['w', 'x', 1]] },
  { index: 2, process: 0, type: 'ok', f: 'txn', value: [['r', 'x', null], ['w', 'y', 1]] },
  { index: 3, process: 1, type: 'ok', f: 'txn', value: [['r', 'y', null], ['w', 'x', 1]] },
];

describe('crucible check --model list-append|rw-register', () => {
  it('checks our JSONL as rw-register, with --json', async () => {
    const path = file('skew.jsonl', encodeJsonl(skew));
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
    const { code, out } = await run(['check', data('elle/paper-example.edn'), '--model', 'list-append']);
    expect(code).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/G-single: a cycle of 3 transactions/);
    expect(text).toMatch(/wr: T2 .* read 8 of key 255, which T1 .* appended/);
  });

  it('says what is wrong with bad input, exit 2', async () => {
    const path = file('bad.jsonl', encodeJsonl([{ index: 0, process: 0, type: 'invoke', f: 'read', value: null }]));
    const bad = await run(['check', path, '--model', 'list-append']);
    expect(bad.code).toBe(2);
    expect(bad.err.join('\n')).toMatch(/record 0: f is "read", not "txn"/);
    const model = await run(['check', path, '--model', 'list-append', '--consistency', 'linearizable']);
    expect(model.code).toBe(2);
    expect(model.err.join('\n')).toMatch(/--consistency linearizable: unknown consistency model/);
  });
});
