// A fault kind is one object: its schema, how it is drawn, started, stopped and described, and
// which nodes it touches. The kernel's kinds (faults/kernel-kinds.ts) and a system's own kinds
// (membership changes, leadership moves: whatever the plugin's words are) are objects of this one
// shape, so the nemesis, the schedule drawer, the scenario checks, the shrinker and the fault
// windows of the liveness checker all read the same object and never a list of names of their own.
import type { z } from 'zod';
import type { FaultFields, NodeId, Random } from '../nodes/host.js';
import type { NemesisWorld } from './world-port.js';

/**
 * One scheduled fault as a scenario says it. Every kind has `atMs`, `kind` and an optional
 * `durationMs` (absent: until the safety phase ends; instant kinds ignore it); a targeted kind has
 * exactly one of `node` (an id) and `role` (a target set the system names, such as a current
 * leader, resolved when the fault starts). The rest belongs to the kind and its schema.
 */
export interface FaultEvent {
  atMs: number;
  kind: string;
  durationMs?: number;
  node?: NodeId;
  role?: string;
  readonly [field: string]: unknown;
}

/** Which nodes a started fault touched: a list, or `all` when it may reach every node. */
export type Touched = readonly NodeId[] | 'all';

/** A started fault: what it hit, which nodes it touched, and how to undo it. */
export interface Started {
  fields: FaultFields;
  touched: Touched;
  stop(): void;
  /**
   * The stop only asks for the undoing (a re-add sent to a leader, which the network may lose or
   * reorder behind the removal): the nodes stay counted as touched until the heal, so no checker
   * demands of the cluster what the lab may have taken from it.
   */
  lingers?: boolean;
}

/** Why a fault did not start. Drawn schedules cannot know the cluster's state ahead: said, not an error. */
export interface Skipped {
  skip: string;
}

export function isSkipped(value: Started | Skipped | NodeId): value is Skipped {
  return typeof value === 'object' && 'skip' in value;
}

/**
 * The system's named target sets, resolved when a fault starts (the system's words: a current
 * leader, a follower, a key's coordinator). The kernel's kinds aim at them without knowing what
 * they mean.
 */
export interface TargetSets {
  /** The names, the most interesting first: a drawn isolation aims at the first one half the time. */
  readonly names: readonly string[];
  /** The node `name` stands for now among `live` (up, not paused, not refusing to serve), or null. */
  pick(name: string, view: ClusterView, live: readonly NodeId[]): NodeId | null;
}

/** What a target resolver may look at. */
export interface ClusterView {
  nowNs(): number;
  nodes(): readonly NodeId[];
  status: NemesisWorld['status'];
}

/** Per-run state shared by all the faults of one run, so overlapping faults combine instead of clobbering. */
export interface KindContext {
  readonly world: NemesisWorld;
  /** The node a targeted event hits now: its `node`, or its `role` resolved by the system. */
  target(event: FaultEvent): NodeId | Skipped;
  /** The node target set `name` stands for now, or null (for kinds that send to a role). */
  pick(name: string): NodeId | null;
  /**
   * Scratch state of one run, by a key the kind chooses (`link`, `disk`, a plugin's own). Lives
   * from the first fault to the heal; kinds that share a key share the state.
   */
  state<T>(key: string, create: () => T): T;
}

/** What a drawer knows: the cluster at start, spare ids, the system's target names. */
export interface DrawContext {
  nodes: readonly NodeId[];
  /** Ids a kind that adds nodes may bring in (beyond the starting cluster). */
  spareNodes: readonly NodeId[];
  targets: readonly string[];
  /** Largest drop/dup/reorder probability drawn. */
  linkProbabilityMax: number;
}

/** Everything about one fault kind. `E` is its event's shape (its schema's output). */
export interface FaultKindSpec<E extends FaultEvent = FaultEvent> {
  readonly name: string;
  /** One line for `--help` and docs. */
  readonly description: string;
  /** Group words a `--faults` list may use for it (`partition`, `disk`, `membership`, ...). */
  readonly groups: readonly string[];
  /** The whole event, strict: `atMs`, the `kind` literal, `durationMs`, the kind's own fields. */
  readonly schema: z.ZodType<E>;
  /** Happens at one instant (no stop, `durationMs` ignored). */
  readonly instant: boolean;
  /** Aimed at one node by `node` or `role`. */
  readonly targeted: boolean;
  /** Weight in the default drawn mix (a weight of 2 is drawn twice as often as 1). */
  readonly weight: number;
  /** Fewest servers on which the kind means anything (a ring needs 3). */
  readonly nodesMin: number;
  /** Node ids the event names, so a scenario naming an id outside the cluster is refused up front. */
  named(event: E): NodeId[];
  /** Draws one event starting at `atMs` lasting `durationMs`, or null when it cannot apply. */
  draw(random: Random, atMs: number, durationMs: number, context: DrawContext): E | null;
  start(event: E, context: KindContext): Started | Skipped;
  /**
   * At the heal, after every active fault stopped: put back what a stop could not (a removed
   * member). Returns the nodes that are still outside the system at this instant (a member whose
   * re-add is not yet committed, or could not be sent): the liveness phase counts them as faulted,
   * and keeps down no more nodes than leave a majority of the rest.
   */
  heal?(context: KindContext): readonly NodeId[] | void;
}

/** A kind of any event shape, as lists of kinds hold them. */
// The event type parameter is contravariant in `start`, so a list of specs needs `any` here.
export type AnyFaultKind = FaultKindSpec<any>;
