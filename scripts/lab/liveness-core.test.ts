// A system whose progress hangs on particular nodes (a key's replicas, a cache's store) declares
// `livenessCore: false`: swarm then never keeps a minority down through the liveness phase for
// it, and a scenario that asks for that is refused, naming why.
import { describe, expect, it } from 'vitest';
import { runScenario } from './runner.js';
import { ScenarioError } from './scenario.js';
import { quorumKvSystem } from '../../workloads/quorum-kv/plugin.js';
import { raftSystem } from '../../workloads/raft/plugin.js';

describe('livenessCore', () => {
  it('refuses livenessMode core for a system that does not promise it', () => {
    const run = () => runScenario({ system: 'quorum-kv', durationMs: 500, livenessMs: 500, livenessMode: 'core' }, 1, { plugin: quorumKvSystem });
    expect(run).toThrow(ScenarioError);
    expect(run).toThrow(/livenessMode: quorum-kv need not make progress with any minority down .* use "heal-all"/);
  });

  it('lets swarm draw core for Raft but not for such a system', () => {
    const modes = (plugin: typeof raftSystem, system: string) =>
      Array.from({ length: 16 }, (_, seed) => runScenario({ system, durationMs: 300, livenessMs: 300, faults: { kinds: ['all'], swarm: true }, workload: { opsMax: 5 } }, seed, { plugin }).scenario.livenessMode);
    expect(modes(raftSystem, 'raft')).toContain('core');
    expect(modes(quorumKvSystem, 'quorum-kv')).not.toContain('core');
  });
});
