// fast-check arbitraries for Crucible (`import { scenarioArb } from 'crucible/fast-check'`):
// fault schedules, workload settings and whole scenarios, built from fast-check's own parts, so
//
//     fc.assert(fc.property(scenarioArb(system), (s) => simulate(s).valid))
//
// shrinks with fast-check's machinery (fewer fault events, earlier and shorter ones, fewer ops and
// clients, smaller seeds), and the counterexample prints as its replay command and capsule.
import fc from 'fast-check';
import type { FaultEvent } from '../faults/kind.js';
import { SimRandom } from '../sim/random.js';
import { pluginFaultCatalog, type SystemPlugin } from '../workloads/system.js';
import { spareNodeIds } from '../scripts/lab/explicit.js';
import { nodeIds } from '../scripts/lab/scenario.js';
import { simulate, type ScenarioSpec, type Simulation } from './simulate.js';
import { systemOf, type SystemRef } from './system.js';
import { CAPSULE_DIR_DEFAULT } from './capsules.js';

export interface FaultScheduleOptions {
  /** Fault kinds or groups (`partition`, `process`, `all`, a system's own), as `--faults` takes them. Default `all`. */
  kinds?: readonly string[];
  /** The safety phase the events fall in (default 10 000 ms, the scenario default). */
  durationMs?: number;
  /** Cluster size the events are drawn for (default: the system's default). */
  nodes?: number;
  /** Events at most (default 8). */
  eventsMax?: number;
  /** Shortest and longest fault, in ms (default 200 and 3 000, the drawer's defaults). */
  lengthMs?: { min: number; max: number };
}

/** Largest drop, duplicate or reorder probability an event draws, as the seeded drawer does. */
const LINK_PROBABILITY_MAX = 0.5;

/**
 * A list of explicit fault events of `system`'s kinds. Each event is made by its kind's own drawer
 * from (time, length, a draw seed), so every event is valid for the kind; fast-check shrinks the
 * list, the times, the lengths and the kind choice.
 */
export function faultScheduleArb(system: SystemRef, options: FaultScheduleOptions = {}): fc.Arbitrary<FaultEvent[]> {
  const plugin = systemOf(system);
  const catalog = pluginFaultCatalog(plugin);
  const nodeCount = options.nodes ?? plugin.nodes.default;
  const kinds = catalog.expand([...(options.kinds ?? ['all'])]).map((name) => catalog.kind(name)).filter((kind) => kind.nodesMin <= nodeCount);
  if (kinds.length === 0) throw new RangeError(`faultScheduleArb: no fault kind of ${plugin.name} applies to ${nodeCount} nodes among ${(options.kinds ?? ['all']).join(',')}`);
  const durationMs = options.durationMs ?? 10_000;
  const length = options.lengthMs ?? { min: 200, max: 3_000 };
  const context = { nodes: nodeIds(nodeCount), spareNodes: spareNodeIds(plugin, nodeCount), targets: plugin.targets?.names ?? [], linkProbabilityMax: LINK_PROBABILITY_MAX };
  const event = fc
    .record({
      atMs: fc.integer({ min: 1, max: Math.max(1, durationMs - 1) }),
      kind: fc.integer({ min: 0, max: kinds.length - 1 }),
      lengthMs: fc.integer({ min: length.min, max: length.max }),
      draw: fc.nat({ max: 0xffff }),
    })
    .map(({ atMs, kind, lengthMs, draw }) => kinds[kind]!.draw(new SimRandom(`fast-check:${draw}`), atMs, lengthMs, context) as FaultEvent | null);
  return fc
    .array(event, { maxLength: options.eventsMax ?? 8 })
    .map((events) => events.filter((drawn): drawn is FaultEvent => drawn !== null).sort((a, b) => a.atMs - b.atMs));
}

export interface WorkloadArbOptions {
  /** A workload of the system (default: its default workload). */
  name?: string;
  clients?: { min: number; max: number };
  opsMax?: { min: number; max: number };
  /** Arbitraries for the workload's own options (`{ keys: fc.integer({ min: 1, max: 4 }) }`). */
  options?: Record<string, fc.Arbitrary<unknown>>;
}

