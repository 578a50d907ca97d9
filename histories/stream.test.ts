import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateEtcdLog } from '../checkers/testing/etcd-log.js';
import { generateKvHistory } from '../checkers/testing/kv-history.js';
import { readHistory } from './detect.js';
import { writeJsonl } from './jsonl.js';
import type { HistoryRecord } from './schema.js';
import { streamHistoryFile } from './stream.js';
import { readSharedFile, sharedDataDirectory } from './testing/shared-data.js';

const folder = mkdtempSync(join(tmpdir(), 'crucible-stream-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function streamed(path: string): { format: string; records: HistoryRecord[] } {
  const records: HistoryRecord[] = [];
  const { format, records: count } = streamHistoryFile(path, (record) => records.push(record));
  expect(count).toBe(records.length);
  return { format, records };
}

function written(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

describe('streamed history files', () => {
  it("read Porcupine's kv logs as the whole-file reader does", () => {
    for (const name of ['c01-ok', 'c10-bad', 'c50-ok']) {
      const file = `porcupine-kv/${name}.txt`;
      const { format, records } = streamed(join(sharedDataDirectory(), file));
      expect(format).toBe('porcupine-kv');
      expect(records).toEqual(readHistory(readSharedFile(file), file).history);
    }
  });

  it('read a generated kv history of several chunks, with info ops, record for record', () => {
    const lines: string[] = [];
    const summary = generateKvHistory({ seed: 5, ops: 40_000, keys: 50, clients: 20, infoPercent: 3 }, (line) => lines.push(line));
    const text = `${lines.join('\r\n')}\r\n`;
    // Over 1 MB, so lines cross chunk boundaries; CRLF line ends are taken off.
    expect(text.length).toBeGreaterThan(3 * 1024 * 1024);
    const { records } = streamed(written('generated.txt', text));
    expect(records.length).toBe(summary.lines);
    expect(records.some((record) => record.type === 'info')).toBe(true);
    expect(records).toEqual(readHistory(lines.join('\n'), 'generated.txt').history);
  });

  it('read lines of another shape through the EDN reader, dropping named processes', () => {
    const text = [
      '{:process 0, :type :invoke, :f :put, :key "a", :value "x"}',
      '{:process :nemesis, :type :info, :f :start, :key "a", :value nil}',
      '{:process 0, :type :ok, :f :put, :key :a, :value "x", :time 5}',
      '',
      '{:type :invoke, :process 1, :f :get, :key "a", :value nil}',
    ].join('\n');
    const { records } = streamed(written('shapes.txt', text));
    expect(records).toEqual(readHistory(text, 'shapes.txt').history);
    expect(records.map((record) => record.index)).toEqual([0, 1, 2]);
  });

  it('read Jepsen etcd logs and JSONL histories', () => {
    const log = generateEtcdLog({ seed: 2, clients: 5, ops: 500, timeoutPercent: 10 }).text;
    const etcd = streamed(written('etcd.log', log));
    expect(etcd.format).toBe('porcupine-etcd');
    expect(etcd.records).toEqual(readHistory(log, 'etcd.log').history);
    const jsonlPath = join(folder, 'history.jsonl');
    writeJsonl(jsonlPath, etcd.records);
    const jsonl = streamed(jsonlPath);
    expect(jsonl.format).toBe('jsonl');
    expect(jsonl.records).toEqual(etcd.records);
  });

  it('name the file and line of a bad line, and refuse content of no known format', () => {
    const bad = written('bad.txt', ['{:process 0, :type :invoke, :f :get, :key "a", :value nil}', '{:process 0, :type :ok, :f :get, :key "a", :value "x"', ''].join('\n'));
    expect(() => streamHistoryFile(bad, () => undefined)).toThrow(`${bad}:2:`);
    const keyless = written('keyless.txt', '{:process 0, :type :invoke, :f :get, :key "a", :value nil}\n{:process 0, :type :ok, :f :get, :value "x"}\n');
    expect(() => streamHistoryFile(keyless, () => undefined)).toThrow(`${keyless}:2: op has no :key`);
    const unknown = written('unknown.txt', 'hello\n');
    expect(() => streamHistoryFile(unknown, () => undefined)).toThrow('cannot tell the history format');
  });
});
