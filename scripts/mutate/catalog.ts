// Mutations `crucible mutate` applies to a scratch copy of a system's node, one at a time: each a
// one-line mistake a careful programmer could make (a comparison off by one, a quorum miscounted,
// a check dropped, a durability wait skipped). They are text substitutions on the real source, so
// a mutation whose text is gone (the code moved on) is an error, never a silent "survived".

export interface Mutation {
  /** Stable short name: `quorum-vote-minority`. */
  id: string;
  /** Repository-relative file. */
  file: string;
  /** The exact text replaced: it must occur exactly once in the file. */
  find: string;
  replace: string;
  /** What the mistake is, in one line. */
  description: string;
}

export const RAFT_MUTATIONS: readonly Mutation[] = [
  {
    id: 'up-to-date-index-off-by-one',
    file: 'nodes/raft/log.ts',
    find: 'return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());',
    replace: 'return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex() - 1);',
    description: 'a candidate one entry behind counts as up to date',
  },
  {
    id: 'up-to-date-term-only',
    file: 'nodes/raft/log.ts',
    find: 'return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());',
    replace: 'return lastTerm >= myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());',
    description: 'a candidate with the same last term is up to date whatever its length',
  },
  {
    id: 'commit-index-even-clusters',
    file: 'nodes/raft/quorum.ts',
    find: '  return scratch[n >> 1]!;',
    replace: '  return scratch[(n - 1) >> 1]!;',
    // An equivalent mutant, kept as a control: a commit set of n/2 voters still meets every election
    // quorum of n/2 + 1, so no run can show it. It must survive; a kill would be a false alarm.
    description: 'the committed index of an even-sized configuration is held by half the voters (equivalent: must survive)',
  },
  {
    id: 'vote-minority-wins',
    file: 'nodes/raft/quorum.ts',
    find: '  const needed = (voters.length >> 1) + 1;',
    replace: '  const needed = voters.length >> 1;',
    description: 'an election is won with half the votes (a minority in odd clusters)',
  },
  {
    id: 'quorum-check-half',
    file: 'nodes/raft/quorum.ts',
    find: '  return count >= (voters.length >> 1) + 1;',
    replace: '  return count >= voters.length >> 1;',
    description: 'CheckQuorum and ReadIndex confirmations count half the voters as a quorum',
  },
  {
    id: 'follower-commit-past-new-entries',
    file: 'nodes/raft/core.ts',
    find: '      this.log.commitTo(Math.min(m.commit, lastNew));',
    replace: '      this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));',
    description: 'a follower commits up to its last index, past the entries this append proved it shares',
  },
  {
    id: 'vote-for-non-member',
    file: 'nodes/raft/core.ts',
    find: '    const granted = canVote && member && this.log.isUpToDate(m.lastIndex, m.lastTerm);',
    replace: '    const granted = canVote && this.log.isUpToDate(m.lastIndex, m.lastTerm);',
    description: 'a node grants its vote to a candidate outside the configuration',
  },
  {
    id: 'send-before-previous-fsync',
    file: 'nodes/raft/node.ts',
    find: '      if (!mustWait || wal.durableSeq >= seq) this.sendRaft(out.to, out.message);',
    replace: '      if (!mustWait || wal.durableSeq >= seq - 1) this.sendRaft(out.to, out.message);',
    description: 'a durable answer leaves once the previous write is synced, not this one',
  },
  {
    id: 'release-held-early',
    file: 'nodes/raft/node.ts',
    find: '    while (k < this.held.length && this.held[k]!.seq <= wal.durableSeq) {',
    replace: '    while (k < this.held.length && this.held[k]!.seq <= wal.durableSeq + 1) {',
    description: 'messages waiting for an fsync are released one write early',
  },
  {
    id: 'read-one-entry-early',
    file: 'nodes/raft/node.ts',
    find: '      if (read.index <= applied) {',
    replace: '      if (read.index <= applied + 1) {',
    description: 'a ReadIndex read is answered one entry before its index is applied',
  },
  {
    id: 'session-reapplies-same-seq',
    file: 'nodes/raft/kv.ts',
    find: '    if (this.dedup && session !== undefined && data.seq <= session.seq) {',
    replace: '    if (this.dedup && session !== undefined && data.seq < session.seq) {',
    description: 'a retried command with the same seq is applied again',
  },
  {
    id: 'cas-writes-expected',
    file: 'nodes/raft/kv.ts',
    find: '        this.setValue(op.key, next);',
    replace: '        this.setValue(op.key, expected as KvValue);',
    description: 'a successful compare-and-set writes the expected value instead of the new one',
  },
];

/** The mutation catalogues by system name. */
export const MUTATIONS: Readonly<Record<string, readonly Mutation[]>> = { raft: RAFT_MUTATIONS };

/** The file's text with the mutation applied; an error naming the mutation when its text is not there exactly once. */
export function applyMutation(source: string, mutation: Mutation): string {
  const first = source.indexOf(mutation.find);
  if (first < 0) throw new Error(`mutation ${mutation.id}: its text is no longer in ${mutation.file}; update scripts/mutate/catalog.ts`);
  if (source.indexOf(mutation.find, first + 1) >= 0) throw new Error(`mutation ${mutation.id}: its text occurs more than once in ${mutation.file}; make it unique`);
  return source.slice(0, first) + mutation.replace + source.slice(first + mutation.find.length);
}
