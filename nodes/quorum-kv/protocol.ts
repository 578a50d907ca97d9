// The quorum KV's messages. Clients speak the shared KV protocol (`kv.request` / `kv.reply`, the
// same shapes as workloads/kv-protocol.ts, declared again here because a node may import only
// nodes/host.ts) with two optional additions: the request's consistency options `q`, and in the
// reply the siblings, the causal context and the replicas the op reached. A request without `q`
// gets the linearizable default, so a plain KV client is served correctly.
//
// Replicas speak `qkv.*` messages among themselves; every one is checked for shape on arrival.
import type { NodeId } from '../host.js';
import { asAccepted, asBallot, asPaxosPromise, type Accepted, type Ballot, type PaxosPromise } from './paxos.js';
import { asCausalContext, asVersionedObject, type CausalContext, type VersionedObject } from './versions.js';

/** How many replicas must answer: one, a majority of N, all N, or an exact number (1..N). */
export type Level = 'one' | 'quorum' | 'all' | number;

/**
 * - `cp`: ABD over strict quorums. A write first reads a quorum for the newest tag; a read writes
 *   the freshest version back to W replicas before it answers. Linearizable when R + W > N.
 * - `ap`: Dynamo. Writes go to whatever replicas answer (fallbacks too when `sloppy`), reads repair
 *   asynchronously, concurrent writes become siblings. Eventually consistent; never linearizable.
 */
export type Mode = 'cp' | 'ap';

/**
 * Siblings back to the client, last-writer-wins on tags (hybrid logical clocks), or a counter
 * bucket (a PN-counter CRDT, versions.ts `addToCounter`): there a write's value is a delta added to
 * the counter and a read returns the sum. A g-counter is the same bucket given only deltas >= 0.
 */
export type Resolution = 'siblings' | 'lww' | 'counter';

export interface RequestOptions {
  mode: Mode;
  r: Level;
  w: Level;
  /** Primaries (not fallbacks) that must answer a read / acknowledge a write. */
  pr: number;
  pw: number;
  /** AP only: fallbacks stand in for unreachable primaries and keep hints for them. */
  sloppy: boolean;
  resolve: Resolution;
  /** AP writes: the context of the read this write follows; absent is a blind write. */
  context?: CausalContext;
  /**
   * CP writes: through the key's Paxos register (as a cas is) instead of ABD. A key that takes cas
   * must take its writes this way too: an ABD write's tag is not ordered against a Paxos round's
   * (Cassandra says the same of mixing lightweight transactions with plain writes).
   */
  serial?: boolean;
  /**
   * Writes: the version expires this many ms after the coordinator's wall clock at the write, as
   * the wall clock of the node answering a read judges it (so clock skew moves expiry: the TTL
   * checker allows for it). Not with serial writes or counters.
   */
  ttlMs?: number;
}

export const LINEARIZABLE_OPTIONS: RequestOptions = Object.freeze({ mode: 'cp', r: 'quorum', w: 'quorum', pr: 0, pw: 0, sloppy: false, resolve: 'lww' });

export type KvFunction = 'read' | 'write' | 'cas';

export interface KvOp {
  f: KvFunction;
  key: string;
  value: null | number | [number, number];
}

export interface KvRequest {
  type: 'kv.request';
  client: string;
  seq: number;
  op: KvOp;
  q?: RequestOptions;
}

export type KvOutcome = 'ok' | 'fail' | 'redirect' | 'unavailable';

export interface KvReply {
  type: 'kv.reply';
  seq: number;
  outcome: KvOutcome;
  /** The winning value (cp, lww), or for siblings the largest-tag one; null when absent. */
  value?: number | null;
  error?: string;
  /** Live sibling values, sorted (ap reads). */
  siblings?: number[];
  /** The causal context to send back with the next write of this key (ap reads). */
  context?: CausalContext;
  /** The replicas whose answers the op counted. */
  replicas?: NodeId[];
  /**
   * The tag of the version written, or the largest tag a read saw: a client that sends it back as
   * its session token (`context: {vv: {}, tag}`) gets a larger tag on its next write.
   */
  tag?: number;
}

