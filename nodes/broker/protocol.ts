// The broker's wire protocol: what clients send (metadata, produce, fetch, topic config), what
// replicas send each other (replica fetch with its epoch check), and the heartbeat to the active
// controller. Every message is plain JSON (nodes/host.ts).
import type { NodeId } from '../host.js';

/** acks: 0 (no answer), 1 (the leader appended it), -1 ("all": the high watermark passed it). */
export type Acks = 0 | 1 | -1;

export interface MetaRequest {
  type: 'broker.meta';
}

export interface PartitionLeader {
  leader: NodeId | null;
  leaderEpoch: number;
}

export interface MetaReply {
  type: 'broker.meta.reply';
  /** By partition number: its leader as this broker last saw it applied. */
  partitions: PartitionLeader[];
}

export interface ProduceRequest {
  type: 'broker.produce';
  id: number;
  partition: number;
  acks: Acks;
  /** An idempotent producer's id and the sequence number of the first record (KIP-98); absent: none. */
  producerId?: number;
  firstSeq?: number;
  /** (key, value) pairs, appended as one batch at consecutive offsets. */
  records: [number, number][];
}

/**
 * `ok`: appended from `baseOffset`; `not-leader` and `not-enough-replicas`: nothing appended, the
 * client may retry elsewhere; `unknown`: appended but not known to be committed (the leader lost
 * its leadership or the ISR shrank under min.insync.replicas before the high watermark passed it);
 * `busy`: nothing appended (too many requests waiting, the batch too large, or a new leader
 * still making its epoch durable); `out-of-order`: nothing appended, the producer's sequence has a
 * gap or repeats an old batch (OUT_OF_ORDER_SEQUENCE).
 */
export type ProduceOutcome = 'ok' | 'not-leader' | 'not-enough-replicas' | 'unknown' | 'busy' | 'out-of-order';

export interface ProduceReply {
  type: 'broker.produce.reply';
  id: number;
  outcome: ProduceOutcome;
  baseOffset?: number;
  /** The leader this broker believes in, for a redirect. */
  leader?: NodeId | null;
}

export interface FetchRequest {
  type: 'broker.fetch';
  id: number;
  partition: number;
  offset: number;
  maxBytes: number;
}

export interface FetchReply {
  type: 'broker.fetch.reply';
  id: number;
  partition: number;
  outcome: 'ok' | 'not-leader' | 'offset-out-of-range';
  /** [offset, value] pairs from the requested offset, below the high watermark. */
  records: [number, number][];
  highWatermark: number;
  leader?: NodeId | null;
}

/** A topic config change, kept on the controller's Raft (unclean.leader.election.enable). */
export interface ConfigRequest {
  type: 'broker.config';
  id: number;
  uncleanElection: boolean;
}

export interface ConfigReply {
  type: 'broker.config.reply';
  id: number;
  outcome: 'ok' | 'unavailable';
}

export interface ReplicaFetch {
  type: 'broker.replica-fetch';
  partition: number;
  /** The epoch the follower follows; a leader at another epoch refuses. */
  leaderEpoch: number;
  fetchOffset: number;
  /** The epoch of the follower's record at fetchOffset - 1 (-1 when empty): KIP-320's check. */
  lastFetchedEpoch: number;
  maxBytes: number;
}

export interface ReplicaFetchReply {
  type: 'broker.replica-fetch.reply';
  partition: number;
  leaderEpoch: number;
  /** The request's fetch offset and last fetched epoch: a late or duplicated answer to an older fetch is known by them. */
  fetchOffset: number;
  lastFetchedEpoch: number;
  /** `fenced`: the follower's epoch is not the leader's (either is stale); `diverging`: truncate first. */
  outcome: 'ok' | 'fenced' | 'diverging';
  /** [offset, epoch, key, value, producer id, sequence, batch base offset]. */
  records: ReplicaRecord[];
  highWatermark: number;
  /** Where the follower's last epoch ends on the leader (with `diverging`). */
  diverging?: { epoch: number; endOffset: number };
}

export type ReplicaRecord = [number, number, number, number, number, number, number];

export interface Heartbeat {
  type: 'broker.heartbeat';
}

export type ClientRequest = MetaRequest | ProduceRequest | FetchRequest | ConfigRequest;
export type ClientReply = MetaReply | ProduceReply | FetchReply | ConfigReply;
export type BrokerMessage = ClientRequest | ReplicaFetch | ReplicaFetchReply | Heartbeat;

/** An upper bound on one record's JSON in a fetch reply (seven safe integers in brackets). */
export const RECORD_JSON_BYTES_MAX = 7 * 17 + 8;
/** Room for a reply's other fields. */
export const REPLY_OVERHEAD_BYTES = 512;

/** How many records fit a reply of `maxBytes`. */
/** Records in one produce request, at most. */
export const PRODUCE_RECORDS_MAX = 1000;

export function recordsForBytes(maxBytes: number): number {
  return Math.max(1, Math.floor((maxBytes - REPLY_OVERHEAD_BYTES) / RECORD_JSON_BYTES_MAX));
}
