import { describe, expect, it } from 'vitest';
import { type RunResult, runScenario, violationOf } from './runner.js';
import { ScenarioError, type ScenarioInput } from './scenario.js';
import { registerSystem } from '../../workloads/testing/register.js';
import { leaderlessSystem } from '../../workloads/testing/leaderless.js';

const plugin = registerSystem;
const MS = 1_000_000;

/** Slow fsyncs widen the window in which an acknowledged-but-unsynced write can be lost. */
const BASE: ScenarioInput = {
  system: 'test-register',
  durationMs: 4_000,
  livenessMs: 2_000,
  disk: { fsyncUsMin: 20_000, fsyncUsMax: 100_000 },
  workload: { opsPerSecond: 20, opsMax: 120 },
};

describe('runScenario', () => {
  it('is a pure function of (scenario, seed): same fingerprint, history and faults twice', () => {
    const scenario: ScenarioInput = { ...BASE, faults: { kinds: ['all'] } };
    const a = runScenario(scenario, 11, { plugin });
    const b = runScenario(scenario, 11, { plugin });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.history).toEqual(b.history);
    expect(a.faultRows).toEqual(b.faultRows);
    expect(a.scenario).toEqual(b.scenario);
    expect(runScenario(scenario, 12, { plugin }).fingerprint).not.toBe(a.fingerprint);
  });

  it('records an explicit scenario that replays to the same run', () => {
    const drawn = runScenario({ ...BASE, faults: { kinds: ['crash', 'partition', 'drop'], intensity: { ratePerSecond: 3 } } }, 5, { plugin });
    expect(Array.isArray(drawn.scenario.faults)).toBe(true);
    expect(drawn.scenario.faults.length).toBeGreaterThan(0);
    expect(drawn.faultEvents).toBeGreaterThan(0);
    const replayed = runScenario(JSON.parse(JSON.stringify(drawn.scenario)), 5, { plugin });
    expect(replayed.fingerprint).toBe(drawn.fingerprint);
    expect(replayed.scenario).toEqual(drawn.scenario);
  });

  it('runs a safety phase then a liveness phase, and passes a correct system under faults', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const result = runScenario({ ...BASE, faults: { kinds: ['crash', 'partition', 'network', 'pause', 'clock'], intensity: { ratePerSecond: 2 } } }, seed, { plugin });
      expect(result.verdict, `seed ${seed}: ${JSON.stringify(result.checkers)}`).toBe('valid');
      expect(result.simMs).toBe(6_000);
      expect(result.healedAtNs).toBe(4_000 * 1_000_000);
      expect(result.checkers.map((c) => c.checker)).toEqual(['linearizable', 'liveness', 'invariants', 'assertions']);
    }
  });

  it('finds each planted bug through its own checker', () => {
    const invariants = runScenario({ ...BASE, bug: 'test.backup-garbage' }, 1, { plugin });
    expect(invariants.violation).toBe('invariants');
    expect(invariants.verdict).toBe('invalid');
    let thrown: string | null = null;
    for (let seed = 1; seed <= 20 && thrown === null; seed++) {
      thrown = runScenario({ ...BASE, bug: 'test.throw-on-13', workload: { opsPerSecond: 50, opsMax: 200 } }, seed, { plugin }).violation;
    }
    expect(thrown).toContain('assertions');
    let lost: string | null = null;
    for (let seed = 1; seed <= 40 && lost === null; seed++) {
      lost = runScenario({ ...BASE, bug: 'test.ack-before-fsync', faults: { kinds: ['crash'], intensity: { ratePerSecond: 2 } } }, seed, { plugin }).violation;
    }
    expect(lost).toBe('linearizable');
  });

  it('cuts a run into an exact prefix of the full run, judged for safety only', () => {
    const scenario: ScenarioInput = { ...BASE, faults: { kinds: ['crash', 'partition'], intensity: { ratePerSecond: 2 } } };
    const full = runScenario(scenario, 4, { plugin });
    const cut = runScenario({ ...full.scenario, stopAtMs: 2_500 }, 4, { plugin });
    expect(cut.simMs).toBe(2_500);
    const prefix = full.history.filter((record) => (record.time ?? 0) <= 2_500 * 1_000_000);
    expect(cut.history).toEqual(prefix);
    expect(cut.checkers.map((c) => c.checker)).not.toContain('liveness');
    expect(cut.ops).toBeLessThan(full.ops);
  });

  it('refuses checker names no checker of the run answers to, rather than keep nothing and report valid', () => {
    const run = () => runScenario({ ...BASE, bug: 'test.backup-garbage', checkers: ['linearisable', 'invariants'] }, 1, { plugin });
    expect(run).toThrow(ScenarioError);
    expect(run).toThrow(/checkers: "linearisable" is not a checker of this run \(its checkers: .*linearizable/);
  });

  it('keeps only the checkers a scenario names', () => {
    const result = runScenario({ ...BASE, bug: 'test.backup-garbage', checkers: ['linearizable'] }, 1, { plugin });
    expect(result.checkers.map((c) => c.checker)).toEqual(['linearizable']);
    expect(result.verdict).toBe('valid');
  });

  it('explains a scenario that does not fit the system', () => {
    expect(() => runScenario({ ...BASE, bug: 'test.nope' }, 1, { plugin })).toThrow(/bug: unknown bug "test.nope"/);
    expect(() => runScenario({ ...BASE, nodes: 9 }, 1, { plugin })).toThrow(/nodes: test-register runs with 1 to 5 nodes, not 9/);
    expect(() => runScenario({ ...BASE, faults: [{ atMs: 1, kind: 'pause', node: 'n7' }] }, 1, { plugin })).toThrow(
      /faults\[0\]: node "n7" is not in this cluster/,
    );
    expect(() => runScenario({ ...BASE, system: 'nope' }, 1, { plugin })).toThrow(ScenarioError);
    expect(() => runScenario({ ...BASE, faults: [{ atMs: 1, kind: 'partiton', node: 'n1' }] }, 1, { plugin })).toThrow(
      /faults\[0\]\.kind: unknown fault kind "partiton" \(expected one of partition-isolate/,
    );
    expect(() => runScenario({ ...BASE, faults: [{ atMs: 1, kind: 'crash', role: 'leader', mode: 'lose' }] }, 1, { plugin })).toThrow(
      /faults\[0\]\.role: unknown target "leader" \(expected one of primary, backup\)/,
    );
  });

  it('turns fault points (BUGGIFY) on when the scenario asks', () => {
    const failedReads = (enabled: boolean) =>
      runScenario({ ...BASE, faultPoints: { enabled, numerator: 1, denominator: 2 } }, 3, { plugin }).history.filter(
        (record) => record.type === 'fail' && record.f === 'read',
      ).length;
    expect(failedReads(false)).toBe(0);
    expect(failedReads(true)).toBeGreaterThan(5);
  });

  it('names the violation by its invalid checkers', () => {
    expect(violationOf([{ checker: 'b', verdict: 'invalid', summary: '' }, { checker: 'a', verdict: 'invalid', summary: '' }])).toBe('a+b');
    expect(violationOf([{ checker: 'a', verdict: 'unknown', summary: '' }])).toBeNull();
  });
});

