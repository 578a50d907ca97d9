// Draws an explicit fault schedule from a random stream: fault starts arrive as a Poisson process
// over the safety phase, each of a kind chosen from the enabled ones, with its parameters drawn too.
// The result is a plain list of events, so a drawn run is as reproducible as a hand-written one.
import type { NodeId, Random } from '../nodes/host.js';
import type { FaultCatalog } from './catalog.js';
import type { FaultEvent } from './kind.js';
import { z } from 'zod';

/** The most fault events one schedule holds, drawn or written (a bound on the nemesis's records). */
export const FAULT_EVENTS_MAX = 100_000;
/** The cap of a drawn schedule grows by its per-window count for every started window of this much fault time. */
export const CAP_WINDOW_MS = 10_000;
/** Events per window when the intensity names no cap: what a 10-second run was always capped at. */
export const EVENTS_PER_WINDOW_DEFAULT = 64;

/**
 * The cap on events drawn over `faultMs` of fault time, `perWindow` per started CAP_WINDOW_MS. A
 * run of up to 10 s keeps the cap it always had; a longer one gets room for its whole length, so
 * a schedule that never hit the old cap is drawn exactly as before.
 */
export function eventsMaxFor(perWindow: number, faultMs: number): number {
  return Math.min(FAULT_EVENTS_MAX, perWindow * Math.max(1, Math.ceil(faultMs / CAP_WINDOW_MS)));
}

/** How hard drawn faults hit: a rate over the safety phase and a range of durations. */
export const intensitySchema = z
  .object({
    /** Mean fault starts per simulated second of the safety phase. */
    ratePerSecond: z.number().positive().max(100).default(1),
    durationMsMin: z.number().int().positive().max(600_000).default(200),
    durationMsMax: z.number().int().positive().max(600_000).default(3_000),
    /**
     * Upper bound on drawn fault events. Absent: the cap follows the fault time,
     * EVENTS_PER_WINDOW_DEFAULT per CAP_WINDOW_MS (64 per 10 s), so a long run has faults all the way through.
     */
    eventsMax: z.number().int().min(0).max(FAULT_EVENTS_MAX).optional(),
  })
  .strict()
  .refine((value) => value.durationMsMin <= value.durationMsMax, {
    path: ['durationMsMin'],
    message: 'must not exceed durationMsMax',
  });

export type Intensity = z.infer<typeof intensitySchema>;

export interface DrawOptions {
  catalog: FaultCatalog;
  /** Kind names, in catalog order. */
  kinds: readonly string[];
  intensity: Intensity;
  /** Server ids at start. */
  nodes: readonly NodeId[];
  /** Ids a kind that adds nodes may bring in (beyond the starting cluster). */
  spareNodes: readonly NodeId[];
  /** The safety phase; every fault starts before it ends. */
  durationMs: number;
  /**
   * Relative weight of each kind; absent: each kind's own default weight (faults that move
   * leadership or membership weigh more, as Jepsen's default nemesis favours partitions and kills:
   * most consensus bugs hide in a change of leader or of configuration). A weight of 0 is never drawn.
   */
  weights?: Readonly<Record<string, number>>;
  /** Largest drop/dup/reorder probability drawn. */
  linkProbabilityMax?: number;
  /** Bursts of fault starts close together (none when absent). */
  bursts?: Bursts;
  /** Repeating fault and quiet windows: faults start only in the fault windows. */
  phases?: Phases;
}

/**
 * Bursts: at each fault start, with odds `percent` in 100, a burst of 2..`sizeMax` starts follows,
 * each 1..`gapMsMax` ms after the one before, on top of the Poisson arrivals. Storms like these
 * (several crashes and membership changes within one election timeout) are where a cluster's
 * recovery paths meet; the average rate alone almost never lines them up.
 */
export interface Bursts {
  percent: number;
  sizeMax: number;
  gapMsMax: number;
  /** The schedule opens with a burst (faults while the cluster forms: its bootstrap paths). */
  atStart: boolean;
}

/** No `eventsMax`: the cap follows the duration (eventsMaxFor). */
export const DEFAULT_INTENSITY: Intensity = Object.freeze({
  ratePerSecond: 1,
  durationMsMin: 200,
  durationMsMax: 3_000,
});

/**
 * Repeating phases: `faultMs` of faults, then `quietMs` with everything healed, again and again
 * through the safety phase, so a long run alternates safety windows and liveness windows, each
 * judged (the runner's quiet windows). The liveness phase still follows the last.
 */
export interface Phases {
  faultMs: number;
  quietMs: number;
}

/** A drawn schedule and what bounded it, for the banner. */
export interface DrawnSchedule {
  events: FaultEvent[];
  /** The cap the draw ran under. */
  eventsMax: number;
  /** Fault time the draw spread its events over (the fault windows' total). */
  faultMs: number;
  /** Where the cap stopped the draw (ms into the run), or null when it never did. */
  cappedAtMs: number | null;
}

/** The fault windows of `[0, durationMs)` under `phases` (one window, the whole safety phase, without). */
export function faultWindows(durationMs: number, phases: Phases | undefined): { startMs: number; endMs: number }[] {
  if (phases === undefined) return [{ startMs: 0, endMs: durationMs }];
  if (!(phases.faultMs > 0 && phases.quietMs > 0)) throw new Error('phases: faultMs and quietMs must be positive');
  const windows: { startMs: number; endMs: number }[] = [];
  for (let startMs = 0; startMs < durationMs; startMs += phases.faultMs + phases.quietMs) {
    windows.push({ startMs, endMs: Math.min(durationMs, startMs + phases.faultMs) });
  }
  return windows;
}