/** Replica-to-replica messages. `rid` names the request a reply answers. */
export type ReplicaMessage =
  | { type: 'qkv.get'; rid: string; key: string }
  | { type: 'qkv.got'; rid: string; key: string; object: VersionedObject | null }
  | { type: 'qkv.put'; rid: string | null; key: string; object: VersionedObject; hintFor: NodeId | null; replay: boolean }
  | { type: 'qkv.put-ack'; rid: string }
  | { type: 'qkv.coordinate'; rid: string; request: KvRequest }
  | { type: 'qkv.coordinated'; rid: string; reply: KvReply }
  | { type: 'qkv.prepare'; rid: string; key: string; ballot: Ballot }
  | { type: 'qkv.promise'; rid: string; key: string; ballot: Ballot; promise: PaxosPromise }
  | { type: 'qkv.accept'; rid: string; key: string; accepted: Accepted }
  | { type: 'qkv.accepted'; rid: string; key: string; ballot: Ballot; ok: boolean; promised: Ballot | null }
  | { type: 'qkv.commit'; rid: string; key: string; accepted: Accepted }
  | { type: 'qkv.committed'; rid: string; ballot: Ballot }
  | { type: 'qkv.ping' }
  | { type: 'qkv.tree'; leaves: number[] }
  | { type: 'qkv.tree-diff'; buckets: number[]; objects: KeyedObject[] }
  | { type: 'qkv.tree-objects'; objects: KeyedObject[] };

export interface KeyedObject {
  key: string;
  object: VersionedObject;
}

const LEVEL_WORDS: readonly string[] = ['one', 'quorum', 'all'];

function isLevel(value: unknown): value is Level {
  return (typeof value === 'string' && LEVEL_WORDS.includes(value)) || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1);
}

/** The request's options, or an error text naming the bad field. */
export function parseOptions(value: unknown): RequestOptions | string {
  if (value === undefined) return LINEARIZABLE_OPTIONS;
  if (typeof value !== 'object' || value === null) return 'q must be an object';
  const q = value as Record<string, unknown>;
  if (q.mode !== 'cp' && q.mode !== 'ap') return 'q.mode must be "cp" or "ap"';
  if (!isLevel(q.r) || !isLevel(q.w)) return 'q.r and q.w must be one, quorum, all or a positive integer';
  if (typeof q.pr !== 'number' || typeof q.pw !== 'number' || !(q.pr >= 0) || !(q.pw >= 0)) return 'q.pr and q.pw must be non-negative numbers';
  if (typeof q.sloppy !== 'boolean') return 'q.sloppy must be a boolean';
  if (q.resolve !== 'siblings' && q.resolve !== 'lww' && q.resolve !== 'counter') return 'q.resolve must be "siblings", "lww" or "counter"';
  if (q.resolve === 'counter' && q.mode !== 'ap') return 'q.resolve "counter" needs q.mode "ap" (a counter merges, it is not linearizable)';
  if (q.context !== undefined && asCausalContext(q.context) === null) return 'q.context is not a causal context';
  if (q.serial !== undefined && typeof q.serial !== 'boolean') return 'q.serial must be a boolean';
  if (q.ttlMs !== undefined && !(typeof q.ttlMs === 'number' && Number.isSafeInteger(q.ttlMs) && q.ttlMs > 0)) return 'q.ttlMs must be a positive integer';
  if (q.ttlMs !== undefined && (q.serial === true || q.resolve === 'counter')) return 'q.ttlMs is not supported with serial writes or counters';
  return value as RequestOptions;
}

/** A level as a count of replicas out of `n` (a number above n is refused before it gets here). */
export function levelCount(level: Level, n: number): number {
  if (level === 'one') return Math.min(1, n);
  if (level === 'quorum') return Math.floor(n / 2) + 1;
  if (level === 'all') return n;
  return level;
}

