// The nemesis: plays an explicit fault schedule against a NemesisWorld (the simulator's, or a real
// cluster's) during the safety phase, then heals everything at once, so the liveness phase starts
// from a whole cluster; then starts the faults left on through the liveness phase, if any (a drawn
// minority kept down in the liveness core mode).
import { NS_PER_MS, type FaultFields, type NodeId } from '../nodes/host.js';
import type { FaultCatalog } from './catalog.js';
import { FAULT_EVENTS_MAX } from './schedule.js';
import { healKernel, liveNodes, pausedNodes } from './kernel-kinds.js';
import { isSkipped, type FaultEvent, type KindContext, type Skipped, type Started } from './kind.js';
import type { NemesisWorld } from './world-port.js';

/** One thing the nemesis did (or declined to do), in true time. */
export interface FaultRecord {
  timeNs: number;
  /** A kind's name, or `heal`. */
  kind: string;
  phase: 'start' | 'stop' | 'skip';
  fields: FaultFields;
}

/** Schedules a control action at a true time (the World's `at`). */
export type ScheduleAt = (timeNs: number, action: () => void) => void;

/** Bound on records kept: each event starts and stops once (or is skipped), plus the heals. */
export const FAULT_RECORDS_MAX = 2 * FAULT_EVENTS_MAX + 10_000;

/** A stretch of the safety phase with every fault healed (repeating phases' quiet windows). */
export interface QuietWindow {
  startNs: number;
  endNs: number;
}

interface Planned {
  timeNs: number;
  /** Stops before starts at the same instant, so back-to-back faults do not overlap. */
  order: 0 | 1;
  index: number;
  run(): void;
}

export class Nemesis {
  readonly records: FaultRecord[] = [];
  private readonly context: KindContext;
  private readonly scratch = new Map<string, unknown>();
  /** Started faults not yet stopped, by event index, in start order. */
  private readonly active = new Map<number, Started>();
  private healed = false;
  /** At the heal: nodes the system could not put back yet (see FaultKindSpec.heal). */
  private outside: NodeId[] = [];
  /** Nodes the liveness phase's own faults keep down. */
  private readonly livenessDown = new Set<NodeId>();
  private healedAtNs: number | null = null;
  private quiet: readonly QuietWindow[] = [];
  private phaseHeals = 0;
  /** The kind of each active event, for the stops a phase heal records. */
  private readonly kindOfEvent = new Map<number, string>();

  constructor(
    private readonly world: NemesisWorld,
    private readonly catalog: FaultCatalog,
    private readonly at: ScheduleAt,
  ) {
    const scratch = this.scratch;
    const context: KindContext = {
      world,
      state<T>(key: string, create: () => T): T {
        if (!scratch.has(key)) scratch.set(key, create());
        return scratch.get(key) as T;
      },
      pick: (name) => catalog.targets.pick(name, world, liveNodes(context, pausedNodes(context))),
      target: (event) => resolveTarget(event, context),
    };
    this.context = context;
  }

  /**
   * Schedules every event and the heal at `safetyEndNs`. Call once, before the run starts. Each of
   * `quiet` (sorted, disjoint, inside the safety phase) opens with a heal of whatever is active, and
   * a start that falls inside one is skipped, so the window stays quiet for its liveness judgment.
   */
  plan(events: readonly FaultEvent[], safetyEndNs: number, livenessEvents: readonly FaultEvent[] = [], quiet: readonly QuietWindow[] = []): void {
    if (!(Number.isSafeInteger(safetyEndNs) && safetyEndNs >= 0)) throw new Error(`bad safety end ${safetyEndNs}`);
    this.quiet = quiet;
    const planned: Planned[] = [];
    // A phase heal orders before the starts at its instant (order 0, like stops): a fault drawn to
    // start right at a window's edge is skipped, never healed a moment after it began.
    quiet.forEach((window, index) => {
      if (!(window.startNs < window.endNs && window.endNs <= safetyEndNs)) throw new Error(`bad quiet window [${window.startNs}, ${window.endNs})`);
      planned.push({ timeNs: window.startNs, order: 0, index: -1 - index, run: () => this.phaseHeal() });
    });
    events.forEach((event, index) => {
      const startNs = event.atMs * NS_PER_MS;
      planned.push({ timeNs: startNs, order: 1, index, run: () => this.start(event, index) });
      const lasting = !this.catalog.kind(event.kind).instant;
      if (lasting && event.durationMs !== undefined) {
        const stopNs = startNs + event.durationMs * NS_PER_MS;
        if (stopNs < safetyEndNs) planned.push({ timeNs: stopNs, order: 0, index, run: () => this.stop(event, index) });
      }
    });
    planned.sort((a, b) => a.timeNs - b.timeNs || a.order - b.order || a.index - b.index);
    for (const item of planned) this.at(item.timeNs, item.run);
    this.at(safetyEndNs, () => {
      this.healAll();
      // Faults left on through the liveness phase (a minority kept down): numbered after the schedule's.
      livenessEvents.forEach((event, index) => this.beginLiveness(event, events.length + index));
    });
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
    const nowNs = this.world.nowNs();
    if (this.quiet.some((window) => window.startNs <= nowNs && nowNs < window.endNs)) {
      this.record({ kind: event.kind, phase: 'skip', fields: { event: index, reason: 'in a quiet window' } });
      return;
    }
    this.begin(event, index);
  }

