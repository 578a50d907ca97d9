// The pieces that let faults/nemesis.ts play a drawn schedule against a live cluster: the catalog
// as a real cluster can carry it out (kinds it cannot apply are said up front and start as skips
// with the reason), the schedule drawn from the seed over the fault window, and a scheduler on the
// run's real clock in place of the simulator's `world.at`.
import type { NodeId } from '../../nodes/host.js';
import { FaultCatalog } from '../../faults/catalog.js';
import type { AnyFaultKind, FaultEvent } from '../../faults/kind.js';
import type { FaultRecord, ScheduleAt } from '../../faults/nemesis.js';
import { DEFAULT_INTENSITY, drawSchedule, type Intensity } from '../../faults/schedule.js';
import type { FaultAction } from '../../nodes/host.js';
import { createRandom } from '../tcp/random.js';

/** The fault window as fractions of the test's duration: before, warm-up; after, the liveness phase. */
export const FAULT_WINDOW_START = 0.15;
export const FAULT_WINDOW_END = 0.75;

/**
 * Fault groups a real process cannot suffer from outside: the node's disk is the machine's, so
 * corrupt reads, failing or stalled fsyncs and a full disk exist only in the simulator.
 */
const UNREAL_GROUPS: Readonly<Record<string, string>> = {
  disk: "the node's disk is the machine's real disk; disk faults exist only in the simulator",
};

/** Why `kind` cannot be applied to a real cluster, or null when it can. */
export function unrealReason(kind: Pick<AnyFaultKind, 'groups'>): string | null {
  for (const group of kind.groups) {
    const reason = UNREAL_GROUPS[group];
    if (reason !== undefined) return reason;
  }
  return null;
}

/**
 * The catalog a real cluster plays: the same kinds, targets and groups, except that a kind it
 * cannot apply starts as a skip with its reason (recorded like any skip, so nothing is dropped
 * silently). `unreal` names those kinds, for the line a test prints up front.
 */
export function realCatalog(catalog: FaultCatalog): { catalog: FaultCatalog; unreal: string[] } {
  const unreal: string[] = [];
  const kinds = catalog.kinds.map((kind): AnyFaultKind => {
    const reason = unrealReason(kind);
    if (reason === null) return kind;
    unreal.push(kind.name);
    return { ...kind, start: () => ({ skip: `cannot apply for real: ${reason}` }), heal: undefined };
  });
  return { catalog: new FaultCatalog(kinds, catalog.targets), unreal };
}

export interface ClusterScheduleOptions {
  catalog: FaultCatalog;
  /** Kind names, already expanded from `--faults`. */
  kinds: readonly string[];
  nodes: readonly NodeId[];
  durationMs: number;
  seed: number;
  intensity?: Intensity;
}

/**
 * The schedule of a cluster test: drawn by faults/schedule.ts from the seed over the fault window
 * (the same draw as a simulated run's, on the kinds that mean something for this many nodes), then
 * moved past the warm-up. No spare nodes: a real cluster's processes are fixed at start.
 */
export function clusterSchedule(options: ClusterScheduleOptions): { events: FaultEvent[]; safetyEndMs: number; undrawable: string[] } {
  const warmupMs = Math.floor(options.durationMs * FAULT_WINDOW_START);
  const safetyEndMs = Math.floor(options.durationMs * FAULT_WINDOW_END);
  const kinds = options.catalog.applicable(options.kinds, options.nodes.length);
  const context = { nodes: options.nodes, spareNodes: [], targets: options.catalog.targets.names, linkProbabilityMax: 0.2 };
  // A kind whose drawer finds nothing to do here (adding a node needs a spare one) is never drawn:
  // found by asking it a few times on a stream of its own, so the caller can say so up front.
  const probe = createRandom(options.seed, 'cluster/probe');
  const undrawable = kinds.filter((name) => Array.from({ length: PROBES }, () => options.catalog.kind(name).draw(probe, 0, 1_000, context)).every((event) => event === null));
  const drawn = drawSchedule(createRandom(options.seed, 'cluster/faults'), {
    catalog: options.catalog,
    kinds,
    intensity: options.intensity ?? DEFAULT_INTENSITY,
    nodes: options.nodes,
    spareNodes: [],
    durationMs: safetyEndMs - warmupMs,
  });
  return { events: drawn.map((event) => ({ ...event, atMs: event.atMs + warmupMs })), safetyEndMs, undrawable };
}

/** Draws asked of each kind to learn whether it can be drawn on this cluster at all. */
const PROBES = 8;

/** A nemesis record as a run stores it: the same row a simulated run writes. */
export function faultAction(record: FaultRecord): FaultAction {
  return { time: record.timeNs, kind: `${record.kind}.${record.phase}`, fields: record.fields };
}

/** Control actions scheduled at once; a schedule has at most a few thousand. */
export const SCHEDULED_MAX = 100_000;

/**
 * `at(timeNs, action)` on a real clock: actions run in time order, equal times in the order they
 * were scheduled (the nemesis relies on it: stops before starts at one instant). An action that
 * throws is kept in `errors`, never thrown into the event loop.
 */
export class RealTimeScheduler {
  readonly errors: string[] = [];
  private readonly items: { timeNs: number; action: () => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly nowNs: () => number) {}

  readonly at: ScheduleAt = (timeNs, action) => {
    if (this.stopped) return;
    if (this.items.length >= SCHEDULED_MAX) throw new Error(`more than ${SCHEDULED_MAX} scheduled actions`);
    let index = this.items.length;
    while (index > 0 && this.items[index - 1]!.timeNs > timeNs) index -= 1;
    this.items.splice(index, 0, { timeNs, action });
    this.arm();
  };

  /** Actions not yet run. */
  get waiting(): number {
    return this.items.length;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.items.length = 0;
  }

  private arm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped || this.items.length === 0) return;
    const waitMs = Math.max(0, (this.items[0]!.timeNs - this.nowNs()) / 1e6);
    this.timer = setTimeout(() => this.fire(), waitMs);
  }

  private fire(): void {
    this.timer = null;
    const nowNs = this.nowNs();
    while (!this.stopped && this.items.length > 0 && this.items[0]!.timeNs <= nowNs) {
      const { action } = this.items.shift()!;
      try {
        action();
      } catch (error) {
        this.errors.push((error as Error).message);
      }
    }
    this.arm();
  }
}
