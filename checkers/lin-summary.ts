// One line on a linearizability result for a person, and the result as the CheckerResult that
// systems return (checkers/verdict.ts).
import { describeOp } from './evidence.js';
import type { LinResult, LinVerdict } from './linearizability.js';
import type { CheckerResult } from './verdict.js';

const VERDICT_OF: Record<LinVerdict, CheckerResult['verdict']> = {
  linearizable: 'valid',
  'not-linearizable': 'invalid',
  unknown: 'unknown',
};

/** One line on a result, for a person. */
export function summarize(result: LinResult): string {
  const evidence = result.evidence;
  const where = (key: string | null) => (key === null ? '' : ` on key ${JSON.stringify(key)}`);
  if (result.verdict === 'linearizable') {
    const split = result.split === undefined ? '' : ` (split at quiescent points into ${result.split.segments} segments; ${result.split.resolved} info ops resolved, ${result.split.confined} never observed kept to their segment${result.split.mergedBack > 0 ? `; ${result.split.mergedBack} segments searched again with the ones before` : ''})`;
    return `linearizable (${result.model}): ${result.ops} ops in ${result.parts} part${result.parts === 1 ? '' : 's'}${split}, ${result.steps} steps`;
  }
  if (evidence?.kind === 'not-linearizable') {
    const stuck = evidence.stuck.slice(0, 3).map(describeOp).join('; ');
    const more = evidence.stuck.length > 3 ? `; and ${evidence.stuck.length - 3} more` : '';
    const window = evidence.window;
    const windowSaid =
      window === undefined ? '' : `; the ${window.ops.length} ops from #${window.fromIndex} to #${window.toIndex - 1} cannot be linearized from any state`;
    return `not linearizable (${result.model})${where(evidence.key)}: after ${evidence.prefix.length} ops (state ${evidence.stateAfterPrefix}), stuck on ${stuck}${more}${windowSaid}`;
  }
  const key = evidence?.kind === 'undecided' ? evidence.key : null;
  const budget = result.exhausted === 'memory' ? 'memory budget' : 'step budget';
  return `unknown (${result.model}): the ${budget} ran out after ${result.steps} steps${where(key)}`;
}

/** The result as a CheckerResult (checkers/verdict.ts), for systems that judge their histories with it. */
export function toCheckerResult(result: LinResult, checker = 'linearizable'): CheckerResult {
  const converted: CheckerResult = { checker, verdict: VERDICT_OF[result.verdict], summary: summarize(result) };
  if (result.evidence !== undefined) converted.evidence = result.evidence;
  return converted;
}
