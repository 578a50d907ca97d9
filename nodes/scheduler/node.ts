// The scheduler node: a Raft KV group embedded in the node holds the job store, and the scheduler
// whose embedded Raft leads acts. Every change is a compare-and-set of a shard document through
// Raft, so an acknowledgement means committed; fencing tokens come from a replicated counter
// advanced by compare-and-set, so they only grow, across failovers too. Lease expiry is judged only
// here, by the leader's monotonic clock: a lease the leader inherits gets a full TTL from its
// takeover, because the old leader may have renewed it just before it lost leadership.
import type { Host, Message, NodeId, NodeStatus, Process, TimerTag } from '../host.js';
import { NS_PER_MS } from '../host.js';
import { assert } from './assert.js';
import { schedulerBugsFromHost, type SchedulerBugSwitches } from './bugs.js';
import { isSchedRequest, type LeaseGrant, type SchedError, type SchedOp, type SchedReply, type SchedRequest } from './protocol.js';
import { cancelJob, clearZombie, completeJob, endLease, releaseLease, grantJob, holds, leasedJobs, oldestQueued, parseShard, shardKey, shardOf, SHARDS, submitJob, TOKEN_KEY, type ShardDoc, type Transition } from './store.js';
import type { JobKv, JobKvFactory, JobKvReply } from './kv-port.js';
import type { RaftNode } from '../raft/index.js';
import type { RaftJobKv } from './raft-kv.js';

export interface SchedulerOptions {
  /** How long a lease lasts from its grant (or renewal), by the leader's monotonic clock. */
  leaseTtlNs: number;
  /** How often the leader looks for expired leases and inherited ones. */
  tickNs: number;
  /** Leases a job may have; after the last one expires the job goes to the dead letters. */
  attemptsMax: number;
  /** How long one Raft command may take before its outcome counts as unknown. */
  proposeTimeoutNs: number;
  /** Tasks waiting per shard; beyond this a request is answered `busy`. */
  shardQueueMax: number;
  /** Compare-and-set retries of one task after its read was stale. */
  casRetriesMax: number;
  /**
   * How long an expired lease keeps charging its tenant's quota (Chubby's lock-delay): its holder
   * may still be running. Three TTLs cover the pauses the workloads inject (up to 2.5 s).
   */
  zombieGraceNs: number;
}

export const SCHEDULER_DEFAULTS: Readonly<SchedulerOptions> = Object.freeze({
  leaseTtlNs: 1_000 * NS_PER_MS,
  tickNs: 50 * NS_PER_MS,
  attemptsMax: 10,
  proposeTimeoutNs: 500 * NS_PER_MS,
  shardQueueMax: 256,
  casRetriesMax: 8,
  zombieGraceNs: 3_000 * NS_PER_MS,
});

/** Parameters checkers use (plugin `params`), in milliseconds. */
export const SCHEDULER_PARAMS: Readonly<Record<string, number>> = Object.freeze({
  leaseTtlMs: SCHEDULER_DEFAULTS.leaseTtlNs / NS_PER_MS,
  tickMs: SCHEDULER_DEFAULTS.tickNs / NS_PER_MS,
  attemptsMax: SCHEDULER_DEFAULTS.attemptsMax,
  zombieGraceMs: SCHEDULER_DEFAULTS.zombieGraceNs / NS_PER_MS,
});

const TICK: TimerTag = 'sched.tick';

/** One change of one shard, run when it reaches the head of the shard's queue. */
interface Task {
  change(doc: ShardDoc): Transition<unknown>;
  /** The outcome: the transition's result once committed (or unchanged), null when unknown. */
  done(result: unknown): void;
  /** Called when the change is proposed (the planted ack-before-commit answers here). */
  proposed?(result: unknown): void;
  retries: number;
}

interface ShardPipeline {
  queue: Task[];
  /** A command of this shard is in Raft now. */
  inFlight: boolean;
  /** The last compare-and-set failed on a stale read: wait for the next tick. */
  stalled: boolean;
}

