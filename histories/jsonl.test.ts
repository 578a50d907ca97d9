import { mkdtempSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { HistoryRecord } from './schema.js';
import {
  HistoryFormatError,
  encodeJsonl,
  encodeRecord,
  parseJsonl,
  readJsonl,
  readJsonlStream,
  writeJsonl,
} from './jsonl.js';
import { LineSplitter, LineTooLongError } from './line-splitter.js';

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'crucible-jsonl-'));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

const sample: HistoryRecord[] = [
  { index: 0, process: 0, type: 'invoke', f: 'write', key: 'x', value: 3, time: 100 },
  { index: 1, process: 1, type: 'invoke', f: 'read', key: 'x', value: null, time: 150 },
  { index: 2, process: 0, type: 'ok', f: 'write', key: 'x', value: 3, time: 400, node: 'n1' },
  { index: 3, process: 1, type: 'info', f: 'read', key: 'x', value: null, time: 900 },
  { index: 5, process: 2, type: 'invoke', f: 'cas', value: [3, 'four'] },
  { index: 6, process: 2, type: 'fail', f: 'cas', value: [3, 'four'], node: 'n2' },
];

const recordArbitrary = fc.record(
  {
    process: fc.nat({ max: 1000 }),
    type: fc.constantFrom('invoke', 'ok', 'fail', 'info' as const),
    f: fc.string({ minLength: 1, maxLength: 8 }),
    value: fc.jsonValue(),
    key: fc.string({ maxLength: 6 }),
    time: fc.nat(),
    node: fc.string({ minLength: 1, maxLength: 4 }),
  },
  { requiredKeys: ['process', 'type', 'f', 'value'] },
);

function errorOf(action: () => unknown): HistoryFormatError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(HistoryFormatError);
    return error as HistoryFormatError;
  }
  throw new Error('expected a HistoryFormatError');
}

describe('JSONL codec', () => {
  it('encodes one record per line and parses it back', () => {
    const text = encodeJsonl(sample);
    expect(text.split('\n')).toHaveLength(sample.length + 1);
    expect(text.endsWith('\n')).toBe(true);
    expect(parseJsonl(text)).toEqual(sample);
  });

  it('round-trips any valid history (property)', () => {
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 30 }), fc.array(fc.nat({ max: 3 }), { maxLength: 30 }), (drafts, gaps) => {
        let index = 0;
        const records = drafts.map((draft, position) => {
          index += gaps[position] ?? 0;
          const record = { ...draft, index } as HistoryRecord;
          index += 1;
          return record;
        });
        // JSON normalises -0 to 0; compare through JSON so that is not counted as a difference.
        expect(parseJsonl(encodeJsonl(records))).toEqual(JSON.parse(JSON.stringify(records)));
      }),
      { numRuns: 200 },
    );
  });

  it('writes fields in a fixed order, and an absent value as null', () => {
    const line = encodeRecord({ node: 'n1', time: 5, value: undefined, f: 'read', type: 'ok', process: 2, index: 9, key: 'k' } as HistoryRecord);
    expect(line).toBe('{"index":9,"process":2,"type":"ok","f":"read","key":"k","value":null,"time":5,"node":"n1"}');
  });

  it('skips blank lines, CRLF endings and a byte-order mark', () => {
    const text = `\uFEFF${encodeRecord(sample[0]!)}\r\n\r\n   \n${encodeRecord(sample[1]!)}`;
    expect(parseJsonl(text)).toEqual(sample.slice(0, 2));
  });

  it('names the file, the line and the field of a bad record', () => {
    const lines = encodeJsonl(sample).split('\n');
    const badType = [...lines];
    badType[2] = badType[2]!.replace('"type":"ok"', '"type":"okay"');
    expect(errorOf(() => parseJsonl(badType.join('\n'), 'history.jsonl')).message).toBe(
      'history.jsonl:3: field "type": expected one of invoke|ok|fail|info, got "okay"',
    );

    const cases: [string, string][] = [
      ['{"index":0,"process":0,"type":"invoke","f":"r","value":1,"colour":"red"}', 'unknown field "colour"'],
      ['{"index":"0","process":0,"type":"invoke","f":"r","value":1}', 'field "index": expected number, got "0"'],
      ['{"index":0.5,"process":0,"type":"invoke","f":"r","value":1}', 'field "index": expected int, got 0.5'],
      ['{"index":0,"type":"invoke","f":"r","value":1}', 'field "process": missing'],
      ['{"index":0,"process":0,"type":"invoke","f":"r"}', 'field "value": missing (write null for no value)'],
      ['{"index":0,"process":-2,"type":"invoke","f":"r","value":1}', 'field "process": must be at least 0, got -2'],
      ['{"index":0,"process":0,"type":"invoke","f":"","value":1}', 'field "f": must not be empty'],
      ['{"index":0,"process":0,"type":"invoke","f":"r","value":1,"time":"soon"}', 'field "time": expected number, got "soon"'],
      ['[0, 0, "invoke"]', 'expected a JSON object per line, got an array'],
      ['{"index":0,"process":0,', 'not valid JSON'],
    ];
    for (const [line, problem] of cases) {
      const error = errorOf(() => parseJsonl(`${encodeRecord(sample[0]!)}\n\n${line}\n`, 'h.jsonl'));
      expect(error.file).toBe('h.jsonl');
      expect(error.line).toBe(3);
      expect(error.message).toContain(`h.jsonl:3: ${problem}`);
    }
  });

  it('refuses a value nested deeper than the checkers can follow, with its line', () => {
    const deep = `${'['.repeat(5_000)}1${']'.repeat(5_000)}`;
    const text = `${encodeJsonl(sample.slice(0, 1))}{"index":99,"process":0,"type":"invoke","f":"write","value":${deep}}\n`;
    expect(() => parseJsonl(text, 'deep.jsonl')).toThrow(/^deep\.jsonl:2: a value nests deeper than 256/);
    const fine = `${'['.repeat(200)}1${']'.repeat(200)}`;
    expect(parseJsonl(`{"index":0,"process":0,"type":"invoke","f":"write","value":${fine}}\n`, 'ok.jsonl')).toHaveLength(1);
  });

  it('refuses indexes that do not increase', () => {
    const text = encodeJsonl([sample[0]!, sample[2]!, { ...sample[3]!, index: 2 }]);
    expect(errorOf(() => parseJsonl(text)).message).toBe(
      'history.jsonl:3: field "index": 2 does not follow 2 (indexes must increase)',
    );
  });
});

