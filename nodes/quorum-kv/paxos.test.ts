// The acceptor's rules and the proposer's decision: each rule on its own, then together in
// single-decree Paxos under random interleavings and losses, where at most one value may be chosen.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accept, commit, compareBallots, decide, EMPTY_PAXOS, prepare, type Ballot, type PaxosPromise, type PaxosState } from './paxos.js';
import { EMPTY_OBJECT, type VersionedObject } from './versions.js';

function valued(value: number): VersionedObject {
  return { vv: { [`p${value}`]: 1 }, siblings: [{ actor: `p${value}`, counter: 1, tag: value, value }] };
}

const b = (n: number, by = 'a'): Ballot => ({ n, by });

describe('paxos acceptor rules', () => {
  it('orders ballots by round, then by owner; no ballot is below every other', () => {
    expect(compareBallots(b(2, 'a'), b(1, 'z'))).toBeGreaterThan(0);
    expect(compareBallots(b(1, 'b'), b(1, 'a'))).toBeGreaterThan(0);
    expect(compareBallots(null, b(0))).toBeLessThan(0);
    expect(compareBallots(b(3), b(3))).toBe(0);
  });

  it('promises only a ballot above every one promised, and accepts unless a higher one was promised', () => {
    const promised = prepare(EMPTY_PAXOS, b(2)).state;
    expect(prepare(promised, b(2)).ok).toBe(false);
    expect(prepare(promised, b(1)).ok).toBe(false);
    expect(prepare(promised, b(3)).ok).toBe(true);
    expect(accept(promised, b(1), valued(1)).ok).toBe(false);
    const accepted = accept(promised, b(2), valued(2));
    expect(accepted.ok).toBe(true);
    expect(accepted.state.accepted?.ballot).toEqual(b(2));
    // Accepting a higher ballot than promised also promises it.
    expect(accept(promised, b(5), valued(5)).state.promised).toEqual(b(5));
    expect(commit(commit(accepted.state, b(2)), b(1)).committed).toEqual(b(2));
  });

  it('finishes a value accepted after the newest commit, and ignores one accepted before it', () => {
    const promise = (accepted: number | null, committed: number | null): PaxosPromise => ({
      ok: true,
      promised: b(9),
      accepted: accepted === null ? null : { ballot: b(accepted), object: valued(accepted) },
      committed: committed === null ? null : b(committed),
      object: EMPTY_OBJECT,
    });
    expect(decide([promise(null, null), promise(null, 3)])).toEqual({ kind: 'proceed' });
    expect(decide([promise(4, 3), promise(null, 3)])).toMatchObject({ kind: 'finish', accepted: { ballot: b(4) } });
    // Accepted at 4 but another acceptor saw 5 committed: 4 lost (or was 5's own value).
    expect(decide([promise(4, 3), promise(5, 5)])).toEqual({ kind: 'proceed' });
    // The newest accepted wins among several.
    expect(decide([promise(4, null), promise(6, null)])).toMatchObject({ kind: 'finish', accepted: { ballot: b(6) } });
  });
});

/** One step of a single-decree run with 3 acceptors and 3 proposers. */
type Step = { kind: 'prepare'; proposer: number; n: number } | { kind: 'deliver'; index: number; drop: boolean };

type Msg =
  | { to: number; proposer: number; kind: 'prepare'; ballot: Ballot }
  | { to: number; proposer: number; kind: 'accept'; ballot: Ballot; object: VersionedObject };

describe('single-decree paxos built from these rules', () => {
  it('never chooses two values, whatever the interleaving and losses', () => {
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('prepare' as const), proposer: fc.nat(2), n: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ kind: fc.constant('deliver' as const), index: fc.nat(20), drop: fc.nat(5).map((roll) => roll === 0) }),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 120 }), (steps) => {
        const acceptors: PaxosState[] = [EMPTY_PAXOS, EMPTY_PAXOS, EMPTY_PAXOS];
        const inFlight: Msg[] = [];
        const promises = new Map<string, PaxosPromise[]>();
        const accepts = new Map<string, { count: number; value: number }>();
        const chosen = new Set<number>();
        const key = (ballot: Ballot): string => `${ballot.n}/${ballot.by}`;
        for (const s of steps) {
          if (s.kind === 'prepare') {
            const ballot = b(s.n, `p${s.proposer}`);
            for (let to = 0; to < 3; to++) inFlight.push({ to, proposer: s.proposer, kind: 'prepare', ballot });
            continue;
          }
          if (inFlight.length === 0) continue;
          const [msg] = inFlight.splice(s.index % inFlight.length, 1);
          if (msg === undefined || s.drop) continue;
          if (msg.kind === 'prepare') {
            const result = prepare(acceptors[msg.to]!, msg.ballot);
            acceptors[msg.to] = result.state;
            if (!result.ok) continue;
            const got = promises.get(key(msg.ballot)) ?? [];
            got.push({ ok: true, promised: msg.ballot, accepted: result.state.accepted, committed: null, object: EMPTY_OBJECT });
            promises.set(key(msg.ballot), got);
            if (got.length !== 2) continue;
            // A majority: propose the unfinished value, or this proposer's own.
            const decision = decide(got);
            const object = decision.kind === 'finish' ? decision.accepted.object : valued(100 + msg.ballot.n * 10 + msg.proposer);
            for (let to = 0; to < 3; to++) inFlight.push({ to, proposer: msg.proposer, kind: 'accept', ballot: msg.ballot, object });
          } else {
            const result = accept(acceptors[msg.to]!, msg.ballot, msg.object);
            acceptors[msg.to] = result.state;
            if (!result.ok) continue;
            const value = msg.object.siblings[0]!.value!;
            const tally = accepts.get(key(msg.ballot)) ?? { count: 0, value };
            tally.count += 1;
            accepts.set(key(msg.ballot), tally);
            if (tally.count >= 2) chosen.add(value);
          }
        }
        expect(chosen.size).toBeLessThanOrEqual(1);
      }),
      { numRuns: 1000 },
    );
  });

  it('chooses two values once an acceptor forgets a promise (what the planted bug allows)', () => {
    const nothing: PaxosPromise = { ok: true, promised: b(2, 'p1'), accepted: null, committed: null, object: EMPTY_OBJECT };
    // p0 has promises at 1 from a1 and a2; then a0 and a1 promise 2 to p1, which sees nothing accepted.
    const a0 = prepare(EMPTY_PAXOS, b(2, 'p1')).state;
    const a1Kept = prepare(prepare(EMPTY_PAXOS, b(1, 'p0')).state, b(2, 'p1')).state;
    const a2 = prepare(EMPTY_PAXOS, b(1, 'p0')).state;
    expect(decide([nothing, nothing])).toEqual({ kind: 'proceed' });
    // Kept, the promise refuses p0's accept, and only p1's value can be chosen.
    expect(accept(a1Kept, b(1, 'p0'), valued(10)).ok).toBe(false);
    // Forgotten in a crash, a1 is back at its promise of 1: p0's 10 is accepted by a1 and a2 (chosen),
    // then p1's 20 by a0 and a1 (chosen too).
    const a1Forgot = accept(prepare(EMPTY_PAXOS, b(1, 'p0')).state, b(1, 'p0'), valued(10));
    expect(a1Forgot.ok && accept(a2, b(1, 'p0'), valued(10)).ok).toBe(true);
    expect(accept(a0, b(2, 'p1'), valued(20)).ok && accept(a1Forgot.state, b(2, 'p1'), valued(20)).ok).toBe(true);
  });
});
