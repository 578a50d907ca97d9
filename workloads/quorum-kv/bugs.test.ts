// Each planted bug is found on a seed that a 300-seed campaign found (the scenario files of this
// folder, default sizes), and the same seed passes with the bug off: the bug, not the seed, fails it.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../faults/scenario.js';
import { runScenario } from '../../faults/runner.js';
import { quorumKvSystem } from './plugin.js';
import linKv from './scenarios/lin-kv.json';
import linKvBusy from './scenarios/lin-kv-busy.json';
import linKvPartial from './scenarios/lin-kv-partial.json';
import session from './scenarios/session.json';
import siblings from './scenarios/siblings.json';

const SCENARIOS: Record<string, unknown> = { 'lin-kv': linKv, 'lin-kv-busy': linKvBusy, 'lin-kv-partial': linKvPartial, session, siblings };

function violation(name: string, seed: number, bug: string | null): string | null {
  const scenario = parseScenario({ ...(SCENARIOS[name] as object), bug }, `${name}.json`);
  return runScenario(scenario, seed, { plugin: quorumKvSystem, traceLimit: 0 }).violation;
}

const CASES: { bug: string | null; scenario: string; seed: number; violation: string }[] = [
  { bug: 'kv.sloppy-as-strict', scenario: 'lin-kv', seed: 8, violation: 'linearizable' },
  { bug: 'kv.lww-wall-clock', scenario: 'session', seed: 4, violation: 'session' },
  { bug: 'kv.no-write-back', scenario: 'lin-kv-busy', seed: 29, violation: 'linearizable' },
  { bug: 'kv.vv-merge', scenario: 'siblings', seed: 2, violation: 'siblings' },
  // The overwrite also erases the primary's own dots, so its next version trips the assertion in
  // versions.ts `writeVersion` (an actor's copy must hold every dot it issued).
  { bug: 'kv.hint-overwrites-newer', scenario: 'siblings', seed: 2, violation: 'assertions+siblings' },
];

describe('planted bugs of quorum-kv', () => {
  for (const c of CASES) {
    it(`${c.bug} fails ${c.scenario} seed ${c.seed} with ${c.violation}, and the seed passes without it`, () => {
      expect(violation(c.scenario, c.seed, c.bug)).toBe(c.violation);
      expect(violation(c.scenario, c.seed, null)).toBeNull();
    });
  }

  it('the negative control (R + W <= N judged linearizable) fails', () => {
    expect(violation('lin-kv-partial', 2, null)).toBe('linearizable');
  });
});
