// Each planted bug of the broker is found within a bounded number of seeds of its scenario (every
// fault kind on, default sizes), and the seed that finds it passes with the bug off: the bug, not
// the seed, fails it.
import { describe, expect, it } from 'vitest';
import { parseScenario } from './scenario.js';
import { runScenario } from './runner.js';
import { brokerSystem } from '../../workloads/broker/plugin.js';
import groups from '../../workloads/broker/scenarios/groups.json';
import negativeControl from '../../workloads/broker/scenarios/negative-control.json';
import type { CheckerResult } from '../../nodes/host.js';
import type { QueueEvidence } from '../../checkers/broker/queue.js';

const QUEUE = { system: 'broker', faults: { kinds: ['all'] } };

function violation(scenario: object, seed: number, bug: string | null): string | null {
  return runScenario(parseScenario({ ...scenario, bug }, 'broker-bugs.test'), seed, { plugin: brokerSystem, traceLimit: 0 }).violation;
}

/** Seeds searched per bug: each was first found well within this in a 300-seed campaign (README). */
const SEEDS_MAX = 40;

const CASES: { bug: string; scenario: object; violation: RegExp }[] = [
  // An out-of-sync leader's log wins: the monitor sees a committed record cut from an ISR member.
  { bug: 'broker.unclean-election', scenario: QUEUE, violation: /^(invariants|queue)(\+(invariants|queue))?$/ },
  // A follower cuts committed records above its own high watermark (KIP-101's first scenario).
  { bug: 'broker.truncate-to-hw', scenario: QUEUE, violation: /^(invariants|queue)(\+(invariants|queue))?$/ },
  // Consumers read records that are later truncated: one offset, two values.
  { bug: 'broker.read-above-hw', scenario: QUEUE, violation: /^queue$/ },
  // A retry after a failover is appended again: one value at two offsets.
  { bug: 'broker.seq-not-persisted', scenario: QUEUE, violation: /^queue$/ },
  // A consumer that missed a rebalance commits a stale position.
  { bug: 'broker.unfenced-group-commit', scenario: groups, violation: /^group-offsets$/ },
];

describe('planted bugs of the broker', () => {
  for (const c of CASES) {
    it(`${c.bug} is found within ${SEEDS_MAX} seeds, and that seed passes without it`, () => {
      let seed = 0;
      while (seed < SEEDS_MAX && violation(c.scenario, seed, c.bug) === null) seed++;
      expect(seed, `no failing seed below ${SEEDS_MAX}`).toBeLessThan(SEEDS_MAX);
      expect(violation(c.scenario, seed, c.bug)).toMatch(c.violation);
      expect(violation(c.scenario, seed, null)).toBeNull();
    });
  }

  it('the negative control (acks=1 with unclean election) fails with lost writes, explained by offset and value', () => {
    // The leader acknowledges alone; cut off or crashed, its unreplicated records are gone when an
    // out-of-sync replica is elected, and later sends take their offsets.
    let seed = 0;
    let queue: CheckerResult | undefined;
    for (; seed < SEEDS_MAX; seed++) {
      queue = runScenario(parseScenario(negativeControl, 'negative-control.json'), seed, { plugin: brokerSystem, traceLimit: 0 }).checkers.find((result) => result.checker === 'queue');
      if (queue?.verdict === 'invalid') break;
    }
    expect(seed, `no failing seed below ${SEEDS_MAX}`).toBeLessThan(SEEDS_MAX);
    const evidence = queue!.evidence as QueueEvidence;
    expect(evidence.counts['lost-write']).toBeGreaterThan(0);
    expect(evidence.cases['lost-write']![0]!.explanation).toMatch(/^key \d+ value \d+ acknowledged at offset \d+ \(op \d+\) was never polled, though a poll read up to offset \d+/);
  });
});