interface LeaseClock {
  token: number;
  expiresNs: number;
}

export interface SchedulerInspection {
  leading: boolean;
  term: number | null;
  leases: number;
}

export class SchedulerNode implements Process {
  readonly options: SchedulerOptions;
  private readonly kv: JobKv;
  private readonly bugs: SchedulerBugSwitches;
  private readonly pipelines: ShardPipeline[] = [];
  /** The term this node leads in (its leader state belongs to it), or null. */
  private leaderTerm: number | null = null;
  private expiries = new Map<string, LeaseClock>();
  private granting = new Set<string>();
  private expiring = new Set<string>();
  /** Zombie charges by token: when this leader frees them (its own monotonic clock). */
  private zombieClocks = new Map<number, number>();
  private clearing = new Set<number>();
  private tokenWaiters: ((token: number | null) => void)[] = [];
  private tokenInFlight = false;
  /** The planted local-token-counter: tokens from memory. */
  private localTokens = 0;
  private nextShard = 0;

  constructor(
    private readonly host: Host,
    kvFactory: JobKvFactory,
    options: Partial<SchedulerOptions> = {},
  ) {
    this.options = { ...SCHEDULER_DEFAULTS, ...options };
    this.kv = kvFactory(host);
    this.bugs = schedulerBugsFromHost(host);
    for (let shard = 0; shard < SHARDS; shard++) this.pipelines.push({ queue: [], inFlight: false, stalled: false });
  }

  start(): void {
    this.kv.start();
    this.host.setTimer(this.options.tickNs, TICK);
  }

  onMessage(from: NodeId, message: Message): void {
    if (this.kv.onMessage(from, message)) return;
    if (isSchedRequest(message)) this.onRequest(from, message);
  }

  onTimer(tag: TimerTag): void {
    if (this.kv.onTimer(tag)) return;
    if (tag !== TICK) return;
    this.host.setTimer(this.options.tickNs, TICK);
    this.tick();
  }

  onFsync(tag: TimerTag, ok: boolean): void {
    this.kv.onFsync(tag, ok);
  }

  status(): NodeStatus {
    return this.kv.status();
  }

  /** The embedded Raft node, for the Raft invariant monitor (null when the store is not Raft). */
  hostedRaftNode(): RaftNode | null {
    return 'node' in this.kv ? (this.kv as RaftJobKv).node : null;
  }

  inspect(): SchedulerInspection {
    return { leading: this.leaderTerm !== null, term: this.leaderTerm, leases: this.expiries.size };
  }

  // ------------------------------------------------------------------------------------------ requests

  private onRequest(from: NodeId, request: SchedRequest): void {
    const reply = (fields: Omit<SchedReply, 'type' | 'id'>): void => this.host.send(from, { type: 'sched.reply', id: request.id, ...fields } satisfies SchedReply);
    const fail = (error: SchedError): void => reply({ ok: false, error });
    if (!this.leads()) {
      reply({ ok: false, error: 'not-leader', leader: this.kv.leader() });
      return;
    }
    const op: SchedOp = request.op;
    switch (op.f) {
      case 'submit': {
        // The planted ack-before-commit answers when the change is proposed; the correct code only
        // once Raft has committed it (or found the request id already known).
        let answered = false;
        this.enqueue(shardOf(op.job), {
          change: (doc) => submitJob(doc, op.job, op.tenant, op.quota ?? null),
          proposed: () => {
            if (!this.bugs.ackBeforeCommit || answered) return;
            answered = true;
            reply({ ok: true });
          },
          done: (result) => {
            if (answered) return;
            if (result === null) fail('unknown-outcome');
            else if (result === 'full') fail('busy');
            else if (result === 'bad-tenant') fail('bad-request');
            else reply({ ok: true });
          },
        }, fail);
        return;
      }
      case 'cancel':
        this.enqueue(shardOf(op.job), {
          change: (doc) => cancelJob(doc, op.job),
          done: (result) => (result === null ? fail('unknown-outcome') : result === 'cancelled' ? reply({ ok: true }) : fail(result as SchedError)),
        }, fail);
        return;
      case 'status': {
        const record = parseShard(this.kv.read(shardKey(shardOf(op.job)))).jobs[op.job];
        if (record === undefined) fail('not-found');
        else reply({ ok: true, state: record.state });
        return;
      }
      case 'acquire':
        this.acquire(op.holder, 0, (lease) => (typeof lease === 'string' ? fail(lease) : reply({ ok: true, lease })));
        return;
      case 'renew':
        this.renew(op.job, op.token, (error) => (error === null ? reply({ ok: true, expiresAtWallNs: this.host.wallNow() + this.options.leaseTtlNs }) : fail(error)));
        return;
      case 'complete':
      case 'release':
        this.finishLease(op.f, op.job, op.token, (error) => (error === null ? reply({ ok: true }) : fail(error)));
        return;
    }
  }

