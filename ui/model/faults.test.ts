import { describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../histories/store.js';
import { FAILING_FAULTS } from '../testing/fixtures.js';
import { bandsAt, bandsStartingIn, buildFaultBands, faultFamily, splitPhase } from './faults.js';

const MS = 1_000_000;

describe('fault bands', () => {
  it('reads the nemesis records: start and stop by event number, heal ends everything, instants are points', () => {
    const bands = buildFaultBands(FAILING_FAULTS, 120 * MS);
    expect(bands.map((band) => [band.kind, band.startNs / MS, band.endNs === null ? null : band.endNs / MS, band.open])).toEqual([
      ['partition-isolate', 40, 90, false],
      ['crash', 50, 80, false],
      ['clock-jump', 55, null, false],
    ]);
    expect(bands[0]!.family).toBe('partition');
    expect(bands[0]!.label).toBe('partition-isolate n1');
    expect(bands[1]!.node).toBe('n3');
  });

  it('leaves out faults the nemesis skipped and keeps unfinished ones open to the end', () => {
    const events: FaultEvent[] = [
      { time: 5, kind: 'pause.skip', fields: { event: 0, reason: 'n2 is already down' } },
      { time: 10, kind: 'disk-stall.start', fields: { event: 1, node: 'n2' } },
    ];
    const bands = buildFaultBands(events, 100);
    expect(bands).toHaveLength(1);
    expect(bands[0]).toMatchObject({ kind: 'disk-stall', family: 'disk', startNs: 10, endNs: 100, open: true });
  });

  it('stops only the event a stop names', () => {
    const events: FaultEvent[] = [
      { time: 10, kind: 'crash.start', fields: { event: 0, node: 'n1' } },
      { time: 20, kind: 'crash.start', fields: { event: 1, node: 'n2' } },
      { time: 30, kind: 'crash.stop', fields: { event: 1 } },
    ];
    const bands = buildFaultBands(events, 100);
    expect(bands.map((band) => [band.node, band.endNs, band.open])).toEqual([
      ['n1', 100, true],
      ['n2', 30, false],
    ]);
  });

  it('a new partition replaces the one before', () => {
    const events: FaultEvent[] = [
      { time: 10, kind: 'partition-halves.start', fields: { event: 0, side: 'n1,n2' } },
      { time: 40, kind: 'partition-ring.start', fields: { event: 1, order: 'n1,n2,n3,n4,n5' } },
    ];
    const bands = buildFaultBands(events, 100);
    expect(bands.map((band) => [band.kind, band.startNs, band.endNs])).toEqual([
      ['partition-halves', 10, 40],
      ['partition-ring', 40, 100],
    ]);
  });

  it('pairs generic sources: restart ends a crash of the same node, durations in fields, unknown kinds are points', () => {
    const events: FaultEvent[] = [
      { time: 10, kind: 'crash', fields: { node: 'n1' } },
      { time: 12, kind: 'crash', fields: { node: 'n2' } },
      { time: 30, kind: 'restart', fields: { node: 'n2' } },
      { time: 40, kind: 'fault.delay', fields: { durationMs: 2 } },
      { time: 50, kind: 'weird-thing', fields: {} },
      { time: 60, kind: 'resume', fields: { node: 'n9' } },
    ];
    const bands = buildFaultBands(events, 10 * MS);
    expect(bands.map((band) => [band.kind, band.node ?? null, band.startNs, band.endNs])).toEqual([
      ['crash', 'n1', 10, 10 * MS],
      ['crash', 'n2', 12, 30],
      ['delay', null, 40, 40 + 2 * MS],
      ['weird-thing', null, 50, null],
      ['resume', 'n9', 60, null],
    ]);
  });

  it('splits phases and families', () => {
    expect(splitPhase('crash.start', {})).toEqual({ kind: 'crash', phase: 'start' });
    expect(splitPhase('fault.partition-end', {})).toEqual({ kind: 'partition', phase: 'stop' });
    expect(splitPhase('pause', { phase: 'skip' })).toEqual({ kind: 'pause', phase: 'skip' });
    expect(splitPhase('.start', {})).toEqual({ kind: '.start', phase: null });
    // A system's own kind says its family through the group it recorded; without one it is `other`.
    expect(faultFamily('member-remove', { group: 'membership' })).toBe('membership');
    expect(faultFamily('coordinator-stall', { group: 'process' })).toBe('process');
    expect(faultFamily('rebalance', { group: 'admin' })).toBe('other');
    expect(['partition-bridge', 'crash', 'clock-drift', 'disk-full', 'clog', 'member-remove', 'mystery'].map((kind) => faultFamily(kind))).toEqual([
      'partition',
      'process',
      'clock',
      'disk',
      'network',
      'other',
      'other',
    ]);
  });

  it('answers which bands are active at a time and which start in a range', () => {
    const bands = buildFaultBands(FAILING_FAULTS, 120 * MS);
    expect(bandsAt(bands, 60 * MS).map((band) => band.kind)).toEqual(['partition-isolate', 'crash']);
    expect(bandsAt(bands, 55 * MS).map((band) => band.kind)).toEqual(['partition-isolate', 'crash', 'clock-jump']);
    expect(bandsAt(bands, 90 * MS)).toEqual([]);
    expect(bandsStartingIn(bands, 40 * MS, 55 * MS).map((band) => band.kind)).toEqual(['crash', 'clock-jump']);
  });
});
