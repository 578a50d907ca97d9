// Turns a scenario as written into the explicit scenario a run records: defaults from the system
// filled in, and a drawn schedule (named kinds or swarm mode) replaced by its events. Drawing uses
// streams of its own, so the same (scenario, seed) always yields the same explicit scenario, and
// running the explicit scenario with that seed replays the very same run.
import { pluginFaultCatalog, type SystemPlugin, type Workload } from '../../workloads/system.js';
import { SimRandom } from '../../sim/index.js';
import type { Random } from '../../nodes/host.js';
import type { FaultEvent } from '../../faults/kind.js';
import { DEFAULT_INTENSITY, drawPlan, faultWindows, type DrawnSchedule } from '../../faults/schedule.js';
import { drawSwarm } from '../../faults/swarm.js';
import { CLOCKS_DEFAULT, CLOCKS_NONE, formatPath, isExplicitSchedule, nodeIds, parseFaultEvent, ScenarioError, SHARED_WORKLOAD_FIELDS, type ExplicitScenario, type Scenario } from './scenario.js';

/** Spare ids a cluster always has for `member-add`, even when it starts at the system's largest size. */
const SPARE_IDS_MIN = 2;

/**
 * Spare ids a `member-add` may bring in: up to the system's largest size beyond the start size, and
 * at least SPARE_IDS_MIN (a cluster started at its largest size must still be able to grow: the
 * size limit is about what a run costs, not a limit of the system).
 */
export function spareNodeIds(plugin: SystemPlugin, count: number): string[] {
  const spare: string[] = [];
  const last = Math.max(plugin.nodes.max, count + SPARE_IDS_MIN);
  for (let index = count + 1; index <= last; index++) spare.push(`n${index}`);
  return spare;
}

/**
 * The explicit scenario of `scenario` under `seed` for `plugin`. Throws ScenarioError (naming the
 * field) when the scenario does not fit the system: unknown workload, bug, node count, node ids.
 */
export function explicitScenario(scenario: Scenario, seed: number, plugin: SystemPlugin, source = 'scenario'): ExplicitScenario {
  return explicitPlan(scenario, seed, plugin, source).explicit;
}

/** What a drawn schedule ran under, for the banner: null for a schedule written out event by event. */
export type ScheduleCap = Omit<DrawnSchedule, 'events'> | null;

