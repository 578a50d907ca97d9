// Mutual exclusion of lease holders, two ways.
//
// `mutex` is the black-box mutex model on the workers' own records: a worker holds a job from its
// acquire's `ok` until it says it stopped (or crashed); no two holds of one job may overlap in true
// time. Bare leases cannot promise this: a worker that pauses between checking its lease and
// writing holds on in its own mind after the lease has passed to another. Under pauses this check
// is expected to FAIL (the negative control); fencing (checkers/scheduler/fencing.ts) is what keeps
// the resource safe anyway.
//
// `lease-exclusion` judges the scheduler's promise instead: a lease granted (or renewed) at a
// worker's request lasts at least TTL x (1 - slack) from that request; the scheduler must not grant
// the job to anyone else before then, unless the holder completed or released it. Slack covers the scheduler's
// clock running fast (drift faults reach 5%).
import type { History } from '../../histories/schema.js';
import type { CheckerResult } from '../verdict.js';
import { msOf, schedulerEvents, untimedResult, type Grant, type SchedulerEvents } from './events.js';

export interface Hold {
  job: string;
  token: number;
  holder: string;
  startNs: number;
  /** Infinity: still held when the history ended. */
  endNs: number;
}

export interface Overlap {
  job: string;
  first: Hold;
  second: Hold;
}

/**
 * A worker holds a job from its acquire's `ok` until it says it stopped or crashed, or, when its
 * completion was acknowledged, until it asked to complete (its work was over then).
 */
export function holdsOf(events: Pick<SchedulerEvents, 'grants' | 'ends' | 'completedLeases'>): Hold[] {
  const ends = new Map<string, number>();
  for (const end of events.ends) {
    const key = `${end.job}\u0000${end.token}\u0000${end.holder}`;
    if (!ends.has(key)) ends.set(key, end.timeNs);
  }
  return events.grants.map((grant) => {
    const stoppedNs = ends.get(`${grant.job}\u0000${grant.token}\u0000${grant.holder}`) ?? Infinity;
    const completedNs = events.completedLeases.get(`${grant.job}\u0000${grant.token}`) ?? Infinity;
    return { job: grant.job, token: grant.token, holder: grant.holder, startNs: grant.okNs, endNs: Math.min(stoppedNs, completedNs) };
  });
}

/** Pairs of holds of one job that overlap in true time (the first found per job). */
export function overlaps(holds: readonly Hold[]): Overlap[] {
  const byJob = new Map<string, Hold[]>();
  for (const hold of holds) byJob.set(hold.job, [...(byJob.get(hold.job) ?? []), hold]);
  const found: Overlap[] = [];
  for (const [job, list] of byJob) {
    list.sort((a, b) => a.startNs - b.startNs);
    let open = list[0]!;
    for (const hold of list.slice(1)) {
      if (hold.startNs < open.endNs) {
        found.push({ job, first: open, second: hold });
        break;
      }
      if (hold.endNs > open.endNs) open = hold;
    }
  }
  return found;
}

function holdText(hold: Hold): string {
  return `${hold.holder} (token ${hold.token}) ${msOf(hold.startNs)}..${hold.endNs === Infinity ? 'end' : msOf(hold.endNs)} ms`;
}

export function checkMutex(history: History, note = ''): CheckerResult {
  const events = schedulerEvents(history);
  const untimed = untimedResult('mutex', events);
  if (untimed !== null) return untimed;
  const holds = holdsOf(events);
  const found = overlaps(holds);
  if (found.length > 0) {
    const first = found[0]!;
    return {
      checker: 'mutex',
      verdict: 'invalid',
      summary: `${note}mutex model broken: ${found.length} job(s) held by two workers at once; first ${first.job}: ${holdText(first.first)} and ${holdText(first.second)}`,
      evidence: { overlaps: found.slice(0, 20).map((overlap) => ({ ...overlap, first: { ...overlap.first, endNs: overlap.first.endNs === Infinity ? null : overlap.first.endNs }, second: { ...overlap.second, endNs: overlap.second.endNs === Infinity ? null : overlap.second.endNs } })) },
    };
  }
  return { checker: 'mutex', verdict: 'valid', summary: `${note}mutex model: ${holds.length} holds, no job held by two workers at once` };
}

export interface LeaseBreach {
  job: string;
  earlier: Grant;
  /** The earlier lease was promised until here. */
  promisedUntilNs: number;
  later: Grant;
}

export function leaseBreaches(events: Pick<SchedulerEvents, 'grants' | 'renewals' | 'completed' | 'released'>, ttlNs: number, slack: number): LeaseBreach[] {
  const promiseNs = Math.floor(ttlNs * (1 - slack));
  const renewalsOf = new Map<string, number[]>();
  for (const renewal of events.renewals) {
    const key = `${renewal.job}\u0000${renewal.token}`;
    renewalsOf.set(key, [...(renewalsOf.get(key) ?? []), renewal.invokeNs]);
  }
  const byJob = new Map<string, Grant[]>();
  for (const grant of events.grants) byJob.set(grant.job, [...(byJob.get(grant.job) ?? []), grant]);
  const found: LeaseBreach[] = [];
  for (const [job, grants] of byJob) {
    grants.sort((a, b) => a.okNs - b.okNs);
    for (let i = 1; i < grants.length; i++) {
      const later = grants[i]!;
      for (const earlier of grants.slice(0, i)) {
        if (earlier.token === later.token) continue;
        // The holder's last request the scheduler answered before the new grant extends the promise.
        const requests = [earlier.invokeNs, ...(renewalsOf.get(`${job}\u0000${earlier.token}`) ?? []).filter((at) => at < later.okNs)];
        const promisedUntilNs = Math.max(...requests) + promiseNs;
        // A lease its holder completed or released is over: no promise stands.
        const completedNs = events.completed.get(job);
        if (completedNs !== undefined && completedNs < later.okNs) continue;
        const releasedNs = events.released.get(`${job}\u0000${earlier.token}`);
        if (releasedNs !== undefined && releasedNs < later.okNs) continue;
        if (later.okNs < promisedUntilNs) {
          found.push({ job, earlier, promisedUntilNs, later });
          break;
        }
      }
    }
  }
  return found;
}

export function checkLeaseExclusion(history: History, ttlNs: number, slack: number): CheckerResult {
  const events = schedulerEvents(history);
  const untimed = untimedResult('lease-exclusion', events);
  if (untimed !== null) return untimed;
  const found = leaseBreaches(events, ttlNs, slack);
  if (found.length > 0) {
    const first = found[0]!;
    return {
      checker: 'lease-exclusion',
      verdict: 'invalid',
      summary: `lease broken by the scheduler: ${found.length} job(s) granted again while an earlier lease was promised; first ${first.job}: token ${first.earlier.token} of ${first.earlier.holder} promised until ${msOf(first.promisedUntilNs)} ms, token ${first.later.token} granted to ${first.later.holder} at ${msOf(first.later.okNs)} ms`,
      evidence: { breaches: found.slice(0, 20), ttlMs: ttlNs / 1e6, slack },
    };
  }
  return { checker: 'lease-exclusion', verdict: 'valid', summary: `leases kept: ${events.grants.length} grants, none while an earlier lease of the job was promised (TTL ${ttlNs / 1e6} ms less ${Math.round(slack * 100)}%)` };
}
