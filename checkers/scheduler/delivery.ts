// What happened to the jobs. `exactly-once`: no job's output is committed at the resource twice
// (the idempotency key and the fenced commit make a second run's commit a duplicate), and none
// after its cancel was acknowledged. `at-least-once` (progress): after the heal, every job whose
// submission was acknowledged and that was not cancelled has its output committed. `release`
// (progress): a job whose holder crashed is leased again within its TTL plus a bound.
import type { History } from '../../histories/schema.js';
import type { CheckerResult } from '../verdict.js';
import { msOf, schedulerEvents, untimedResult, type SchedulerEvents } from './events.js';

export interface DuplicateEffect {
  job: string;
  commits: number;
  holders: string[];
}

export function duplicateEffects(events: Pick<SchedulerEvents, 'writes'>): DuplicateEffect[] {
  const commits = new Map<string, string[]>();
  for (const write of events.writes) if (write.kind === 'commit' && write.outcome === 'accepted') commits.set(write.key, [...(commits.get(write.key) ?? []), write.holder]);
  return [...commits].filter(([, holders]) => holders.length > 1).map(([job, holders]) => ({ job, commits: holders.length, holders }));
}

export function commitsAfterCancel(events: Pick<SchedulerEvents, 'writes' | 'cancelled'>): { job: string; cancelledNs: number; committedNs: number }[] {
  const found: { job: string; cancelledNs: number; committedNs: number }[] = [];
  for (const write of events.writes) {
    const cancelledNs = events.cancelled.get(write.key);
    if (write.kind === 'commit' && write.outcome === 'accepted' && cancelledNs !== undefined && write.timeNs > cancelledNs) found.push({ job: write.key, cancelledNs, committedNs: write.timeNs });
  }
  return found;
}

export function checkExactlyOnce(history: History): CheckerResult {
  const events = schedulerEvents(history);
  const untimed = untimedResult('exactly-once', events);
  if (untimed !== null) return untimed;
  const doubled = duplicateEffects(events);
  const late = commitsAfterCancel(events);
  if (doubled.length > 0 || late.length > 0) {
    const first = doubled[0];
    const what = first !== undefined ? `first ${first.job}: committed ${first.commits} times (by ${first.holders.join(', ')})` : `first ${late[0]!.job}: committed at ${msOf(late[0]!.committedNs)} ms after its cancel was acknowledged at ${msOf(late[0]!.cancelledNs)} ms`;
    return {
      checker: 'exactly-once',
      verdict: 'invalid',
      summary: `exactly-once effects broken: ${doubled.length} job(s) committed more than once, ${late.length} after an acknowledged cancel; ${what}`,
      evidence: { doubled: doubled.slice(0, 20), afterCancel: late.slice(0, 20) },
    };
  }
  const committed = new Set(events.writes.filter((write) => write.kind === 'commit' && write.outcome === 'accepted').map((write) => write.key)).size;
  return { checker: 'exactly-once', verdict: 'valid', summary: `exactly-once effects: ${committed} job output(s) committed, each once, none after its cancel` };
}

export interface AtLeastOnceOptions {
  /** True time the last fault healed, or null when none ran. */
  healedAtNs: number | null;
  endNs: number;
  /**
   * How long after its acknowledgement (or the heal, if later) a job may take to be committed: a
   * job is judged only when that much time was left before the end.
   */
  boundNs: number;
}

export function checkAtLeastOnce(history: History, options: AtLeastOnceOptions): CheckerResult {
  const events = schedulerEvents(history);
  const untimed = untimedResult('at-least-once', events, 'progress');
  if (untimed !== null) return untimed;
  const committed = new Set(events.writes.filter((write) => write.kind === 'commit' && write.outcome !== 'rejected').map((write) => write.key));
  const owed = [...events.submitted].filter(([job]) => !events.cancelled.has(job) && !events.maybeCancelled.has(job));
  const judged = owed.filter(([, ackNs]) => Math.max(ackNs, options.healedAtNs ?? 0) + options.boundNs <= options.endNs).map(([job]) => job);
  const late = owed.length - judged.length;
  const missing = judged.filter((job) => !committed.has(job)).sort();
  const note = late === 0 ? '' : ` (${late} acknowledged too near the end to judge)`;
  if (missing.length > 0) {
    return {
      checker: 'at-least-once',
      verdict: 'invalid',
      property: 'progress',
      summary: `at-least-once broken: ${missing.length} of ${judged.length} acknowledged, uncancelled job(s) not committed within ${msOf(options.boundNs)} ms of their acknowledgement or the heal; first: ${missing[0]} (acknowledged at ${msOf(events.submitted.get(missing[0]!)!)} ms)${note}`,
      evidence: { missing: missing.slice(0, 50), judged: judged.length, late },
    };
  }
  return { checker: 'at-least-once', verdict: 'valid', property: 'progress', summary: `at-least-once: all ${judged.length} acknowledged, uncancelled jobs committed${note}` };
}

export interface ReleaseOptions {
  ttlNs: number;
  /** Beyond the TTL: the leader's expiry tick, a worker's poll, the grant's two commits. */
  boundNs: number;
  /** Crashes before this true time are not judged (faults were still running). */
  fromNs: number;
  /** Re-grants owed after this time are not judged (workers stopped leasing). */
  untilNs: number;
}

export function checkRelease(history: History, options: ReleaseOptions): CheckerResult {
  const events = schedulerEvents(history);
  const untimed = untimedResult('release', events, 'progress');
  if (untimed !== null) return untimed;
  const late: { job: string; crashNs: number; dueNs: number; regrantedNs: number | null }[] = [];
  let judged = 0;
  for (const end of events.ends) {
    if (end.reason !== 'crash' || end.timeNs < options.fromNs) continue;
    const dueNs = end.timeNs + options.ttlNs + options.boundNs;
    if (dueNs > options.untilNs) continue;
    judged += 1;
    const next = events.grants.filter((grant) => grant.job === end.job && grant.token !== end.token && grant.okNs >= end.timeNs).sort((a, b) => a.okNs - b.okNs)[0];
    if (next === undefined || next.okNs > dueNs) late.push({ job: end.job, crashNs: end.timeNs, dueNs, regrantedNs: next?.okNs ?? null });
  }
  if (late.length > 0) {
    const first = late[0]!;
    return {
      checker: 'release',
      verdict: 'invalid',
      property: 'progress',
      summary: `crashed holders' jobs not leased again in time: ${late.length} of ${judged}; first ${first.job}: holder crashed at ${msOf(first.crashNs)} ms, due by ${msOf(first.dueNs)} ms, ${first.regrantedNs === null ? 'never leased again' : `leased again at ${msOf(first.regrantedNs)} ms`}`,
      evidence: { late: late.slice(0, 20), judged },
    };
  }
  return { checker: 'release', verdict: 'valid', property: 'progress', summary: `crashed holders: ${judged} judged, each job leased again within TTL + ${options.boundNs / 1e6} ms` };
}
