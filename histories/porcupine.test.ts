import { describe, expect, it } from 'vitest';
import { HistoryFormatError } from './jsonl.js';
import { isEtcdOpLine, readEtcdLog, readPorcupineKv } from './porcupine.js';

describe("Porcupine's logs", () => {
  it('reads Jepsen etcd log lines, tabs or spaces, and skips the noise', () => {
    const log = [
      'INFO  jepsen.core - Running test',
      'INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]',
      'INFO  jepsen.util - 0  :invoke   :read  nil',
      'WARN  jepsen.control - retrying',
      'INFO  jepsen.util - 0\t:ok\t:read\t1',
      'INFO  jepsen.util - :nemesis\t:info\t:start\tnil',
      'INFO  jepsen.util - 3\t:info\t:cas\t:timed-out',
      'INFO  jepsen.util - 5\t:fail\t:cas\t[0 2]',
      'INFO  jepsen.util - 7\t:ok\t:delete\t3',
    ].join('\n');
    expect(readEtcdLog(log)).toEqual([
      { index: 0, process: 3, type: 'invoke', f: 'cas', value: [1, 4] },
      { index: 1, process: 0, type: 'invoke', f: 'read', value: null },
      { index: 2, process: 0, type: 'ok', f: 'read', value: 1 },
      { index: 3, process: 3, type: 'info', f: 'cas', value: 'timed-out' },
      { index: 4, process: 5, type: 'fail', f: 'cas', value: [0, 2] },
    ]);
    expect(isEtcdOpLine('INFO  jepsen.util - 12\t:ok\t:write\t4')).toBe(true);
    expect(isEtcdOpLine('INFO  jepsen.util - 12\t:ok\t:write\t{:a 1}')).toBe(true);
  });

  it('refuses an op line whose value it cannot read, naming the line, rather than dropping the op', () => {
    for (const value of ['7.5', '99999999999999999999', '', '{:a 1}']) {
      const log = `noise\nINFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\t${value}\n`;
      expect(() => readEtcdLog(log, 'etcd.log'), value).toThrow(/etcd\.log:3: .*is not nil, a safe integer/);
    }
  });

  it('reads kv logs and refuses an op without a key', () => {
    const history = readPorcupineKv('{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}\n{:process 0, :type :ok, :f :append, :key "0", :value "x 0 0 y"}\n');
    expect(history.map((record) => [record.f, record.key, record.value])).toEqual([
      ['append', '0', 'x 0 0 y'],
      ['append', '0', 'x 0 0 y'],
    ]);
    expect(() => readPorcupineKv('{:process 0, :type :invoke, :f :get, :value nil}', 'kv.txt')).toThrow(HistoryFormatError);
  });
});
