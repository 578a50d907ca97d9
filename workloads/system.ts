// A system under test is one plugin object. Our reference systems register exactly the way a
// user's own system will, so nothing in sim/, faults/, scripts/ or ui/ switches on a system's name.
import type { z } from 'zod';
import type { ClientHost, FaultAction, Host, Inspector, InvariantMonitor, NodeId, NodeStatus, PlantedBug, ProcessFactory, TraceEvent } from '../nodes/host.js';
import type { AnyFaultKind, TargetSets } from '../faults/kind.js';
import { faultCatalog, type FaultCatalog } from '../faults/catalog.js';

// Declared once in nodes/host.ts, where nodes can see them too.
export type { FaultAction, Inspector, InvariantMonitor, PlantedBug, TraceEvent };
import type { History } from '../histories/schema.js';
import type { CheckerResult } from '../nodes/host.js';

/** What a workload's clients are told. Every number is explicit so a scenario file can say it. */
export interface WorkloadParams {
  /** The cluster's node ids at start. */
  nodes: readonly NodeId[];
  /** Client processes; each is a process on the network (`c0`, `c1`, ...). */
  clients: number;
  /** Upper bound on operations invoked over the whole run, all clients together. */
  opsMax: number;
  /** Target operations per simulated second, all clients together. */
  opsPerSecond: number;
  /** A client waits this long (its own clock) for a reply, then records `info`. */
  timeoutNs: number;
  /** Clients stop invoking at this true time; the run's liveness phase starts after the last fault. */
  stopInvokingAtNs: number;
  /** The workload's own options (keys, read mix, topics, tenants, ...), as its `options` schema parsed them. */
  options: Readonly<Record<string, unknown>>;
}

/** What a checker may know besides the history. */
export interface CheckContext {
  nodes: readonly NodeId[];
  /** True time when the last fault healed (the liveness phase starts), if faults ran. */
  healedAtNs: number | null;
  /** True time the run ended. */
  endNs: number;
  /** What the workload's clients were told (op timeout, clients, rate, ...), for bounds in client terms. */
  workload?: Readonly<WorkloadParams>;
  /** The plugin's own `params`, for its checkers' bounds. */
  params: Readonly<Record<string, number>>;
  /**
   * The run's fault actions in time order, when the runner knows them. Liveness checks use them to
   * demand progress while only a minority of nodes is faulted; without them, only after the heal.
   */
  faults?: readonly FaultAction[];
  /**
   * Repeating phases' quiet windows before the last heal (true time, sorted): each opens with a heal
   * and must show progress as the liveness phase must. Absent: the run had one fault window.
   */
  quietWindows?: readonly { startNs: number; endNs: number }[];
}

/**
 * An option the shrinker may move toward a simpler value: a count toward its floor (`keys` toward
 * 1), or, with `sideways`, a change of mix that makes every op count (`readPercent` to 0: reads
 * left out), tried under other seeds too because the run then fails at another pace.
 */
export interface OptionShrink {
  field: string;
  /** The simplest value. */
  floor: number;
  /** What an absent value counts as when runs are compared by size. */
  absentAs: number;
  sideways?: boolean;
  /** How a step reads in the shrink log (`keys`, `reads left out`). */
  label: string;
}

export interface Workload {
  name: string;
  description: string;
  /**
   * The workload's own options, the fields of a scenario's `workload` beyond the shared ones
   * (name, clients, opsMax, opsPerSecond, timeoutMs): a strict zod object with its defaults.
   * Absent: the workload takes none, and any such field is an error.
   */
  options?: z.ZodType<Record<string, unknown>>;
  /** Options the shrinker may simplify, simplest-first. */
  shrink?: readonly OptionShrink[];
  /** The factory of client number `index` (process name `c${index}`). */
  client(params: WorkloadParams, index: number): ProcessFactory<ClientHost>;
  /** Judges the finished history: linearizability per key, lost elements, liveness, ... */
  check(history: History, context: CheckContext): CheckerResult[];
}

/**
 * A setting of the system's nodes that the lab may vary, as FoundationDB randomises its knobs: an
 * integer in [min, max] (a flag is 0 or 1). Swarm mode draws them per seed; a scenario may fix them
 * (`knobs`); the shrinker moves each back to its default. Only settings under which every checker
 * still holds belong here: a knob that trades safety away (lease reads under pauses) is a bug, not a knob.
 */
export interface Knob {
  name: string;
  description: string;
  default: number;
  min: number;
  max: number;
}

export interface SystemPlugin {
  name: string;
  description: string;
  /** The server node. Options such as planted bugs come through the host (`host.bug`). */
  node: ProcessFactory<Host>;
  /** The system's knobs (see Knob), and the node built with some of them set (the rest at default). */
  knobs?: readonly Knob[];
  nodeWithKnobs?(values: Readonly<Record<string, number>>): ProcessFactory<Host>;
  nodes: { default: number; min: number; max: number };
  /** Workloads by name; `defaultWorkload` names one of them. */
  workloads: Readonly<Record<string, Workload>>;
  defaultWorkload: string;
  bugs: readonly PlantedBug[];
  /** Parameters checkers may use (election timeout in ms, ...). */
  params: Readonly<Record<string, number>>;
  invariants?(): InvariantMonitor;
  /**
   * The system's named target sets (Raft: `leader`, `follower`), which targeted faults may aim at
   * by `role`; resolved from the nodes' own status when a fault starts. Absent: node ids only.
   */
  targets?: TargetSets;
  /**
   * The system's own fault kinds (membership changes, leadership moves, rebalances), drawn and
   * applied like the kernel's; their names must not collide with the kernel's.
   */
  faultKinds?: readonly AnyFaultKind[];
  /**
   * Whether a cluster is ready to take clients, from the statuses its nodes report (a real cluster
   * waits for this after `cluster up` and after faults; Raft: some node leads). Absent: every node
   * answered and none is down.
   */
  ready?(statuses: Readonly<Record<NodeId, NodeStatus>>): boolean;
  /**
   * Whether the system must make progress with any minority of its nodes down (the liveness core
   * mode demands it). False for a system whose progress hangs on particular nodes: a key's N
   * replicas of a quorum store, the store nodes behind a cache. Absent: true. Swarm then draws
   * `heal-all` for it, and a scenario asking for `core` is refused.
   */
  livenessCore?: boolean;
}

/** The plugin's readiness rule, or the default one: every node answered and none is down. */
export function clusterReady(plugin: Pick<SystemPlugin, 'ready'>, statuses: Readonly<Record<NodeId, NodeStatus>>): boolean {
  if (plugin.ready !== undefined) return plugin.ready(statuses);
  return Object.values(statuses).every((status) => status.down === undefined);
}

/** The fault kinds a run of `plugin` may use: the kernel's, then the system's own, with its targets. */
export function pluginFaultCatalog(plugin: Pick<SystemPlugin, 'faultKinds' | 'targets'>): FaultCatalog {
  return faultCatalog(plugin.faultKinds ?? [], plugin.targets);
}

/**
 * Options for a workload from what a command line gives (`--keys`): parsed by the workload's own
 * schema, keeping only the fields it declares; a workload without options gets none.
 */
export function workloadOptions(workload: Workload, given: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const schema = workload.options;
  if (schema === undefined) return {};
  const declared = 'shape' in schema && typeof schema.shape === 'object' && schema.shape !== null ? Object.keys(schema.shape) : Object.keys(given);
  return schema.parse(Object.fromEntries(Object.entries(given).filter(([field]) => declared.includes(field))));
}
