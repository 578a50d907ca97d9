// End to end: the broker in the World (its controller on embedded Raft), driven by the queue
// workload's clients, judged by the Jepsen Kafka checker and the white-box monitor, through the same
// scenario runner as `crucible run`. Fault schedules are explicit, so each test says what it builds.
import { describe, expect, it } from 'vitest';
import { parseScenario } from './scenario.js';
import { runScenario, type RunResult } from './runner.js';
import { brokerBugs } from '../../nodes/broker/index.js';
import { findSystem } from '../../workloads/registry.js';
import { brokerSystem } from '../../workloads/broker/plugin.js';
import type { QueueEvidence } from '../../checkers/broker/queue.js';

function run(seed: number, input: Record<string, unknown>): RunResult {
  const scenario = parseScenario({ system: 'broker', durationMs: 4_000, livenessMs: 5_000, ...input }, 'broker.test');
  return runScenario(scenario, seed, { plugin: brokerSystem, traceLimit: 100_000 });
}

function verdicts(result: RunResult): Record<string, string> {
  return Object.fromEntries(result.checkers.map((checker) => [checker.checker, checker.verdict]));
}

function queue(result: RunResult): QueueEvidence {
  return result.checkers.find((checker) => checker.checker === 'queue')!.evidence as QueueEvidence;
}

function events(result: RunResult, kind: string): { node: string | null; fields: Record<string, unknown> }[] {
  return result.trace.filter((event) => event.kind === kind).map((event) => ({ node: event.node, fields: { ...event.fields } }));
}

describe('the broker system', () => {
  it('is registered with its workload and bugs', () => {
    expect(findSystem('broker')).toBe(brokerSystem);
    expect(brokerSystem.workloads[brokerSystem.defaultWorkload]).toBeDefined();
    expect(brokerSystem.bugs.map((bug) => bug.name)).toEqual(brokerBugs.map((bug) => bug.name));
  });

  it('without faults: every acknowledged value is polled, in order, and the final phase reads them all', () => {
    const result = run(1, { faults: [] });
    expect(verdicts(result)).toMatchObject({ queue: 'valid', invariants: 'valid', assertions: 'valid' });
    const evidence = queue(result);
    expect(evidence.acknowledged).toBeGreaterThan(50);
    expect(evidence.polledValues).toBe(evidence.acknowledged);
    expect(evidence.finalPolls).toBeGreaterThanOrEqual(3);
    // The controller created three partitions, each led at epoch 0, with high watermarks moving.
    expect(new Set(events(result, 'broker.leader').map((event) => event.fields.p))).toEqual(new Set([0, 1, 2]));
    expect(events(result, 'broker.hw').length).toBeGreaterThan(20);
  });

  it('survives the crash of a partition leader: the controller elects an ISR member at the next epoch, nothing acknowledged is lost', () => {
    const result = run(2, { faults: [{ atMs: 1_000, kind: 'crash', role: 'leader', mode: 'lose', durationMs: 1_500 }] });
    expect(verdicts(result)).toMatchObject({ queue: 'valid', invariants: 'valid' });
    const elections = events(result, 'broker.elect').filter((event) => event.fields.p === 0 && (event.fields.epoch as number) >= 1);
    expect(elections.length).toBeGreaterThan(0);
    // The restarted leader comes back as a follower and truncates nothing committed.
    expect(queue(result).acknowledged).toBeGreaterThan(30);
  });

  it('fences a leader cut off from the controller: its ISR change is refused, a new leader takes over', () => {
    // Isolate partition 0's leader: the controller elects another; the old one cannot shrink its ISR
    // (compare-and-set against an older document) and so never acknowledges alone.
    const result = run(3, { faults: [{ atMs: 800, kind: 'partition-isolate', role: 'leader', durationMs: 2_000 }] });
    expect(verdicts(result)).toMatchObject({ queue: 'valid', invariants: 'valid' });
    const leaders = events(result, 'broker.leader').filter((event) => event.fields.p === 0);
    expect(new Set(leaders.map((event) => event.node)).size).toBeGreaterThan(1);
    const old = leaders[0]!.node;
    // The cut-off leader tried to shrink its ISR to itself; the high watermark never moved there while cut off.
    const shrinks = events(result, 'broker.alter-isr').filter((event) => event.node === old && event.fields.p === 0 && event.fields.to === old);
    expect(shrinks.length).toBeGreaterThan(0);
    const cutOff = result.trace.filter((event) => event.kind === 'broker.hw' && event.node === old && event.fields?.p === 0 && event.time > 900e6 && event.time < 2_800e6);
    expect(cutOff).toEqual([]);
  });

  it('truncates a rejoining replica by epoch, to where its epoch ends on the new leader', () => {
    // n1 leads partition 0 at epoch 0 and is cut off from the other brokers, not from the clients:
    // it appends sends it can never commit. The controller elects n2 at epoch 1; after the heal n1
    // fetches as a follower, hears where epoch 0 ends on n2, and cuts its uncommitted tail there.
    const result = run(4, { workload: { opsPerSecond: 200, opsMax: 600 }, faults: [{ atMs: 1_000, kind: 'partition-halves', side: ['n1'], durationMs: 1_200 }] });
    expect(verdicts(result)).toMatchObject({ queue: 'valid', invariants: 'valid' });
    const successor = events(result, 'broker.leader').find((event) => event.fields.p === 0 && event.fields.epoch === 1)!;
    expect(successor.node).not.toBe('n1');
    const truncations = events(result, 'broker.truncating').filter((event) => event.node === 'n1' && event.fields.p === 0);
    expect(truncations.length).toBe(1);
    expect(truncations[0]!.fields).toMatchObject({ to: successor.fields.leo, why: 'diverging from the leader' });
    expect(truncations[0]!.fields.end as number).toBeGreaterThan(successor.fields.leo as number);
  });
});
