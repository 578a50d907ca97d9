// The nemesis: plays an explicit fault schedule against a World during the safety phase, then heals
// everything at once so the liveness phase starts from a whole cluster.
import { NS_PER_MS, type Message } from '../nodes/host.js';
import type { AdminAction } from '../workloads/system.js';
import { INSTANT_FAULT_KINDS, type FaultEvent } from './events.js';
import { isSkipped, newNemesisState, nodeWithRole, startFault, type FaultRecord, type KindContext, type NemesisState, type Started } from './kinds.js';
import { NO_DISK_FAULTS, NO_LINK_FAULTS, type NemesisWorld } from './world-port.js';

/** Schedules a control action at a true time (the World's `at`). */
export type ScheduleAt = (timeNs: number, action: () => void) => void;

/** Bound on records kept: a schedule has at most this many starts and stops plus the heal. */
export const FAULT_RECORDS_MAX = 50_000;

interface Planned {
  timeNs: number;
  /** Stops before starts at the same instant, so back-to-back faults do not overlap. */
  order: 0 | 1;
  index: number;
  run(): void;
}

export class Nemesis {
  readonly records: FaultRecord[] = [];
  private readonly state: NemesisState = newNemesisState();
  private readonly context: KindContext;
  /** Started faults not yet stopped, by event index, in start order. */
  private readonly active = new Map<number, Started>();
  private healed = false;
  private healedAtNs: number | null = null;

  constructor(
    private readonly world: NemesisWorld,
    admin: (action: AdminAction) => Message | null,
    private readonly at: ScheduleAt,
  ) {
    this.context = { world, state: this.state, admin };
  }

  /** Schedules every event and the heal at `safetyEndNs`. Call once, before the run starts. */
  plan(events: readonly FaultEvent[], safetyEndNs: number): void {
    if (!(Number.isSafeInteger(safetyEndNs) && safetyEndNs >= 0)) throw new Error(`bad safety end ${safetyEndNs}`);
    const planned: Planned[] = [];
    events.forEach((event, index) => {
      const startNs = event.atMs * NS_PER_MS;
      planned.push({ timeNs: startNs, order: 1, index, run: () => this.start(event, index) });
      const lasting = !INSTANT_FAULT_KINDS.includes(event.kind);
      if (lasting && event.durationMs !== undefined) {
        const stopNs = startNs + event.durationMs * NS_PER_MS;
        if (stopNs < safetyEndNs) planned.push({ timeNs: stopNs, order: 0, index, run: () => this.stop(event, index) });
      }
    });
    planned.sort((a, b) => a.timeNs - b.timeNs || a.order - b.order || a.index - b.index);
    for (const item of planned) this.at(item.timeNs, item.run);
    this.at(safetyEndNs, () => this.healAll());
  }

  /** True time of the heal, once it happened. */
  healedAt(): number | null {
    return this.healedAtNs;
  }

  /** Fault events that actually started. */
  startedCount(): number {
    return this.records.filter((record) => record.phase === 'start' && record.kind !== 'heal').length;
  }

  private record(record: Omit<FaultRecord, 'timeNs'>): void {
    if (this.records.length >= FAULT_RECORDS_MAX) throw new Error(`more than ${FAULT_RECORDS_MAX} fault records`);
    this.records.push({ timeNs: this.world.nowNs(), ...record });
  }

  private start(event: FaultEvent, index: number): void {
    if (this.healed) {
      this.record({ kind: event.kind, phase: 'skip', fields: { event: index, reason: 'after the safety phase' } });
      return;
    }
    const outcome = startFault(event, this.context);
    if (isSkipped(outcome)) {
      this.record({ kind: event.kind, phase: 'skip', fields: { event: index, reason: outcome.skip } });
      return;
    }
    this.record({ kind: event.kind, phase: 'start', fields: { event: index, ...outcome.fields } });
    if (!INSTANT_FAULT_KINDS.includes(event.kind)) this.active.set(index, outcome);
  }

  private stop(event: FaultEvent, index: number): void {
    const started = this.active.get(index);
    if (started === undefined) return;
    this.active.delete(index);
    started.stop();
    this.record({ kind: event.kind, phase: 'stop', fields: { event: index } });
  }

  /**
   * Ends the safety phase: stops every active fault in start order, then clears whatever state may
   * remain (a replaced partition; the World's heal also unclogs every link), so the liveness phase
   * sees a whole, healthy cluster.
   */
  healAll(): void {
    if (this.healed) return;
    this.healed = true;
    for (const [index, started] of [...this.active]) {
      this.active.delete(index);
      started.stop();
    }
    const world = this.world;
    world.heal();
    world.setLinkFaults(NO_LINK_FAULTS);
    const nodes = world.nodes();
    for (const node of nodes) {
      if (this.state.crashed.delete(node) || world.process(node) === null) world.restart(node);
      if (this.state.paused.delete(node)) world.resume(node);
      world.diskFault(node, NO_DISK_FAULTS);
      world.clockDrift(node, 0);
    }
    this.state.link.clear();
    this.state.disk.clear();
    this.state.drifting.clear();
    this.state.offset.clear();
    // A member removed whose re-add found no leader is added back now (best effort: if there is no
    // leader at this instant the liveness phase runs without it).
    for (const node of [...this.state.removedMembers]) {
      const message = this.context.admin({ kind: 'add-member', node });
      const leader = message === null ? null : nodeWithRole(this.context, 'leader');
      if (message !== null && leader !== null) {
        world.inject('admin', leader, message);
        this.state.removedMembers.delete(node);
      }
    }
    this.healedAtNs = world.nowNs();
    this.record({ kind: 'heal', phase: 'start', fields: {} });
  }
}
