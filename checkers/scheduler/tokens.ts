// Fencing tokens increase, across failovers too: of two grants where one's `ok` came before the
// other was even requested, the later holds the larger token. A token from a counter that is not
// replicated (or not advanced) breaks this as soon as leadership moves or a job is leased again.
import type { History } from '../../histories/schema.js';
import type { CheckerResult } from '../verdict.js';
import { msOf, schedulerEvents, untimedResult, type Grant } from './events.js';

export interface TokenRegression {
  earlier: Grant;
  later: Grant;
}

/** Grants whose token is not above every token granted (`ok`) before they were requested. */
export function tokenRegressions(grants: readonly Grant[]): TokenRegression[] {
  const byOk = [...grants].sort((a, b) => a.okNs - b.okNs);
  const byInvoke = [...grants].sort((a, b) => a.invokeNs - b.invokeNs);
  const found: TokenRegression[] = [];
  let highest: Grant | null = null;
  let next = 0;
  for (const grant of byInvoke) {
    while (next < byOk.length && byOk[next]!.okNs < grant.invokeNs) {
      const done = byOk[next++]!;
      if (highest === null || done.token > highest.token) highest = done;
    }
    if (highest !== null && grant.token <= highest.token) found.push({ earlier: highest, later: grant });
  }
  return found;
}

export function checkTokens(history: History): CheckerResult {
  const events = schedulerEvents(history);
  const untimed = untimedResult('tokens', events);
  if (untimed !== null) return untimed;
  const grants = events.grants;
  const found = tokenRegressions(grants);
  if (found.length > 0) {
    const { earlier, later } = found[0]!;
    return {
      checker: 'tokens',
      verdict: 'invalid',
      summary: `fencing tokens went back: ${found.length} grant(s) not above an earlier one; first: token ${later.token} (${later.job} to ${later.holder}, requested at ${msOf(later.invokeNs)} ms) after token ${earlier.token} (${earlier.job}, granted at ${msOf(earlier.okNs)} ms)`,
      evidence: { regressions: found.slice(0, 20), grants: grants.length },
    };
  }
  return { checker: 'tokens', verdict: 'valid', summary: `fencing tokens: ${grants.length} grants, each above every token granted before it was requested` };
}
