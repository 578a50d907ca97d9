import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readEdnHistory, writeEdnHistory } from './edn-history.js';
import { EdnSyntaxError } from './edn.js';
import { historyRecordSchema, type HistoryRecord } from './schema.js';

describe('Jepsen EDN histories', () => {
  it('reads op maps into records: keywords lose their colon, nemesis ops are dropped, indexes restart at 0', () => {
    const history = readEdnHistory(
      [
        '; from a test',
        '[{:process 0, :type :invoke, :f :cas, :value [1 2], :time 10}',
        ' {:process :nemesis, :type :info, :f :start, :value "cut off"}',
        ' {:process 0, :type :ok, :f :cas, :value [1 2], :time 20, :index 7, :error :ignored}',
        ' {:type :invoke, :f :txn, :value [[:read :x nil]], :process 1, :key :k}]',
      ].join('\n'),
      'h.edn',
    );
    expect(history).toEqual([
      { index: 0, process: 0, type: 'invoke', f: 'cas', value: [1, 2], time: 10 },
      { index: 1, process: 0, type: 'ok', f: 'cas', value: [1, 2], time: 20 },
      { index: 2, process: 1, type: 'invoke', f: 'txn', value: [['read', 'x', null]], key: 'k' },
    ]);
    for (const record of history) expect(historyRecordSchema.safeParse(record).success).toBe(true);
  });

  it('reads bare maps one after another, and lists', () => {
    const bare = readEdnHistory('{:process 1, :type :invoke, :f :get, :key "3", :value nil}\n{:process 1, :type :ok, :f :get, :key "3", :value "x"}\n');
    expect(bare.map((record) => [record.type, record.key, record.value])).toEqual([
      ['invoke', '3', null],
      ['ok', '3', 'x'],
    ]);
    expect(readEdnHistory('({:process 2, :type :invoke, :f :read})')).toEqual([{ index: 0, process: 2, type: 'invoke', f: 'read', value: null }]);
  });

  it('says where an op is wrong', () => {
    const fail = (text: string): string => {
      try {
        readEdnHistory(text, 'h.edn');
      } catch (error) {
        expect(error).toBeInstanceOf(EdnSyntaxError);
        return (error as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(fail('[{:process 0, :type :invoke, :f :read}\n {:process 0, :type :done, :f :read}]')).toBe(
      'h.edn:2:2: :type must be one of :invoke, :ok, :fail, :info, got :done',
    );
    expect(fail('[{:process -1, :type :invoke, :f :read}]')).toMatch(/^h\.edn:1:2: :process must be a non-negative integer/);
    expect(fail('[{:process 1, :type :invoke}]')).toMatch(/:f must be a keyword/);
    expect(fail('[1 2]')).toMatch(/^h\.edn:1:1: expected an op map/);
    expect(fail('[{:process 1, :type :invoke, :f :r}] [{:process 1}]')).toMatch(/not several vectors/);
  });

  it('writes what it reads back unchanged', () => {
    const value = fc.oneof(fc.constant(null), fc.integer({ min: -5, max: 5 }), fc.string({ maxLength: 6 }), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }));
    const record = fc.record(
      {
        process: fc.nat(20),
        type: fc.constantFrom('invoke', 'ok', 'fail', 'info' as const),
        f: fc.constantFrom('read', 'write', 'cas', 'has space'),
        value,
        key: fc.string({ maxLength: 4 }),
        time: fc.nat(1e12),
        node: fc.constantFrom('n1', 'n2'),
      },
      { requiredKeys: ['process', 'type', 'f', 'value'] },
    );
    fc.assert(
      fc.property(fc.array(record, { maxLength: 12 }), (records) => {
        const history = records.map((item, index) => ({ ...item, index }) as HistoryRecord);
        expect(readEdnHistory(writeEdnHistory(history))).toEqual(history);
      }),
      { numRuns: 200 },
    );
  });
});