  private leads(): boolean {
    return this.kv.isLeader() && this.leaderTerm !== null && this.leaderTerm === this.term();
  }

  private term(): number | null {
    const term = this.kv.status().term;
    return typeof term === 'number' ? term : null;
  }

  /** Grants the oldest queued job: a token from the counter first, then the shard's compare-and-set. */
  private acquire(holder: string, tries: number, done: (lease: LeaseGrant | SchedError) => void): void {
    const found = this.findQueued();
    if (found === null || tries >= 3) {
      done('no-job');
      return;
    }
    const { job, shard, previousToken } = found;
    this.granting.add(job);
    const term = this.leaderTerm;
    let attempt = 0;
    const withToken = (token: number | null): void => {
      if (token === null) {
        this.granting.delete(job);
        done('unknown-outcome');
        return;
      }
      this.enqueue(shard, {
        change: (doc) => {
          const transition = grantJob(doc, job, token, holder);
          attempt = transition.next?.jobs[job]?.attempts ?? 0;
          return transition;
        },
        done: (granted) => {
          this.granting.delete(job);
          if (granted === null) done('unknown-outcome');
          else if (granted === false) this.acquire(holder, tries + 1, done);
          else {
            // Expiry counts from the commit, later than the worker's request: the worker's own
            // deadline (from its request, minus a margin) always falls first.
            if (this.leaderTerm === term) this.expiries.set(job, { token, expiresNs: this.host.monotonicNow() + this.options.leaseTtlNs });
            done({ job, token, attempt, ttlNs: this.options.leaseTtlNs, expiresAtWallNs: this.host.wallNow() + this.options.leaseTtlNs });
          }
        },
      }, () => {
        this.granting.delete(job);
        done('busy');
      });
    };
    // The planted no-fencing: a job leased again keeps its old token.
    if (this.bugs.noFencing && previousToken !== null) withToken(previousToken);
    else this.nextToken(withToken);
  }

  private findQueued(): { job: string; shard: number; previousToken: number | null } | null {
    for (let i = 0; i < SHARDS; i++) {
      const shard = (this.nextShard + i) % SHARDS;
      const doc = parseShard(this.kv.read(shardKey(shard)));
      const job = oldestQueued(doc, this.granting);
      if (job !== null) {
        this.nextShard = (shard + 1) % SHARDS;
        return { job, shard, previousToken: doc.jobs[job]!.token };
      }
    }
    return null;
  }

