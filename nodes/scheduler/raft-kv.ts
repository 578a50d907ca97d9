// The job store's replicated KV: the embedded Raft KV of nodes/raft/ (Raft as a library), through
// the JobKv port. Its Raft node is reachable for the Raft invariant monitor (`hostedRaftNode`).
import type { Host } from '../host.js';
import { EmbeddedRaftKv, type RaftNode } from '../raft/index.js';
import type { JobKv } from './kv-port.js';

export interface RaftJobKv extends JobKv {
  readonly node: RaftNode;
}

export function raftJobKv(host: Host): RaftJobKv {
  return new EmbeddedRaftKv(host);
}
