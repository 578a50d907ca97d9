import { describe, expect, it } from 'vitest';
import type { History, HistoryRecord } from '../histories/schema.js';
import { checkLiveness, type LivenessEvidence } from './liveness.js';

const MS = 1_000_000;

type Draft = Omit<HistoryRecord, 'index'>;

function history(drafts: Draft[]): History {
  return drafts.map((draft, index) => ({ ...draft, index }));
}

/** One write by `process`, invoked at `fromMs` and ended `type` at `toMs`. */
function op(process: number, fromMs: number, toMs: number, type: 'ok' | 'fail' | 'info'): Draft[] {
  return [
    { process, type: 'invoke', f: 'write', value: process, key: 'k0', time: fromMs * MS },
    { process, type, f: 'write', value: process, key: 'k0', time: toMs * MS },
  ];
}

describe('checkLiveness', () => {
  const options = { healedAtNs: 1000 * MS, endNs: 6000 * MS, boundNs: 3000 * MS };

  it('passes when an op completes ok within the bound after the heal', () => {
    const drafts = [...op(0, 900, 1900, 'info'), ...op(1, 1950, 2500, 'ok')];
    const result = checkLiveness(history(drafts), options);
    expect(result.verdict).toBe('valid');
    expect((result.evidence as LivenessEvidence).firstOk).toEqual({ index: 3, time: 2500 * MS, afterHealNs: 1500 * MS });
  });

  it('fails when every op in the window times out or fails, and shows them', () => {
    const drafts = [...op(0, 500, 900, 'ok'), ...op(1, 1100, 2100, 'info'), ...op(2, 2200, 2300, 'fail'), ...op(3, 3900, 4500, 'ok')];
    const result = checkLiveness(history(drafts), options);
    expect(result.verdict).toBe('invalid');
    const evidence = result.evidence as LivenessEvidence;
    expect(evidence.stalled.map((stalled) => [stalled.process, stalled.type])).toEqual([
      [1, 'info'],
      [2, 'fail'],
    ]);
    expect(evidence.windowEndNs).toBe(4000 * MS);
  });

  it('counts a failed compare in the window as progress after the heal, a refused write not', () => {
    // A lone cas on a key never written: the cluster's answer is a definite mismatch, at 1300 ms.
    const cas = (f: string): Draft[] => [
      { process: 0, type: 'invoke', f, value: [1, 1], key: 'k0', time: 1100 * MS },
      { process: 0, type: 'fail', f, value: [1, 1], key: 'k0', time: 1300 * MS },
    ];
    const answered = checkLiveness(history(cas('cas')), { ...options, answeredFails: ['cas'] });
    expect(answered.verdict).toBe('valid');
    expect((answered.evidence as LivenessEvidence).firstOk).toEqual({ index: 1, time: 1300 * MS, afterHealNs: 300 * MS });
    expect(checkLiveness(history(cas('cas')), options).verdict).toBe('invalid');
    expect(checkLiveness(history(cas('write')), { ...options, answeredFails: ['cas'] }).verdict).toBe('invalid');
  });

  it('counts an op still pending at the end as stalled', () => {
    const drafts: Draft[] = [{ process: 0, type: 'invoke', f: 'read', value: null, key: 'k0', time: 1200 * MS }];
    const result = checkLiveness(history(drafts), options);
    expect(result.verdict).toBe('invalid');
    expect((result.evidence as LivenessEvidence).stalledCount).toBe(1);
  });

  it('starts the window at 0 when there were no faults', () => {
    const late = checkLiveness(history(op(0, 100, 3500, 'ok')), { healedAtNs: null, endNs: 6000 * MS, boundNs: 3000 * MS });
    expect(late.verdict).toBe('invalid');
    const early = checkLiveness(history(op(0, 100, 200, 'ok')), { healedAtNs: null, endNs: 6000 * MS, boundNs: 3000 * MS });
    expect(early.verdict).toBe('valid');
  });

  it('cannot judge a run that ended early, an idle window, or a history without times', () => {
    expect(checkLiveness(history(op(0, 1100, 1200, 'info')), { ...options, endNs: 2000 * MS }).verdict).toBe('unknown');
    expect(checkLiveness(history(op(0, 100, 200, 'ok')), options).verdict).toBe('unknown');
    const untimed = history([{ process: 0, type: 'invoke', f: 'read', value: null }]);
    expect(checkLiveness(untimed, options).verdict).toBe('unknown');
  });
});

