// `crucible explain`'s logic on the corpus's planted-bug capsules: the necessary faults are measured
// by replay, the chain ends at the violating step, and the node at fault is named.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapsule } from './capsule.js';
import { repoRoot } from './code-version.js';
import { explainRun, explanationLines } from './explain.js';
import { runScenario } from './runner.js';
import type { ScenarioInput } from './scenario.js';
import { raftSystem } from '../../workloads/raft/plugin.js';

const corpus = (name: string) => readCapsule(join(repoRoot(), 'histories', 'corpus', name));

describe('explainRun', () => {
  it('names the node that answered a read on its own, with no fault needed', () => {
    const capsule = corpus('raft-raft.stale-local-read-seed10-e5fae259d9f9f072.json');
    const explanation = explainRun(capsule.scenario as ScenarioInput, capsule.seed, raftSystem);
    expect(explanation.violation).toBe('linearizable');
    expect(explanation.faults).toEqual([]);
    const last = explanation.chain.at(-1)!;
    expect(last).toMatchObject({ from: 'n4', to: 'c0', type: 'kv.reply' });
    expect(last.fromStatus).toMatchObject({ role: 'follower' });
    expect(explanation.atFault).toMatch(/^n4 answered c0's kv\.request .* hearing from no other node in between: it answered on its own, without a round trip/);
  });

  it('measures which faults are necessary: one added after the violation is not', () => {
    const capsule = corpus('raft-raft.figure8-commit-seed0-768c2cbaaf4349c7.json');
    const scenario = capsule.scenario as { faults: { atMs: number }[] } & ScenarioInput;
    // The violation shows at about 205 ms; a clock jump at 5 s cannot have caused it.
    const padded = { ...scenario, faults: [...scenario.faults, { atMs: 5_000, kind: 'clock-jump', node: 'n1', jumpMs: 50 }] } as ScenarioInput;
    expect(runScenario(padded, capsule.seed, { plugin: raftSystem }).violation).toBe('invariants');
    const explanation = explainRun(padded, capsule.seed, raftSystem);
    expect(explanation.faults.map((need) => [need.event.kind, need.necessary])).toEqual([
      ['leader-transfer', true],
      ['clock-jump', false],
    ]);
    expect(explanation.faults[0]!.without).toBe('valid');
    expect(explanation.faults[1]!.without).toBe('invariants');
    // The chain starts at the necessary fault's admin message and ends at the step that broke the rule.
    expect(explanation.chain[0]).toMatchObject({ from: 'admin', type: 'raft.admin' });
    expect(explanation.chain.at(-1)).toMatchObject({ to: 'n2', type: 'raft.append.resp' });
    expect(explanation.chain.at(-1)!.toStatus).toMatchObject({ role: 'leader', term: 2 });
    expect(explanation.atFault).toMatch(/^n2, on n3's raft\.append\.resp delivered at .*leader-commit-rule/);
    const text = explanationLines(explanation).join('\n');
    expect(text).toContain('#0 leader-transfer to=n2 at 182 ms for 1 ms: NECESSARY (without it: valid)');
    expect(text).toContain('#1 clock-jump node=n1 jumpMs=50 at 5000 ms: not needed (without it still invariants)');
  });

  it('refuses a run that did not fail', () => {
    const capsule = corpus('raft-fixed-lab-cas-mismatch-is-progress-seed170.json');
    expect(() => explainRun(capsule.scenario as ScenarioInput, capsule.seed, raftSystem, 'x.json')).toThrow(/^x\.json: the run is valid, not invalid: there is no failure to explain$/);
  });
});
