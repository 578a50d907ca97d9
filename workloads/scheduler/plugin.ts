// The `scheduler` system: scheduler nodes whose durable job store is the embedded Raft KV of
// nodes/raft/ (the scheduler whose Raft leads acts), and three kinds of client process: c0 is the
// fenced resource, c1 submits (and cancels) jobs, c2 and up run worker lanes (fewer clients share
// the roles, see `rolesOf`). So the run's one history holds all three histories the checkers
// read, stamped with true time.
import { z } from 'zod';
import { NS_PER_MS, type ClientHost, type NodeId, type Process, type ProcessFactory } from '../../nodes/host.js';
import { createSchedulerNode, LANES_MAX, ResourceProcess, schedulerBugs, SCHEDULER_PARAMS, WorkerProcess, WORKER_DEFAULTS } from '../../nodes/scheduler/index.js';
import { checkAtLeastOnce, checkExactlyOnce, checkFencedResource, checkLeaseExclusion, checkMutex, checkQuota, checkRelease, checkTokens } from '../../checkers/scheduler/index.js';
import type { CheckerResult } from '../../checkers/verdict.js';
import type { History } from '../../histories/schema.js';
import type { CheckContext, SystemPlugin, Workload, WorkloadParams } from '../system.js';
import { SubmitterProcess } from './submitter.js';
import { schedulerTargets } from './targets.js';
import { RolesProcess } from './roles-client.js';
import { raftMonitor } from '../raft/monitor.js';

export const schedulerOptionsSchema = z
  .object({
    /** Jobs the submitter submits (fewer if `opsMax` is smaller). */
    jobs: z.number().int().min(1).max(100_000).default(30),
    /** Worker lanes per worker client. */
    lanes: z.number().int().min(1).max(LANES_MAX).default(3),
    tenants: z.number().int().min(1).max(1_000).default(3),
    /** Submissions stop this long before clients stop invoking, so the queue drains before the end. */
    drainMs: z.number().int().min(0).max(600_000).default(4_000),
  })
  .strict();

type SchedulerOptions = z.infer<typeof schedulerOptionsSchema>;

/**
 * Roles by client: with three or more, c0 is the resource, c1 the submitter, c2 and up workers;
 * with two, c0 is the resource and the submitter; with one, c0 plays every role.
 */
export type Role = 'resource' | 'submitter' | 'worker';

export function rolesOf(index: number, clients: number): Role[] {
  if (clients === 1) return ['resource', 'submitter', 'worker'];
  if (clients === 2) return index === 0 ? ['resource', 'submitter'] : ['worker'];
  return index === 0 ? ['resource'] : index === 1 ? ['submitter'] : ['worker'];
}

/**
 * The scheduler's promise is checked with this slack off the TTL: drift faults make a scheduler's
 * clock run up to 5% fast, so it may expire a lease 5% early in true time.
 */
export const LEASE_SLACK = 0.1;
/**
 * An acknowledged job is committed within this of its acknowledgement or the heal: a stalled first
 * run (its holder's deadline, then the leader's expiry), an election with a full TTL of grace for
 * inherited leases, and a second run, with room.
 */
export const AT_LEAST_ONCE_BOUND_MS = 4_000;
/** A crashed holder's job is leased again within TTL plus this (tick, poll, the grant's commits). */
export const RELEASE_BOUND_MS = 1_500;

function options(params: WorkloadParams): SchedulerOptions {
  return schedulerOptionsSchema.parse(params.options);
}

function param(context: CheckContext, name: string): number {
  const value = context.params[name];
  if (value === undefined || !(value > 0)) throw new Error(`scheduler plugin: params.${name} must be a positive number`);
  return value;
}

function ttlNs(context: CheckContext): number {
  return param(context, 'leaseTtlMs') * NS_PER_MS;
}

interface Roles {
  pauses: boolean;
  /** Override the options: few tenants with a quota below the lanes, so quotas bind. */
  tenants?: number;
  lanes?: number;
  quota?: number;
}

/** The tenants workload's quota of running jobs per tenant (the jobs workload states none). */
export const TENANT_QUOTA = 3;