/** explicitScenario, with the cap its drawn schedule ran under. */
export function explicitPlan(scenario: Scenario, seed: number, plugin: SystemPlugin, source = 'scenario'): { explicit: ExplicitScenario; cap: ScheduleCap } {
  if (!(Number.isSafeInteger(seed) && seed >= 0)) throw new ScenarioError(`${source}: seed must be a non-negative safe integer, got ${seed}`);
  if (scenario.system !== plugin.name) throw new ScenarioError(`${source}: system: scenario is for "${scenario.system}", not "${plugin.name}"`);
  // Swarm mode draws the cluster size too when the scenario leaves it out (an even-sized cluster
  // reaches quorum arithmetic an odd one never does), from a stream of its own.
  const swarmDraw = !isExplicitSchedule(scenario.faults) && scenario.faults.swarm;
  const nodes = scenario.nodes ?? (swarmDraw ? SimRandom.stream(seed, 'swarm.nodes').range(plugin.nodes.min, plugin.nodes.max) : plugin.nodes.default);
  if (nodes < plugin.nodes.min || nodes > plugin.nodes.max) {
    throw new ScenarioError(`${source}: nodes: ${plugin.name} runs with ${plugin.nodes.min} to ${plugin.nodes.max} nodes, not ${nodes}`);
  }
  const workloadName = scenario.workload.name ?? plugin.defaultWorkload;
  if (!Object.hasOwn(plugin.workloads, workloadName)) {
    throw new ScenarioError(`${source}: workload.name: unknown workload "${workloadName}" (expected one of ${Object.keys(plugin.workloads).join(', ')})`);
  }
  if (scenario.bug !== null && !plugin.bugs.some((bug) => bug.name === scenario.bug)) {
    const names = plugin.bugs.map((bug) => bug.name);
    throw new ScenarioError(`${source}: bug: unknown bug "${scenario.bug}" for ${plugin.name} (expected one of ${names.length > 0 ? names.join(', ') : 'none: it has no planted bugs'})`);
  }
  const workload = { ...scenario.workload, name: workloadName, ...workloadOptions(plugin.workloads[workloadName]!, scenario.workload, source) };
  const ids = nodeIds(nodes);
  const spare = spareNodeIds(plugin, nodes);
  const catalog = pluginFaultCatalog(plugin);
  let faults: FaultEvent[];
  let cap: ScheduleCap = null;
  let draw: Exclude<Scenario['faults'], readonly unknown[]> | null = null;
  let swarm = scenario.swarm;
  let faultPoints = scenario.faultPoints;
  if (isExplicitSchedule(scenario.faults)) {
    const known = [...ids, ...spare];
    faults = scenario.faults.map((event, index) => parseFaultEvent(catalog, event, known, index, source));
  } else {
    draw = scenario.faults;
    let kinds;
    try {
      kinds = catalog.expand(draw.kinds);
    } catch (error) {
      throw new ScenarioError(`${source}: faults.kinds: ${(error as Error).message}`);
    }
    kinds = catalog.applicable(kinds, nodes);
    const scheduleRandom = SimRandom.stream(seed, 'faults.schedule');
    const phases = scenario.phases;
    const common = { catalog, nodes: ids, spareNodes: spare, durationMs: scenario.durationMs, ...(phases === undefined ? {} : { phases }) };
    const faultMs = faultWindows(scenario.durationMs, phases).reduce((total, window) => total + window.endMs - window.startMs, 0);
    let plan: DrawnSchedule;
    if (draw.swarm) {
      const drawn = drawSwarm(SimRandom.stream(seed, 'faults.swarm'), kinds, faultMs);
      plan = drawPlan(scheduleRandom, {
        ...common,
        kinds: drawn.kinds,
        weights: drawn.weights,
        intensity: draw.intensity ?? drawn.intensity,
        linkProbabilityMax: drawn.linkProbabilityMax,
        ...(drawn.bursts === undefined ? {} : { bursts: drawn.bursts }),
      });
      swarm = drawn.record;
      faultPoints ??= drawn.faultPoints;
    } else {
      plan = drawPlan(scheduleRandom, { ...common, kinds, intensity: draw.intensity ?? DEFAULT_INTENSITY });
    }
    faults = plan.events;
    cap = { eventsMax: plan.eventsMax, faultMs: plan.faultMs, cappedAtMs: plan.cappedAtMs };
  }
  let livenessFaults: FaultEvent[] | undefined;
  if (scenario.livenessMode === 'core' && plugin.livenessCore === false) {
    throw new ScenarioError(`${source}: livenessMode: ${plugin.name} need not make progress with any minority down (its progress hangs on particular nodes), so "core" does not apply; use "heal-all"`);
  }
  const drawnMode = swarm?.livenessMode as 'heal-all' | 'core' | undefined;
  const livenessMode = scenario.livenessMode ?? (drawnMode === 'core' && plugin.livenessCore === false ? 'heal-all' : drawnMode);
  if (scenario.livenessFaults !== undefined) {
    const known = [...ids, ...spare];
    livenessFaults = scenario.livenessFaults.map((event, index) => parseFaultEvent(catalog, event, known, index, `${source}: livenessFaults`));
  } else if (livenessMode === 'core') {
    livenessFaults = drawCoreFaults(SimRandom.stream(seed, 'faults.liveness'), ids, scenario.durationMs);
  }
  const explicit: ExplicitScenario = {
    version: scenario.version,
    clocks: scenario.clocks ?? (scenario.version === 1 ? CLOCKS_NONE : CLOCKS_DEFAULT),
    system: plugin.name,
    nodes,
    workload,
    durationMs: scenario.durationMs,
    livenessMs: scenario.livenessMs,
    faults,
    bug: scenario.bug,
  };
  if (scenario.stopAtMs !== undefined) explicit.stopAtMs = scenario.stopAtMs;
  if (scenario.bugAtMs !== undefined) explicit.bugAtMs = scenario.bugAtMs;
  if (scenario.phases !== undefined) explicit.phases = scenario.phases;
  if (scenario.checkers !== undefined) explicit.checkers = scenario.checkers;
  if (scenario.network !== undefined) explicit.network = scenario.network;
  if (scenario.disk !== undefined) explicit.disk = scenario.disk;
  if (faultPoints !== undefined) explicit.faultPoints = faultPoints;
  if (swarm !== undefined) explicit.swarm = swarm;
  if (livenessMode !== undefined) explicit.livenessMode = livenessMode;
  if (livenessFaults !== undefined) explicit.livenessFaults = livenessFaults;
  const knobs = scenario.knobs !== undefined ? checkedKnobs(plugin, scenario.knobs, source) : draw?.swarm === true ? drawKnobs(plugin, SimRandom.stream(seed, 'knobs')) : {};
  if (Object.keys(knobs).length > 0) explicit.knobs = knobs;
  return { explicit, cap };
}

