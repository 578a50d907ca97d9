// The scheduler's wire protocol: clients (submitters, workers) to any scheduler node, and workers to
// the fenced resource. Plain JSON throughout (the TCP host frames messages as JSON).
import type { NodeId } from '../host.js';

/** What a client asks of the scheduler. `job` is the client's request id: submits are idempotent by it. */
export type SchedOp =
  /** `quota`: the most jobs of the tenant that may run at once (the tenant's own setting); absent: no limit. */
  | { f: 'submit'; job: string; tenant: string; quota?: number }
  | { f: 'cancel'; job: string }
  | { f: 'status'; job: string }
  | { f: 'acquire'; holder: string }
  | { f: 'renew'; job: string; token: number }
  | { f: 'release'; job: string; token: number }
  | { f: 'complete'; job: string; token: number };

export interface SchedRequest {
  type: 'sched.request';
  /** The client's own request number, echoed in the reply. */
  id: number;
  op: SchedOp;
}

/** A lease as granted: the job, its fencing token, and how long it lasts. */
export interface LeaseGrant {
  job: string;
  token: number;
  /** Which lease of the job this is (1 for its first run). */
  attempt: number;
  /** The lease lasts this long from the worker's request, by the worker's own monotonic clock. */
  ttlNs: number;
  /** The scheduler's wall clock plus the TTL: informative only (a worker must not judge by it). */
  expiresAtWallNs: number;
}

export type SchedError = 'bad-request' | 'not-leader' | 'unknown-outcome' | 'busy' | 'no-job' | 'not-found' | 'lease-lost' | 'not-cancellable' | 'exists';

export interface SchedReply {
  type: 'sched.reply';
  id: number;
  ok: boolean;
  error?: SchedError;
  /** With `not-leader`: the node this one believes leads, if any. */
  leader?: NodeId | null;
  /** `acquire`: the lease; `status`: the job's state. */
  lease?: LeaseGrant;
  /** `renew`: the scheduler's wall clock plus the TTL (informative, as in LeaseGrant). */
  expiresAtWallNs?: number;
  state?: string;
}

/** A worker's write to the fenced resource: an intermediate effect or the final commit. */
export interface ResourceWrite {
  type: 'res.write';
  id: number;
  /** The key fenced: the job's own output. */
  key: string;
  /** The fencing token of the writer's lease; null when the writer sends none (a planted bug). */
  token: number | null;
  /** `commit`: the output and its completion marker, applied once per idempotency key. */
  kind: 'step' | 'commit';
  /** The idempotency key of a commit (the job id); null when the writer sends none. */
  idem: string | null;
  /** The writer, for the history only (a real resource would not trust it). */
  holder: string;
}

export interface ResourceReply {
  type: 'res.reply';
  id: number;
  /** accepted; rejected (a higher token was seen); duplicate (this idempotency key already committed). */
  outcome: 'accepted' | 'rejected' | 'duplicate';
}

export function isSchedRequest(message: unknown): message is SchedRequest {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'sched.request';
}

export function isSchedReply(message: unknown): message is SchedReply {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'sched.reply';
}

export function isResourceWrite(message: unknown): message is ResourceWrite {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'res.write';
}

export function isResourceReply(message: unknown): message is ResourceReply {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'res.reply';
}
