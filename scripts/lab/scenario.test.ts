import { describe, expect, it } from 'vitest';
import { faultCatalog } from '../../faults/catalog.js';
import { pluginFaultCatalog } from '../../workloads/system.js';
import { raftSystem } from '../../workloads/raft/plugin.js';
import { formatPath, parseScenario as parseShape, parseScenarioText, ScenarioError } from './scenario.js';

const catalog = faultCatalog();
const expandFaultList = (words: string[]) => catalog.expand(words);
const FAULT_KINDS = catalog.names();
/** Scenarios for Raft, with their events checked by Raft's catalog. */
const parseScenario = (input: unknown, source?: string) => parseShape(input, source, pluginFaultCatalog(raftSystem));

function errorOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario schema', () => {
  it('fills defaults for a minimal scenario', () => {
    const scenario = parseScenario({ system: 'raft' });
    expect(scenario.durationMs).toBe(10_000);
    expect(scenario.workload.clients).toBe(3);
    expect(scenario.faults).toEqual([]);
    expect(scenario.bug).toBeNull();
  });

  it('accepts explicit events of every shape', () => {
    const scenario = parseScenario({
      system: 'raft',
      faults: [
        { atMs: 100, kind: 'partition-isolate', role: 'leader', durationMs: 500 },
        { atMs: 200, kind: 'partition-bridge', left: ['n1'], right: ['n2'], bridge: 'n3' },
        { atMs: 300, kind: 'crash', node: 'n2', mode: 'tear' },
        { atMs: 400, kind: 'clock-jump', node: 'n1', jumpMs: -200 },
        { atMs: 500, kind: 'delay', latencyMsMin: 5, latencyMsMax: 10 },
      ],
    });
    expect(Array.isArray(scenario.faults) && scenario.faults.length).toBe(5);
  });

  it('names the path and the choices for an unknown fault kind', () => {
    const message = errorOf(() =>
      parseScenario(
        { system: 'raft', faults: [{ atMs: 1, kind: 'drop', probability: 0.1 }, { atMs: 1, kind: 'drop', probability: 0.1 }, { atMs: 5, kind: 'partiton' }] },
        'scenario.json',
      ),
    );
    expect(message).toMatch(/^scenario\.json: faults\[2\]\.kind: unknown fault kind "partiton" \(expected one of /);
    expect(message).toContain('partition-halves');
  });

  it('names the path of a bad nested field', () => {
    expect(errorOf(() => parseScenario({ system: 'raft', faults: [{ atMs: 1, kind: 'drop', probability: 2 }] }, 'f.json'))).toMatch(
      /^f\.json: faults\[0\]\.probability: /,
    );
    expect(errorOf(() => parseScenario({ system: 'raft', workload: { clients: 0 } }, 'f.json'))).toMatch(/^f\.json: workload\.clients: /);
    expect(errorOf(() => parseScenario({ system: 'raft', durationMs: 'long' }, 'f.json'))).toMatch(/^f\.json: durationMs: /);
  });

  it('rejects unknown fields and a target given twice', () => {
    expect(errorOf(() => parseScenario({ system: 'raft', sytem: 'x' }))).toContain('unknown field "sytem"');
    expect(errorOf(() => parseScenario({ system: 'raft', faults: [{ atMs: 1, kind: 'pause', node: 'n1', role: 'leader' }] }))).toMatch(
      /faults\[0\]\.node: give exactly one of "node"/,
    );
    expect(errorOf(() => parseScenario({ system: 'raft', faults: [{ atMs: 1, kind: 'pause' }] }))).toMatch(/faults\[0\]\.node: /);
  });

  it('refuses what would judge nothing or run on a range upside down', () => {
    expect(errorOf(() => parseScenario({ system: 'raft', checkers: [] }, 'f.json'))).toMatch(/^f\.json: checkers: an empty list keeps no checker/);
    expect(errorOf(() => parseScenario({ system: 'raft', network: { latencyUsMin: 9_000, latencyUsMax: 5_000 } }, 'f.json'))).toMatch(
      /^f\.json: network\.latencyUsMin: is above latencyUsMax/,
    );
    expect(errorOf(() => parseScenario({ system: 'raft', disk: { fsyncUsMin: 10, fsyncUsMax: 9 } }, 'f.json'))).toMatch(/^f\.json: disk\.fsyncUsMin: is above fsyncUsMax/);
    expect(parseScenario({ system: 'raft', network: { latencyUsMin: 5_000, latencyUsMax: 5_000 } }).network).toEqual({ latencyUsMin: 5_000, latencyUsMax: 5_000 });
  });

  it('reports bad JSON with the file name', () => {
    expect(errorOf(() => parseScenarioText('{"system": ', 'bad.json'))).toMatch(/^bad\.json: not valid JSON/);
  });

  it('accepts a draw in place of events', () => {
    const scenario = parseScenario({ system: 'raft', faults: { kinds: ['partition', 'crash'], swarm: false } });
    expect(scenario.faults).toEqual({ kinds: ['partition', 'crash'], swarm: false });
  });

  it('formats paths like JSON access', () => {
    expect(formatPath(['faults', 2, 'kind'])).toBe('faults[2].kind');
    expect(formatPath([])).toBe('(top level)');
  });
});

describe('fault lists', () => {
  it('expands all, groups and single kinds in canonical order', () => {
    expect(expandFaultList(['all'])).toEqual([...FAULT_KINDS]);
    expect(expandFaultList(['crash', 'partition'])).toEqual([
      'partition-isolate',
      'partition-halves',
      'partition-bridge',
      'partition-ring',
      'partition-one-way',
      'crash',
    ]);
    expect(expandFaultList(['crash-restart'])).toEqual(['crash']);
  });

  it('rejects an unknown word with the accepted names', () => {
    expect(() => expandFaultList(['partiton'])).toThrow(/unknown fault kind "partiton" \(expected all, one of partition-isolate/);
  });
});
