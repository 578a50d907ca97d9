// The worker: lanes that each lease a job from the scheduler, run it as a few writes to the fenced
// resource, commit its output with its idempotency key, and report it complete. A lane stops before
// its lease's expiry minus a safety margin, by its own monotonic clock counted from its request
// (never by the scheduler's wall-clock stamp: clocks disagree), and renews every third of the TTL.
// Crashes and stop-the-world pauses are drawn here, from the process's own random stream, so the
// workloads can make holders die or stall at the worst moment.
import type { ClientHost, NodeId, Process, TimerTag } from '../host.js';
import { NS_PER_MS } from '../host.js';
import { workerBugsFromHost, type WorkerBugSwitches } from './bugs.js';
import { ATTEMPT_NS_DEFAULT, SchedCaller } from './caller.js';
import { isResourceReply, isSchedReply, type LeaseGrant, type ResourceWrite, type SchedReply } from './protocol.js';
import { Timers } from './timers.js';
import { ID_RANGE, LANE_ID_RANGES, laneSlot, LANES_MAX, roleProcess, type LaneStrand } from './roles.js';

export interface WorkerConfig {
  nodes: readonly NodeId[];
  resource: NodeId;
  /** This client's index and the client count: history process numbers are unique across clients. */
  index: number;
  clients: number;
  lanes: number;
  /** Stop leasing at this time since start (own clock); a job in hand is finished first. */
  stopAtNs: number;
  /** A request's deadline (its outcome is unknown after it). */
  requestNs: number;
  /** The lane stops at its request time plus TTL times (1 - marginFraction). */
  marginFraction: number;
  stepsMin: number;
  stepsMax: number;
  stepNsMin: number;
  stepNsMax: number;
  /** Wait between polls when no job is queued. */
  pollNs: number;
  /** A lane crashes during one leased job in this many (0: never), in a job's first two runs. */
  crashOneIn: number;
  /**
   * In one job's first run in this many (0: never) the lane's renewals stop and a step blocks for
   * longer than the TTL (a call that hangs): the lane's own deadline must still end its hold.
   */
  stallOneIn: number;
  /** A lane pauses (stop the world) between its lease check and a write in this many steps (0: never). */
  pauseOneIn: number;
  pauseNsMin: number;
  pauseNsMax: number;
  /** Called once every lane has stopped leasing (default: the host's `done`). */
  finished?: () => void;
}

export const WORKER_DEFAULTS = Object.freeze({
  marginFraction: 0.25,
  stepsMin: 1,
  stepsMax: 3,
  stepNsMin: 20 * NS_PER_MS,
  stepNsMax: 120 * NS_PER_MS,
  pollNs: 150 * NS_PER_MS,
  crashOneIn: 12,
  stallOneIn: 5,
  pauseOneIn: 0,
  pauseNsMin: 1_200 * NS_PER_MS,
  pauseNsMax: 2_500 * NS_PER_MS,
});

const CRASH_RESTART_NS = 200 * NS_PER_MS;
/** A release whose outcome is unknown is sent again this many times at most, this far apart. */
const RELEASE_TRIES_MAX = 10;
const RELEASE_RETRY_NS = 500 * NS_PER_MS;

interface Hold {
  lease: LeaseGrant;
  holder: string;
  /** Own monotonic deadline: request time + TTL x (1 - margin). */
  deadlineNs: number;
  /** The scheduler's wall stamp (used only by the planted worker-clock-lease). */
  wallExpiryNs: number;
  steps: number;
  stepsDone: number;
  /** Crash before step k (steps + 1: after the commit, before the completion), or null. */
  crashAt: number | null;
  renewTimer: string | null;
  deadlineTimer: string | null;
  write: { id: number; message: ResourceWrite; timer: string | null } | null;
}

interface Lane {
  lane: number;
  /** Incarnations of the lane's three process numbers: each `info` retires one (Jepsen's rule). */
  generation: number;
  renewGeneration: number;
  releaseGeneration: number;
  caller: SchedCaller;
  renewer: SchedCaller;
  releaser: SchedCaller;
  hold: Hold | null;
  writeSeq: number;
  finished: boolean;
  paused: boolean;
  /** The renewal and the release in flight, recorded as invoked: a crash ends them `info`. */
  renewing: object | null;
  releasing: object | null;
  /** Crashes so far: a timer of an earlier life does nothing. */
  lives: number;
}

