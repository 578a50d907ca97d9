// Turns a scenario as written into the explicit scenario a run records: defaults from the system
// filled in, and a drawn schedule (named kinds or swarm mode) replaced by its events. Drawing uses
// streams of its own, so the same (scenario, seed) always yields the same explicit scenario, and
// running the explicit scenario with that seed replays the very same run.
import type { SystemPlugin } from '../workloads/system.js';
import { SimRandom } from '../sim/index.js';
import { expandFaultList, isTargeted, type FaultEvent } from './events.js';
import { isExplicitSchedule, nodeIds, ScenarioError, type ExplicitScenario, type Scenario } from './scenario.js';
import { applicableKinds, DEFAULT_INTENSITY, DEFAULT_WEIGHTS, drawSchedule } from './schedule.js';
import { drawSwarm } from './swarm.js';

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

function checkEvents(events: readonly FaultEvent[], known: readonly string[], source: string): void {
  events.forEach((event, index) => {
    const fields = event as Record<string, unknown>;
    const named: string[] = [];
    for (const key of ['node', 'to', 'from', 'bridge'] as const) {
      const value = fields[key];
      if (typeof value === 'string') named.push(value);
      if (Array.isArray(value)) named.push(...(value as string[]));
    }
    for (const key of ['side', 'left', 'right', 'order'] as const) {
      const value = fields[key];
      if (Array.isArray(value)) named.push(...(value as string[]));
    }
    const unknown = named.find((id) => !known.includes(id));
    if (unknown !== undefined) {
      throw new ScenarioError(`${source}: faults[${index}]: node "${unknown}" is not in this cluster (nodes are ${known.join(', ')})`);
    }
    if (isTargeted(event.kind) && fields.node === undefined && fields.role === undefined) {
      throw new ScenarioError(`${source}: faults[${index}].node: give a node id or a role`);
    }
  });
}

/**
 * The explicit scenario of `scenario` under `seed` for `plugin`. Throws ScenarioError (naming the
 * field) when the scenario does not fit the system: unknown workload, bug, node count, node ids.
 */
export function explicitScenario(scenario: Scenario, seed: number, plugin: SystemPlugin, source = 'scenario'): ExplicitScenario {
  if (!(Number.isSafeInteger(seed) && seed >= 0)) throw new ScenarioError(`${source}: seed must be a non-negative safe integer, got ${seed}`);
  if (scenario.system !== plugin.name) throw new ScenarioError(`${source}: system: scenario is for "${scenario.system}", not "${plugin.name}"`);
  const nodes = scenario.nodes ?? plugin.nodes.default;
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
  const ids = nodeIds(nodes);
  const spare = spareNodeIds(plugin, nodes);
  const hasAdmin = plugin.admin !== undefined;
  let faults: FaultEvent[];
  let swarm = scenario.swarm;
  let faultPoints = scenario.faultPoints;
  if (isExplicitSchedule(scenario.faults)) {
    faults = scenario.faults;
    checkEvents(faults, [...ids, ...spare], source);
  } else {
    const draw = scenario.faults;
    let kinds;
    try {
      kinds = expandFaultList(draw.kinds);
    } catch (error) {
      throw new ScenarioError(`${source}: faults.kinds: ${(error as Error).message}`);
    }
    kinds = applicableKinds(kinds, nodes, hasAdmin);
    const scheduleRandom = SimRandom.stream(seed, 'faults.schedule');
    const common = { nodes: ids, spareNodes: spare, durationMs: scenario.durationMs };
    if (draw.swarm) {
      const drawn = drawSwarm(SimRandom.stream(seed, 'faults.swarm'), kinds);
      faults = drawSchedule(scheduleRandom, {
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
      faults = drawSchedule(scheduleRandom, { ...common, kinds, weights: DEFAULT_WEIGHTS, intensity: draw.intensity ?? DEFAULT_INTENSITY });
    }
  }
  const explicit: ExplicitScenario = {
    version: scenario.version,
    system: plugin.name,
    nodes,
    workload: { ...scenario.workload, name: workloadName },
    durationMs: scenario.durationMs,
    livenessMs: scenario.livenessMs,
    faults,
    bug: scenario.bug,
  };
  if (scenario.stopAtMs !== undefined) explicit.stopAtMs = scenario.stopAtMs;
  if (scenario.checkers !== undefined) explicit.checkers = scenario.checkers;
  if (scenario.network !== undefined) explicit.network = scenario.network;
  if (scenario.disk !== undefined) explicit.disk = scenario.disk;
  if (faultPoints !== undefined) explicit.faultPoints = faultPoints;
  if (swarm !== undefined) explicit.swarm = swarm;
  return explicit;
}