/** A scenario's `workload` field: clients, op budget, and the workload's own options you give arbitraries for. */
export function workloadArb(system: SystemRef, options: WorkloadArbOptions = {}): fc.Arbitrary<NonNullable<ScenarioSpec['workload']>> {
  const plugin = systemOf(system);
  const name = options.name ?? plugin.defaultWorkload;
  if (plugin.workloads[name] === undefined) throw new RangeError(`workloadArb: ${plugin.name} has no workload "${name}" (it has ${Object.keys(plugin.workloads).join(', ')})`);
  return fc
    .record({
      clients: fc.integer({ min: options.clients?.min ?? 1, max: options.clients?.max ?? 4 }),
      opsMax: fc.integer({ min: options.opsMax?.min ?? 1, max: options.opsMax?.max ?? 200 }),
      own: fc.record(options.options ?? {}),
    })
    .map(({ clients, opsMax, own }) => ({ name, clients, opsMax, ...own }));
}

export interface ScenarioArbOptions {
  /** The planted bug to switch on (default none). */
  bug?: string | null;
  /** Fault kinds or groups (default `all`). */
  faults?: readonly string[];
  durationMs?: number;
  eventsMax?: number;
  workload?: WorkloadArbOptions;
  /** Largest seed drawn (default 2^31 - 1). */
  seedMax?: number;
  /** Where the counterexample's capsule goes when it is printed (default `.crucible/capsules`). */
  capsules?: string;
  /** The plugin module relative to the project, recorded in the capsule. */
  module?: string;
}

/** One generated case: `simulate(s)` runs it (writing no capsule while fast-check shrinks). */
export interface ScenarioCase {
  system: SystemPlugin;
  seed: number;
  scenario: ScenarioSpec;
  capsules: false;
  module?: string;
}

/**
 * Whole cases `{ system, seed, scenario }` for `simulate`. Printed (as fast-check prints a
 * counterexample), a case runs once more, writes its capsule and reads as its replay command, the
 * checkers' complaint, and the capsule's scenario.
 */
export function scenarioArb(system: SystemRef, options: ScenarioArbOptions = {}): fc.Arbitrary<ScenarioCase> {
  const plugin = systemOf(system);
  const durationMs = options.durationMs ?? 10_000;
  return fc
    .record({
      seed: fc.nat({ max: options.seedMax ?? 0x7fffffff }),
      faults: faultScheduleArb(plugin, { kinds: options.faults ?? ['all'], durationMs, eventsMax: options.eventsMax ?? 8 }),
      workload: workloadArb(plugin, options.workload ?? {}),
    })
    .map(({ seed, faults, workload }) => makeCase(plugin, seed, { durationMs, faults, workload, bug: options.bug ?? null }, options));
}

function makeCase(plugin: SystemPlugin, seed: number, scenario: ScenarioSpec, options: ScenarioArbOptions): ScenarioCase {
  const value: ScenarioCase = { system: plugin, seed, scenario, capsules: false, ...(options.module === undefined ? {} : { module: options.module }) };
  Object.defineProperty(value, fc.toStringMethod, { enumerable: false, value: () => describeCase(value, options.capsules ?? CAPSULE_DIR_DEFAULT) });
  return value;
}

/** The case as a person wants to read it in a failed property: replay command first. */
export function describeCase(value: ScenarioCase, capsules: string = CAPSULE_DIR_DEFAULT): string {
  let run: Simulation;
  try {
    run = simulate({ ...value, capsules });
  } catch (error) {
    return `${value.system.name} seed ${value.seed} (could not run: ${(error as Error).message}) ${JSON.stringify(value.scenario)}`;
  }
  const head = run.repro === null ? `${value.system.name} seed ${value.seed}: ${run.verdict}` : `${run.repro}  # ${run.summary}`;
  return `${head}\ncapsule ${run.capsuleFile ?? '(valid: none written)'}: ${JSON.stringify({ system: value.system.name, seed: value.seed, scenario: run.scenario })}`;
}
