// Quorum arithmetic against obviously right twins that enumerate every subset.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { committedIndex, isQuorum, jointVote, majorityIndex } from './quorum.js';
import { quorumsIntersect } from './invariants.js';
import type { ConfigState } from './types.js';

const IDS = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'];

/** Brute force: the largest index some majority of `voters` all have. */
function majorityIndexTwin(voters: string[], match: Map<string, number>): number {
  if (voters.length === 0) return Number.POSITIVE_INFINITY;
  let best = 0;
  for (let mask = 0; mask < 1 << voters.length; mask++) {
    const members = voters.filter((_, k) => (mask & (1 << k)) !== 0);
    if (members.length * 2 <= voters.length) continue;
    best = Math.max(best, Math.min(...members.map((id) => match.get(id)!)));
  }
  return best;
}

const subset = fc.subarray(IDS, { minLength: 0 });
const config = fc.record({ voters: fc.subarray(IDS, { minLength: 1 }), outgoing: subset }).map((c): ConfigState => ({ voters: [...c.voters].sort(), outgoing: [...c.outgoing].sort(), learners: [] }));
const matches = fc.array(fc.nat(20), { minLength: IDS.length, maxLength: IDS.length }).map((values) => new Map(IDS.map((id, k) => [id, values[k]!])));

describe('quorum', () => {
  it('majorityIndex agrees with the subset twin', () => {
    fc.assert(
      fc.property(subset, matches, (voters, match) => {
        expect(majorityIndex(voters, (id) => match.get(id)!)).toBe(majorityIndexTwin(voters, match));
      }),
      { numRuns: 300 },
    );
  });

  it('committedIndex of a joint config is the min of both halves', () => {
    fc.assert(
      fc.property(config, matches, (c, match) => {
        const expected = Math.min(majorityIndexTwin(c.voters, match), majorityIndexTwin(c.outgoing, match));
        expect(committedIndex(c, (id) => match.get(id)!)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('jointVote: won exactly when both halves have a granted majority, lost when one cannot', () => {
    const answers = fc.array(fc.constantFrom<boolean | null>(true, false, null), { minLength: IDS.length, maxLength: IDS.length });
    fc.assert(
      fc.property(config, answers, (c, list) => {
        const votes = new Map<string, boolean>();
        IDS.forEach((id, k) => {
          if (list[k] !== null) votes.set(id, list[k]!);
        });
        const granted = (half: string[]) => half.length === 0 || half.filter((id) => votes.get(id) === true).length * 2 > half.length;
        const possible = (half: string[]) => half.length === 0 || half.filter((id) => votes.get(id) !== false).length * 2 > half.length;
        const expected = granted(c.voters) && granted(c.outgoing) ? 'won' : !possible(c.voters) || !possible(c.outgoing) ? 'lost' : 'pending';
        expect(jointVote(c, votes)).toBe(expected);
        expect(isQuorum(c, (id) => votes.get(id) === true)).toBe(expected === 'won');
      }),
      { numRuns: 300 },
    );
  });

  it('quorumsIntersect: joint consensus steps intersect, a two-node jump does not', () => {
    const old = { voters: ['n1', 'n2', 'n3'], outgoing: [] };
    const joint = { voters: ['n1', 'n2', 'n4', 'n5'], outgoing: ['n1', 'n2', 'n3'] };
    const next = { voters: ['n1', 'n2', 'n4', 'n5'], outgoing: [] };
    expect(quorumsIntersect(old, joint)).toBe(true);
    expect(quorumsIntersect(joint, next)).toBe(true);
    expect(quorumsIntersect({ voters: ['n1', 'n2', 'n3', 'n4'], outgoing: [] }, { voters: ['n1', 'n2', 'n3'], outgoing: [] })).toBe(true);
    // {n1,n2} is a majority of the old set, {n3,n4,n5} of the new one: disjoint.
    expect(quorumsIntersect(old, { voters: ['n1', 'n2', 'n3', 'n4', 'n5'], outgoing: [] })).toBe(false);
  });
});
