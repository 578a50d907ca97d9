// Elle's own histories (../shared/data/elle, see its MANIFEST.md) with the verdicts Elle's tests and
// paper give them.
import { describe, expect, it } from 'vitest';
import { readSharedFile } from '../../histories/testing/shared-data.js';
import { readTxnEdnHistory } from '../../histories/txn-edn.js';
import { checkTxnHistory } from './check.js';

const check = (path: string, consistency?: 'snapshot-isolation' | 'strong-snapshot-isolation' | 'serializable') =>
  checkTxnHistory(readTxnEdnHistory(readSharedFile(path), path), { model: 'list-append', consistency });

describe('Elle histories', () => {
  it('si-without-g-single: G2-item, no G-single; snapshot isolation holds, repeatable read does not', () => {
    const result = check('elle/si-without-g-single.edn', 'snapshot-isolation');
    expect(result.verdict).toBe('valid');
    expect(result.evidence.counts['G2-item']).toBeGreaterThan(0);
    expect(result.evidence.counts['G-single']).toBeUndefined();
    expect(result.evidence.models.status['repeatable-read']).toBe('violated');
    expect(result.evidence.models.weakestViolated).toContainEqual({ model: 'repeatable-read', anomalies: ['G2-item'] });
    const cycle = result.evidence.cycles.find((c) => c.class === 'G2-item')!;
    expect(cycle.edges.filter((edge) => edge.kind === 'rw').length).toBeGreaterThanOrEqual(2);
  });

  it('huge-scc: not strong snapshot isolation, with a cycle through its large component', () => {
    const result = check('elle/huge-scc.edn', 'strong-snapshot-isolation');
    expect(result.verdict).toBe('invalid');
    expect(result.evidence.exhausted).toBeUndefined();
    expect(result.evidence.largestComponent).toBeGreaterThan(1000);
    const violated = result.evidence.models.weakestViolated.find((v) => v.model === 'strong-snapshot-isolation');
    expect(violated?.anomalies).toContain('G-single-realtime');
    const cycle = result.evidence.cycles.find((c) => c.class === 'G-single-realtime')!;
    expect(cycle.edges.filter((edge) => edge.kind === 'rw')).toHaveLength(1);
    expect(cycle.edges.some((edge) => edge.kind === 'realtime')).toBe(true);
    // Each edge joins consecutive transactions of the cycle, as its explanation says.
    cycle.edges.forEach((edge, i) => {
      expect(edge.why).toContain(`T${cycle.txns[i]!.id} `);
      expect(edge.why).toContain(`T${cycle.txns[(i + 1) % cycle.txns.length]!.id} `);
    });
  });

  it("paper-example: the paper's G-single (T2 wr T3 ww T4 rw T2), so not snapshot isolation", () => {
    const result = check('elle/paper-example.edn', 'serializable');
    expect(result.verdict).toBe('invalid');
    const cycle = result.evidence.cycles.find((c) => c.class === 'G-single')!;
    expect(cycle.edges.map((edge) => `${edge.kind} ${edge.key}`).sort()).toEqual(['rw 255', 'wr 255', 'ww 256']);
    expect(result.evidence.models.status['snapshot-isolation']).toBe('violated');
    expect(result.evidence.models.status['read-committed']).toBe('satisfied');
  });
});
