// The scheduler's public surface: the node and its factory, the worker and the fenced resource
// (client processes of its workloads), the protocol, the store's records, the planted bugs and the
// parameters checkers use.
import type { Host, Process } from '../host.js';
import { SchedulerNode, type SchedulerOptions } from './node.js';
import { raftJobKv } from './raft-kv.js';

export { SchedulerNode, SCHEDULER_DEFAULTS, SCHEDULER_PARAMS, type SchedulerInspection, type SchedulerOptions } from './node.js';
export { schedulerBugs, type SchedulerPlantedBug } from './bugs.js';
export { WorkerProcess, WORKER_DEFAULTS, type WorkerConfig } from './worker.js';
export { ResourceProcess, FencedStore } from './resource.js';
export * from './roles.js';
export { SchedCaller, ATTEMPT_NS_DEFAULT } from './caller.js';
export { Timers } from './timers.js';
export type { JobKv, JobKvFactory } from './kv-port.js';
export * from './protocol.js';
export * from './store.js';

export function createSchedulerNode(host: Host): Process {
  return new SchedulerNode(host, raftJobKv);
}

/** A factory with options (lease TTL, ticks), for tests and benchmarks. */
export function schedulerNodeFactory(options: Partial<SchedulerOptions>): (host: Host) => Process {
  return (host) => new SchedulerNode(host, raftJobKv, options);
}
