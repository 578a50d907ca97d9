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
  /** The tenant's quota of running jobs as the submission stated it, or null (no limit). */
  quota: number | null;
  /** The last lease (`token`) ended by its holder's release: a repeated release is answered alike. */
  released: boolean;
}

/**
 * A quota slot still charged for a lease that expired without its holder letting go: the holder
 * may be a zombie that still runs (paused, or on a slow clock). Freed after a grace (Chubby's
 * lock-delay), judged by the leader; a lease released or completed frees its slot at once.
 */
export interface ZombieCharge {
  tenant: string;
  token: number;
}

export interface ShardDoc {
  next: number;
  jobs: Record<string, JobRecord>;
  zombies: ZombieCharge[];
}

/** Shard documents: enough that submits and grants on different jobs rarely contend. */
export const SHARDS = 4;
export const TOKEN_KEY = 'sched/token';
/** Jobs one shard holds at most: a bound on the document (and so on a Raft entry). */
export const SHARD_JOBS_MAX = 20_000;

export function shardKey(shard: number): string {
  return `sched/jobs/${shard}`;
}

/**
 * A job id is `tenant/name` (a tenant's namespace, as in Kubernetes); an id without a slash
 * belongs to the tenant named in its submission and is placed by the whole id.
 */
export function tenantOf(job: string): string | null {
  const slash = job.indexOf('/');
  return slash > 0 ? job.slice(0, slash) : null;
}

/**
 * A stable shard for a job: by its tenant (FNV-1a over its UTF-16 code units), so all of a
 * tenant's jobs share one document and quota admission is one compare-and-set.
 */
