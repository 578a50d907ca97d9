// Each invariant fires on a small hand-made cluster state that breaks it, and stays quiet on the
// correct counterpart. The views are synthetic (plain logs), so the checks are tested on their own.
import { describe, expect, it } from 'vitest';
import { RaftInvariants } from './invariants.js';
import { chainStep, entryKey } from './kv.js';
import type { RaftInspection } from './node.js';
import type { Entry, EntryData } from './types.js';

interface Spec {
  id: string;
  role?: string;
  term?: number;
  /** Terms of the log's entries from index 1; data defaults to a no-op tagged by index and term. */
  log?: number[];
  data?: Record<number, EntryData>;
  commit?: number;
  durableCommit?: number;
  applied?: number;
  chain?: number;
  stable?: number;
  voters?: string[];
  outgoing?: string[];
  durableTerm?: number;
  durableVote?: string;
  readsRegistered?: number;
  lastReadIndex?: number;
  readsAnswered?: number;
  lastAnswerIndex?: number;
  lastAnswerApplied?: number;
}

let version = 0;

function view(spec: Spec): RaftInspection {
  const terms = spec.log ?? [];
  const entries: Entry[] = terms.map((term, k) => ({ index: k + 1, term, data: spec.data?.[k + 1] ?? { kind: 'kv', client: `t${term}`, seq: k + 1, op: { f: 'write', key: 'x', value: k + 1 } } }));
  const voters = spec.voters ?? ['n1', 'n2', 'n3'];
  const outgoing = spec.outgoing ?? [];
  const entry = (index: number) => entries[index - 1] ?? null;
  const lastIndex = entries.length;
  return {
    id: spec.id,
    version: ++version,
    role: spec.role ?? 'follower',
    term: spec.term ?? 1,
    vote: null,
    lead: null,
    down: null,
    commit: spec.commit ?? 0,
    durableCommit: spec.durableCommit ?? 0,
    recovering: false,
    durableTerm: spec.durableTerm ?? 0,
    durableVote: spec.durableVote ?? null,
    readsRegistered: spec.readsRegistered ?? 0,
    lastReadIndex: spec.lastReadIndex ?? 0,
    readsAnswered: spec.readsAnswered ?? 0,
    lastAnswerIndex: spec.lastAnswerIndex ?? 0,
    lastAnswerApplied: spec.lastAnswerApplied ?? 0,
    applied: spec.applied ?? 0,
    appliedChain: spec.chain ?? 0,
    snapshotIndex: 0,
    lastIndex,
    lastTerm: lastIndex === 0 ? 0 : entries[lastIndex - 1]!.term,
    stableIndex: spec.stable ?? lastIndex,
    voters,
    outgoing,
    learners: [],
    termAt: (index) => (index === 0 ? 0 : (entry(index)?.term ?? -1)),
    keyAt: (index) => {
      const e = entry(index);
      return e === null ? null : entryKey(e.data);
    },
    hashAt: (index) => {
      const e = entry(index);
      return e === null ? 0 : chainStep(0, e);
    },
    configsAfter: (index) =>
      entries
        .filter((e) => e.index > index && e.data.kind === 'config')
        .map((e) => ({ index: e.index, voters: (e.data as { config: { voters: string[] } }).config.voters, outgoing: (e.data as { config: { outgoing: string[] } }).config.outgoing })),
    configAt: (index) => {
      for (let k = Math.min(index, lastIndex); k >= 1; k--) {
        const data = entries[k - 1]!.data;
        if (data.kind === 'config') return { voters: data.config.voters, outgoing: data.config.outgoing };
      }
      return { voters, outgoing };
    },
  };
}

function run(steps: Spec[][]): RaftInvariants {
  const checker = new RaftInvariants();
  steps.forEach((specs, time) => {
    const views = specs.map(view);
    for (const v of views) checker.observe(time, v, () => views);
  });
  return checker;
}

const names = (checker: RaftInvariants) => [...new Set(checker.violations.map((v) => v.invariant))];

