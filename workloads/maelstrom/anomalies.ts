// The anomaly a failed Maelstrom test shows, named the way a person debugging a node says it
// ("lost broadcast messages", "a stale read"), from the evidence the checkers already give.
import type { CheckerResult } from '../../checkers/verdict.js';
import type { SetEvidence } from '../../checkers/set.js';
import type { EvidenceOp, LinEvidence } from '../../checkers/evidence.js';
import { sameValue } from '../../checkers/values.js';

const SET_ANOMALIES: readonly [keyof SetEvidence['counts'], string][] = [
  ['lost', 'lost'],
  ['unexpected', 'unexpected'],
  ['stale', 'stale'],
  ['failedPresent', 'failed-but-present'],
];

/** Checkers whose one way to fail has one name. */
const NAMED: Readonly<Record<string, string>> = {
  'unique-ids': 'duplicate-id',
  echo: 'wrong-echo',
  'g-counter': 'impossible-count',
  'pn-counter': 'impossible-count',
  'maelstrom-protocol': 'protocol-violation',
};

/** The value a write or a cas leaves, or undefined for anything else. */
function made(op: EvidenceOp): unknown {
  if (op.f === 'write') return op.value;
  if (op.f === 'cas' && Array.isArray(op.value)) return op.value[1];
  return undefined;
}

/**
 * A stuck read of a value the linearization had already overwritten (a value written in the
 * prefix, or nothing, the key's first state, once anything was written) is a stale read; any other
 * stuck op is named by the general anomaly.
 */
function linearizabilityAnomaly(evidence: LinEvidence | undefined): string {
  if (evidence?.kind !== 'not-linearizable') return 'not-linearizable';
  const written = evidence.prefix.map(made).filter((value) => value !== undefined);
  const overwritten = (value: unknown): boolean => (value === null ? written.length > 0 : written.some((other) => sameValue(other, value)));
  const stale = evidence.stuck.some((op) => op.f === 'read' && op.outcome === 'ok' && overwritten(op.value));
  return stale ? 'stale-read' : 'not-linearizable';
}

/** Anomaly names of every invalid checker, in checker order, without repeats. */
export function anomaliesOf(checkers: readonly CheckerResult[]): string[] {
  const names: string[] = [];
  for (const result of checkers) {
    if (result.verdict !== 'invalid') continue;
    switch (result.checker) {
      case 'set': {
        const counts = (result.evidence as SetEvidence | undefined)?.counts;
        for (const [field, name] of SET_ANOMALIES) if ((counts?.[field] ?? 0) > 0) names.push(name);
        break;
      }
      case 'linearizable':
        names.push(linearizabilityAnomaly(result.evidence as LinEvidence | undefined));
        break;
      default:
        names.push(NAMED[result.checker] ?? result.checker);
    }
  }
  return [...new Set(names)];
}
