// The KV client protocol shared by the Raft node and its workloads: one request from a client to
// any node, one reply back. The node side lives in nodes/raft/ and declares the same shapes there,
// because nodes/ may not import workloads/; these two declarations must stay identical.
import type { NodeId } from '../nodes/host.js';

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
  /** Read: null. Write: the value. Cas: [expected, new]. Txn: its micro-ops (key is `txn`). */
  value: null | KvValue | [KvValue | null, KvValue] | TxnMicroOp[];
}

export interface KvRequest {
  type: 'kv.request';
  /** The client's network id (`c3`); with `seq` it names the command for exactly-once sessions. */
  client: string;
  /** Per client, increasing; a retry of the same op reuses it. */
  seq: number;
  op: KvOp;
}

export type KvOutcome = 'ok' | 'fail' | 'redirect' | 'unavailable';

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

/** The error a node gives with `fail` when a cas found another value: the cas did not happen. */
export const CAS_MISMATCH = 'cas-mismatch';

const OUTCOMES: readonly string[] = ['ok', 'fail', 'redirect', 'unavailable'];

/** A reply as the workloads' clients take it: their values are numbers, so a string is malformed. */
export type NumericKvReply = Omit<KvReply, 'value'> & { value?: number | null };

/**
 * The message as a reply, or null when it is not a well-formed one. Messages come off the network
 * (and, under the TCP host, from another process), so nothing about their shape is assumed.
 */
export function asKvReply(message: unknown): NumericKvReply | null {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as Record<string, unknown>;
  if (m.type !== 'kv.reply') return null;
  if (typeof m.seq !== 'number' || !Number.isSafeInteger(m.seq)) return null;
  if (typeof m.outcome !== 'string' || !OUTCOMES.includes(m.outcome)) return null;
  if (m.value !== undefined && m.value !== null && typeof m.value !== 'number') return null;
  if (m.leader !== undefined && m.leader !== null && typeof m.leader !== 'string') return null;
  if (m.error !== undefined && typeof m.error !== 'string') return null;
  if (m.txn !== undefined && !(Array.isArray(m.txn) && m.txn.every(isMicroOpResult))) return null;
  return m as unknown as NumericKvReply;
}

/** The key of every txn request's op: a transaction names its keys in its micro-ops. */
export const TXN_KEY = 'txn';

function isMicroOpResult(op: unknown): op is TxnMicroOp {
  if (!Array.isArray(op) || op.length !== 3 || typeof op[1] !== 'string') return false;
  const value: unknown = op[2];
  if (op[0] === 'append' || op[0] === 'w') return typeof value === 'number';
  if (op[0] !== 'r') return false;
  return value === null || typeof value === 'number' || (Array.isArray(value) && value.every((item) => typeof item === 'number'));
}