export class WorkerProcess implements Process {
  private readonly timers: Timers;
  private readonly lanes: Lane[] = [];
  private readonly bugs: WorkerBugSwitches;
  private startNs = 0;

  constructor(
    private readonly host: ClientHost,
    private readonly config: WorkerConfig,
  ) {
    if (config.lanes < 1 || config.lanes > LANES_MAX) throw new Error(`worker: lanes must be 1..${LANES_MAX}, got ${config.lanes}`);
    this.timers = new Timers(host, 'w');
    this.bugs = workerBugsFromHost(host);
    const callerConfig = { nodes: config.nodes, attemptNs: ATTEMPT_NS_DEFAULT, deadlineNs: config.requestNs };
    for (let lane = 0; lane < config.lanes; lane++) {
      this.lanes.push({
        lane,
        generation: 0,
        renewGeneration: 0,
        releaseGeneration: 0,
        caller: new SchedCaller(host, this.timers, callerConfig, LANE_ID_RANGES * lane * ID_RANGE, config.index + lane),
        renewer: new SchedCaller(host, this.timers, callerConfig, (LANE_ID_RANGES * lane + 1) * ID_RANGE, config.index + lane),
        releaser: new SchedCaller(host, this.timers, callerConfig, (LANE_ID_RANGES * lane + 2) * ID_RANGE, config.index + lane),
        hold: null,
        writeSeq: 0,
        finished: false,
        paused: false,
        renewing: null,
        releasing: null,
        lives: 0,
      });
    }
  }

  start(): void {
    this.startNs = this.host.monotonicNow();
    for (const lane of this.lanes) this.timers.set(this.host.random.int(this.config.pollNs), () => this.poll(lane));
  }

  onMessage(from: NodeId, message: unknown): void {
    if (isSchedReply(message)) {
      for (const lane of this.lanes) if (lane.caller.onReply(from, message) || lane.renewer.onReply(from, message) || lane.releaser.onReply(from, message)) return;
      return;
    }
    if (isResourceReply(message)) {
      const lane = this.lanes[Math.floor(message.id / ID_RANGE / LANE_ID_RANGES)];
      if (lane !== undefined) this.onWriteReply(lane, message.id, message.outcome);
    }
  }

  onTimer(tag: TimerTag): void {
    this.timers.onTimer(tag);
  }

  onFsync(): void {}

  private process(lane: Lane, strand: LaneStrand): number {
    // Instant events never end `info`; they follow the main loop's generation, unique per slot anyway.
    const generation = strand === 'renew' ? lane.renewGeneration : strand === 'release' ? lane.releaseGeneration : lane.generation;
    return roleProcess(this.config.index, this.config.clients, laneSlot(lane.lane, strand), generation);
  }

  private holderName(lane: Lane): string {
    return `${this.host.id}/${lane.lane}.${lane.generation}`;
  }

  private record(lane: Lane, type: 'invoke' | 'ok' | 'fail' | 'info', f: string, value: unknown, strand: LaneStrand = 'main'): void {
    // Keyed by job, except acquire: its invoke cannot know the job, and a completion keeps its invoke's key.
    const job = f === 'acquire' || typeof value !== 'object' || value === null ? undefined : (value as { job?: unknown }).job;
    const key = typeof job === 'string' ? job : undefined;
    this.host.record({ process: this.process(lane, strand), type, f, value, ...(key === undefined ? {} : { key }) });
  }

  // ------------------------------------------------------------------------------------------ leasing

