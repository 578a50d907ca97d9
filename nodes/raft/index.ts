// The Raft node's public surface: the node class and its factory, the bug catalogue, the protocol
// types, the parameters checkers use, and the pure invariant functions for monitors.
import type { Host, Process } from '../host.js';
import { RaftNode, type RaftNodeOptions } from './node.js';

export { RaftNode, RAFT_NODE_DEFAULTS, RAFT_PARAMS, type RaftInspection, type RaftNodeOptions } from './node.js';
export { raftBugs, type RaftPlantedBug } from './bugs.js';
export { EmbeddedRaftKv, type EmbeddedRaftKvOptions, type ProposeDone } from './embedded.js';
export * from './invariants.js';
export type {
  KvOp,
  KvValue,
  KvRequest,
  KvReply,
  KvOutcome,
  KvFunction,
  TxnMicroOp,
  RaftAdminAction,
  RaftAdminMessage,
} from './types.js';

export function createRaftNode(host: Host): Process {
  return new RaftNode(host);
}

/** A factory with options (lease reads, compaction thresholds, ...), for tests and benchmarks. */
export function raftNodeFactory(options: Partial<RaftNodeOptions>): (host: Host) => Process {
  return (host) => new RaftNode(host, options);
}