describe('every fault kind against the real World', () => {
  it('starts, stops and heals each kind, and the kernel records it', () => {
    const scenario: ScenarioInput = {
      ...BASE,
      durationMs: 3_000,
      faults: [
        { atMs: 100, kind: 'partition-isolate', role: 'backup', durationMs: 50 },
        { atMs: 200, kind: 'partition-halves', side: ['n1'], durationMs: 50 },
        { atMs: 300, kind: 'partition-bridge', left: ['n1'], right: ['n2'], bridge: 'n3', durationMs: 50 },
        { atMs: 400, kind: 'partition-ring', order: ['n1', 'n2', 'n3'], durationMs: 50 },
        { atMs: 500, kind: 'partition-one-way', from: ['n1'], to: ['n2', 'n3'], durationMs: 50 },
        { atMs: 600, kind: 'drop', probability: 0.1, durationMs: 50 },
        { atMs: 700, kind: 'dup', probability: 0.1, durationMs: 50 },
        { atMs: 800, kind: 'reorder', probability: 0.1, delayMsMax: 5, durationMs: 50 },
        { atMs: 900, kind: 'delay', latencyMsMin: 5, latencyMsMax: 10, durationMs: 50 },
        { atMs: 1000, kind: 'clog', from: 'n1', to: 'n2', durationMs: 50 },
        { atMs: 1100, kind: 'crash', node: 'n2', mode: 'tear', durationMs: 50 },
        { atMs: 1200, kind: 'pause', node: 'n3', durationMs: 50 },
        { atMs: 1300, kind: 'clock-offset', node: 'n1', offsetMs: 40, durationMs: 50 },
        { atMs: 1400, kind: 'clock-drift', node: 'n1', ppm: 1000, durationMs: 50 },
        { atMs: 1500, kind: 'clock-jump', node: 'n1', jumpMs: -30 },
        { atMs: 1600, kind: 'disk-corrupt', node: 'n3', durationMs: 50 },
        { atMs: 1700, kind: 'disk-fsync-fail', node: 'n1', durationMs: 50 },
        { atMs: 1800, kind: 'disk-stall', node: 'n1', stallMs: 20, durationMs: 50 },
        { atMs: 1900, kind: 'disk-full', node: 'n1', durationMs: 50 },
      ],
    };
    const result = runScenario(scenario, 2, { plugin });
    const started = result.faultRows.filter((row) => row.kind.endsWith('.start')).map((row) => row.kind.replace(/\.start$/, ''));
    expect(started).toEqual([...(scenario.faults as { kind: string }[]).map((event) => event.kind), 'heal']);
    const stopped = result.faultRows.filter((row) => row.kind.endsWith('.stop')).length;
    // Every lasting fault with a duration stopped on its own (instant kinds have no stop).
    expect(stopped).toBe(18);
    const kernelKinds = new Set(result.trace.filter((event) => event.node === null).map((event) => event.kind));
    for (const kind of ['fault.partition', 'fault.heal', 'fault.link-faults', 'fault.clog', 'fault.crash', 'fault.restart', 'fault.pause', 'fault.resume', 'fault.clock-offset', 'fault.clock-drift', 'fault.clock-jump', 'fault.disk']) {
      expect(kernelKinds, kind).toContain(kind);
    }
    expect(result.verdict, JSON.stringify(result.checkers)).toBe('valid');
  });
});

