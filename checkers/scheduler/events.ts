// The three histories of a scheduler run, read out of one recorded history: the clients'
// submissions and cancels, the workers' leases (grants, renewals, the end of each hold), and the
// fenced resource's judged writes. Pure; every checker of checkers/scheduler/ starts here.
import type { History } from '../../histories/schema.js';
import { pairOps, type PairedOp } from '../paired-ops.js';
import type { CheckerResult } from '../verdict.js';

export interface Grant {
  job: string;
  token: number;
  holder: string;
  invokeNs: number;
  okNs: number;
}

export interface Renewal {
  job: string;
  token: number;
  invokeNs: number;
}

/** A holder let go of its lease (`stop`, with why) or died holding it (`crash`). */
export interface HoldEnd {
  job: string;
  token: number;
  holder: string;
  timeNs: number;
  reason: string;
}

export interface JudgedWrite {
  key: string;
  token: number | null;
  holder: string;
  kind: 'step' | 'commit';
  outcome: 'accepted' | 'rejected' | 'duplicate';
  timeNs: number;
  index: number;
}

export interface SchedulerEvents {
  grants: Grant[];
  renewals: Renewal[];
  ends: HoldEnd[];
  /** Completions the scheduler acknowledged, by job. */
  completed: Map<string, number>;
  /**
   * Completions acknowledged, by lease (`job\0token`) to the completion's invoke time: the holder's
   * work was over when it asked (the scheduler frees the slot at the commit, before the answer).
   */
  completedLeases: Map<string, number>;
  /** Releases that may have happened (acknowledged, unknown or pending): `job\0token` to the first one's invoke time. */
  released: Map<string, number>;
  writes: JudgedWrite[];
  /** Acknowledged submissions: job to the true time of the first `ok`. */
  submitted: Map<string, number>;
  /** Acknowledged cancels: job to the true time of the `ok`. */
  cancelled: Map<string, number>;
  /** Jobs with a cancel whose outcome is unknown (it may have happened). */
  maybeCancelled: Set<string>;
  /** Each submitted job's tenant, as its submission named it. */
  tenants: Map<string, string>;
  /** History records without a true time: the checks cannot judge them. */
  untimed: number;
  /** The first way the history breaks the invoke/completion pairing, or null. */
  malformed: string | null;
}

interface JobValue {
  job?: unknown;
  token?: unknown;
  holder?: unknown;
  reason?: unknown;
}

function field<T>(value: unknown, name: keyof JobValue, type: 'string' | 'number'): T | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const got = (value as JobValue)[name];
  return typeof got === type ? (got as T) : undefined;
}

export function schedulerEvents(history: History): SchedulerEvents {
  const events: SchedulerEvents = { grants: [], renewals: [], ends: [], completed: new Map(), completedLeases: new Map(), released: new Map(), writes: [], submitted: new Map(), cancelled: new Map(), maybeCancelled: new Set(), tenants: new Map(), untimed: 0, malformed: null };
  for (const record of history) if (record.time === undefined) events.untimed += 1;
  const paired = pairOps(history);
  events.malformed = paired.problems[0]?.message ?? null;
  for (const op of paired.ops) readOp(op, events);
  return events;
}

function readOp(op: PairedOp, events: SchedulerEvents): void {
  const invokeNs = op.invokeTime;
  const endNs = op.completeTime;
  if (invokeNs === undefined) return;
  const job = field<string>(op.value, 'job', 'string') ?? field<string>(op.invokeValue, 'job', 'string');
  const token = field<number>(op.value, 'token', 'number') ?? field<number>(op.invokeValue, 'token', 'number');
  const holder = field<string>(op.value, 'holder', 'string') ?? field<string>(op.invokeValue, 'holder', 'string') ?? `process ${op.process}`;
  switch (op.f) {
    case 'acquire':
      if (op.type === 'ok' && job !== undefined && token !== undefined && endNs !== undefined) events.grants.push({ job, token, holder, invokeNs, okNs: endNs });
      return;
    case 'renew':
      if (op.type === 'ok' && job !== undefined && token !== undefined) events.renewals.push({ job, token, invokeNs });
      return;
    case 'stop':
    case 'crash':
      if (op.type === 'ok' && job !== undefined && token !== undefined) events.ends.push({ job, token, holder, timeNs: invokeNs, reason: op.f === 'crash' ? 'crash' : (field<string>(op.value, 'reason', 'string') ?? 'stop') });
      return;
    case 'release':
      // One whose outcome is unknown (or still pending) may have taken effect at once: only a refused one did not.
      if (op.type !== 'fail' && job !== undefined && token !== undefined && !events.released.has(`${job}\u0000${token}`)) events.released.set(`${job}\u0000${token}`, invokeNs);
      return;
    case 'complete':
      if (op.type === 'ok' && job !== undefined && endNs !== undefined && !events.completed.has(job)) events.completed.set(job, endNs);
      if (op.type === 'ok' && job !== undefined && token !== undefined) events.completedLeases.set(`${job}\u0000${token}`, invokeNs);
      return;
    case 'submit': {
      const tenant = (op.invokeValue as { tenant?: unknown } | null)?.tenant;
      if (job !== undefined && typeof tenant === 'string') events.tenants.set(job, tenant);
      if (op.type === 'ok' && job !== undefined && endNs !== undefined && !events.submitted.has(job)) events.submitted.set(job, endNs);
      return;
    }
    case 'cancel':
      if (job === undefined) return;
      if (op.type === 'ok' && endNs !== undefined) events.cancelled.set(job, endNs);
      else if (op.type === 'info') events.maybeCancelled.add(job);
      return;
    case 'write': {
      const value = op.value as { key?: unknown; token?: unknown; kind?: unknown; outcome?: unknown; holder?: unknown };
      if (op.type === 'info' || endNs === undefined || typeof value !== 'object' || value === null || typeof value.key !== 'string') return;
      const outcome = value.outcome === 'duplicate' ? 'duplicate' : op.type === 'fail' ? 'rejected' : 'accepted';
      events.writes.push({
        key: value.key,
        token: typeof value.token === 'number' ? value.token : null,
        holder: typeof value.holder === 'string' ? value.holder : `process ${op.process}`,
        kind: value.kind === 'commit' ? 'commit' : 'step',
        outcome,
        timeNs: endNs,
        index: op.completeIndex ?? op.invokeIndex,
      });
      return;
    }
  }
}

/**
 * The checks compare true times across processes and read whole ops: a history whose records lack
 * times (an imported one) or whose ops do not pair cannot be judged, and says so rather than
 * passing on what it could not read.
 */
export function untimedResult(checker: string, events: Pick<SchedulerEvents, 'untimed' | 'malformed'>, property?: 'progress'): CheckerResult | null {
  const why = events.untimed > 0 ? `${events.untimed} record(s) lack a true time, and the check compares times across processes` : events.malformed !== null ? `the history's ops do not pair (${events.malformed})` : null;
  if (why === null) return null;
  return { checker, verdict: 'unknown', ...(property === undefined ? {} : { property }), summary: `${checker} not judged: ${why}` };
}

export function msOf(ns: number): number {
  return Math.round(ns / 1e5) / 10;
}