export function asKvRequest(message: unknown): KvRequest | null {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as Record<string, unknown>;
  if (m.type !== 'kv.request' || typeof m.client !== 'string' || typeof m.seq !== 'number') return null;
  const op = m.op as Record<string, unknown> | null;
  if (typeof op !== 'object' || op === null || typeof op.key !== 'string') return null;
  if (op.f !== 'read' && op.f !== 'write' && op.f !== 'cas') return null;
  if (op.f === 'write' && typeof op.value !== 'number' && op.value !== null) return null;
  return message as KvRequest;
}

const REPLICA_TYPES: ReadonlySet<string> = new Set([
  'qkv.get',
  'qkv.got',
  'qkv.put',
  'qkv.put-ack',
  'qkv.coordinate',
  'qkv.coordinated',
  'qkv.prepare',
  'qkv.promise',
  'qkv.accept',
  'qkv.accepted',
  'qkv.commit',
  'qkv.committed',
  'qkv.ping',
  'qkv.tree',
  'qkv.tree-diff',
  'qkv.tree-objects',
]);

function objectsOk(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item?.key === 'string' && asVersionedObject(item.object) !== null);
}

/** The message as a replica message, or null when its type or shape is wrong. */
export function asReplicaMessage(message: unknown): ReplicaMessage | null {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as Record<string, unknown>;
  if (typeof m.type !== 'string' || !REPLICA_TYPES.has(m.type)) return null;
  switch (m.type) {
    case 'qkv.get':
      return typeof m.rid === 'string' && typeof m.key === 'string' ? (m as ReplicaMessage) : null;
    case 'qkv.got':
      return typeof m.rid === 'string' && typeof m.key === 'string' && (m.object === null || asVersionedObject(m.object) !== null) ? (m as ReplicaMessage) : null;
    case 'qkv.put':
      return typeof m.key === 'string' && asVersionedObject(m.object) !== null && (m.hintFor === null || typeof m.hintFor === 'string') ? (m as ReplicaMessage) : null;
    case 'qkv.put-ack':
      return typeof m.rid === 'string' ? (m as ReplicaMessage) : null;
    case 'qkv.coordinate':
      return typeof m.rid === 'string' && asKvRequest(m.request) !== null ? (m as ReplicaMessage) : null;
    case 'qkv.coordinated':
      return typeof m.rid === 'string' && typeof m.reply === 'object' && m.reply !== null ? (m as ReplicaMessage) : null;
    case 'qkv.prepare':
      return typeof m.rid === 'string' && typeof m.key === 'string' && asBallot(m.ballot) !== null ? (m as ReplicaMessage) : null;
    case 'qkv.promise':
      return typeof m.rid === 'string' && typeof m.key === 'string' && asBallot(m.ballot) !== null && asPaxosPromise(m.promise) !== null ? (m as ReplicaMessage) : null;
    case 'qkv.accept':
    case 'qkv.commit':
      return typeof m.rid === 'string' && typeof m.key === 'string' && asAccepted(m.accepted) !== null ? (m as ReplicaMessage) : null;
    case 'qkv.accepted':
      return typeof m.rid === 'string' && typeof m.key === 'string' && asBallot(m.ballot) !== null && typeof m.ok === 'boolean' && (m.promised === null || asBallot(m.promised) !== null) ? (m as ReplicaMessage) : null;
    case 'qkv.committed':
      return typeof m.rid === 'string' && asBallot(m.ballot) !== null ? (m as ReplicaMessage) : null;
    case 'qkv.tree':
      return Array.isArray(m.leaves) && m.leaves.every((leaf) => typeof leaf === 'number') ? (m as ReplicaMessage) : null;
    case 'qkv.tree-diff':
      return Array.isArray(m.buckets) && objectsOk(m.objects) ? (m as ReplicaMessage) : null;
    case 'qkv.tree-objects':
      return objectsOk(m.objects) ? (m as ReplicaMessage) : null;
    default:
      return m as ReplicaMessage;
  }
}