  /**
   * Renewal proves this node still leads by a linearizable read (ReadIndex): a deposed leader that
   * renewed from its own state could promise a lease its successor is about to expire.
   */
  private renew(job: string, token: number, done: (error: SchedError | null) => void): void {
    const key = shardKey(shardOf(job));
    const term = this.leaderTerm;
    this.kv.readLinearizable(key, this.options.proposeTimeoutNs, (reply) => {
      if (reply === null || reply.outcome !== 'ok') {
        done(reply === null ? 'unknown-outcome' : 'not-leader');
        return;
      }
      // The read may have been served by another node that leads now: only a renewal confirmed
      // while this node still leads in the same term extends the lease this node judges.
      if (!this.leads() || this.leaderTerm !== term) {
        done('not-leader');
        return;
      }
      const clock = this.expiries.get(job);
      const nowNs = this.host.monotonicNow();
      if (this.leaderTerm !== term || !holds(parseShard(reply.value ?? null), job, token) || clock === undefined || clock.token !== token || clock.expiresNs <= nowNs) {
        done('lease-lost');
        return;
      }
      clock.expiresNs = nowNs + this.options.leaseTtlNs;
      done(null);
    });
  }

  private finishLease(how: 'complete' | 'release', job: string, token: number, done: (error: SchedError | null) => void): void {
    this.enqueue(shardOf(job), {
      change: (doc) => (how === 'complete' ? completeJob(doc, job, token) : releaseLease(doc, job, token, this.options.attemptsMax)),
      done: (ended) => {
        if (ended === true && this.expiries.get(job)?.token === token) this.expiries.delete(job);
        done(ended === null ? 'unknown-outcome' : ended === true ? null : 'lease-lost');
      },
    }, () => done('busy'));
  }

  // ------------------------------------------------------------------------------------------ tokens

  /** The next fencing token: the replicated counter advanced by compare-and-set, one at a time. */
  private nextToken(done: (token: number | null) => void): void {
    if (this.bugs.localTokenCounter) {
      this.localTokens += 1;
      done(this.localTokens);
      return;
    }
    this.tokenWaiters.push(done);
    this.pumpTokens(0);
  }

  private pumpTokens(retries: number): void {
    if (this.tokenInFlight || this.tokenWaiters.length === 0) return;
    const current = this.kv.read(TOKEN_KEY);
    assert(current === null || typeof current === 'number', 'the token counter holds a number');
    const next = (current ?? 0) + 1;
    this.tokenInFlight = true;
    this.kv.propose({ f: 'cas', key: TOKEN_KEY, value: [current, next] }, this.options.proposeTimeoutNs, (reply: JobKvReply | null) => {
      this.tokenInFlight = false;
      if (reply !== null && reply.outcome === 'fail' && retries < this.options.casRetriesMax && this.leads()) {
        // Our read of the counter was stale (a new leader's state catching up): read again.
        this.pumpTokens(retries + 1);
        return;
      }
      const waiter = this.tokenWaiters.shift()!;
      waiter(reply !== null && reply.outcome === 'ok' ? next : null);
      this.pumpTokens(0);
    });
  }

  // ------------------------------------------------------------------------------------------ shards

  private enqueue(shard: number, task: Omit<Task, 'retries'>, busy: (error: SchedError) => void): void {
    const pipeline = this.pipelines[shard]!;
    if (pipeline.queue.length >= this.options.shardQueueMax) {
      busy('busy');
      return;
    }
    pipeline.queue.push({ ...task, retries: 0 });
    this.pump(shard);
  }

  private pump(shard: number): void {
    const pipeline = this.pipelines[shard]!;
    while (!pipeline.inFlight && !pipeline.stalled && pipeline.queue.length > 0) {
      const task = pipeline.queue[0]!;
      if (!this.leads()) {
        pipeline.queue.shift();
        task.done(null);
        continue;
      }
      const key = shardKey(shard);
      const text = this.kv.read(key);
      const transition = task.change(parseShard(text));
      if (transition.next === null) {
        pipeline.queue.shift();
        task.done(transition.result);
        continue;
      }
      pipeline.inFlight = true;
      const term = this.leaderTerm;
      this.kv.propose({ f: 'cas', key, value: [text, JSON.stringify(transition.next)] }, this.options.proposeTimeoutNs, (reply) => {
        pipeline.inFlight = false;
        if (reply !== null && reply.outcome === 'fail' && task.retries < this.options.casRetriesMax && this.leaderTerm === term) {
          // Stale read: the applied state has not caught up with what this shard holds. Retry later.
          task.retries += 1;
          pipeline.stalled = true;
        } else {
          pipeline.queue.shift();
          task.done(reply !== null && reply.outcome === 'ok' ? transition.result : null);
        }
        this.pump(shard);
      });
      task.proposed?.(transition.result);
    }
  }

