// Fenced mutual exclusion, judged on the resource's own history: per key, the tokens of the writes
// it accepted never go back, every accepted write carries a token, and no token is shared by two
// holders (a shared token would let an old holder's write pass for the new one's). This is what
// fencing promises, whatever the holders believed about their leases.
import type { History } from '../../histories/schema.js';
import type { CheckerResult } from '../verdict.js';
import { msOf, schedulerEvents, untimedResult, type JudgedWrite } from './events.js';

export type FencingProblem = 'token-back' | 'unfenced' | 'shared-token';

export interface FencingViolation {
  problem: FencingProblem;
  key: string;
  write: JudgedWrite;
  /** The earlier accepted write it conflicts with. */
  earlier: JudgedWrite | null;
}

export function fencingViolations(writes: readonly JudgedWrite[]): FencingViolation[] {
  const found: FencingViolation[] = [];
  const last = new Map<string, JudgedWrite>();
  const holderOf = new Map<string, JudgedWrite>();
  for (const write of [...writes].sort((a, b) => a.index - b.index)) {
    if (write.outcome !== 'accepted') continue;
    const before = last.get(write.key) ?? null;
    if (write.token === null) found.push({ problem: 'unfenced', key: write.key, write, earlier: before });
    else {
      if (before !== null && before.token !== null && write.token < before.token) found.push({ problem: 'token-back', key: write.key, write, earlier: before });
      const tokenKey = `${write.key}\u0000${write.token}`;
      const owner = holderOf.get(tokenKey);
      if (owner === undefined) holderOf.set(tokenKey, write);
      else if (owner.holder !== write.holder) found.push({ problem: 'shared-token', key: write.key, write, earlier: owner });
      last.set(write.key, write);
    }
  }
  return found;
}

function describe(violation: FencingViolation): string {
  const { write, earlier } = violation;
  const at = `at ${msOf(write.timeNs)} ms`;
  switch (violation.problem) {
    case 'unfenced':
      return `${violation.key}: the resource accepted a write of ${write.holder} with no token ${at}`;
    case 'token-back':
      return `${violation.key}: token ${write.token} of ${write.holder} accepted ${at} after token ${earlier?.token} of ${earlier?.holder}`;
    case 'shared-token':
      return `${violation.key}: token ${write.token} accepted from ${earlier?.holder} and from ${write.holder} (${at}): two leases the resource cannot tell apart`;
  }
}

export function checkFencedResource(history: History): CheckerResult {
  const events = schedulerEvents(history);
  const untimed = untimedResult('fenced-resource', events);
  if (untimed !== null) return untimed;
  const writes = events.writes;
  const violations = fencingViolations(writes);
  const accepted = writes.filter((write) => write.outcome === 'accepted').length;
  const rejected = writes.filter((write) => write.outcome === 'rejected').length;
  if (violations.length > 0) {
    return {
      checker: 'fenced-resource',
      verdict: 'invalid',
      summary: `fenced mutual exclusion broken: ${violations.length} accepted write(s) out of fence; first: ${describe(violations[0]!)}`,
      evidence: { violations: violations.slice(0, 20), accepted, rejected },
    };
  }
  return { checker: 'fenced-resource', verdict: 'valid', summary: `fenced mutual exclusion: ${accepted} accepted writes in token order, each token one holder; ${rejected} stale write(s) rejected` };
}
