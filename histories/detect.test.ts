import { describe, expect, it } from 'vitest';
import { readSharedFile } from './testing/shared-data.js';
import { detectFormat, readHistory, UnknownFormatError } from './detect.js';
import { encodeJsonl } from './jsonl.js';
import { writeEdnHistory } from './edn-history.js';
import type { History } from './schema.js';

const sample: History = [
  { index: 0, process: 1, type: 'invoke', f: 'write', value: 3, key: 'a' },
  { index: 1, process: 1, type: 'ok', f: 'write', value: 3, key: 'a' },
];

describe('format detection', () => {
  it('tells each format from its content', () => {
    expect(detectFormat(encodeJsonl(sample))).toBe('jsonl');
    expect(detectFormat(writeEdnHistory(sample))).toBe('edn');
    expect(detectFormat('; comment\n({:process 0, :type :invoke, :f :read, :value nil})')).toBe('edn');
    expect(detectFormat('{:process 0, :type :invoke, :f :get, :key "1", :value nil}\n')).toBe('porcupine-kv');
    expect(detectFormat('INFO  jepsen.core - {:nodes [:n1]}\nINFO  jepsen.util - 1\t:invoke\t:read\tnil\n')).toBe('porcupine-etcd');
    expect(detectFormat('hello\nworld\n')).toBeNull();
    expect(detectFormat('')).toBeNull();
  });

  it('reads the shared data files in the formats they are in', () => {
    const formatOf = (path: string) => readHistory(readSharedFile(path), path).format;
    expect(formatOf('porcupine-kv/c01-ok.txt')).toBe('porcupine-kv');
    expect(formatOf('knossos/cas-register/bad/rethink-fail-minimal.edn')).toBe('edn');
    expect(formatOf('knossos/multi-register/good/multi-register.edn')).toBe('edn');
  });

  it('reads as forced, and refuses what it cannot tell', () => {
    const text = writeEdnHistory(sample);
    expect(readHistory(text, 'x', 'edn').history).toEqual(sample);
    expect(() => readHistory('what is this', 'x.txt')).toThrow(UnknownFormatError);
    expect(() => readHistory('what is this', 'x.txt')).toThrow('x.txt: cannot tell the history format from its content; pass --format jsonl|edn|porcupine-kv|porcupine-etcd');
  });
});
