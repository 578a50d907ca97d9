// The evidence of a run's violations as lines of text with a tone each: drawn by the evidence pane
// and printed by the plain-text summary, so both say the same thing.
import { describeEvidenceOp, prettyEvidence, type Violation } from '../model/evidence.js';
import { CYCLES_SHOWN_MAX, cycleLine, readTxnCycles } from '../model/txnCycles.js';

export type LineTone = 'title' | 'plain' | 'dim' | 'offending' | 'prefix' | 'invalid' | 'unknown';

export interface ToneLine {
  text: string;
  tone: LineTone;
  /** The history index the line is about, when it names one op. */
  index?: number;
}

/** Prefix ops shown before the stuck ones: the tail matters, the head is summarised. */
export const PREFIX_TAIL_MAX = 8;
/** Lines of pretty JSON shown for evidence of a shape we do not know. */
export const JSON_LINES_MAX = 200;

export function evidenceLines(violations: readonly Violation[]): ToneLine[] {
  if (violations.length === 0) return [{ text: 'Every checker says valid: nothing to explain.', tone: 'dim' }];
  const lines: ToneLine[] = [];
  for (const violation of violations) {
    const mark = violation.verdict === 'invalid' ? '✗' : '?';
    lines.push({ text: `${mark} ${violation.checker}: ${violation.summary}`, tone: violation.verdict });
    const lin = violation.linearizability;
    const cycles = readTxnCycles(violation.evidence);
    if (cycles !== null && lin === null) {
      // Transactional evidence: each cycle in one line, then each edge and why it exists.
      for (const cycle of cycles.slice(0, CYCLES_SHOWN_MAX)) {
        lines.push({ text: cycleLine(cycle), tone: 'title' });
        cycle.edges.forEach((edge, position) => {
          const from = cycle.txns[position]!;
          const line: ToneLine = { text: `  ${edge.kind}: ${edge.why}`, tone: 'offending' };
          if (from.invokeIndex !== undefined) line.index = from.invokeIndex;
          lines.push(line);
        });
      }
      if (cycles.length > CYCLES_SHOWN_MAX) lines.push({ text: `  … ${cycles.length - CYCLES_SHOWN_MAX} more cycles`, tone: 'dim' });
      if (cycles.length === 0) for (const text of prettyEvidence(violation.evidence, JSON_LINES_MAX)) lines.push({ text: `  ${text}`, tone: 'plain' });
    } else if (lin !== null) {
      const where = [lin.key !== undefined ? `key ${lin.key}` : null, lin.model !== undefined ? `model ${lin.model}` : null].filter((part) => part !== null);
      const state = lin.stateAfterPrefix !== undefined ? `; state after it: ${lin.stateAfterPrefix}` : '';
      lines.push({ text: `${where.length > 0 ? `${where.join(', ')}: ` : ''}longest linearizable prefix has ${lin.prefix.length} ops${state}`, tone: 'title' });
      const hidden = lin.prefix.length - PREFIX_TAIL_MAX;
      if (hidden > 0) lines.push({ text: `  … ${hidden} earlier ops of the prefix`, tone: 'dim' });
      for (const op of lin.prefix.slice(Math.max(0, hidden))) {
        const state = op.stateBefore !== undefined ? `   state before: ${op.stateBefore}` : '';
        const line: ToneLine = { text: `  ok so far  ${describeEvidenceOp(op)}${state}`, tone: 'prefix' };
        if (op.invokeIndex !== undefined) line.index = op.invokeIndex;
        lines.push(line);
      }
      lines.push({ text: `cannot follow it (${lin.stuck.length} op${lin.stuck.length === 1 ? '' : 's'}):`, tone: 'title' });
      for (const op of lin.stuck) {
        const state = op.stateBefore !== undefined ? `   state before: ${op.stateBefore}` : '';
        const line: ToneLine = { text: `  ✗ ${describeEvidenceOp(op)}${state}`, tone: 'offending' };
        if (op.invokeIndex !== undefined) line.index = op.invokeIndex;
        lines.push(line);
      }
    } else {
      for (const text of prettyEvidence(violation.evidence, JSON_LINES_MAX)) lines.push({ text: `  ${text}`, tone: 'plain' });
    }
  }
  return lines;
}
