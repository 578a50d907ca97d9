// Soak runs through the runner: faults all the way through a long run, repeating phases judged
// window by window, the first violation stopping the run, and a bug switched on late, found and
// shrunk. The trace streamed to a spool (files) is tested with the command, scripts/commands/soak.test.ts.
import { describe, expect, it } from 'vitest';
import { NS_PER_MS } from '../../nodes/host.js';
import { raftSystem as plugin } from '../../workloads/raft/plugin.js';
import type { LivenessEvidence } from '../../checkers/liveness.js';
import { runScenario } from './runner.js';
import { bannerLines } from './banner.js';
import { formatSimMs, parseDurationMs, parsePhases, shrinkSoak, soakProgressLine } from './soak.js';
import type { ScenarioInput } from './scenario.js';

describe('fault schedules over a long run', () => {
  it('keeps drawing faults to the end of a run the old cap of 64 cut short, and the banner says the cap', () => {
    // Three fault starts a second: the old cap of 64 ran out after about 21 s of this 90 s run.
    const result = runScenario({ system: 'raft', durationMs: 90_000, livenessMs: 3_000, faults: { kinds: ['crash', 'partition', 'pause'], intensity: { ratePerSecond: 3 } } }, 2, { plugin, traceLimit: 0 });
    const faults = result.scenario.faults;
    expect(faults.length).toBeGreaterThan(200);
    expect(faults.at(-1)!.atMs).toBeGreaterThan(85_000);
    expect(result.faultEvents).toBeGreaterThan(150);
    expect(result.schedule).toEqual({ eventsMax: 576, faultMs: 90_000, cappedAtMs: null });
    const cap = bannerLines(result.scenario, result.seed, result.schedule).find((line) => line.includes('fault cap'));
    expect(cap).toContain('576 events over 90000 ms of fault time');
    expect(cap).toContain('not reached');
    expect(result.verdict).toBe('valid');
  });

  it('alternates fault and quiet windows: healed at each window, no start inside one, each judged for progress', () => {
    const scenario: ScenarioInput = {
      system: 'raft',
      durationMs: 100_000,
      livenessMs: 4_000,
      workload: { opsPerSecond: 20, opsMax: 1_000_000 },
      faults: { kinds: ['crash', 'partition', 'pause'], intensity: { ratePerSecond: 2 } },
      phases: { faultMs: 20_000, quietMs: 10_000 },
    };
    const result = runScenario(scenario, 4, { plugin, traceLimit: 0 });
    const quiet = result.quietWindows!.map((window) => [window.startNs / NS_PER_MS, window.endNs / NS_PER_MS]);
    expect(quiet).toEqual([
      [20_000, 30_000],
      [50_000, 60_000],
      [80_000, 90_000],
    ]);
    const inQuiet = (timeNs: number) => result.quietWindows!.some((window) => window.startNs <= timeNs && timeNs < window.endNs);
    const starts = result.faultRows.filter((row) => row.kind.endsWith('.start') && row.kind !== 'heal.start');
    expect(starts.length).toBeGreaterThan(60);
    expect(starts.filter((row) => inQuiet(row.time))).toEqual([]);
    // Each window opens by stopping what was on then; faults come back in the next fault window.
    expect(result.faultRows.filter((row) => row.fields.reason === 'quiet window').length).toBeGreaterThan(0);
    for (const startMs of [30_000, 60_000, 90_000]) expect(starts.some((row) => row.time >= startMs * NS_PER_MS && row.time < (startMs + 10_000) * NS_PER_MS)).toBe(true);
    const liveness = result.checkers.find((checker) => checker.checker === 'liveness')!;
    expect(liveness.verdict).toBe('valid');
    const judged = (liveness.evidence as LivenessEvidence).quietWindows!;
    expect(judged.map((window) => window.startNs / NS_PER_MS)).toEqual([20_000, 50_000, 80_000]);
    for (const window of judged) expect(window.firstOkNs).not.toBeNull();
    expect(bannerLines(result.scenario, result.seed).some((line) => line.includes('20000 ms of faults, then 10000 ms quiet'))).toBe(true);
  });
});

