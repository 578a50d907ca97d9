import { describe, expect, it } from 'vitest';
import { readTxnEdnHistory } from './txn-edn.js';

describe('readTxnEdnHistory', () => {
  it('reads micro-ops with string keys, and fills in :f and missing processes', () => {
    const history = readTxnEdnHistory(
      [
        '{:type :invoke, :value [[:append 9 2] [:r 8 nil]], :process 3}',
        '{:type :invoke :value [[:w :x 1]]}',
        '{:type :ok, :value [[:append 9 2] [:r 8 [1 2]]], :process 3}',
        '{:type :ok :value [[:w :x 1]]}',
        '{:type :info, :f :kill, :process :nemesis}',
      ].join('\n'),
    );
    expect(history).toEqual([
      { index: 0, process: 3, type: 'invoke', f: 'txn', value: [['append', '9', 2], ['r', '8', null]] },
      { index: 1, process: 4, type: 'invoke', f: 'txn', value: [['w', 'x', 1]] },
      { index: 2, process: 3, type: 'ok', f: 'txn', value: [['append', '9', 2], ['r', '8', [1, 2]]] },
      { index: 3, process: 4, type: 'ok', f: 'txn', value: [['w', 'x', 1]] },
    ]);
  });

  it('names the line of a bad op', () => {
    expect(() => readTxnEdnHistory('{:type :invoke, :f :read, :value nil, :process 0}', 'h.edn')).toThrow(/h\.edn:1:1: :f must be :txn/);
    expect(() => readTxnEdnHistory('{:type :ok, :value []}', 'h.edn')).toThrow(/no open invoke without :process/);
  });
});
