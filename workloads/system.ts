// A system under test is one plugin object. Our reference systems register exactly the way a
// user's own system will, so nothing in sim/, faults/, scripts/ or ui/ switches on a system's name.
import type { ClientHost, Host, Message, NodeId, NodeStatus, Process, ProcessFactory, TraceFields } from '../nodes/host.js';
import type { History } from '../histories/schema.js';
import type { CheckerResult } from '../checkers/verdict.js';

export interface PlantedBug {
  /** Full name, prefixed by the system: `raft.stale-local-read`. */
  name: string;
  /** One line: what the change does to the real node. */
  description: string;
}

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
  /** Distinct keys the clients touch. */
  keys: number;
  /** A client waits this long (its own clock) for a reply, then records `info`. */
  timeoutNs: number;
  /** Clients stop invoking at this true time; the run's liveness phase starts after the last fault. */
  stopInvokingAtNs: number;
  /** Percent of ops that only read, for workloads that read; absent keeps the workload's own mix. */
  readPercent?: number;
}

/** One fault action as the runner records it (the store's fault_events row). */
export interface FaultAction {
  /** True time in nanoseconds. */
  time: number;
  /** `<fault kind>.start`, `.stop` or `.skip`, or `heal.start`. */
  kind: string;
  /** What the action hit (`node`, `side`, `from`, ... with node lists comma-joined) and `event`, its index in the schedule. */
  fields: Readonly<Record<string, string | number | boolean | null>>;
}

/** What a checker may know besides the history. */
export interface CheckContext {
  nodes: readonly NodeId[];
  /** True time when the last fault healed (the liveness phase starts), if faults ran. */
  healedAtNs: number | null;
  /** True time the run ended. */
  endNs: number;
  /** The system's election-timeout scale or similar, for liveness bounds. */
  params: Readonly<Record<string, number>>;
  /**
   * The run's fault actions in time order, when the runner knows them. Liveness checks use them to
   * demand progress while only a minority of nodes is faulted; without them, only after the heal.
   */
  faults?: readonly FaultAction[];
}

export interface Workload {
  name: string;
  description: string;
  /** The factory of client number `index` (process name `c${index}`). */
  client(params: WorkloadParams, index: number): ProcessFactory<ClientHost>;
  /** Judges the finished history: linearizability per key, lost elements, liveness, ... */
  check(history: History, context: CheckContext): CheckerResult[];
}

/** One trace event as the World records it: structured, formatted only when shown. */
export interface TraceEvent {
  /** True time in nanoseconds. */
  time: number;
  /** The process it concerns, or null for the world itself (faults). */
  node: NodeId | null;
  kind: string;
  fields?: TraceFields;
}

/** White-box access to the live cluster, for invariant monitors. */
export interface Inspector {
  /** True time now. */
  nowNs(): number;
  /** Node ids that currently exist (sorted). */
  nodes(): readonly NodeId[];
  /** The live process object, or null while it is crashed. Monitors downcast to their node class. */
  process(id: NodeId): Process | null;
  status(id: NodeId): NodeStatus;
}

/**
 * Sees every trace event as it happens and checks invariants across nodes (one leader per term,
 * commit index never moves back, ...). It must not change anything. The first violation is kept.
 */
export interface InvariantMonitor {
  onTrace(event: TraceEvent, inspector: Inspector): void;
  /** Called once at the end of a run; checker name `invariants`. */
  result(): CheckerResult;
}

/** Operations a fault schedule may ask of the system itself, not of the kernel. */
export type AdminAction =
  | { kind: 'add-member'; node: NodeId }
  | { kind: 'remove-member'; node: NodeId }
  | { kind: 'transfer-leader'; to: NodeId };

export interface SystemPlugin {
  name: string;
  description: string;
  /** The server node. Options such as planted bugs come through the host (`host.bug`). */
  node: ProcessFactory<Host>;
  nodes: { default: number; min: number; max: number };
  /** Workloads by name; `defaultWorkload` names one of them. */
  workloads: Readonly<Record<string, Workload>>;
  defaultWorkload: string;
  bugs: readonly PlantedBug[];
  /** Parameters checkers may use (election timeout in ms, ...). */
  params: Readonly<Record<string, number>>;
  invariants?(): InvariantMonitor;
  /**
   * The message that asks the cluster to perform an admin action, and which node to send it to
   * (the runner finds the leader through `status().role`). Null when the system does not support it.
   */
  admin?(action: AdminAction): Message | null;
}
