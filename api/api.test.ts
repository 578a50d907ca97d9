// The public API as a user calls it: simulate, fuzz, check, replay, on a built-in system, a test
// system and histories other projects recorded (../shared/data, with their own verdicts).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { check, CHECKS, defineSystem, fuzz, readHistory, replay, simulate, ScenarioError, type SimulateOptions } from './index.js';
import { registerSystem } from '../workloads/testing/register.js';

const DATA = fileURLToPath(new URL('../../shared/data', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'crucible-api-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('simulate', () => {
  it('runs a built-in system by name, deterministically, with the same fingerprint the CLI path gives', () => {
    const options: SimulateOptions = { system: 'raft', seed: 3, scenario: { durationMs: 2_000, livenessMs: 2_000, workload: { opsMax: 40 }, faults: { kinds: ['partition'] } } };
    const first = simulate(options);
    const second = simulate(options);
    expect(first.valid).toBe(true);
    expect(first.ops).toBeGreaterThan(0);
    expect(first.ops).toBeLessThanOrEqual(40);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(second.history).toEqual(first.history);
    expect(first.repro).toBeNull();
  });

  it('writes a failing run\'s capsule and gives its replay command', () => {
    const run = simulate({ system: registerSystem, seed: 1, scenario: { bug: 'test.backup-garbage', workload: { opsMax: 30 } }, capsules: scratch });
    expect(run.valid).toBe(false);
    expect(run.violation).toBe('invariants');
    expect(run.repro).toBe(`npm run --silent crucible -- replay ${run.capsuleFile}`);
    const capsule = JSON.parse(readFileSync(run.capsuleFile!, 'utf8'));
    expect(capsule.summary.startsWith(run.repro!)).toBe(true);
    expect(capsule.expected.fingerprint).toBe(run.fingerprint);
  });

  it('says what is wrong with a scenario or a system name', () => {
    expect(() => simulate({ system: 'raft', seed: 1, scenario: { nodes: 0 } })).toThrow(ScenarioError);
    expect(() => simulate({ system: 'raf', seed: 1 })).toThrow(/not a built-in system \(built in: raft, quorum-kv/);
    expect(() => simulate({ system: registerSystem, seed: -1 })).toThrow(/seed -1/);
  });
});

describe('fuzz and replay', () => {
  it('finds the planted bug, shrinks it into a capsule that replays with the same fingerprint', async () => {
    const report = await fuzz({ system: registerSystem, runs: 20, scenario: { bug: 'test.ack-before-fsync', faults: { kinds: ['crash'] } }, capsules: scratch });
    expect(report.invalid).toBeGreaterThan(0);
    const failure = report.failures[0]!;
    expect(failure.shrink).not.toBeNull();
    expect(failure.shrunk.ops).toBeLessThanOrEqual(failure.found.ops);
    expect(existsSync(failure.shrunk.capsuleFile!)).toBe(true);
    const again = await replay(failure.shrunk.capsuleFile!, { system: registerSystem });
    expect(again.matched).toBe(true);
    expect(again.violation).toBe(failure.shrunk.violation);
    // A capsule object replays too; a forged fingerprint is reported as not matched.
    const forged = { ...failure.shrunk.capsule, expected: { ...failure.shrunk.capsule.expected, fingerprint: '0000000000000000' } };
    expect((await replay(forged, { system: registerSystem })).matched).toBe(false);
  });

  it('a correct system passes a campaign with nothing written', async () => {
    const before = readdirSync(scratch).length;
    const report = await fuzz({ system: registerSystem, runs: 10, scenario: { faults: { kinds: ['partition'] } }, capsules: scratch });
    expect(report).toMatchObject({ runs: 10, valid: 10, invalid: 0, failures: [] });
    expect(readdirSync(scratch).length).toBe(before);
  });

  it('spreads a campaign over worker processes when the system is a module they can load', async () => {
    const report = await fuzz({ system: { module: 'workloads/testing/register-plugin.ts' }, workers: 1, runs: 20, scenario: { bug: 'test.ack-before-fsync', faults: { kinds: ['crash'] } }, capsules: scratch });
    expect(report.invalid).toBeGreaterThan(0);
    // The capsule names the module relative to the project, so `crucible replay` finds it anywhere.
    expect(report.failures[0]!.shrunk.capsule.plugin).toBe('workloads/testing/register-plugin.ts');
    expect((await replay(report.failures[0]!.shrunk.capsuleFile!)).matched).toBe(true);
  });

  it('refuses worker processes for a system object (they cannot be handed one)', async () => {
    await expect(fuzz({ system: registerSystem, runs: 2, workers: 1 })).rejects.toThrow(/system: \{ module/);
  });
});

describe('check', () => {
  it('agrees with the verdicts other projects asserted for their histories', () => {
    const expected = JSON.parse(readFileSync(join(DATA, 'expected.json'), 'utf8')) as Record<string, { model: string; linearizable: boolean }>;
    const picked = Object.entries(expected).filter(([file, entry]) => (entry.model === 'cas-register' || entry.model === 'mutex') && !file.includes('memstress'));
    expect(picked.length).toBeGreaterThan(5);
    for (const [file, entry] of picked) {
      const { history } = readHistory(readFileSync(join(DATA, file), 'utf8'), file);
      expect(check(history, entry.model as 'cas-register').verdict, file).toBe(entry.linearizable ? 'valid' : 'invalid');
    }
  });

  it('judges unique ids, logs and sets on any history', () => {
    const op = (index: number, process: number, type: 'invoke' | 'ok', f: string, value: unknown) => ({ index, process, type, f, value });
    const ids = [op(0, 0, 'invoke', 'generate', null), op(1, 0, 'ok', 'generate', 'a'), op(2, 1, 'invoke', 'generate', null), op(3, 1, 'ok', 'generate', 'b')];
    expect(check(ids, 'unique-ids').verdict).toBe('valid');
    expect(check([...ids, op(4, 2, 'invoke', 'generate', null), op(5, 2, 'ok', 'generate', 'a')], 'unique-ids').verdict).toBe('invalid');
    const log = [op(0, 0, 'invoke', 'append', 1), op(1, 0, 'ok', 'append', 0), op(2, 1, 'invoke', 'append', 2), op(3, 1, 'ok', 'append', 1), op(4, 2, 'invoke', 'read', null), op(5, 2, 'ok', 'read', [1, 2])];
    expect(check(log, 'log').verdict).toBe('valid');
    // Lost: the acknowledged append of 2 is missing from a later read.
    expect(check([...log, op(6, 3, 'invoke', 'read', null), op(7, 3, 'ok', 'read', [1])], 'log').summary).toMatch(/1 lost/);
    // Order: two reads disagree at offset 0.
    expect(check([...log, op(6, 3, 'invoke', 'read', null), op(7, 3, 'ok', 'read', [2, 1])], 'log').summary).toMatch(/order/);
    const set = [op(0, 0, 'invoke', 'add', 1), op(1, 0, 'ok', 'add', 1), op(2, 1, 'invoke', 'read', null), op(3, 1, 'ok', 'read', [])];
    expect(check(set, 'set').verdict).toBe('invalid');
    expect(Object.keys(CHECKS)).toEqual(expect.arrayContaining(['kv', 'counter', 'queue', 'set', 'unique-ids', 'log']));
  });

  it('says which record is malformed and which names it knows', () => {
    expect(() => check([{ index: 0, process: 0, type: 'begin' } as never], 'counter')).toThrow(/history\[0\]\.type/);
    expect(() => check([], 'sets' as never)).toThrow(/unknown model "sets" \(known: kv, register/);
  });
});

describe('defineSystem', () => {
  it('catches a plugin that cannot run where it is written', () => {
    expect(defineSystem(registerSystem)).toBe(registerSystem);
    expect(() => defineSystem({ ...registerSystem, name: 'register', defaultWorkload: 'nope' })).toThrow(/defaultWorkload "nope"/);
    expect(() => defineSystem({ ...registerSystem, bugs: [...registerSystem.bugs, registerSystem.bugs[0]!] })).toThrow(/bug "test.ack-before-fsync" is declared twice/);
    expect(() => defineSystem({ ...registerSystem, nodes: { default: 9, min: 1, max: 5 } })).toThrow(/1 <= min <= default <= max/);
  });
});
