// The broker's public surface: the node and its factory, the bug catalogue, the protocol, the log
// and controller-state types a monitor reads, and the parameters checkers use.
import type { Host, Process } from '../host.js';
import { BrokerNode, type BrokerOptions } from './node.js';

export { BrokerNode, BROKER_DEFAULTS, BROKER_PARAMS, Replica, type BrokerInspection, type BrokerOptions } from './node.js';
export { brokerBugs } from './bugs.js';
export { PartitionLog, type LogRecord, type EpochEntry } from './log.js';
export { assignReplicas, decodeState, electLeader, partitionKey, type PartitionState } from './state.js';
export * from './protocol.js';
export { commitAllowed, rangeAssign, regroup, type GroupDoc, type GroupOutcome, type GroupReply, type GroupRequest } from './groups.js';

export function createBrokerNode(host: Host): Process {
  return new BrokerNode(host);
}

/** A factory with options (partitions, timings), for tests and benchmarks. */
export function brokerNodeFactory(options: Partial<BrokerOptions>): (host: Host) => Process {
  return (host) => new BrokerNode(host, options);
}
