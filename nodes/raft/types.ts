// The data of the Raft node: log entries, configurations, hard state, snapshots, the messages
// between nodes and the KV client protocol. Everything here is plain JSON (messages cross the TCP
// host as JSON), so arrays are used for sets and `null` for "none".
import type { NodeId } from '../host.js';

// ---------------------------------------------------------------- the KV protocol (shared with workloads/)

export type KvFunction = 'read' | 'write' | 'cas' | 'txn';

/**
 * A register's value: a number (every workload's values) or a string, for a system that keeps a
 * JSON document per key in a Raft KV it embeds (the broker's partition state, as Kafka's controller
 * once kept it in ZooKeeper).
 */
export type KvValue = number | string;

/**
 * One micro-operation of a transaction, Jepsen's shape: append to a list key, write a register
 * key, or read either. A request's reads carry null; the reply's carry what was read (a list, a
 * number, or null for a key never written).
 */
export type TxnMicroOp = ['append', string, number] | ['w', string, number] | ['r', string, null | number | number[]];

export interface KvOp {
  f: KvFunction;
  key: string;
  /** read: null; write: the value; cas: [expected (null: the key is absent), new]; txn: its micro-ops (key is `txn`). */
  value: null | KvValue | [KvValue | null, KvValue] | TxnMicroOp[];
}

/** Client → any node. A retry reuses `seq`, so the session applies the command at most once. */
export interface KvRequest {
  type: 'kv.request';
  client: string;
  seq: number;
  op: KvOp;
}

export type KvOutcome = 'ok' | 'fail' | 'redirect' | 'unavailable';

/** Node → client. */
export interface KvReply {
  type: 'kv.reply';
  seq: number;
  outcome: KvOutcome;
  value?: KvValue | null;
  leader?: NodeId | null;
  error?: string;
  /** A txn's micro-ops with what its reads returned. */
  txn?: TxnMicroOp[];
}

/** What applying a command produced; kept in the session so a retry gets the same answer. */
export interface KvResult {
  outcome: 'ok' | 'fail';
  value: KvValue | null;
  error?: string;
  /** A txn's completed micro-ops. */
  txn?: TxnMicroOp[];
}

/** Admin actions (the same shape as AdminAction of workloads/system.ts, declared here on purpose). */
export type RaftAdminAction =
  | { kind: 'add-member'; node: NodeId }
  | { kind: 'remove-member'; node: NodeId }
  | { kind: 'transfer-leader'; to: NodeId };

export interface RaftAdminMessage {
  type: 'raft.admin';
  action: RaftAdminAction;
}

// ---------------------------------------------------------------- log and configuration

/**
 * A cluster configuration. `outgoing` is non-empty only during joint consensus (C_old,new): then
 * `voters` is C_new and `outgoing` is C_old, and every decision needs a majority of both. Learners
 * receive the log but never vote; here a learner is always a member being caught up before it is
 * promoted. All arrays are sorted and disjoint from `learners`.
 */
export interface ConfigState {
  voters: NodeId[];
  outgoing: NodeId[];
  learners: NodeId[];
}

export type EntryData =
  | { kind: 'noop' }
  | { kind: 'kv'; client: string; seq: number; op: KvOp }
  | { kind: 'config'; config: ConfigState };

export interface Entry {
  index: number;
  term: number;
  data: EntryData;
}

/** What must be on disk before anything depending on it is sent. */
export interface HardState {
  term: number;
  vote: NodeId | null;
  commit: number;
}

export interface SnapshotMeta {
  index: number;
  term: number;
  config: ConfigState;
  /** Chain hash of the applied commands up to `index` (see kv.ts), for the replica-agreement check. */
  chain: number;
}

/** A snapshot: metadata and the state machine's state as JSON text (see kv.ts). */
export interface Snapshot {
  meta: SnapshotMeta;
  data: string;
}

// ---------------------------------------------------------------- messages between nodes

export interface PreVoteRequest {
  type: 'raft.prevote';
  /** The term the sender would campaign in (its term + 1); its own term is unchanged. */
  term: number;
  lastIndex: number;
  lastTerm: number;
}

export interface PreVoteResponse {
  type: 'raft.prevote.resp';
  term: number;
  reject: boolean;
}

export interface VoteRequest {
  type: 'raft.vote';
  term: number;
  lastIndex: number;
  lastTerm: number;
  /** Sent after TimeoutNow: voters ignore their leader lease (leadership transfer). */
  transfer: boolean;
}

export interface VoteResponse {
  type: 'raft.vote.resp';
  term: number;
  reject: boolean;
}

export interface AppendRequest {
  type: 'raft.append';
  term: number;
  prevIndex: number;
  prevTerm: number;
  entries: Entry[];
  commit: number;
  /** The leader's newest ReadIndex round when sent; the response echoes it (reads ride on appends). */
  ctx: number;
}

export interface AppendResponse {
  type: 'raft.append.resp';
  term: number;
  /** Accepted: the last index now matching the leader. Rejected: the request's prevIndex. */
  index: number;
  reject: boolean;
  /** On reject: where the leader should probe next (the follower's guess) and its term there. */
  hintIndex: number;
  hintTerm: number;
  /** The request's ReadIndex round, echoed. */
  ctx: number;
}

export interface HeartbeatRequest {
  type: 'raft.heartbeat';
  term: number;
  /** min(the follower's match, the leader's commit): never more than the follower is known to have. */
  commit: number;
  /** The ReadIndex round this heartbeat confirms (0 when none). */
  ctx: number;
}

export interface HeartbeatResponse {
  type: 'raft.heartbeat.resp';
  term: number;
  ctx: number;
}

export interface SnapshotChunk {
  type: 'raft.snapshot';
  term: number;
  meta: SnapshotMeta;
  /** Character offset of `chunk` in the snapshot's data; `total` is the data's length. */
  offset: number;
  chunk: string;
  total: number;
  /** CRC-32 of the whole data, checked once assembled. */
  crc: number;
}

export interface SnapshotResponse {
  type: 'raft.snapshot.resp';
  term: number;
  /** The snapshot's index when installed (or already covered), else 0. */
  index: number;
  /** Characters received so far of the snapshot `meta.index` (the next offset wanted). */
  offset: number;
  snapshotIndex: number;
}

export interface TimeoutNow {
  type: 'raft.timeout-now';
  term: number;
}

export type RaftMessage =
  | PreVoteRequest
  | PreVoteResponse
  | VoteRequest
  | VoteResponse
  | AppendRequest
  | AppendResponse
  | HeartbeatRequest
  | HeartbeatResponse
  | SnapshotChunk
  | SnapshotResponse
  | TimeoutNow;

export type RaftMessageType = RaftMessage['type'];

export const RAFT_MESSAGE_TYPES: readonly RaftMessageType[] = [
  'raft.prevote',
  'raft.prevote.resp',
  'raft.vote',
  'raft.vote.resp',
  'raft.append',
  'raft.append.resp',
  'raft.heartbeat',
  'raft.heartbeat.resp',
  'raft.snapshot',
  'raft.snapshot.resp',
  'raft.timeout-now',
];

export type Role = 'leader' | 'follower' | 'candidate' | 'pre-candidate';
