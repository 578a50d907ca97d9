import { describe, expect, it } from 'vitest';
import { raftSystem } from '../../workloads/raft/plugin.js';
import { pluginFaultCatalog } from '../../workloads/system.js';
import { FAULT_WINDOW_END, FAULT_WINDOW_START, RealTimeScheduler, clusterSchedule, realCatalog } from './real-nemesis.js';

describe('the real cluster\'s schedule and scheduler', () => {
  it('draws the same schedule for the same seed, inside the fault window, over the kinds asked for', () => {
    const catalog = realCatalog(pluginFaultCatalog(raftSystem)).catalog;
    const kinds = catalog.expand(['partition', 'crash', 'pause', 'clock']);
    const options = { catalog, kinds, nodes: ['n1', 'n2', 'n3'], durationMs: 20_000, seed: 7 };
    const { events, safetyEndMs } = clusterSchedule(options);
    expect(clusterSchedule(options).events).toEqual(events);
    expect(clusterSchedule({ ...options, seed: 8 }).events).not.toEqual(events);
    expect(safetyEndMs).toBe(20_000 * FAULT_WINDOW_END);
    expect(events.length).toBeGreaterThan(3);
    for (const event of events) {
      expect(kinds).toContain(event.kind);
      expect(event.atMs).toBeGreaterThanOrEqual(20_000 * FAULT_WINDOW_START);
      expect(event.atMs).toBeLessThan(safetyEndMs);
      // Every drawn event passes the catalog's own checks, targets included.
      expect(() => catalog.parseEvent(event, options.nodes)).not.toThrow();
    }
  });

  it('says which kinds are never drawn here: adding a node needs a spare one, and a real cluster has none', () => {
    const catalog = realCatalog(pluginFaultCatalog(raftSystem)).catalog;
    const { events, undrawable } = clusterSchedule({ catalog, kinds: catalog.expand(['membership']), nodes: ['n1', 'n2', 'n3'], durationMs: 20_000, seed: 3 });
    expect(undrawable).toEqual(['member-add']);
    expect(events.every((event) => event.kind === 'member-remove')).toBe(true);
  });

  it('makes the kinds a real process cannot suffer start as skips with the reason, keeping the rest as they are', () => {
    const base = pluginFaultCatalog(raftSystem);
    const { catalog, unreal } = realCatalog(base);
    expect(unreal).toEqual(['disk-corrupt', 'disk-fsync-fail', 'disk-stall', 'disk-full']);
    expect(catalog.names()).toEqual(base.names());
    expect(catalog.kind('crash')).toBe(base.kind('crash'));
    const skipped = catalog.kind('disk-stall').start({ atMs: 0, kind: 'disk-stall', node: 'n1', stallMs: 10 }, null as never);
    expect(skipped).toEqual({ skip: expect.stringMatching(/^cannot apply for real: /) });
  });

  it('runs actions in time order on the real clock, equal times in the order given, and keeps a throw', async () => {
    const started = process.hrtime.bigint();
    const nowNs = () => Number(process.hrtime.bigint() - started);
    const scheduler = new RealTimeScheduler(nowNs);
    const ran: string[] = [];
    scheduler.at(30e6, () => ran.push('c'));
    scheduler.at(10e6, () => ran.push('a'));
    scheduler.at(30e6, () => ran.push('d'));
    scheduler.at(10e6, () => {
      throw new Error('boom');
    });
    scheduler.at(20e6, () => ran.push(`b at ${nowNs() >= 20e6}`));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(ran).toEqual(['a', 'b at true', 'c', 'd']);
    expect(scheduler.errors).toEqual(['boom']);
    expect(scheduler.waiting).toBe(0);
    scheduler.stop();
  });
});