/** A scenario's knobs: each one the system declares, within its range. */
function checkedKnobs(plugin: SystemPlugin, given: Readonly<Record<string, number>>, source: string): Record<string, number> {
  const declared = plugin.knobs ?? [];
  const checked: Record<string, number> = {};
  if (Object.keys(given).length > 0 && declared.length > 0 && plugin.nodeWithKnobs === undefined) {
    throw new ScenarioError(`${source}: knobs: ${plugin.name} declares knobs but no nodeWithKnobs to build its node with them`);
  }
  for (const [name, value] of Object.entries(given).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const knob = declared.find((candidate) => candidate.name === name);
    if (knob === undefined) {
      throw new ScenarioError(`${source}: knobs.${name}: ${plugin.name} has no such knob (${declared.length === 0 ? 'it has none' : `it has ${declared.map((k) => k.name).join(', ')}`})`);
    }
    if (value < knob.min || value > knob.max) throw new ScenarioError(`${source}: knobs.${name}: ${value} is outside ${knob.min}..${knob.max}`);
    if (value !== knob.default) checked[name] = value;
  }
  return checked;
}

/**
 * Swarm mode's knobs: each declared knob, with even odds, drawn from its range on a log scale (a
 * power of two of bits, then a value below it: small values, the rare paths, come up as often as
 * large ones), else left at its default. From a stream of its own, so every fault schedule drawn
 * before knobs existed is unchanged.
 */
export function drawKnobs(plugin: SystemPlugin, random: Random): Record<string, number> {
  const knobs: Record<string, number> = {};
  for (const knob of plugin.knobs ?? []) {
    if (!random.chance(1, 2)) continue;
    const span = knob.max - knob.min;
    const bits = random.range(0, Math.ceil(Math.log2(span + 1)));
    const value = knob.min + Math.min(span, random.int(2 ** bits));
    if (value !== knob.default) knobs[knob.name] = value;
  }
  return knobs;
}

/** The scenario's workload options checked by the workload's own schema, defaults filled. */
function workloadOptions(workload: Workload, given: Record<string, unknown>, source: string): Record<string, unknown> {
  const options = Object.fromEntries(Object.entries(given).filter(([field]) => !SHARED_WORKLOAD_FIELDS.includes(field)));
  const schema = workload.options;
  if (schema === undefined) {
    const extra = Object.keys(options);
    if (extra.length === 0) return {};
    throw new ScenarioError(`${source}: workload.${extra[0]}: the ${workload.name} workload takes no option "${extra[0]}" (its fields are ${SHARED_WORKLOAD_FIELDS.join(', ')})`);
  }
  const result = schema.safeParse(options);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    throw new ScenarioError(`${source}: workload.${issue.keys[0]}: the ${workload.name} workload has no option "${issue.keys[0]}"`);
  }
  throw new ScenarioError(`${source}: ${formatPath(['workload', ...issue.path])}: ${issue.message}`);
}

/**
 * The liveness core's faults: the largest minority of the starting cluster, drawn, either crashed
 * (each node) or cut off together, from the heal to the end of the run.
 */
export function drawCoreFaults(random: Random, nodes: readonly string[], atMs: number): FaultEvent[] {
  const minority = random.shuffle([...nodes]).slice(0, Math.floor((nodes.length - 1) / 2));
  if (minority.length === 0) return [];
  if (random.chance(1, 2)) return [{ atMs, kind: 'partition-halves', side: minority.sort() }];
  return minority.sort().map((node) => ({ atMs, kind: 'crash', node, mode: random.chance(1, 2) ? 'lose' : 'tear' }));
}