describe('the liveness core (TigerBeetle-style liveness mode)', () => {
  it('keeps a drawn minority down through the liveness phase and still demands progress', () => {
    const leaderless = leaderlessSystem;
    const runs = Array.from({ length: 12 }, (_, seed) => runScenario({ system: leaderless.name, nodes: 3, livenessMode: 'core', faults: [] }, seed, { plugin: leaderless }));
    for (const run of runs) {
      // One node of three stays crashed or cut off from the heal to the end, recorded as such.
      expect(run.scenario.livenessFaults?.length, `seed ${run.seed}`).toBeGreaterThan(0);
      const heal = run.faultRows.findIndex((row) => row.kind === 'heal.start');
      const after = run.faultRows.slice(heal + 1);
      expect(after.map((row) => row.kind)).toEqual(run.scenario.livenessFaults!.map((event) => `${event.kind}.start`));
    }
    // The minority really was down or cut off: it served no client after the heal, and progress
    // was still judged after the heal, of the majority alone.
    for (const run of runs) {
      const minority = new Set(run.scenario.livenessFaults!.flatMap((event) => (event.kind === 'crash' ? [event.node!] : (event.side as string[]))));
      const healNs = run.healedAtNs!;
      const servedAfter = run.history.filter((record) => record.type === 'ok' && (record.time ?? 0) > healNs + 50 * MS && minority.has(record.node ?? ''));
      expect(servedAfter, `seed ${run.seed}`).toEqual([]);
      // Not vacuous: the majority did serve after the heal, and said which node did.
      expect(run.history.some((record) => record.type === 'ok' && (record.time ?? 0) > healNs && record.node !== undefined)).toBe(true);
      expect(run.checkers.find((c) => c.checker === 'liveness')?.verdict, `seed ${run.seed}`).toBe('valid');
    }
  });
});