describe('JSONL files', () => {
  it('writes and reads a file, whole and streamed, with the same records', async () => {
    const path = join(directory, 'small.jsonl');
    expect(writeJsonl(path, sample)).toBe(sample.length);
    expect(readJsonl(path)).toEqual(sample);
    const streamed: HistoryRecord[] = [];
    for await (const record of readJsonlStream(path)) streamed.push(record);
    expect(streamed).toEqual(sample);
  });

  it('reads a last line without a newline and reports errors with the file path', async () => {
    const path = join(directory, 'no-newline.jsonl');
    writeFileSync(path, `${encodeRecord(sample[0]!)}\n${encodeRecord(sample[1]!)}`);
    expect(readJsonl(path)).toEqual(sample.slice(0, 2));

    const bad = join(directory, 'bad.jsonl');
    writeFileSync(bad, `${encodeRecord(sample[0]!)}\n{"index":1,"process":0,"type":"nope","f":"r","value":1}\n`);
    expect(() => readJsonl(bad)).toThrow(`${bad}:2: field "type": expected one of invoke|ok|fail|info, got "nope"`);
    const streamed: HistoryRecord[] = [];
    await expect(async () => {
      for await (const record of readJsonlStream(bad)) streamed.push(record);
    }).rejects.toThrow(`${bad}:2: field "type"`);
  });

  it('streams a file of many megabytes without holding it in memory', async () => {
    const path = join(directory, 'big.jsonl');
    // About 40 MB: a padded value makes each line ~400 bytes, so the file is big but quick to parse.
    const records = 100_000;
    const padding = 'x'.repeat(340);
    const fd = openSync(path, 'w');
    const batch: string[] = [];
    for (let index = 0; index < records; index += 1) {
      batch.push(encodeRecord({ index, process: index % 10, type: index % 2 === 0 ? 'invoke' : 'ok', f: 'write', value: `${index}${padding}`, time: index }));
      if (batch.length === 5000) {
        writeSync(fd, `${batch.join('\n')}\n`);
        batch.length = 0;
      }
    }
    closeSync(fd);
    const fileBytes = statSync(path).size;
    expect(fileBytes).toBeGreaterThan(35 * 1024 * 1024);

    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    let count = 0;
    let indexSum = 0;
    for await (const record of readJsonlStream(path)) {
      count += 1;
      indexSum += record.index;
      if (count % 2000 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    expect(count).toBe(records);
    expect(indexSum).toBe((records * (records - 1)) / 2);
    // Holding the file would take at least its size in heap (more as JS strings and objects);
    // streaming keeps one chunk's records plus garbage the collector has not reached yet.
    expect(heapPeak - heapBefore).toBeLessThan(fileBytes / 2);
  });
});

describe('LineSplitter', () => {
  it('splits lines across any chunking of the input, multi-byte characters included', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }), (lines, cuts) => {
        const clean = lines.map((line) => line.replace(/[\r\n]/g, ''));
        const bytes = new TextEncoder().encode(clean.join('\n'));
        const splitter = new LineSplitter(1024);
        const out: string[] = [];
        let offset = 0;
        let cut = 0;
        while (offset < bytes.length) {
          const size = cuts[cut % cuts.length]!;
          splitter.push(bytes.subarray(offset, offset + size), (line) => out.push(line));
          offset += size;
          cut += 1;
        }
        const last = splitter.end();
        if (last !== undefined) out.push(last.line);
        // An empty input has no lines; otherwise the last (possibly empty) line has no newline.
        const expected = bytes.length === 0 ? [] : clean;
        if (expected.length > 0 && expected[expected.length - 1] === '') expected.pop();
        expect(out).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a line longer than its limit, naming the line', () => {
    const splitter = new LineSplitter(10);
    const seen: number[] = [];
    const encoder = new TextEncoder();
    splitter.push(encoder.encode('short\nalso short\n0123'), (_, number) => seen.push(number));
    expect(seen).toEqual([1, 2]);
    expect(() => splitter.push(encoder.encode('456789ab'), () => undefined)).toThrow(LineTooLongError);
    expect(() => new LineSplitter(10).push(encoder.encode('x'.repeat(11)), () => undefined)).toThrow('line 1 is longer than 10 bytes');
  });

  it('turns an over-long line in a file into a HistoryFormatError', () => {
    const path = join(directory, 'binary.jsonl');
    writeFileSync(path, new Uint8Array(17 * 1024 * 1024).fill(0x41));
    expect(() => readJsonl(path)).toThrow(/binary\.jsonl:1: line is longer than 16777216 bytes/);
  });
});