describe('raft invariants', () => {
  it('stay quiet on a correct history', () => {
    const checker = run([
      [{ id: 'n1', role: 'leader', term: 1, log: [1, 1], commit: 0 }, { id: 'n2', log: [1] }, { id: 'n3', log: [] }],
      [{ id: 'n1', role: 'leader', term: 1, log: [1, 1], commit: 2, applied: 2, chain: 7, durableCommit: 2 }, { id: 'n2', log: [1, 1], commit: 1 }, { id: 'n3', log: [1] }],
      [{ id: 'n1', term: 2, log: [1, 1] , commit: 2, applied: 2, chain: 7, durableCommit: 2 }, { id: 'n2', role: 'leader', term: 2, log: [1, 1, 2], commit: 2, applied: 2, chain: 7 }, { id: 'n3', term: 2, log: [1, 1], commit: 1 }],
    ]);
    expect(checker.violations).toEqual([]);
    expect(checker.checks).toBeGreaterThan(0);
  });

  it('election-safety: two leaders of one term', () => {
    const checker = run([[{ id: 'n1', role: 'leader', term: 3 }, { id: 'n2', role: 'leader', term: 3 }]]);
    expect(names(checker)).toEqual(['election-safety']);
    expect(names(run([[{ id: 'n1', role: 'leader', term: 3 }], [{ id: 'n2', role: 'leader', term: 4 }]]))).toEqual([]);
  });

  it('leader-append-only: a leader truncates its own log', () => {
    const checker = run([[{ id: 'n1', role: 'leader', term: 2, log: [1, 2, 2] }], [{ id: 'n1', role: 'leader', term: 2, log: [1, 2] }]]);
    expect(names(checker)).toContain('leader-append-only');
  });

  it('committed-stable: two nodes commit different entries at one index', () => {
    const checker = run([[{ id: 'n1', log: [1, 1], commit: 2 }, { id: 'n2', log: [1, 2], commit: 2 }]]);
    expect(names(checker)).toContain('committed-stable');
  });

  it('leader-completeness: a leader without a committed entry', () => {
    const checker = run([[{ id: 'n1', log: [1, 1, 1], commit: 3 }], [{ id: 'n2', role: 'leader', term: 2, log: [1, 1, 2] }]]);
    expect(names(checker)).toContain('leader-completeness');
  });

  it('log-matching: the same index and term with different commands', () => {
    const checker = run([[{ id: 'n1', log: [1, 1] }, { id: 'n2', log: [1, 1], data: { 2: { kind: 'noop' } } }]]);
    expect(names(checker)).toEqual(['log-matching']);
  });

  it('commit-durable: a restart below what was durable', () => {
    const checker = run([[{ id: 'n1', log: [1, 1, 1], commit: 3, durableCommit: 3, applied: 3 }], [{ id: 'n1', log: [1, 1, 1], commit: 1, durableCommit: 1, applied: 1 }]]);
    expect(names(checker)).toContain('commit-durable');
  });

  it('applied-le-commit', () => {
    expect(names(run([[{ id: 'n1', log: [1, 1], commit: 1, applied: 2 }]]))).toContain('applied-le-commit');
  });

  it('state-machine-safety: different chains at one applied index', () => {
    const checker = run([[{ id: 'n1', log: [1, 1], commit: 2, applied: 2, chain: 11 }, { id: 'n2', log: [1, 1], commit: 2, applied: 2, chain: 12 }]]);
    expect(names(checker)).toEqual(['state-machine-safety']);
  });

  it('commit-safety: Figure 8 (an old-term entry committed while a higher-term log could win)', () => {
    const five = ['n1', 'n2', 'n3', 'n4', 'n5'];
    const cluster = (leaderLog: number[], stable: number, commit: number): Spec[] => [
      { id: 'n1', role: 'leader', term: 3, log: leaderLog, stable, commit, voters: five },
      { id: 'n2', term: 3, log: [1, 1, 3], voters: five },
      { id: 'n3', term: 3, log: [1, 1, 3], voters: five },
      { id: 'n4', term: 2, log: [1], voters: five },
      { id: 'n5', term: 2, log: [1, 2], voters: five },
    ];
    // n1 commits index 2 (term 1) while its own no-op (3, term 3) is not durable: n5 could win with n1, n4.
    expect(names(run([cluster([1, 1, 3], 2, 1), cluster([1, 1, 3], 2, 2)]))).toContain('commit-safety');
    // Committing index 3 (term 3) once durable on n1, n2, n3: nobody lacking it can win.
    expect(names(run([cluster([1, 1, 3], 2, 1), cluster([1, 1, 3], 3, 3)]))).toEqual([]);
  });

  it('leader-commit-rule: a leader commits an entry of an earlier term by counting', () => {
    const steps = (commit: number) => [[{ id: 'n1', role: 'leader', term: 3, log: [1, 1, 3], commit: 1 }], [{ id: 'n1', role: 'leader', term: 3, log: [1, 1, 3], commit }]];
    expect(names(run(steps(2)))).toEqual(['leader-commit-rule']);
    expect(names(run(steps(3)))).toEqual([]);
  });

  it('leader-has-quorum: a leader whose members granted it no majority, non-members\' votes not counted', () => {
    const voters = ['n1', 'n2', 'n3', 'n4', 'n5'];
    const vote = (checker: RaftInvariants, from: string, term: number) => checker.onEvent(0, view({ id: from, term, durableTerm: term, durableVote: 'n1' }), 'raft.vote-sent', { to: 'n1', term });
    const won = new RaftInvariants();
    vote(won, 'n2', 3);
    vote(won, 'n3', 3);
    won.onEvent(1, view({ id: 'n1', role: 'leader', term: 3, voters }), 'raft.leader', { term: 3 });
    expect(won.violations).toEqual([]);
    // n6 is not a member, and n2's vote was for another term: n1 and n3 alone are no majority of five.
    const lost = new RaftInvariants();
    vote(lost, 'n3', 4);
    vote(lost, 'n6', 4);
    vote(lost, 'n2', 2);
    lost.onEvent(1, view({ id: 'n1', role: 'leader', term: 4, voters }), 'raft.leader', { term: 4 });
    expect(names(lost)).toEqual(['leader-has-quorum']);
    expect(lost.violations[0]!.message).toBe('n1 became leader of term 4 with votes of n1, n3, n6 only, not a majority of n1,n2,n3,n4,n5');
  });

  it('vote-to-member: a vote granted to a node outside the voter\'s own configuration', () => {
    const checker = new RaftInvariants();
    checker.onEvent(0, view({ id: 'n2', term: 4, durableTerm: 4, durableVote: 'n1', voters: ['n1', 'n2', 'n3'] }), 'raft.vote-sent', { to: 'n1', term: 4 });
    checker.onEvent(1, view({ id: 'n2', term: 5, durableTerm: 5, durableVote: 'n4', voters: ['n2', 'n3'], outgoing: ['n2', 'n3', 'n4'] }), 'raft.vote-sent', { to: 'n4', term: 5 });
    expect(checker.violations).toEqual([]);
    checker.onEvent(2, view({ id: 'n2', term: 6, durableTerm: 6, durableVote: 'n5', voters: ['n1', 'n2', 'n3'] }), 'raft.vote-sent', { to: 'n5', term: 6 });
    expect(names(checker)).toEqual(['vote-to-member']);
  });

  it('vote-durable: a vote reply sent before the vote is on disk', () => {
    const checker = new RaftInvariants();
    checker.onEvent(0, view({ id: 'n2', term: 4, durableTerm: 4, durableVote: 'n1' }), 'raft.vote-sent', { to: 'n1', term: 4 });
    checker.onEvent(1, view({ id: 'n2', term: 5, durableTerm: 5, durableVote: 'n3' }), 'raft.vote-sent', { to: 'n1', term: 4 });
    expect(checker.violations).toEqual([]);
    checker.onEvent(2, view({ id: 'n2', term: 6, durableTerm: 5, durableVote: 'n3' }), 'raft.vote-sent', { to: 'n1', term: 6 });
    expect(names(checker)).toEqual(['vote-durable']);
  });

  it('no-disruption: a leader with a quorum deposed by a candidate that is behind', () => {
    const checker = new RaftInvariants();
    const leader = view({ id: 'n1', term: 5 });
    checker.onEvent(0, leader, 'raft.deposed', { by: 'n3', term: 5, transfer: true, quorumRecent: true, candidateBehind: false });
    checker.onEvent(1, leader, 'raft.deposed', { by: 'n3', term: 5, transfer: false, quorumRecent: false, candidateBehind: true });
    expect(checker.violations).toEqual([]);
    checker.onEvent(2, leader, 'raft.deposed', { by: 'n3', term: 5, transfer: false, quorumRecent: true, candidateBehind: true });
    expect(names(checker)).toEqual(['no-disruption']);
  });

  it('read-index-fresh: the newest leader reads below what is known committed', () => {
    const old: Spec = { id: 'n1', term: 1, log: [1, 1, 1], commit: 3 };
    const stale = run([[old], [{ id: 'n2', role: 'leader', term: 2, log: [1, 1, 1, 2], commit: 2, readsRegistered: 1, lastReadIndex: 2 }]]);
    expect(names(stale)).toEqual(['read-index-fresh']);
    const fresh = run([[old], [{ id: 'n2', role: 'leader', term: 2, log: [1, 1, 1, 2], commit: 4, readsRegistered: 1, lastReadIndex: 4 }]]);
    expect(names(fresh)).toEqual([]);
  });

  it('read-answer-applied: a read answered before its read index is applied', () => {
    const early = run([[{ id: 'n1', role: 'leader', term: 1, log: [1, 1, 1], commit: 3, applied: 2, readsAnswered: 1, lastAnswerIndex: 3, lastAnswerApplied: 2 }]]);
    expect(names(early)).toEqual(['read-answer-applied']);
    const onTime = run([[{ id: 'n1', role: 'leader', term: 1, log: [1, 1, 1], commit: 3, applied: 3, readsAnswered: 1, lastAnswerIndex: 3, lastAnswerApplied: 3 }]]);
    expect(names(onTime)).toEqual([]);
  });

  it('config-safety: two changes in flight with disjoint quorums, but not a joint step', () => {
    const config = (voters: string[], outgoing: string[] = []): EntryData => ({ kind: 'config', config: { voters, outgoing, learners: [] } });
    const unsafe = run([[{ id: 'n1', role: 'leader', term: 1, commit: 1, voters: ['n1', 'n2', 'n3'], log: [1, 1, 1], data: { 1: config(['n1', 'n2', 'n3']), 2: config(['n1', 'n2', 'n3', 'n5']), 3: config(['n2', 'n3', 'n5']) } }]]);
    expect(names(unsafe)).toEqual(['config-safety']);
    const joint = run([[{ id: 'n1', role: 'leader', term: 1, commit: 1, voters: ['n1', 'n2', 'n3'], log: [1, 1], data: { 1: config(['n1', 'n2', 'n3']), 2: config(['n2', 'n3', 'n4', 'n5'], ['n1', 'n2', 'n3']) } }]]);
    expect(names(joint)).toEqual([]);
  });
});
