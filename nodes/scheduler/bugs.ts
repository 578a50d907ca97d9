// The scheduler's planted bugs. Each, when named by `--bug`, switches a real change at the point
// where the correct code decides; all are off otherwise.
import type { Host } from '../host.js';

export interface SchedulerPlantedBug {
  name: string;
  description: string;
}

export const schedulerBugs: readonly SchedulerPlantedBug[] = [
  { name: 'sched.no-fencing', description: 'a job leased again keeps the token of its previous lease instead of drawing a new one from the counter, so the resource cannot tell the new holder from the old' },
  { name: 'sched.local-token-counter', description: "fencing tokens come from the leader's own counter in memory, not the replicated one: after a failover the new leader issues tokens below those already handed out" },
  { name: 'sched.worker-clock-lease', description: "workers judge their lease by the scheduler's wall-clock expiry stamp against their own wall clock, without the safety margin, instead of their monotonic clock from the request" },
  { name: 'sched.ack-before-commit', description: 'a submission is acknowledged as soon as the leader proposes it, before the Raft commit: a failover can lose an acknowledged job' },
  { name: 'sched.no-idempotency-key', description: "workers commit a job's output without its idempotency key, so a job run twice (its first holder crashed after committing) commits its effect twice" },
  { name: 'sched.lease-reset-on-failover', description: 'a new leader treats the leases it inherits as expired at once instead of granting them a full TTL from its takeover' },
  { name: 'sched.quota-freed-at-expiry', description: "an expired lease frees its tenant's quota slot at once, instead of after the zombie grace: a holder still running (paused) is not counted" },
];

export interface SchedulerBugSwitches {
  noFencing: boolean;
  localTokenCounter: boolean;
  ackBeforeCommit: boolean;
  leaseResetOnFailover: boolean;
  quotaFreedAtExpiry: boolean;
}

export function schedulerBugsFromHost(host: Pick<Host, 'bug'>): SchedulerBugSwitches {
  return {
    noFencing: host.bug('sched.no-fencing'),
    localTokenCounter: host.bug('sched.local-token-counter'),
    ackBeforeCommit: host.bug('sched.ack-before-commit'),
    leaseResetOnFailover: host.bug('sched.lease-reset-on-failover'),
    quotaFreedAtExpiry: host.bug('sched.quota-freed-at-expiry'),
  };
}

export interface WorkerBugSwitches {
  workerClockLease: boolean;
  noIdempotencyKey: boolean;
}

export function workerBugsFromHost(host: Pick<Host, 'bug'>): WorkerBugSwitches {
  return { workerClockLease: host.bug('sched.worker-clock-lease'), noIdempotencyKey: host.bug('sched.no-idempotency-key') };
}