  private poll(lane: Lane): void {
    // A completion still in flight after the lane stopped at its deadline: its answer comes first.
    if (lane.caller.busy()) {
      this.timers.set(this.config.pollNs, () => this.poll(lane));
      return;
    }
    if (this.host.monotonicNow() - this.startNs >= this.config.stopAtNs) {
      lane.finished = true;
      if (this.lanes.every((each) => each.finished)) (this.config.finished ?? (() => this.host.done()))();
      return;
    }
    const holder = this.holderName(lane);
    const requestNs = this.host.monotonicNow();
    this.record(lane, 'invoke', 'acquire', { holder });
    lane.caller.call({ f: 'acquire', holder }, (reply) => {
      if (reply === null) {
        this.record(lane, 'info', 'acquire', { holder });
        lane.generation += 1;
        this.timers.set(this.config.pollNs, () => this.poll(lane));
      } else if (reply.ok && reply.lease !== undefined) {
        this.record(lane, 'ok', 'acquire', { holder, job: reply.lease.job, token: reply.lease.token });
        this.begin(lane, reply.lease, holder, requestNs);
      } else {
        this.record(lane, 'fail', 'acquire', { holder, error: reply.error ?? null });
        this.timers.set(this.config.pollNs, () => this.poll(lane));
      }
    });
  }

  private begin(lane: Lane, lease: LeaseGrant, holder: string, requestNs: number): void {
    const random = this.host.random;
    const steps = random.range(this.config.stepsMin, this.config.stepsMax);
    // Injected trouble is bounded per job (a first run may hang, the first two may crash), so every
    // job still gets done within a bound the at-least-once check can state.
    const crashAt = lease.attempt <= 2 && this.config.crashOneIn > 0 && random.chance(1, this.config.crashOneIn) ? random.range(0, steps + 1) : null;
    const stalled = lease.attempt === 1 && this.config.stallOneIn > 0 && random.chance(1, this.config.stallOneIn);
    const hold: Hold = {
      lease,
      holder,
      deadlineNs: requestNs + this.usableNs(lease.ttlNs),
      wallExpiryNs: lease.expiresAtWallNs,
      steps,
      stepsDone: 0,
      crashAt,
      renewTimer: null,
      deadlineTimer: null,
      write: null,
    };
    lane.hold = hold;
    this.armDeadline(lane);
    if (stalled) {
      this.timers.set(random.range(lease.ttlNs + lease.ttlNs / 2, 2 * lease.ttlNs), () => this.step(lane, hold));
      return;
    }
    this.armRenew(lane);
    this.timers.set(this.stepNs(), () => this.step(lane, hold));
  }

  private usableNs(ttlNs: number): number {
    return Math.floor(ttlNs * (1 - this.config.marginFraction));
  }

  private stepNs(): number {
    return this.host.random.range(this.config.stepNsMin, this.config.stepNsMax);
  }

  /** Whether the lane must consider its lease gone. */
  private expired(hold: Hold): boolean {
    // The planted worker-clock-lease: the scheduler's wall stamp against this machine's wall clock.
    if (this.bugs.workerClockLease) return this.host.wallNow() >= hold.wallExpiryNs;
    return this.host.monotonicNow() >= hold.deadlineNs;
  }

  private armDeadline(lane: Lane): void {
    const hold = lane.hold!;
    this.timers.cancel(hold.deadlineTimer);
    const delayNs = this.bugs.workerClockLease ? hold.wallExpiryNs - this.host.wallNow() : hold.deadlineNs - this.host.monotonicNow();
    hold.deadlineTimer = this.timers.set(Math.max(0, delayNs), () => {
      hold.deadlineTimer = null;
      if (lane.hold === hold && !lane.paused) {
        if (this.expired(hold)) this.stop(lane, 'deadline');
        else this.armDeadline(lane);
      }
    });
  }

  private armRenew(lane: Lane): void {
    const hold = lane.hold!;
    hold.renewTimer = this.timers.set(Math.floor(hold.lease.ttlNs / 3), () => {
      hold.renewTimer = null;
      if (lane.hold !== hold || lane.paused) return;
      if (lane.renewer.busy()) {
        this.armRenew(lane);
        return;
      }
      const requestNs = this.host.monotonicNow();
      const value = { job: hold.lease.job, token: hold.lease.token, holder: hold.holder };
      this.record(lane, 'invoke', 'renew', value, 'renew');
      lane.renewing = value;
      lane.renewer.call({ f: 'renew', job: hold.lease.job, token: hold.lease.token }, (reply) => this.onRenewed(lane, hold, value, requestNs, reply));
      this.armRenew(lane);
    });
  }