  /**
   * Opens a quiet window: stops every active fault (each recorded as its own stop, so the fault
   * windows the liveness checks read end here) and clears the kernel's and each kind's leftovers,
   * as the final heal does; later windows may fault again.
   */
  private phaseHeal(): void {
    if (this.healed) return;
    for (const [index, started] of [...this.active]) {
      this.active.delete(index);
      started.stop();
      const kind = this.kindOfEvent.get(index);
      this.kindOfEvent.delete(index);
      this.record({ kind: kind!, phase: 'stop', fields: started.lingers === true ? { event: index, reason: 'quiet window', lingers: true } : { event: index, reason: 'quiet window' } });
    }
    healKernel(this.context);
    for (const kind of this.catalog.kinds) kind.heal?.(this.context);
    this.phaseHeals += 1;
  }

  /** Quiet windows opened so far (each a heal before the final one). */
  phaseHealCount(): number {
    return this.phaseHeals;
  }

  private begin(event: FaultEvent, index: number): void {
    const kind = this.catalog.kind(event.kind);
    const outcome = kind.start(event, this.context);
    if (isSkipped(outcome)) {
      this.record({ kind: event.kind, phase: 'skip', fields: { event: index, reason: outcome.skip } });
      return;
    }
    const touched = outcome.touched === 'all' ? TOUCHED_ALL : outcome.touched.join(',');
    // `group` and `instant` let a viewer draw any system's kind without a list of names.
    const fields: FaultFields = { event: index, ...outcome.fields, touched, group: kind.groups[0] ?? 'other' };
    if (kind.instant) fields.instant = true;
    this.record({ kind: event.kind, phase: 'start', fields });
    if (!kind.instant) {
      this.active.set(index, outcome);
      if (this.quiet.length > 0) this.kindOfEvent.set(index, event.kind);
    }
  }

  private stop(event: FaultEvent, index: number): void {
    const started = this.active.get(index);
    if (started === undefined) return;
    this.active.delete(index);
    this.kindOfEvent.delete(index);
    started.stop();
    this.record({ kind: event.kind, phase: 'stop', fields: started.lingers === true ? { event: index, lingers: true } : { event: index } });
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
    healKernel(this.context);
    // Then each kind's own heal, in catalog order (a system re-adds a member a stop could not).
    const outside = new Set<NodeId>();
    for (const kind of this.catalog.kinds) for (const node of kind.heal?.(this.context) ?? []) outside.add(node);
    this.outside = [...outside].sort();
    const world = this.world;
    this.healedAtNs = world.nowNs();
    // `outside`: nodes still out of the system through the liveness phase (checkers count them faulted).
    this.record({ kind: 'heal', phase: 'start', fields: this.outside.length === 0 ? {} : { outside: this.outside.join(',') } });
  }

  /**
   * Starts a fault of the liveness phase unless, with the nodes already down or outside, it would
   * leave the rest without a majority of themselves: the liveness phase demands progress of a bare
   * majority, never of a cluster the lab itself broke (a member whose re-add did not land yet).
   */
  private beginLiveness(event: FaultEvent, index: number): void {
    const kind = this.catalog.kind(event.kind);
    const named = kind.named(event).filter((node) => this.world.nodes().includes(node));
    const downAfter = new Set([...this.outside, ...this.livenessDown, ...named]);
    // Outside nodes count as down of the whole cluster: a majority of every node is then a majority
    // of whatever membership the system really has (the outside ones may or may not be in it).
    const cluster = this.world.nodes().length;
    const alive = cluster - downAfter.size;
    if (alive < Math.floor(cluster / 2) + 1) {
      const reason = `${[...downAfter].join(', ')} down or outside would leave ${alive} of ${cluster} nodes, no majority`;
      this.record({ kind: event.kind, phase: 'skip', fields: { event: index, reason } });
      return;
    }
    for (const node of named) this.livenessDown.add(node);
    this.begin(event, index);
  }
}

/** The `touched` field of a fault that may reach every node. */
export const TOUCHED_ALL = '*';

/** The node a targeted event hits now: its id when that node exists, or its target set resolved. */
function resolveTarget(event: FaultEvent, context: KindContext): NodeId | Skipped {
  if (event.node !== undefined) {
    if (!context.world.nodes().includes(event.node)) return { skip: `node ${event.node} does not exist` };
    return event.node;
  }
  const role = event.role;
  if (role === undefined) throw new Error(`a ${event.kind} event without node or role passed validation`);
  return context.pick(role) ?? { skip: `no live node is ${role}` };
}