export function shardOf(job: string): number {
  const placed = tenantOf(job) ?? job;
  let hash = 0x811c9dc5;
  for (let i = 0; i < placed.length; i++) {
    hash ^= placed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % SHARDS;
}

export function emptyShard(): ShardDoc {
  return { next: 0, jobs: {}, zombies: [] };
}

/** Parses a shard's stored text; absent is empty. A malformed document is an assertion failure. */
export function parseShard(text: string | number | null): ShardDoc {
  if (text === null) return emptyShard();
  if (typeof text !== 'string') throw new SchedulerAssertionError(`scheduler assertion failed: a shard holds a number (${text}), not a JSON document`);
  const doc = JSON.parse(text) as ShardDoc;
  if (typeof doc.next !== 'number' || typeof doc.jobs !== 'object' || doc.jobs === null || !Array.isArray(doc.zombies)) throw new SchedulerAssertionError('scheduler assertion failed: a shard document lacks next, jobs or zombies');
  return doc;
}

/** The outcome of a transition: the new document (null: unchanged) and what to answer. */
export interface Transition<R> {
  next: ShardDoc | null;
  result: R;
}

function withJob(doc: ShardDoc, job: string, record: JobRecord, next = doc.next, zombies = doc.zombies): ShardDoc {
  return { next, jobs: { ...doc.jobs, [job]: record }, zombies };
}

export type SubmitResult = 'created' | 'exists' | 'full' | 'bad-tenant';

/** Creates a queued job, or answers that the request id is already known (idempotent). */
export function submitJob(doc: ShardDoc, job: string, tenant: string, quota: number | null = null): Transition<SubmitResult> {
  const namespace = tenantOf(job);
  if (namespace !== null && namespace !== tenant) return { next: null, result: 'bad-tenant' };
  if (doc.jobs[job] !== undefined) return { next: null, result: 'exists' };
  if (Object.keys(doc.jobs).length >= SHARD_JOBS_MAX) return { next: null, result: 'full' };
  const record: JobRecord = { tenant, state: 'queued', attempts: 0, token: null, holder: null, seq: doc.next, quota, released: false };
  return { next: withJob(doc, job, record, doc.next + 1), result: 'created' };
}

export type CancelResult = 'cancelled' | 'not-found' | 'not-cancellable';

/**
 * Only a job never leased can be cancelled. A job queued again after an expired lease may still
 * have a zombie holder about to commit, and the resource fences by token only: nothing newer than
 * the zombie's token would ever reach it, so the cancel could not keep its promise.
 */
export function cancelJob(doc: ShardDoc, job: string): Transition<CancelResult> {
  const record = doc.jobs[job];
  if (record === undefined) return { next: null, result: 'not-found' };
  if (record.state === 'cancelled') return { next: null, result: 'cancelled' };
  if (record.state !== 'queued' || record.token !== null) return { next: null, result: 'not-cancellable' };
  return { next: withJob(doc, job, { ...record, state: 'cancelled' }), result: 'cancelled' };
}

/** Quota slots the tenant holds in this shard: its leased jobs and its zombie charges. */
export function charged(doc: ShardDoc, tenant: string): number {
  let count = 0;
  for (const record of Object.values(doc.jobs)) if (record.state === 'leased' && record.tenant === tenant) count++;
  for (const zombie of doc.zombies) if (zombie.tenant === tenant) count++;
  return count;
}

/** Whether a job of this record's tenant may start now: under the quota its submission stated. */
function admits(doc: ShardDoc, record: JobRecord, counts: Map<string, number>): boolean {
  if (record.quota === null) return true;
  if (!counts.has(record.tenant)) counts.set(record.tenant, charged(doc, record.tenant));
  return counts.get(record.tenant)! < record.quota;
}

/** The oldest queued job of the shard not in `busy` whose tenant is under its quota, or null. */
export function oldestQueued(doc: ShardDoc, busy: ReadonlySet<string>): string | null {
  let best: string | null = null;
  let bestSeq = Infinity;
  const counts = new Map<string, number>();
  for (const [job, record] of Object.entries(doc.jobs)) {
    if (record.state === 'queued' && record.seq < bestSeq && !busy.has(job) && admits(doc, record, counts)) {
      best = job;
      bestSeq = record.seq;
    }
  }
  return best;
}

/**
 * Leases a still-queued job under `token`, admitted only while its tenant is under its quota (in
 * the same compare-and-set: admission is atomic); false when it was taken, cancelled or over quota.
 */
export function grantJob(doc: ShardDoc, job: string, token: number, holder: string): Transition<boolean> {
  const record = doc.jobs[job];
  if (record === undefined || record.state !== 'queued' || !admits(doc, record, new Map())) return { next: null, result: false };
  return { next: withJob(doc, job, { ...record, state: 'leased', attempts: record.attempts + 1, token, holder, released: false }), result: true };
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
 * queued again, or dead-lettered once it has had `attemptsMax` leases. An expired lease leaves a
 * zombie charge on its tenant's quota (`zombie`); a released one does not.
 */
export function endLease(doc: ShardDoc, job: string, token: number, attemptsMax: number, zombie = false): Transition<boolean> {
  if (!holds(doc, job, token)) return { next: null, result: false };
  const record = doc.jobs[job]!;
  const state: JobState = record.attempts >= attemptsMax ? 'dead' : 'queued';
  const zombies = zombie ? [...doc.zombies, { tenant: record.tenant, token }] : doc.zombies;
  return { next: withJob(doc, job, { ...record, state, holder: null }, doc.next, zombies), result: true };
}

/**
 * The holder says it has stopped: a lease it still holds ends (the job is queued again, no zombie
 * charge), and a charge its expired lease left is freed at once: the zombie is known to be gone.
 */
export function releaseLease(doc: ShardDoc, job: string, token: number, attemptsMax: number): Transition<boolean> {
  if (holds(doc, job, token)) {
    const ended = endLease(doc, job, token, attemptsMax);
    return { next: withJob(ended.next!, job, { ...ended.next!.jobs[job]!, released: true }), result: true };
  }
  const record = doc.jobs[job];
  // A duplicated or retried release of the lease already released: the same answer.
  if (record !== undefined && record.token === token && record.released) return { next: null, result: true };
  return clearZombie(doc, token);
}

/** The zombie grace of `token` has passed (or its holder said it stopped): its quota slot is free. */
export function clearZombie(doc: ShardDoc, token: number): Transition<boolean> {
  if (!doc.zombies.some((zombie) => zombie.token === token)) return { next: null, result: false };
  return { next: { ...doc, zombies: doc.zombies.filter((zombie) => zombie.token !== token) }, result: true };
}

/** Every leased job of the shard with its token. */
export function leasedJobs(doc: ShardDoc): { job: string; token: number }[] {
  const leased: { job: string; token: number }[] = [];
  for (const [job, record] of Object.entries(doc.jobs)) if (record.state === 'leased' && record.token !== null) leased.push({ job, token: record.token });
  return leased;
}