  private onRenewed(lane: Lane, hold: Hold, value: object, requestNs: number, reply: SchedReply | null): void {
    lane.renewing = null;
    if (reply === null) {
      this.record(lane, 'info', 'renew', value, 'renew');
      lane.renewGeneration += 1;
      return;
    }
    this.record(lane, reply.ok ? 'ok' : 'fail', 'renew', reply.ok ? value : { ...value, error: reply.error ?? null }, 'renew');
    if (lane.hold !== hold) return;
    if (!reply.ok) {
      this.stop(lane, 'revoked');
      return;
    }
    hold.deadlineNs = Math.max(hold.deadlineNs, requestNs + this.usableNs(hold.lease.ttlNs));
    if (reply.expiresAtWallNs !== undefined) hold.wallExpiryNs = reply.expiresAtWallNs;
    this.armDeadline(lane);
  }

  // ------------------------------------------------------------------------------------------ running

  /** One step of `hold`; a timer of a hold the lane has since let go of does nothing. */
  private step(lane: Lane, hold: Hold): void {
    if (lane.hold !== hold || hold.write !== null) return;
    if (hold.crashAt === hold.stepsDone) {
      this.crash(lane);
      return;
    }
    if (this.expired(hold)) {
      this.stop(lane, 'deadline');
      return;
    }
    const kind = hold.stepsDone < hold.steps ? 'step' : 'commit';
    if (this.config.pauseOneIn > 0 && this.host.random.chance(1, this.config.pauseOneIn)) {
      // Stop the world between the lease check above and the write: Kleppmann's paused client.
      lane.paused = true;
      this.timers.cancel(hold.renewTimer);
      hold.renewTimer = null;
      const pauseNs = this.host.random.range(this.config.pauseNsMin, this.config.pauseNsMax);
      this.record(lane, 'invoke', 'pause', { job: hold.lease.job, holder: hold.holder, pauseMs: Math.round(pauseNs / NS_PER_MS) });
      this.timers.set(pauseNs, () => {
        lane.paused = false;
        this.record(lane, 'ok', 'pause', { job: hold.lease.job, holder: hold.holder });
        if (lane.hold !== hold) return;
        this.sendWrite(lane, kind);
        this.armRenew(lane);
        this.armDeadline(lane);
      });
      return;
    }
    this.sendWrite(lane, kind);
  }

  private sendWrite(lane: Lane, kind: 'step' | 'commit'): void {
    const hold = lane.hold!;
    const id = (LANE_ID_RANGES * lane.lane + 3) * ID_RANGE + (lane.writeSeq = (lane.writeSeq + 1) % ID_RANGE);
    const job = hold.lease.job;
    // The planted no-idempotency-key: the commit goes without its key, so the resource cannot dedupe it.
    const idem = kind === 'commit' && !this.bugs.noIdempotencyKey ? job : null;
    const message: ResourceWrite = { type: 'res.write', id, key: job, token: hold.lease.token, kind, idem, holder: hold.holder };
    hold.write = { id, message, timer: null };
    this.host.send(this.config.resource, message);
    hold.write.timer = this.timers.set(ATTEMPT_NS_DEFAULT, () => {
      if (lane.hold !== hold || hold.write?.id !== id) return;
      hold.write.timer = null;
      // No answer: send the same write again unless the lease is gone (a duplicate is fenced like any write).
      if (this.expired(hold)) this.stop(lane, 'deadline');
      else this.sendWrite(lane, kind);
    });
  }

  private onWriteReply(lane: Lane, id: number, outcome: 'accepted' | 'rejected' | 'duplicate'): void {
    const hold = lane.hold;
    if (hold === null || hold.write === null || hold.write.id !== id || lane.paused) return;
    this.timers.cancel(hold.write.timer);
    const kind = hold.write.message.kind;
    hold.write = null;
    if (outcome === 'rejected') {
      this.stop(lane, 'fenced');
      return;
    }
    if (kind === 'step') {
      hold.stepsDone += 1;
      this.timers.set(this.stepNs(), () => this.step(lane, hold));
      return;
    }
    this.complete(lane);
  }

