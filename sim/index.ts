// The kernel's public surface. Other folders import from here (or from the module itself).
export { AssertionError, assert } from './assert.js';
export { CLOCK_CONFIG_DEFAULT, CLOCK_DRIFT_PPM_MAX, NodeClock, type ClockConfig } from './clock.js';
export {
  DISK_CONFIG_DEFAULT,
  DISK_FAULTS_NONE,
  SimDisk,
  type CrashMode,
  type CrashReport,
  type DiskConfig,
  type DiskFaults,
  type PendingFsync,
} from './disk.js';
export { Fingerprint, hashParts, hashString32 } from './fingerprint.js';
export { SimHost } from './host.js';
export { DropReason, NETWORK_CONFIG_DEFAULT, NETWORK_ENDPOINTS_MAX, Network, type LinkFaultSpec, type NetworkConfig } from './network.js';
export { PARTITION_KINDS, Reachability, planPartition, type PartitionPlan, type PartitionSpec } from './partition.js';
export { Endpoint, HOLD_MAX_DEFAULT, type EndpointRole, type ProcessState } from './process.js';
export { EventKind, EventQueue, QUEUE_CAPACITY_MAX } from './queue.js';
export { SimRandom, latencyProblem, sampleLatencyNs, streamSeed, type LatencyDistribution } from './random.js';
export { TraceKind, type TraceEvent } from './trace.js';
export {
  FAILURES_MAX,
  HISTORY_LIMIT_DEFAULT,
  TRACE_LIMIT_DEFAULT,
  World,
  compareIds,
  type DiskFaultSpec,
  type Failure,
  type Monitor,
  type SimHistoryRecord,
  type WorldConfig,
  type WorldStats,
} from './world.js';