function schedulerClient(params: WorkloadParams, index: number, roles: Roles): ProcessFactory<ClientHost> {
  const chosen = options(params);
  const resource: NodeId = 'c0';
  const jobs = Math.min(chosen.jobs, params.opsMax);
  const windowNs = Math.max(NS_PER_MS, params.stopInvokingAtNs - chosen.drainMs * NS_PER_MS);
  const makers = (host: ClientHost): Record<Role, (finished: () => void) => Process> => ({
    resource: () => new ResourceProcess(host, index, params.clients),
    submitter: (finished) => new SubmitterProcess(host, { nodes: params.nodes, index, clients: params.clients, jobs, tenants: roles.tenants ?? chosen.tenants, windowNs, requestNs: params.timeoutNs, cancelOneIn: 8, triesMax: 5, quota: roles.quota ?? null, finished }),
    worker: (finished) =>
      new WorkerProcess(host, {
        ...WORKER_DEFAULTS,
        nodes: params.nodes,
        resource,
        index,
        clients: params.clients,
        lanes: roles.lanes ?? chosen.lanes,
        stopAtNs: params.stopInvokingAtNs,
        requestNs: params.timeoutNs,
        pauseOneIn: roles.pauses ? 6 : 0,
        finished,
      }),
  });
  const mine = rolesOf(index, params.clients);
  return (host) => {
    const make = makers(host);
    if (mine.length === 1) return make[mine[0]!](() => host.done());
    return new RolesProcess(host, mine.map((role) => make[role]), mine.includes('resource') ? 1 : 0);
  };
}

function judged(history: History, context: CheckContext): CheckerResult[] {
  const ttl = ttlNs(context);
  const stopNs = context.workload?.stopInvokingAtNs ?? context.endNs;
  return [
    checkFencedResource(history),
    checkMutex(history),
    checkLeaseExclusion(history, ttl, LEASE_SLACK),
    checkTokens(history),
    checkExactlyOnce(history),
    checkAtLeastOnce(history, { healedAtNs: context.healedAtNs, endNs: context.endNs, boundNs: AT_LEAST_ONCE_BOUND_MS * NS_PER_MS }),
    checkRelease(history, { ttlNs: ttl, boundNs: RELEASE_BOUND_MS * NS_PER_MS, fromNs: context.healedAtNs ?? 0, untilNs: stopNs }),
  ];
}

/** A workload of this system: its roles, what it is judged by; the options and shrink are shared. */
function schedulerWorkload(name: string, description: string, roles: Roles, check: Workload['check']): Workload {
  return {
    name,
    description,
    options: schedulerOptionsSchema,
    shrink: [{ field: 'jobs', floor: 1, absentAs: 30, label: 'jobs' }],
    client: (params, index) => schedulerClient(params, index, roles),
    check,
  };
}

export const jobsWorkload = schedulerWorkload(
  'jobs',
  'one submitter, worker lanes that crash now and then, one fenced resource: fenced mutual exclusion at the resource, the mutex model on the workers, the scheduler keeps its lease promises, tokens only grow, each output committed once, every acknowledged job done after the heal, crashed holders re-leased in time',
  { pauses: false },
  judged,
);

export const bareLeaseWorkload = schedulerWorkload(
  'bare-lease',
  'negative control, expected to FAIL the mutex model: workers pause (stop the world) between checking their lease and writing, past the TTL, so two believe they hold one job; the resource stays safe because it fences (fenced-resource valid)',
  { pauses: true },
  (history) => {
    const mutex = checkMutex(history, 'negative control, expected to fail (paused workers hold on to leases that passed to others): ');
    return [checkFencedResource(history), mutex, checkExactlyOnce(history), checkTokens(history)];
  },
);

export const tenantsWorkload = schedulerWorkload(
  'tenants',
  'two tenants, a quota of running jobs each (3) below the worker lanes (6), and workers that pause past their lease: no tenant ever runs more than its quota, a paused holder (a zombie) counted until it really stops; fenced effects, each committed once, tokens only grow (the mutex model is not claimed: pauses break it)',
  { pauses: true, tenants: 2, lanes: 6, quota: TENANT_QUOTA },
  (history, context) => [
    checkQuota(history, TENANT_QUOTA),
    checkFencedResource(history),
    checkExactlyOnce(history),
    checkTokens(history),
    checkLeaseExclusion(history, ttlNs(context), LEASE_SLACK),
  ],
);

export const schedulerSystem: SystemPlugin = {
  name: 'scheduler',
  description: 'job scheduler on an embedded Raft KV: submissions acknowledged after commit and idempotent by request id, leases with fencing tokens from a replicated counter, expiry judged by the leader, tenant quotas with zombie charges, a fenced resource',
  node: createSchedulerNode,
  nodes: { default: 3, min: 1, max: 7 },
  workloads: { jobs: jobsWorkload, 'bare-lease': bareLeaseWorkload, tenants: tenantsWorkload },
  defaultWorkload: 'jobs',
  bugs: schedulerBugs,
  params: SCHEDULER_PARAMS,
  // The Raft invariants (one leader per term, logs matching, commits never lost) of the group the
  // scheduler nodes host: Raft's monitor follows hosted nodes.
  invariants: raftMonitor,
  targets: schedulerTargets,
  ready: (statuses) => Object.values(statuses).some((status) => status.role === 'leader' && status.down === undefined),
};
