// The nemesis's World (faults/world-port.ts) over a live cluster, so `cluster test` plays the very
// fault kinds and planner a simulated run plays. The nemesis calls are synchronous and the real
// actions are not: each call updates this world's model at once (what is down, paused, cut, how
// each clock is set), so the next call and the target resolvers see its effect, and queues the real
// action (a signal, proxy rules, an admin request). Actions run in order per thing they touch (a
// node, or the network), so a restart never overtakes its kill and rules never arrive out of order;
// `drain()` waits for all of them before a run is judged. An action that fails is kept in `errors`.
//
// What cannot be done to a real process is said, never faked: disk faults (the node's disk is the
// machine's), new nodes (the processes are fixed at start) and messages injected in a node's name.
import type { Message, NodeId, NodeStatus, Process } from '../../nodes/host.js';
import { NO_DISK_FAULTS, NO_LINK_FAULTS, type DiskFaults, type LinkFaults, type NemesisWorld, type PartitionShape } from '../../faults/world-port.js';
import { sendAdmin, setClock } from '../tcp/admin.js';
import { type ClusterDriver, clusterHealth, nodeStatuses } from './driver.js';
import { type NetworkState, linkKey, partitionCuts, proxyRules } from './link-rules.js';

/** Real actions waiting or running at once; more is a runaway schedule, said rather than queued. */
export const ACTIONS_PENDING_MAX = 10_000;
/** Real actions remembered for `settledAt`; a schedule makes a few per fault. */
export const ACTIONS_LOGGED_MAX = 100_000;
/** How often the statuses the target resolvers read are refreshed. */
export const STATUS_POLL_MS = 200;
/** An injected admin message's connection stays open this long for the node to take it. */
const INJECT_WAIT_MS = 100;

/**
 * Stands for a node that runs in another OS process: the nemesis only asks whether a process
 * exists (null while crashed), never calls it.
 */
const REMOTE_PROCESS: Process = Object.freeze({
  start: () => undefined,
  onMessage: () => undefined,
  onTimer: () => undefined,
  onFsync: () => undefined,
});

/** One node's wall clock as clock faults set it: an offset at `sinceNs` (run clock), drifting since. */
interface ClockModel {
  offsetNs: number;
  driftPpm: number;
  sinceNs: number;
}

/** The operator's calls to a node's host (scripts/tcp/admin.ts; tests pass fakes). */
export interface AdminCalls {
  setClock: typeof setClock;
  sendAdmin: typeof sendAdmin;
  health: typeof clusterHealth;
}

const REAL_ADMIN: AdminCalls = { setClock, sendAdmin, health: clusterHealth };

export interface RealWorldOptions {
  driver: ClusterDriver;
  admin?: AdminCalls;
  /** The run's clock (ns since the test's epoch): fault records and the history share it. */
  nowNs: () => number;
  log: (line: string) => void;
}

