// Generated kv histories (checkers/testing/kv-history.ts): many keys, tens of clients, a few
// percent info ops, linearizable by construction or with one impossible get planted.
import { describe, expect, it } from 'vitest';
import { detectFormat, readHistory } from '../histories/detect.js';
import { checkHistory } from './linearizability.js';
import { kv } from './models/kv.js';
import { generateKvHistory, type KvHistoryOptions } from './testing/kv-history.js';

function generated(options: KvHistoryOptions): { text: string; summary: ReturnType<typeof generateKvHistory> } {
  const lines: string[] = [];
  const summary = generateKvHistory(options, (line) => lines.push(line));
  return { text: lines.join('\n'), summary };
}

const OPTIONS: KvHistoryOptions = { seed: 3, ops: 20_000, keys: 100, clients: 30, infoPercent: 3 };

describe('generated kv histories', () => {
  it('are Porcupine kv logs, the same for the same seed, with info ops that retire their process', () => {
    const { text, summary } = generated(OPTIONS);
    expect(detectFormat(text)).toBe('porcupine-kv');
    expect(generated(OPTIONS).text).toBe(text);
    expect(generated({ ...OPTIONS, seed: 4 }).text).not.toBe(text);
    expect(summary).toMatchObject({ ops: 20_000, lines: 40_000, linearizable: true });
    // About 3% of the half of ops that are puts or appends.
    expect(summary.infoOps).toBeGreaterThan(150);
    expect(summary.infoOps).toBeLessThan(450);
    const history = readHistory(text, 'kv.txt').history;
    const infoAt = new Map(history.filter((record) => record.type === 'info').map((record) => [record.process, record.index]));
    expect(infoAt.size).toBe(summary.infoOps);
    // By Jepsen's rule, a process whose op ended in info never invokes again.
    expect(history.some((record) => record.type === 'invoke' && record.index > (infoAt.get(record.process) ?? Infinity))).toBe(false);
  });

  it('check as linearizable, and as not linearizable with the planted get named', () => {
    const valid = checkHistory(readHistory(generated(OPTIONS).text, 'ok.txt').history, kv);
    expect(valid).toMatchObject({ verdict: 'linearizable', parts: 100, ops: 20_000 });
    const { text, summary } = generated({ ...OPTIONS, violation: true });
    expect(summary.linearizable).toBe(false);
    const invalid = checkHistory(readHistory(text, 'bad.txt').history, kv);
    expect(invalid.verdict).toBe('not-linearizable');
    if (invalid.evidence?.kind !== 'not-linearizable') throw new Error('expected violation evidence');
    const named = [...invalid.evidence.stuck, ...(invalid.evidence.window?.ops ?? [])];
    expect(named.some((op) => op.f === 'get' && typeof op.value === 'string' && op.value.endsWith('x z y'))).toBe(true);
  });
});
