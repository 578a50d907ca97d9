// The job store's records and their transitions, pure. The durable copy lives in the embedded Raft
// KV as JSON string values: the jobs are spread over a few shard documents (one key each), and every
// change is a compare-and-set of a whole shard from the text the leader read to the text computed
// here, so two schedulers that both believe they lead can never both change the same shard.
import { SchedulerAssertionError } from './assert.js';

export type JobState = 'queued' | 'leased' | 'done' | 'cancelled' | 'dead';

export interface JobRecord {
  tenant: string;
  state: JobState;
  /** Leases granted so far; at `attemptsMax` an expired lease sends the job to the dead letters. */
  attempts: number;
  /** The token of the current (leased) or last lease, null before the first. */
  token: number | null;
  holder: string | null;
  /** Submission order within the shard: the oldest queued job is granted first. */
  seq: number;
}

export interface ShardDoc {
  next: number;
  jobs: Record<string, JobRecord>;
}

/** Shard documents: enough that submits and grants on different jobs rarely contend. */
export const SHARDS = 4;
export const TOKEN_KEY = 'sched/token';
/** Jobs one shard holds at most: a bound on the document (and so on a Raft entry). */
export const SHARD_JOBS_MAX = 20_000;

export function shardKey(shard: number): string {
  return `sched/jobs/${shard}`;
}

/** A stable shard for a job id (FNV-1a over its UTF-16 code units). */
export function shardOf(job: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < job.length; i++) {
    hash ^= job.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % SHARDS;
}

export function emptyShard(): ShardDoc {
  return { next: 0, jobs: {} };
}

/** Parses a shard's stored text; absent is empty. A malformed document is an assertion failure. */
export function parseShard(text: string | number | null): ShardDoc {
  if (text === null) return emptyShard();
  if (typeof text !== 'string') throw new SchedulerAssertionError(`scheduler assertion failed: a shard holds a number (${text}), not a JSON document`);
  const doc = JSON.parse(text) as ShardDoc;
  if (typeof doc.next !== 'number' || typeof doc.jobs !== 'object' || doc.jobs === null) throw new SchedulerAssertionError('scheduler assertion failed: a shard document lacks next or jobs');
  return doc;
}

/** The outcome of a transition: the new document (null: unchanged) and what to answer. */
export interface Transition<R> {
  next: ShardDoc | null;
  result: R;
}

function withJob(doc: ShardDoc, job: string, record: JobRecord, next = doc.next): ShardDoc {
  return { next, jobs: { ...doc.jobs, [job]: record } };
}

export type SubmitResult = 'created' | 'exists' | 'full';

/** Creates a queued job, or answers that the request id is already known (idempotent). */
export function submitJob(doc: ShardDoc, job: string, tenant: string): Transition<SubmitResult> {
  if (doc.jobs[job] !== undefined) return { next: null, result: 'exists' };
  if (Object.keys(doc.jobs).length >= SHARD_JOBS_MAX) return { next: null, result: 'full' };
  const record: JobRecord = { tenant, state: 'queued', attempts: 0, token: null, holder: null, seq: doc.next };
  return { next: withJob(doc, job, record, doc.next + 1), result: 'created' };
}

export type CancelResult = 'cancelled' | 'not-found' | 'not-cancellable';

/** Only a job no worker holds can be cancelled: a running job's effects are its lease holder's to fence. */
export function cancelJob(doc: ShardDoc, job: string): Transition<CancelResult> {
  const record = doc.jobs[job];
  if (record === undefined) return { next: null, result: 'not-found' };
  if (record.state === 'cancelled') return { next: null, result: 'cancelled' };
  if (record.state !== 'queued') return { next: null, result: 'not-cancellable' };
  return { next: withJob(doc, job, { ...record, state: 'cancelled' }), result: 'cancelled' };
}

/** The oldest queued job of the shard not in `busy`, or null. */
export function oldestQueued(doc: ShardDoc, busy: ReadonlySet<string>): string | null {
  let best: string | null = null;
  let bestSeq = Infinity;
  for (const [job, record] of Object.entries(doc.jobs)) {
    if (record.state === 'queued' && record.seq < bestSeq && !busy.has(job)) {
      best = job;
      bestSeq = record.seq;
    }
  }
  return best;
}

/** Leases a still-queued job under `token`; false when it was taken or cancelled meanwhile. */
export function grantJob(doc: ShardDoc, job: string, token: number, holder: string): Transition<boolean> {
  const record = doc.jobs[job];
  if (record === undefined || record.state !== 'queued') return { next: null, result: false };
  return { next: withJob(doc, job, { ...record, state: 'leased', attempts: record.attempts + 1, token, holder }), result: true };
}

/** Whether `token` is the job's current lease. */
export function holds(doc: ShardDoc, job: string, token: number): boolean {
  const record = doc.jobs[job];
  return record !== undefined && record.state === 'leased' && record.token === token;
}

/** The holder finished: done, once. A retry of the same completion is answered the same way. */
export function completeJob(doc: ShardDoc, job: string, token: number): Transition<boolean> {
  const record = doc.jobs[job];
  if (record !== undefined && record.state === 'done' && record.token === token) return { next: null, result: true };
  if (!holds(doc, job, token)) return { next: null, result: false };
  return { next: withJob(doc, job, { ...record!, state: 'done' }), result: true };
}

/**
 * The lease ends without completion (released by its holder, or expired by the leader): the job is
 * queued again, or dead-lettered once it has had `attemptsMax` leases.
 */
export function endLease(doc: ShardDoc, job: string, token: number, attemptsMax: number): Transition<boolean> {
  if (!holds(doc, job, token)) return { next: null, result: false };
  const record = doc.jobs[job]!;
  const state: JobState = record.attempts >= attemptsMax ? 'dead' : 'queued';
  return { next: withJob(doc, job, { ...record, state, holder: null }), result: true };
}

/** Every leased job of the shard with its token. */
export function leasedJobs(doc: ShardDoc): { job: string; token: number }[] {
  const leased: { job: string; token: number }[] = [];
  for (const [job, record] of Object.entries(doc.jobs)) if (record.state === 'leased' && record.token !== null) leased.push({ job, token: record.token });
  return leased;
}