describe('a bug switched on late', () => {
  const scenario: ScenarioInput = {
    system: 'raft',
    durationMs: 40_000,
    livenessMs: 3_000,
    workload: { opsPerSecond: 20, opsMax: 1_000_000 },
    faults: { kinds: ['crash', 'partition'] },
    bug: 'raft.unpersisted-vote',
    bugAtMs: 20_000,
  };

  it('is off before its moment: switched on after the run ends, the run is the bug-free run', () => {
    const never = runScenario({ ...scenario, bugAtMs: 60_000 }, 1, { plugin, traceLimit: 0 });
    const correct = runScenario({ ...scenario, bug: null }, 1, { plugin, traceLimit: 0 });
    expect(never.fingerprint).toBe(correct.fingerprint);
    expect(never.verdict).toBe('valid');
  });

  it('is found after its moment, stops the run there, replays as the cut, and shrinks to a small capsule', () => {
    const found = runScenario(scenario, 1, { plugin, traceLimit: 0, stopOnViolation: true, progressEveryMs: 1_000 });
    expect(found.violation).toBe('invariants');
    expect(found.stoppedAtMs).toBeGreaterThan(20_000);
    expect(found.stoppedAtMs).toBeLessThan(43_000);
    expect(found.scenario.stopAtMs).toBe(found.stoppedAtMs);
    const violation = found.checkers.find((checker) => checker.checker === 'invariants')!;
    const atMs = Number(/at ([\d.]+) ms/.exec(violation.summary)![1]);
    expect(atMs).toBeGreaterThan(20_000);
    // The recorded scenario replays the very prefix the soak stopped at.
    const replay = runScenario(found.scenario, 1, { plugin, traceLimit: 0 });
    expect(replay.fingerprint).toBe(found.fingerprint);
    expect(replay.violation).toBe('invariants');

    const shrunk = shrinkSoak(found, plugin, 60, { progressEveryMs: 1_000 });
    expect(shrunk.result.violation).toContain('invariants');
    expect(shrunk.steps[0]).toBe('bug switched on at 0 ms, not 20000 ms');
    expect(shrunk.result.scenario.bugAtMs).toBeUndefined();
    expect(shrunk.result.ops).toBeLessThan(found.ops / 4);
    expect(shrunk.result.faultEvents).toBeLessThan(found.faultEvents);
    expect(runScenario(shrunk.result.scenario, shrunk.result.seed, { plugin, traceLimit: 0 }).fingerprint).toBe(shrunk.result.fingerprint);
  });
});

describe('soak helpers', () => {
  it('reads durations and phases as a person writes them, and refuses the rest', () => {
    expect(parseDurationMs('1h')).toBe(3_600_000);
    expect(parseDurationMs('30m')).toBe(1_800_000);
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('90s')).toBe(90_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('5000')).toBe(5_000);
    for (const bad of ['', 'h', '1d', '1.5h', '10 s', '-5s', '1h 2m']) expect(parseDurationMs(bad)).toBeNull();
    expect(parsePhases('60s/30s')).toEqual({ faultMs: 60_000, quietMs: 30_000 });
    for (const bad of ['60s', '60s/0s', 'a/b', '1s/2s/3s']) expect(parsePhases(bad)).toBeNull();
  });

  it('prints simulated time, events, ops, faults and memory on the progress line', () => {
    const line = soakProgressLine({ simMs: 1_805_000, endMs: 3_605_000, events: 4_500_000, ops: 123_456, faults: 1_799, done: false }, 200 * 2 ** 20, 41_000);
    expect(line).toBe('sim 30m05s/1h00m05s (50%)  events 4.50M  ops 123.5k  faults 1799  rss 200 MB  wall 41.0 s');
    expect(formatSimMs(59_999)).toBe('0m59s');
  });
});