/** Milliseconds until the next fault start: exponential with the given rate, at least 1 ms. */
function gapMs(random: Random, ratePerSecond: number): number {
  const meanMs = 1_000 / ratePerSecond;
  return Math.max(1, Math.round(-meanMs * Math.log(1 - random.float())));
}

function pickWeighted(random: Random, kinds: readonly string[], weightOf: (kind: string) => number): string {
  let total = 0;
  for (const kind of kinds) total += weightOf(kind);
  if (total <= 0) throw new Error('every fault kind has weight 0');
  let draw = random.int(total);
  for (const kind of kinds) {
    draw -= weightOf(kind);
    if (draw < 0) return kind;
  }
  throw new Error('weighted pick fell off the end');
}

/** A storm at start: this many fault starts, each within this many ms of the one before. */
const START_STORM_SIZE_MIN = 3;
const START_STORM_SIZE_MAX = 8;
const START_STORM_GAP_MS_MAX = 30;
/**
 * What a storm at start draws from (the kinds of each group the run has on; each group equally
 * likely, so the many partition shapes do not crowd out the rest): what goes wrong while a cluster
 * forms is nodes crashing or stalling, nodes joining (the system's `membership` group), and the
 * network splitting, all before anything was replicated. A storm of clock or disk faults alone would not reach those paths.
 */
function stormGroupsOf(catalog: FaultCatalog): (readonly string[])[] {
  return [['crash'], ['pause'], catalog.groups.membership ?? [], catalog.groups.partition ?? []];
}
/** ...each lasting this long (ms): it outlasts the cluster's first elections. */
const START_STORM_DURATION_MS_MIN = 500;
const START_STORM_DURATION_MS_MAX = 5_000;

/**
 * Draws the schedule. Deterministic in the random stream and the options; at most
 * `intensity.eventsMax` events (or the cap that follows the duration), all starting inside the
 * safety phase (inside its fault windows, with phases), sorted by start time.
 */
export function drawSchedule(random: Random, options: DrawOptions): FaultEvent[] {
  return drawPlan(random, options).events;
}

/** drawSchedule, with the cap it ran under and where the cap stopped it. */
export function drawPlan(random: Random, options: DrawOptions): DrawnSchedule {
  const { intensity, catalog } = options;
  if (options.nodes.length === 0) throw new Error('drawSchedule: no nodes');
  const windows = faultWindows(options.durationMs, options.phases);
  // Drawn over the fault time alone, as if the windows were one stretch, then each start moved
  // into its window: a run without phases draws exactly what it always drew.
  const faultMs = windows.reduce((total, window) => total + (window.endMs - window.startMs), 0);
  const eventsMax = intensity.eventsMax ?? eventsMaxFor(EVENTS_PER_WINDOW_DEFAULT, faultMs);
  const plan: DrawnSchedule = { events: [], eventsMax, faultMs, cappedAtMs: null };
  const weights = options.weights;
  const weightOf = (kind: string): number => weights?.[kind] ?? (weights === undefined ? catalog.kind(kind).weight : 1);
  const kinds = options.kinds.filter((kind) => weightOf(kind) > 0);
  const events = plan.events;
  if (kinds.length === 0 || eventsMax === 0) return plan;
  const placed = (atMs: number): number => placeInWindows(windows, atMs);
  const context = {
    nodes: options.nodes,
    spareNodes: options.spareNodes,
    targets: catalog.targets.names,
    linkProbabilityMax: options.linkProbabilityMax ?? 0.2,
  };
  const bursts = options.bursts;
  /** Starts left in the storm at start, and in the current burst. */
  let stormLeft = 0;
  let burstLeft = 0;
  let atMs: number;
  if (bursts?.atStart === true) {
    // A storm while the cluster forms: its first starts come within the first election timeout.
    stormLeft = random.range(START_STORM_SIZE_MIN, START_STORM_SIZE_MAX);
    atMs = random.range(1, START_STORM_GAP_MS_MAX);
  } else {
    atMs = gapMs(random, intensity.ratePerSecond);
  }
  const stormGroups = stormGroupsOf(catalog).map((group) => group.filter((kind) => kinds.includes(kind))).filter((group) => group.length > 0);
  if (stormGroups.length === 0) stormLeft = 0;
  while (atMs < faultMs && events.length < eventsMax) {
    const inStorm = stormLeft > 0;
    const kind = pickWeighted(random, inStorm ? random.pick(stormGroups) : kinds, weightOf);
    const durationMs = inStorm
      ? random.range(START_STORM_DURATION_MS_MIN, START_STORM_DURATION_MS_MAX)
      : random.range(intensity.durationMsMin, intensity.durationMsMax);
    const event = catalog.kind(kind).draw(random, placed(atMs), durationMs, context);
    if (event !== null) events.push(event);
    if (inStorm && --stormLeft > 0) {
      atMs += random.range(1, START_STORM_GAP_MS_MAX);
      continue;
    }
    if (bursts !== undefined && burstLeft === 0 && random.chance(bursts.percent, 100)) burstLeft = random.range(1, bursts.sizeMax - 1);
    if (bursts !== undefined && burstLeft > 0) {
      burstLeft--;
      atMs += random.range(1, bursts.gapMsMax);
    } else {
      atMs += gapMs(random, intensity.ratePerSecond);
    }
  }
  if (events.length >= eventsMax && atMs < faultMs) plan.cappedAtMs = placed(atMs);
  return plan;
}

/** The run time of `atMs` of fault time: the same instant without phases, else inside its window. */
function placeInWindows(windows: readonly { startMs: number; endMs: number }[], atMs: number): number {
  let left = atMs;
  for (const window of windows) {
    const length = window.endMs - window.startMs;
    if (left < length) return window.startMs + left;
    left -= length;
  }
  throw new Error(`fault time ${atMs} ms lies past the fault windows`);
}
