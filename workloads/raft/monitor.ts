// The Raft invariant monitor in the InvariantMonitor shape of workloads/system.ts. The logic, and a
// structural wrapper, live in nodes/raft/invariants.ts (nodes/ may not import workloads/); this
// adapter is where the compiler holds the two shapes together.
import { raftInvariantMonitor } from '../../nodes/raft/index.js';
import type { InvariantMonitor } from '../system.js';

export function raftMonitor(): InvariantMonitor {
  const monitor = raftInvariantMonitor();
  return {
    onTrace: (event, inspector) => monitor.onTrace(event, inspector),
    result: () => monitor.result(),
  };
}
