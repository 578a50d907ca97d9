// Quorum arithmetic, joint-consensus aware. A decision in a joint configuration needs a majority of
// C_new and a majority of C_old; an empty half (no joint) imposes nothing. quorum.test.ts checks
// these against a brute-force twin that enumerates subsets.
import type { NodeId } from '../host.js';
import type { ConfigState } from './types.js';

export type VoteResult = 'won' | 'lost' | 'pending';

let scratch = new Float64Array(16);

/**
 * The largest index that a majority of `voters` has (their match indexes are given by `match`).
 * An empty voter set returns +Infinity so that it never limits a joint decision.
 */
export function majorityIndex(voters: readonly NodeId[], match: (id: NodeId) => number): number {
  const n = voters.length;
  if (n === 0) return Number.POSITIVE_INFINITY;
  // Insertion sort, descending, into a reused buffer: configurations are small (a handful of nodes).
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  for (let i = 0; i < n; i++) {
    const value = match(voters[i]!);
    let j = i;
    while (j > 0 && scratch[j - 1]! < value) {
      scratch[j] = scratch[j - 1]!;
      j--;
    }
    scratch[j] = value;
  }
  // With values sorted descending, the (floor(n/2))-th is held by floor(n/2)+1 voters: a majority.
  return scratch[n >> 1]!;
}

/** The index committed by a (possibly joint) configuration. */
export function committedIndex(config: ConfigState, match: (id: NodeId) => number): number {
  const incoming = majorityIndex(config.voters, match);
  const outgoing = majorityIndex(config.outgoing, match);
  return Math.min(incoming, outgoing);
}

/** The result of an election among `voters`, where `votes` maps a voter to its answer. */
export function majorityVote(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'won';
  let granted = 0;
  let rejected = 0;
  for (const voter of voters) {
    const vote = votes.get(voter);
    if (vote === true) granted++;
    else if (vote === false) rejected++;
  }
  const needed = (voters.length >> 1) + 1;
  if (granted >= needed) return 'won';
  if (voters.length - rejected < needed) return 'lost';
  return 'pending';
}

/** Both halves must be won; either half lost loses. */
export function jointVote(config: ConfigState, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  const incoming = majorityVote(config.voters, votes);
  const outgoing = majorityVote(config.outgoing, votes);
  if (incoming === 'lost' || outgoing === 'lost') return 'lost';
  if (incoming === 'won' && outgoing === 'won') return 'won';
  return 'pending';
}

/** True when `members` contains a majority of every non-empty half of `config`. */
export function isQuorum(config: ConfigState, members: (id: NodeId) => boolean): boolean {
  return hasMajority(config.voters, members) && hasMajority(config.outgoing, members);
}

function hasMajority(voters: readonly NodeId[], members: (id: NodeId) => boolean): boolean {
  if (voters.length === 0) return true;
  let count = 0;
  for (const voter of voters) if (members(voter)) count++;
  return count >= (voters.length >> 1) + 1;
}
