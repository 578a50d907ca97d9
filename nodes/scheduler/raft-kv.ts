// The job store's replicated KV: the embedded Raft KV of nodes/raft/ (Raft as a library).
// Placeholder until the embedding lands on main: it refuses to start, saying so.
import type { Host } from '../host.js';
import type { JobKv } from './kv-port.js';

export function raftJobKv(host: Host): JobKv {
  throw new Error(`scheduler on ${host.id}: the embedded Raft KV (nodes/raft/embedded.ts) is not merged yet`);
}