  // ------------------------------------------------------------------------------------------ leadership and expiry

  private tick(): void {
    const term = this.term();
    if (!this.kv.isLeader() || term === null) {
      if (this.leaderTerm !== null) this.stepDown();
      return;
    }
    if (this.leaderTerm !== term) {
      this.stepDown();
      this.leaderTerm = term;
      this.host.log('sched.lead', { term });
    }
    const nowNs = this.host.monotonicNow();
    for (let shard = 0; shard < SHARDS; shard++) {
      const pipeline = this.pipelines[shard]!;
      pipeline.stalled = false;
      const doc = parseShard(this.kv.read(shardKey(shard)));
      this.tickZombies(shard, doc, nowNs);
      const leased = leasedJobs(doc);
      for (const { job, token } of leased) {
        const clock = this.expiries.get(job);
        if (clock === undefined || clock.token !== token) {
          // A lease this leader did not grant (inherited, or granted before its state caught up):
          // its holder may have renewed it just before the old leader lost office. A full TTL.
          const graceNs = this.bugs.leaseResetOnFailover ? 0 : this.options.leaseTtlNs;
          this.expiries.set(job, { token, expiresNs: nowNs + graceNs });
          continue;
        }
        if (clock.expiresNs <= nowNs && !this.expiring.has(job)) this.expire(shard, job, token);
      }
      this.pump(shard);
    }
    this.pumpTokens(0);
  }

  /** Zombie charges get their grace from when this leader first sees them, then are cleared. */
  private tickZombies(shard: number, doc: ShardDoc, nowNs: number): void {
    for (const { token } of doc.zombies) {
      const freeAtNs = this.zombieClocks.get(token);
      if (freeAtNs === undefined) this.zombieClocks.set(token, nowNs + this.options.zombieGraceNs);
      else if (freeAtNs <= nowNs && !this.clearing.has(token)) {
        this.clearing.add(token);
        this.enqueue(shard, {
          change: (current) => clearZombie(current, token),
          done: (cleared) => {
            this.clearing.delete(token);
            if (cleared !== null) this.zombieClocks.delete(token);
          },
        }, () => this.clearing.delete(token));
      }
    }
  }

  private expire(shard: number, job: string, token: number): void {
    this.expiring.add(job);
    this.host.log('sched.expire', { job, token });
    this.enqueue(shard, {
      // The planted quota-freed-at-expiry leaves no zombie charge: the slot is free at once.
      change: (doc) => endLease(doc, job, token, this.options.attemptsMax, !this.bugs.quotaFreedAtExpiry),
      done: (ended) => {
        this.expiring.delete(job);
        if (ended === true && this.expiries.get(job)?.token === token) this.expiries.delete(job);
      },
    }, () => this.expiring.delete(job));
  }

  /** Leader state belongs to one term: a node that leads again starts over (inherited leases get a TTL). */
  private stepDown(): void {
    this.leaderTerm = null;
    this.expiries.clear();
    this.granting.clear();
    this.expiring.clear();
    this.zombieClocks.clear();
    this.clearing.clear();
    // Waiting tasks are answered `unknown` by the pump, which serves only a leader.
    for (let shard = 0; shard < SHARDS; shard++) {
      this.pipelines[shard]!.stalled = false;
      this.pump(shard);
    }
  }
}
