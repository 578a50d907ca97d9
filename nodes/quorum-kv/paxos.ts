// Compare-and-set through consensus per key, in the style of Cassandra's lightweight transactions:
// one Paxos register per key, reused round after round. This file is the pure part: ballots, the
// acceptor's state and its three rules, and the proposer's one decision after a quorum of promises.
// node.ts carries the messages and makes every state change durable before the reply that
// depends on it (the planted bug `kv.paxos-unpersisted-promise` skips that for promises).
//
// A round, at a primary of the key (the proposer):
// 1. prepare(b) to the primaries; an acceptor promises when b is above every ballot it promised,
//    and answers with the value it accepted last, the ballot it last saw committed, and its copy.
// 2. With a majority of promises: if one of them accepted a value in a ballot newer than every
//    commit they report, that value may have been chosen: the proposer finishes it (accept, then
//    commit, under its own ballot) and starts over. Otherwise the merged copies are the current
//    state; the compare is judged on it.
// 3. propose/accept(b, version) to the primaries; an acceptor accepts unless it promised a higher
//    ballot. 4. With a majority of accepts the version is chosen: commit(b, version) merges it into
//    each replica's store; with a majority of commits the client is told.
//
// Each chosen version's tag is past every tag in the state it was judged on, so the order of tags
// (what an ABD read uses to pick the freshest copy) is the order of commits.
import type { VersionedObject } from './versions.js';
import { asVersionedObject } from './versions.js';

/** A ballot: a round number, and the actor (node and incarnation) that owns it, which breaks ties. */
export interface Ballot {
  n: number;
  by: string;
}

export interface Accepted {
  ballot: Ballot;
  object: VersionedObject;
}

/** One acceptor's state for one key. Every field only grows (in ballot order). */
export interface PaxosState {
  promised: Ballot | null;
  accepted: Accepted | null;
  committed: Ballot | null;
}

export const EMPTY_PAXOS: PaxosState = Object.freeze({ promised: null, accepted: null, committed: null });

export function compareBallots(a: Ballot | null, b: Ballot | null): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : -1) : 1;
  if (a.n !== b.n) return a.n - b.n;
  return a.by < b.by ? -1 : a.by > b.by ? 1 : 0;
}

export function maxBallot(a: Ballot | null, b: Ballot | null): Ballot | null {
  return compareBallots(a, b) >= 0 ? a : b;
}

/** prepare(b): promise when b is above every ballot promised so far. */
export function prepare(state: PaxosState, ballot: Ballot): { ok: boolean; state: PaxosState } {
  if (compareBallots(ballot, state.promised) <= 0) return { ok: false, state };
  return { ok: true, state: { ...state, promised: ballot } };
}

/** accept(b, v): unless a higher ballot was promised. Accepting also promises b. */
export function accept(state: PaxosState, ballot: Ballot, object: VersionedObject): { ok: boolean; state: PaxosState } {
  if (compareBallots(ballot, state.promised) < 0) return { ok: false, state };
  return { ok: true, state: { promised: ballot, accepted: { ballot, object }, committed: state.committed } };
}

/** commit(b): the ballot was chosen; the caller merges its version into the store. */
export function commit(state: PaxosState, ballot: Ballot): PaxosState {
  return { ...state, committed: maxBallot(state.committed, ballot) };
}

/** What an acceptor says to a prepare. */
export interface PaxosPromise {
  ok: boolean;
  /** Its promise after the prepare (on a refusal, the higher ballot the proposer must pass). */
  promised: Ballot | null;
  accepted: Accepted | null;
  committed: Ballot | null;
  /** Its copy of the key (the committed versions). */
  object: VersionedObject;
}

export type Decision = { kind: 'finish'; accepted: Accepted } | { kind: 'proceed' };

/**
 * After a majority of promises: a value accepted in a ballot newer than every commit those
 * acceptors saw may have been chosen by a majority this quorum only partly shows, so it must be
 * finished before anything new is proposed (Paxos's rule: propose the highest accepted value).
 * A value accepted before the newest commit was either that commit or lost to it.
 */
export function decide(promises: readonly PaxosPromise[]): Decision {
  let committed: Ballot | null = null;
  let newest: Accepted | null = null;
  for (const promise of promises) {
    committed = maxBallot(committed, promise.committed);
    if (promise.accepted !== null && compareBallots(promise.accepted.ballot, newest?.ballot ?? null) > 0) newest = promise.accepted;
  }
  if (newest !== null && compareBallots(newest.ballot, committed) > 0) return { kind: 'finish', accepted: newest };
  return { kind: 'proceed' };
}

export function asBallot(value: unknown): Ballot | null {
  if (typeof value !== 'object' || value === null) return null;
  const b = value as Record<string, unknown>;
  return typeof b.n === 'number' && Number.isSafeInteger(b.n) && b.n >= 0 && typeof b.by === 'string' ? (value as Ballot) : null;
}

function ballotOrNull(value: unknown): boolean {
  return value === null || asBallot(value) !== null;
}

export function asAccepted(value: unknown): Accepted | null {
  if (typeof value !== 'object' || value === null) return null;
  const a = value as Record<string, unknown>;
  return asBallot(a.ballot) !== null && asVersionedObject(a.object) !== null ? (value as Accepted) : null;
}

export function asPaxosState(value: unknown): PaxosState | null {
  if (typeof value !== 'object' || value === null) return null;
  const s = value as Record<string, unknown>;
  if (!ballotOrNull(s.promised) || !ballotOrNull(s.committed)) return null;
  if (s.accepted !== null && asAccepted(s.accepted) === null) return null;
  return value as PaxosState;
}

export function asPaxosPromise(value: unknown): PaxosPromise | null {
  if (typeof value !== 'object' || value === null) return null;
  const p = value as Record<string, unknown>;
  if (typeof p.ok !== 'boolean' || !ballotOrNull(p.promised) || !ballotOrNull(p.committed)) return null;
  if (p.accepted !== null && asAccepted(p.accepted) === null) return null;
  return asVersionedObject(p.object) === null ? null : (value as PaxosPromise);
}
