// Unseen Jepsen etcd logs: generated from a simulated register (linearizable by construction) or
// with a planted violation (not linearizable by construction), small to large, with timeouts
// piling up pending ops and retired processes. The checker must decide each within its budget.
import { describe, expect, it } from 'vitest';
import { detectFormat, readHistory } from '../histories/detect.js';
import { checkHistory } from './linearizability.js';
import { casRegisterAbsent } from './models/cas-register.js';
import { generateEtcdLog, type EtcdLogOptions, type PlantedViolation } from './testing/etcd-log.js';

/** Far more than any of these needs, so a regression shows up as `unknown`, not as a slow test. */
const BUDGET_STEPS = 5_000_000;

const SIZES: { name: string; options: Omit<EtcdLogOptions, 'seed'> }[] = [
  { name: '200 ops, 5 clients, 10% timed out', options: { clients: 5, ops: 200, timeoutPercent: 10 } },
  { name: '2000 ops, 10 clients, 10% timed out', options: { clients: 10, ops: 2000, timeoutPercent: 10 } },
  { name: '5000 ops, 20 clients, 25% timed out', options: { clients: 20, ops: 5000, timeoutPercent: 25 } },
];

function decide(options: EtcdLogOptions) {
  const log = generateEtcdLog(options);
  expect(detectFormat(log.text)).toBe('porcupine-etcd');
  const { history } = readHistory(log.text, `etcd-${options.seed}.log`);
  return { log, result: checkHistory(history, casRegisterAbsent, { budgetSteps: BUDGET_STEPS }) };
}

describe('generated Jepsen etcd logs', () => {
  it('look like Jepsen logs: noise between op lines, timeouts retiring processes', () => {
    const log = generateEtcdLog({ seed: 1, clients: 20, ops: 5000, timeoutPercent: 25 });
    const lines = log.text.split('\n');
    expect(lines.some((line) => line.startsWith('INFO  jepsen.core'))).toBe(true);
    expect(lines.some((line) => /:info\s+:(write|cas)\s+:timed-out$/.test(line))).toBe(true);
    expect(lines.some((line) => /:fail\s+:read\s+:timed-out$/.test(line))).toBe(true);
    expect(log.timedOut).toBeGreaterThan(1000);
    // Several hundred processes over time, most of them retired by a timeout.
    expect(log.processes).toBeGreaterThan(500);
    expect(generateEtcdLog({ seed: 1, clients: 20, ops: 5000, timeoutPercent: 25 }).text).toBe(log.text);
  });

  for (const size of SIZES) {
    it(`decides linearizable logs: ${size.name}`, () => {
      for (const seed of [1, 2, 3]) {
        const { log, result } = decide({ seed, ...size.options });
        expect(log.linearizable).toBe(true);
        expect(result.verdict).toBe('linearizable');
      }
    });

    for (const violation of ['impossible-read', 'stale-read'] as PlantedViolation[]) {
      it(`refutes a ${violation}: ${size.name}`, () => {
        for (const seed of [1, 2]) {
          const { log, result } = decide({ seed, ...size.options, violation });
          expect(log.linearizable).toBe(false);
          expect(result.verdict).toBe('not-linearizable');
          const evidence = result.evidence!;
          if (evidence.kind !== 'not-linearizable') throw new Error('expected violation evidence');
          // The planted read (a value from 97 up) is named, as stuck or in the refuted window.
          const named = [...evidence.stuck, ...(evidence.window?.ops ?? [])];
          expect(named.some((op) => op.f === 'read' && typeof op.value === 'number' && op.value >= 97)).toBe(true);
        }
      });
    }
  }
});
