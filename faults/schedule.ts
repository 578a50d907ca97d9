// Draws an explicit fault schedule from a random stream: fault starts arrive as a Poisson process
// over the safety phase, each of a kind chosen from the enabled ones, with its parameters drawn too.
// The result is a plain list of events, so a drawn run is as reproducible as a hand-written one.
import type { NodeId, Random } from '../nodes/host.js';
import type { FaultCatalog } from './catalog.js';
import type { FaultEvent } from './kind.js';
import { z } from 'zod';

/** How hard drawn faults hit: a rate over the safety phase and a range of durations. */
export const intensitySchema = z
  .object({
    /** Mean fault starts per simulated second of the safety phase. */
    ratePerSecond: z.number().positive().max(100).default(1),
    durationMsMin: z.number().int().positive().max(600_000).default(200),
    durationMsMax: z.number().int().positive().max(600_000).default(3_000),
    /** Upper bound on drawn fault events. */
    eventsMax: z.number().int().min(0).max(10_000).default(64),
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

export const DEFAULT_INTENSITY: Intensity = Object.freeze({
  ratePerSecond: 1,
  durationMsMin: 200,
  durationMsMax: 3_000,
  eventsMax: 64,
});

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
 * `intensity.eventsMax` events, all starting inside the safety phase, sorted by start time.
 */
export function drawSchedule(random: Random, options: DrawOptions): FaultEvent[] {
  const { intensity, catalog } = options;
  if (options.nodes.length === 0) throw new Error('drawSchedule: no nodes');
  const weights = options.weights;
  const weightOf = (kind: string): number => weights?.[kind] ?? (weights === undefined ? catalog.kind(kind).weight : 1);
  const kinds = options.kinds.filter((kind) => weightOf(kind) > 0);
  const events: FaultEvent[] = [];
  if (kinds.length === 0 || intensity.eventsMax === 0) return events;
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
  while (atMs < options.durationMs && events.length < intensity.eventsMax) {
    const inStorm = stormLeft > 0;
    const kind = pickWeighted(random, inStorm ? random.pick(stormGroups) : kinds, weightOf);
    const durationMs = inStorm
      ? random.range(START_STORM_DURATION_MS_MIN, START_STORM_DURATION_MS_MAX)
      : random.range(intensity.durationMsMin, intensity.durationMsMax);
    const event = catalog.kind(kind).draw(random, atMs, durationMs, context);
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
  return events;
}