describe('checkLiveness in healthy stretches', () => {
  const base = { healedAtNs: 10_000 * MS, endNs: 15_000 * MS, boundNs: 3000 * MS, stallBoundNs: 1500 * MS };

  it('finds a stall while a majority was healthy, even though the cluster recovered after the heal', () => {
    // Steady progress, then 4 s with nothing ok from 2 s, then progress again.
    const drafts = [...op(0, 100, 200, 'ok'), ...op(0, 1900, 2000, 'ok'), ...op(1, 2100, 3100, 'info'), ...op(2, 3200, 4200, 'info'), ...op(3, 6100, 6200, 'ok'), ...op(3, 10100, 10200, 'ok')];
    const healthy = [{ startNs: 0, endNs: 15_000 * MS }];
    const result = checkLiveness(history(drafts), { ...base, healthy });
    expect(result.verdict).toBe('invalid');
    const evidence = result.evidence as LivenessEvidence;
    expect(evidence.stalls[0]).toMatchObject({ process: 1, invokeTime: 2100 * MS, waitedNs: 4100 * MS });
    expect(evidence.stallCount).toBe(2);
    // The same history with the stall outside any healthy stretch is fine.
    const unhealthy = [
      { startNs: 0, endNs: 2000 * MS },
      { startNs: 6000 * MS, endNs: 15_000 * MS },
    ];
    expect(checkLiveness(history(drafts), { ...base, healthy: unhealthy }).verdict).toBe('valid');
  });

  it('gives a stretch that follows a majority fault the heal bound to recover', () => {
    const drafts = [...op(1, 5100, 6100, 'info'), ...op(2, 7000, 7100, 'ok'), ...op(2, 10100, 10200, 'ok')];
    const healthy = [{ startNs: 5000 * MS, endNs: 15_000 * MS }];
    expect(checkLiveness(history(drafts), { ...base, healthy }).verdict).toBe('valid');
    // Past the recovery bound the same wait is a stall.
    const late = [...op(1, 8100, 9100, 'info'), ...op(2, 10000, 10100, 'ok')];
    expect(checkLiveness(history(late), { ...base, healthy }).verdict).toBe('invalid');
  });

  it('counts an op answered with a failed compare as not stalled, but not a refused write', () => {
    const drafts = (type: 'fail', f: string): Draft[] => [
      { process: 0, type: 'invoke', f, value: [1, 2], key: 'k0', time: 12_000 * MS },
      { process: 0, type, f, value: [1, 2], key: 'k0', time: 12_010 * MS },
      ...op(1, 10_050, 10_100, 'ok'),
    ];
    const healthy = [{ startNs: 0, endNs: 15_000 * MS }];
    const options = { ...base, healthy, answeredFails: ['cas'] };
    expect(checkLiveness(history(drafts('fail', 'cas')), options).verdict).toBe('valid');
    expect(checkLiveness(history(drafts('fail', 'write')), options).verdict).toBe('invalid');
  });
});

describe('checkLiveness with quiet windows (repeating phases)', () => {
  // Quiet windows at [10 s, 20 s) and [30 s, 40 s); the last heal at 50 s; bound 3 s.
  const quietWindows = [
    { startNs: 10_000 * MS, endNs: 20_000 * MS },
    { startNs: 30_000 * MS, endNs: 40_000 * MS },
  ];
  const base = { healedAtNs: 50_000 * MS, endNs: 60_000 * MS, boundNs: 3000 * MS };
  // Progress after the first quiet window's heal and after the last; none after the second's,
  // though an op was in flight all through it (it timed out).
  const drafts = [...op(0, 9_000, 11_000, 'ok'), ...op(1, 29_000, 36_000, 'info'), ...op(2, 49_000, 51_000, 'ok')];

  it('judges every quiet window, not only the last heal: a stall in the second is invalid', () => {
    const result = checkLiveness(history(drafts), { ...base, quietWindows });
    expect(result.verdict).toBe('invalid');
    expect(result.summary).toContain('quiet window from 30000 ms');
    const evidence = result.evidence as LivenessEvidence;
    expect(evidence.quietWindows!.map((window) => [window.startNs / MS, window.firstOkNs === null ? null : window.firstOkNs / MS])).toEqual([
      [10_000, 11_000],
      [30_000, null],
    ]);
  });

  it('the same history judged at the last heal alone passes: what the windows add', () => {
    expect(checkLiveness(history(drafts), base).verdict).toBe('valid');
  });

  it('passes when each window and the last heal see an ok within the bound, and says how many windows', () => {
    const fine = [...drafts.slice(0, 2), ...op(1, 29_000, 31_000, 'ok'), ...drafts.slice(4)];
    const result = checkLiveness(history(fine), { ...base, quietWindows });
    expect(result.verdict).toBe('valid');
    expect(result.summary).toContain('each of 2 earlier quiet windows too');
  });

  it('is unknown, not invalid, for a window shorter than the bound with no ok in it', () => {
    const short = [{ startNs: 30_000 * MS, endNs: 31_000 * MS }];
    const result = checkLiveness(history(drafts), { ...base, quietWindows: short });
    expect(result.verdict).toBe('unknown');
  });
});
