// The quorum KV node's public surface: the node and its factory, the bug catalogue, the protocol
// and version types, and the parameters checkers use.
import type { Host, Process } from '../host.js';
import { QuorumKvNode, type QuorumKvOptions } from './node.js';

export { QuorumKvNode, QUORUM_KV_DEFAULTS, QUORUM_KV_PARAMS, type QuorumKvInspection, type QuorumKvOptions } from './node.js';
export { quorumKvBugs, type QuorumKvPlantedBug } from './bugs.js';
export { Ring, type RingConfig, type RingMember } from './ring.js';
export { leavesOf, rootOf } from './merkle.js';
export { compareBallots, type Ballot, type PaxosState } from './paxos.js';
export * from './versions.js';
export * from './protocol.js';

export function createQuorumKvNode(host: Host): Process {
  return new QuorumKvNode(host);
}

/** A factory with options (replica count, timings), for tests and benchmarks. */
export function quorumKvNodeFactory(options: Partial<QuorumKvOptions>): (host: Host) => Process {
  return (host) => new QuorumKvNode(host, options);
}
