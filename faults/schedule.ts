// Draws an explicit fault schedule from a random stream: fault starts arrive as a Poisson process
// over the safety phase, each of a kind chosen from the enabled ones, with its parameters drawn too.
// The result is a plain list of events, so a drawn run is as reproducible as a hand-written one.
import type { NodeId, Random } from '../nodes/host.js';
import { ADMIN_FAULT_KINDS, type FaultEvent, type FaultKind } from './events.js';
import type { Intensity } from './scenario.js';

export interface DrawOptions {
  kinds: readonly FaultKind[];
  intensity: Intensity;
  /** Server ids at start. */
  nodes: readonly NodeId[];
  /** Ids a `member-add` may bring in (beyond the starting cluster). */
  spareNodes: readonly NodeId[];
  /** The safety phase; every fault starts before it ends. */
  durationMs: number;
  /** Relative weight of each kind (default 1 each); a kind with weight 0 is never drawn. */
  weights?: Partial<Record<FaultKind, number>>;
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

/**
 * The default mix when kinds are drawn without swarm mode: faults that move leadership (partitions,
 * crashes, pauses, transfers) twice as often as the rest and membership changes three times (a
 * configuration bug needs two changes close together), as Jepsen's default nemesis favours
 * partitions and kills: most consensus bugs hide in a change of leader or of configuration.
 */
export const DEFAULT_WEIGHTS: Readonly<Partial<Record<FaultKind, number>>> = Object.freeze({
  'partition-isolate': 2,
  'partition-halves': 2,
  'partition-bridge': 2,
  'partition-ring': 2,
  'partition-one-way': 2,
  crash: 2,
  pause: 2,
  'member-remove': 3,
  'member-add': 3,
  'leader-transfer': 2,
});

/** Kinds that make sense on a cluster of `nodeCount` servers for a system with or without admin. */
export function applicableKinds(kinds: readonly FaultKind[], nodeCount: number, hasAdmin: boolean): FaultKind[] {
  return kinds.filter((kind) => {
    if (!hasAdmin && ADMIN_FAULT_KINDS.includes(kind)) return false;
    if (nodeCount < 2 && (kind.startsWith('partition-') || kind === 'clog' || kind === 'leader-transfer')) return false;
    if (nodeCount < 3 && (kind === 'partition-bridge' || kind === 'partition-ring')) return false;
    return true;
  });
}

/** Milliseconds until the next fault start: exponential with the given rate, at least 1 ms. */
function gapMs(random: Random, ratePerSecond: number): number {
  const meanMs = 1_000 / ratePerSecond;
  return Math.max(1, Math.round(-meanMs * Math.log(1 - random.float())));
}

function pickWeighted(random: Random, kinds: readonly FaultKind[], weights: Partial<Record<FaultKind, number>>): FaultKind {
  let total = 0;
  for (const kind of kinds) total += weights[kind] ?? 1;
  if (total <= 0) throw new Error('every fault kind has weight 0');
  let draw = random.int(total);
  for (const kind of kinds) {
    draw -= weights[kind] ?? 1;
    if (draw < 0) return kind;
  }
  throw new Error('weighted pick fell off the end');
}

/** A probability in steps of 1/1000 up to `max`, at least 1/1000. */
function probability(random: Random, max: number): number {
  const steps = Math.max(1, Math.round(max * 1000));
  return random.range(1, steps) / 1000;
}

function target(random: Random, nodes: readonly NodeId[]): { node: NodeId } | { role: 'leader' } | { role: 'follower' } {
  // Half of targeted faults go at a role: the leader is where most bugs hide.
  const draw = random.int(4);
  if (draw === 0) return { role: 'leader' };
  if (draw === 1) return { role: 'follower' };
  return { node: random.pick(nodes) };
}

function drawEvent(kind: FaultKind, atMs: number, durationMs: number, random: Random, options: DrawOptions): FaultEvent | null {
  const nodes = options.nodes;
  const linkMax = options.linkProbabilityMax ?? 0.2;
  const base = { atMs, durationMs };
  const shuffled = () => random.shuffle([...nodes]);
  switch (kind) {
    case 'partition-isolate':
      return random.chance(1, 2) ? { ...base, kind, role: 'leader' } : { ...base, kind, node: random.pick(nodes) };
    case 'partition-halves': {
      const order = shuffled();
      return { ...base, kind, side: order.slice(0, Math.floor(nodes.length / 2)) };
    }
    case 'partition-bridge': {
      const order = shuffled();
      const [bridge, ...rest] = order;
      const half = Math.floor(rest.length / 2);
      return { ...base, kind, bridge: bridge!, left: rest.slice(0, half), right: rest.slice(half) };
    }
    case 'partition-ring':
      return { ...base, kind, order: shuffled() };
    case 'partition-one-way': {
      const order = shuffled();
      const cut = random.range(1, nodes.length - 1);
      return { ...base, kind, from: order.slice(0, cut), to: order.slice(cut) };
    }
    case 'drop':
      return { ...base, kind, probability: probability(random, linkMax) };
    case 'dup':
      return { ...base, kind, probability: probability(random, linkMax) };
    case 'reorder':
      return { ...base, kind, probability: probability(random, linkMax), delayMsMax: random.range(1, 50) };
    case 'delay': {
      const latencyMsMin = random.range(0, 20);
      return { ...base, kind, latencyMsMin, latencyMsMax: latencyMsMin + random.range(0, 100) };
    }
    case 'clog': {
      const [from, to] = shuffled();
      return { ...base, kind, from: from!, to: to! };
    }
    case 'crash':
      return { ...base, kind, ...target(random, nodes), mode: random.chance(1, 2) ? 'lose' : 'tear' };
    case 'pause':
      return { ...base, kind, ...target(random, nodes) };
    case 'clock-offset':
      return { ...base, kind, ...target(random, nodes), offsetMs: random.range(-500, 500) };
    case 'clock-drift':
      return { ...base, kind, ...target(random, nodes), ppm: random.range(-50_000, 50_000) };
    case 'clock-jump':
      return { atMs, kind, ...target(random, nodes), jumpMs: random.range(-2_000, 2_000) };
    case 'disk-corrupt':
    case 'disk-fsync-fail':
    case 'disk-full':
      return { ...base, kind, ...target(random, nodes) };
    case 'disk-stall':
      return { ...base, kind, ...target(random, nodes), stallMs: random.range(10, 500) };
    case 'member-remove':
      return { ...base, kind, node: random.pick(nodes) };
    case 'member-add':
      if (options.spareNodes.length === 0) return null;
      return { atMs, kind, node: random.pick(options.spareNodes) };
    case 'leader-transfer':
      return { atMs, kind, to: random.pick(nodes) };
  }
}

/** A storm at start: this many fault starts, each within this many ms of the one before. */
const START_STORM_SIZE_MIN = 3;
const START_STORM_SIZE_MAX = 8;
const START_STORM_GAP_MS_MAX = 30;
/**
 * What a storm at start draws from (the kinds of each group the run has on; each group equally
 * likely, so the many partition shapes do not crowd out the rest): what goes wrong while a cluster
 * forms is nodes crashing or stalling, nodes being added, and the network splitting, all before a
 * leader has replicated anything. A storm of clock or disk faults alone would not reach those paths.
 */
const START_STORM_GROUPS: readonly (readonly FaultKind[])[] = [
  ['crash'],
  ['pause'],
  ['member-add'],
  ['partition-isolate', 'partition-halves', 'partition-bridge', 'partition-ring', 'partition-one-way'],
];
/** ...each lasting this long (ms): it outlasts the cluster's first elections. */
const START_STORM_DURATION_MS_MIN = 500;
const START_STORM_DURATION_MS_MAX = 5_000;

/**
 * Draws the schedule. Deterministic in the random stream and the options; at most
 * `intensity.eventsMax` events, all starting inside the safety phase, sorted by start time.
 */
export function drawSchedule(random: Random, options: DrawOptions): FaultEvent[] {
  const { intensity } = options;
  if (options.nodes.length === 0) throw new Error('drawSchedule: no nodes');
  const weights = options.weights ?? {};
  const kinds = options.kinds.filter((kind) => (weights[kind] ?? 1) > 0);
  const events: FaultEvent[] = [];
  if (kinds.length === 0 || intensity.eventsMax === 0) return events;
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
  const stormGroups = START_STORM_GROUPS.map((group) => group.filter((kind) => kinds.includes(kind))).filter((group) => group.length > 0);
  if (stormGroups.length === 0) stormLeft = 0;
  while (atMs < options.durationMs && events.length < intensity.eventsMax) {
    const inStorm = stormLeft > 0;
    const kind = pickWeighted(random, inStorm ? random.pick(stormGroups) : kinds, weights);
    const durationMs = inStorm
      ? random.range(START_STORM_DURATION_MS_MIN, START_STORM_DURATION_MS_MAX)
      : random.range(intensity.durationMsMin, intensity.durationMsMax);
    const event = drawEvent(kind, atMs, durationMs, random, options);
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