export class RealWorld implements NemesisWorld {
  readonly errors: string[] = [];
  private readonly driver: ClusterDriver;
  private readonly admin: AdminCalls;
  private readonly crashed = new Set<NodeId>();
  private readonly paused = new Set<NodeId>();
  private readonly statuses = new Map<NodeId, NodeStatus>();
  private readonly clocks = new Map<NodeId, ClockModel>();
  /** Admin messages for a paused node, sent once it resumes (the simulator delivers them then). */
  private readonly deferred = new Map<NodeId, Message[]>();
  private network: NetworkState = { cuts: new Set(), isolated: new Set(), clogs: new Set(), faults: NO_LINK_FAULTS };
  private readonly clogTimers = new Map<string, NodeJS.Timeout>();
  /** The last action of each key (`node:<id>`, `net`): the next one of that key waits for it. */
  private readonly chains = new Map<string, Promise<void>>();
  private pending = 0;
  /** When each real action was queued and when it was done (null while it runs), in queue order. */
  private readonly done: { queuedNs: number; doneNs: number | null }[] = [];
  private polling: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: RealWorldOptions) {
    this.driver = options.driver;
    this.admin = options.admin ?? REAL_ADMIN;
  }

  /** Reads every node's status once and keeps them fresh until `stop()`. */
  async start(): Promise<void> {
    await this.poll();
    this.polling = (async () => {
      while (!this.stopped) {
        await new Promise((resolve) => setTimeout(resolve, STATUS_POLL_MS));
        if (!this.stopped) await this.poll();
      }
    })();
  }

  /** Waits until every queued action has run (new ones queued meanwhile included). */
  async drain(): Promise<void> {
    for (;;) {
      const waiting = [...this.chains.values()];
      await Promise.all(waiting);
      if (this.pending === 0) return;
    }
  }

  /** Stops polling and clog timers; queued actions still finish (call `drain` first). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.clogTimers.values()) clearTimeout(timer);
    this.clogTimers.clear();
    await this.polling;
  }

  // --- NemesisWorld ---

  nowNs(): number {
    return Math.round(this.options.nowNs());
  }

  nodes(): readonly NodeId[] {
    return [...this.driver.nodes].sort();
  }

  status(id: NodeId): NodeStatus {
    if (this.crashed.has(id)) return { down: 'crashed by the nemesis' };
    return this.statuses.get(id) ?? { down: 'no status yet' };
  }

  process(id: NodeId): Process | null {
    return this.crashed.has(id) ? null : REMOTE_PROCESS;
  }

  partition(shape: PartitionShape): void {
    // A new partition replaces the one in force, as in the simulator.
    const { cuts, isolated } = partitionCuts(shape, this.nodes());
    this.network = { ...this.network, cuts, isolated };
    this.applyNetwork(`partition ${shape.shape}`);
  }

  heal(): void {
    for (const timer of this.clogTimers.values()) clearTimeout(timer);
    this.clogTimers.clear();
    this.network = { ...this.network, cuts: new Set(), isolated: new Set(), clogs: new Set() };
    this.applyNetwork('heal');
  }

  setLinkFaults(faults: LinkFaults): void {
    this.network = { ...this.network, faults: { ...faults } };
    this.applyNetwork('link faults');
  }

  clog(from: NodeId, to: NodeId, untilNs: number): void {
    const key = linkKey(from, to);
    const clogs = new Set(this.network.clogs);
    clearTimeout(this.clogTimers.get(key));
    this.clogTimers.delete(key);
    const leftMs = (untilNs - this.nowNs()) / 1e6;
    if (leftMs <= 0) clogs.delete(key);
    else {
      clogs.add(key);
      // A clog releases itself at its end, as the simulator's does; an endless one waits for the heal.
      if (untilNs < Number.MAX_SAFE_INTEGER) {
        this.clogTimers.set(
          key,
          setTimeout(() => {
            this.clogTimers.delete(key);
            if (!this.stopped) this.clog(from, to, this.nowNs());
          }, leftMs),
        );
      }
    }
    this.network = { ...this.network, clogs };
    this.applyNetwork(`clog ${from}->${to}`);
  }

  crash(id: NodeId, _mode: 'lose' | 'tear'): void {
    // SIGKILL: what the process had not written is lost. The machine does not crash, so what it
    // wrote and did not fsync survives in the page cache: `tear` cannot be had for real.
    this.crashed.add(id);
    this.paused.delete(id);
    this.deferred.delete(id);
    this.queue([id], `kill ${id}`, () => this.driver.kill(id));
  }

  restart(id: NodeId): void {
    if (!this.crashed.delete(id)) return;
    this.statuses.delete(id);
    this.queue([id], `restart ${id}`, async () => {
      await this.driver.restart(id);
      // A node's clock survives its restarts (it is the machine's); the new process starts at 0.
      await this.sendClock(id);
    });
  }

  pause(id: NodeId): void {
    this.paused.add(id);
    this.queue([id], `pause ${id}`, () => this.driver.pause(id));
  }

  resume(id: NodeId): void {
    if (!this.paused.delete(id)) return;
    const messages = this.deferred.get(id) ?? [];
    this.deferred.delete(id);
    this.queue([id], `resume ${id}`, async () => {
      await this.driver.resume(id);
      await this.sendClock(id);
      for (const message of messages) await this.admin.sendAdmin(this.driver.adminAddress(id), this.driver.secret, id, message, INJECT_WAIT_MS);
    });
  }

  clockOffset(id: NodeId, offsetNs: number): void {
    const model = this.clockOf(id);
    this.setClockModel(id, { offsetNs, driftPpm: model.driftPpm, sinceNs: this.nowNs() });
  }

  clockDrift(id: NodeId, ppm: number): void {
    const nowNs = this.nowNs();
    const model = this.clockOf(id);
    if (model.driftPpm === ppm) return;
    this.setClockModel(id, { offsetNs: effectiveOffsetNs(model, nowNs), driftPpm: ppm, sinceNs: nowNs });
  }

  clockJump(id: NodeId, jumpNs: number): void {
    const nowNs = this.nowNs();
    const model = this.clockOf(id);
    this.setClockModel(id, { offsetNs: effectiveOffsetNs(model, nowNs) + jumpNs, driftPpm: model.driftPpm, sinceNs: nowNs });
  }

  diskFault(id: NodeId, faults: DiskFaults): void {
    // The heal clears disk faults on every node: nothing to do, none was ever set.
    if (sameDiskFaults(faults, NO_DISK_FAULTS)) return;
    this.errors.push(`disk faults on ${id} cannot be applied for real: the node's disk is the machine's`);
  }

  addNode(id: NodeId): void {
    this.errors.push(`node ${id} cannot be added for real: the cluster's processes are fixed when it starts`);
  }

  inject(from: NodeId, to: NodeId, message: Message): void {
    if (from !== 'admin') {
      this.errors.push(`a message from ${from} to ${to} cannot be injected for real: only the operator (admin) can speak to a node from outside`);
      return;
    }
    // To a crashed node a message is lost, as in the simulator; to a paused one it waits.
    if (this.crashed.has(to)) return;
    if (this.paused.has(to)) {
      const waiting = this.deferred.get(to) ?? [];
      waiting.push(message);
      this.deferred.set(to, waiting);
      return;
    }
    this.queue([to], `inject into ${to}`, async () => {
      await this.admin.sendAdmin(this.driver.adminAddress(to), this.driver.secret, to, message, INJECT_WAIT_MS);
    });
  }

  /**
   * When everything asked of the cluster up to `timeNs` had really happened: a fault's stop is
   * asked at one instant and done later (a restarted node takes a while to be ready), so a checker
   * that demands progress once a fault ended must count from here. Null if something is still running.
   */
  settledAt(timeNs: number): number | null {
    let settled = timeNs;
    for (const action of this.done) {
      if (action.queuedNs > timeNs) break;
      if (action.doneNs === null) return null;
      settled = Math.max(settled, action.doneNs);
    }
    return settled;
  }

  /** The wall-clock offset `id` should have now, as clock faults set it (0 when none did). */
  clockOffsetNow(id: NodeId): number {
    return effectiveOffsetNs(this.clockOf(id), this.nowNs());
  }

  // --- real actions ---

  private clockOf(id: NodeId): ClockModel {
    return this.clocks.get(id) ?? { offsetNs: 0, driftPpm: 0, sinceNs: 0 };
  }

  private setClockModel(id: NodeId, model: ClockModel): void {
    this.clocks.set(id, model);
    // A crashed or paused node gets its clock when it is back.
    if (this.crashed.has(id) || this.paused.has(id)) return;
    this.queue([id], `clock of ${id}`, () => this.sendClock(id));
  }

  private async sendClock(id: NodeId): Promise<void> {
    const model = this.clocks.get(id);
    if (model === undefined) return;
    // Computed when it is sent, so time spent waiting in the queue does not skew it.
    const setting = { offsetNs: effectiveOffsetNs(model, this.nowNs()), driftPpm: model.driftPpm };
    await this.admin.setClock(this.driver.adminAddress(id), this.driver.secret, id, setting, 1_000);
  }

  private applyNetwork(what: string): void {
    // The rules of this moment, computed now: later changes queue their own.
    const rules = proxyRules(this.nodes(), this.network);
    this.queue(['net'], what, async () => {
      await Promise.all([...rules].map(([id, list]) => this.driver.setRules(id, list)));
    });
  }

  private queue(nodes: readonly NodeId[] | ['net'], what: string, run: () => Promise<void>): void {
    if (this.pending >= ACTIONS_PENDING_MAX) {
      this.errors.push(`${what}: more than ${ACTIONS_PENDING_MAX} real actions waiting; dropped`);
      return;
    }
    const keys = nodes.map((node) => (node === 'net' ? 'net' : `node:${node}`));
    const before = keys.map((key) => this.chains.get(key) ?? Promise.resolve());
    this.pending += 1;
    const queuedNs = this.nowNs();
    const entry = { queuedNs, doneNs: null as number | null };
    if (this.done.length < ACTIONS_LOGGED_MAX) this.done.push(entry);
    else this.errors.push(`${what}: more than ${ACTIONS_LOGGED_MAX} real actions in one run; its settling time is not known`);
    const done = Promise.all(before)
      .then(run)
      .catch((error: unknown) => {
        const message = `${what} (queued at ${Math.round(queuedNs / 1e6)} ms): ${(error as Error).message}`;
        this.errors.push(message);
        this.options.log(`nemesis: ${message}`);
      })
      .finally(() => {
        this.pending -= 1;
        entry.doneNs = this.nowNs();
      });
    for (const key of keys) this.chains.set(key, done);
  }

  private async poll(): Promise<void> {
    const asked = this.nodes().filter((id) => !this.crashed.has(id) && !this.paused.has(id));
    const health = await this.admin.health({ nodes: asked, secret: this.driver.secret, adminAddress: (id) => this.driver.adminAddress(id) }, 300);
    const statuses = nodeStatuses(health);
    // A node crashed or paused while we asked keeps what the nemesis says of it.
    for (const id of asked) if (!this.crashed.has(id) && !this.paused.has(id)) this.statuses.set(id, statuses[id]!);
  }
}

function effectiveOffsetNs(model: ClockModel, nowNs: number): number {
  return model.offsetNs + Math.round(((nowNs - model.sinceNs) * model.driftPpm) / 1_000_000);
}

function sameDiskFaults(a: DiskFaults, b: DiskFaults): boolean {
  return a.corruptReads === b.corruptReads && a.fsyncFail === b.fsyncFail && a.stallNs === b.stallNs && a.full === b.full;
}