  private complete(lane: Lane): void {
    const hold = lane.hold!;
    if (hold.crashAt === hold.steps + 1) {
      this.crash(lane);
      return;
    }
    const value = { job: hold.lease.job, token: hold.lease.token, holder: hold.holder };
    this.record(lane, 'invoke', 'complete', value);
    lane.caller.call({ f: 'complete', job: hold.lease.job, token: hold.lease.token }, (reply) => {
      if (reply === null) {
        this.record(lane, 'info', 'complete', value);
        lane.generation += 1;
        if (lane.hold === hold) this.stop(lane, 'unknown');
        return;
      }
      this.record(lane, reply.ok ? 'ok' : 'fail', 'complete', reply.ok ? value : { ...value, error: reply.error ?? null });
      // The lane may have stopped at its deadline while the completion was in flight.
      if (lane.hold === hold) this.stop(lane, reply.ok ? 'completed' : 'lost');
    });
  }

  /** The lane lets go of its lease: the end of its hold, as the mutex model sees it. */
  private stop(lane: Lane, reason: string): void {
    const hold = lane.hold!;
    this.clearHold(lane, hold);
    const value = { job: hold.lease.job, token: hold.lease.token, holder: hold.holder, reason };
    this.record(lane, 'invoke', 'stop', value, 'events');
    this.record(lane, 'ok', 'stop', value, 'events');
    // Say so: the scheduler requeues a lease still held, and frees the quota slot an expired one
    // still charges (it cannot know a zombie has stopped unless told). A completion in flight goes first.
    // It has a caller of its own, retried until answered, while the lane leases again.
    if (reason !== 'completed') this.release(lane, hold, 1);
    this.timers.set(this.config.pollNs, () => this.poll(lane));
  }

  private release(lane: Lane, hold: Hold, tries: number): void {
    const lives = lane.lives;
    const again = (): void => {
      if (tries < RELEASE_TRIES_MAX) this.timers.set(RELEASE_RETRY_NS, () => lane.lives === lives && this.release(lane, hold, tries + 1));
    };
    if (lane.releaser.busy()) {
      again();
      return;
    }
    const value = { job: hold.lease.job, token: hold.lease.token, holder: hold.holder };
    this.record(lane, 'invoke', 'release', value, 'release');
    lane.releasing = value;
    lane.releaser.call({ f: 'release', job: hold.lease.job, token: hold.lease.token }, (reply) => {
      lane.releasing = null;
      if (reply === null) {
        this.record(lane, 'info', 'release', value, 'release');
        lane.releaseGeneration += 1;
        again();
      } else if (!reply.ok && reply.error === 'lease-lost') {
        // "Not held now" says nothing of whether an earlier attempt of this very call ended it (its
        // answer lost, the job leased again since): unknown, not failed.
        this.record(lane, 'info', 'release', { ...value, error: reply.error }, 'release');
        lane.releaseGeneration += 1;
      } else this.record(lane, reply.ok ? 'ok' : 'fail', 'release', reply.ok ? value : { ...value, error: reply.error ?? null }, 'release');
    });
  }

  /** A simulated crash of the lane: it forgets everything and comes back as a new incarnation. */
  private crash(lane: Lane): void {
    const hold = lane.hold!;
    this.clearHold(lane, hold);
    const value = { job: hold.lease.job, token: hold.lease.token, holder: hold.holder };
    this.record(lane, 'invoke', 'crash', value, 'events');
    this.record(lane, 'ok', 'crash', value, 'events');
    lane.caller.abandon();
    lane.renewer.abandon();
    lane.releaser.abandon();
    if (lane.renewing !== null) this.record(lane, 'info', 'renew', lane.renewing, 'renew');
    if (lane.releasing !== null) this.record(lane, 'info', 'release', lane.releasing, 'release');
    lane.lives += 1;
    lane.renewing = null;
    lane.releasing = null;
    lane.generation += 1;
    lane.renewGeneration += 1;
    lane.releaseGeneration += 1;
    this.timers.set(CRASH_RESTART_NS, () => this.poll(lane));
  }

  private clearHold(lane: Lane, hold: Hold): void {
    this.timers.cancel(hold.renewTimer);
    this.timers.cancel(hold.deadlineTimer);
    if (hold.write !== null) this.timers.cancel(hold.write.timer);
    lane.hold = null;
    lane.paused = false;
  }
}
