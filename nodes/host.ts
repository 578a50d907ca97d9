// The host interface: everything a node (or a client process) may touch.
//
// A node is a state machine. The host calls its handlers one at a time; the node acts only through
// the host. The simulator (sim/) and the TCP host (scripts/) both implement this file, so one node
// class runs unchanged in both. Nothing here may return a Promise: durability and time come back as
// handler calls, never as awaited I/O.

/** A process name on the network: a node (`n1`) or a client (`c3`). */
export type NodeId = string;

/** Integer nanoseconds. Virtual in the simulator, real under the TCP host. */
export type Nanos = number;

export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;

/**
 * A message on the wire. It must survive `JSON.stringify`/`JSON.parse` unchanged (plain objects,
 * arrays, strings, finite numbers, booleans, null), because the TCP host frames it as JSON. The
 * simulator does not copy messages: a receiver must treat what it gets as read-only.
 */
export type Message = unknown;

/**
 * The largest message, in bytes of its JSON (UTF-8), that a host carries: the TCP host refuses to
 * frame a larger one and the simulator drops it the same way, so a design that needs bigger
 * messages (a large fetch) fails in simulation exactly as it would for real.
 */
export const MESSAGE_BYTES_MAX = 4 * 1024 * 1024;

/** Timer tags are small and structured so the simulator can store them without formatting. */
export type TimerTag = string | number;

export type TimerId = number;

/**
 * The node's own random stream, derived from (root seed, stream name) in the simulator. Integer
 * first: decisions should be exact, not float comparisons.
 */
export interface Random {
  /** A uniform integer in [0, bound). `bound` is a positive safe integer. */
  int(bound: number): number;
  /** A uniform integer in [min, max], both inclusive. */
  range(min: number, max: number): number;
  /** True with probability numerator / denominator. */
  chance(numerator: number, denominator: number): boolean;
  /** A uniform element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** Shuffles in place (Fisher-Yates) and returns the same array. */
  shuffle<T>(items: T[]): T[];
  /** A float in [0, 1). Prefer the integer calls for decisions. */
  float(): number;
}

export type DiskErrorCode = 'ENOSPC' | 'EIO' | 'ENOENT';

/** Thrown by disk calls that fail synchronously (disk full, missing file). */
export class DiskError extends Error {
  constructor(
    readonly code: DiskErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DiskError';
  }
}

/**
 * Named files. Writes land in a volatile cache at once (a read sees them); only `fsync` makes them
 * durable. On a crash, whatever of a file was written since its last completed fsync may vanish or
 * be torn. `fsync` completes later, as a call to the node's `onFsync` with the same tag; a node must
 * not send anything that depends on durability before that call says `ok`.
 *
 * Reads may return corrupted bytes while a disk fault is active: a serious node checksums its data.
 */
export interface Disk {
  /** The whole file, or null when it does not exist. The caller must not mutate the result. */
  read(name: string): Uint8Array | null;
  /** Replaces the whole file's contents. */
  write(name: string, data: Uint8Array): void;
  /** Appends to the end of the file (creates it when missing). */
  append(name: string, data: Uint8Array): void;
  /** Cuts the file to `sizeBytes`. */
  truncate(name: string, sizeBytes: number): void;
  /** Atomically renames; the rename itself is durable only after an fsync of `to`. */
  rename(from: string, to: string): void;
  delete(name: string): void;
  /** File names, sorted. */
  list(): string[];
  size(name: string): number;
  /** Starts an fsync of one file; completion arrives as `onFsync(tag, ok)`. */
  fsync(name: string, tag: TimerTag): void;
}

/** Structured trace fields: kept as values, formatted only when someone looks. */
export type TraceFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Host {
  /** This process's id. */
  readonly id: NodeId;
  /** The ids of the cluster's nodes (servers), this one included when it is a member. Sorted. */
  peers(): readonly NodeId[];
  /**
   * The servers the cluster is being created with, when this start is this node's first start as
   * one of them; empty on every other start (a restart, or a node added to a running cluster).
   * A system writes its initial membership from this, once. Hosts whose peer list never changes
   * (the TCP host) may leave it out: their `peers()` is then the initial membership.
   */
  founding?(): readonly NodeId[];
  /**
   * The node's wall clock: nanoseconds since the cluster's epoch (the run's start in the
   * simulator, the cluster's start for real; an epoch of our own keeps the value a safe integer)
   * as this machine believes it: skewed from true time, drifting, jumping under clock faults, and
   * never below 0. It survives restarts (it is the machine's clock, not the process's). Use it for
   * timestamps other nodes compare (last-writer-wins, lease expiry stamped in a message), knowing
   * it can be wrong and can go back.
   */
  wallNow(): Nanos;
  /**
   * The process's monotonic clock: elapsed time since this process started, at the machine's
   * clock rate (drift stretches it), never moved by an offset or a jump, never going back. Timers
   * count on it. Meaningless across restarts and across nodes: use it for timeouts only.
   */
  monotonicNow(): Nanos;
  /** Fire and forget; the network decides delivery. */
  send(to: NodeId, message: Message): void;
  /** A timer that fires `onTimer(tag)` after `delay` of this node's monotonic clock. */
  setTimer(delay: Nanos, tag: TimerTag): TimerId;
  cancelTimer(id: TimerId): void;
  readonly disk: Disk;
  readonly random: Random;
  /** A structured trace event, kept in the run's trace. `kind` is a short stable word. */
  log(kind: string, fields?: TraceFields): void;
  /**
   * A fault point in the spirit of FoundationDB's BUGGIFY: "inject a rare path here?". Answers from
   * the node's random stream in simulation when fault points are enabled; always false for real.
   */
  faultPoint(name: string): boolean;
  /** Planted bugs switched on for this run, by full name (`raft.stale-local-read`). */
  bug(name: string): boolean;
}

/**
 * What a node reports about itself: `down` when it refuses to serve (for example a corrupted log;
 * it says why), and any fields of the system's own (Raft reports `role` and `term`, a quorum store
 * its ring epoch). Shared code reads only `down`; the plugin reads the rest to resolve its fault
 * targets, and viewers show them as they are.
 */
export interface NodeStatus {
  down?: string;
  readonly [field: string]: string | number | boolean | null | undefined;
}

/** A process run by a host: a server node or a client. */
export interface Process {
  /** Fresh start or restart after a crash: the process reads its disk here. */
  start(): void;
  onMessage(from: NodeId, message: Message): void;
  onTimer(tag: TimerTag): void;
  onFsync(tag: TimerTag, ok: boolean): void;
  /** Cheap, side-effect free. */
  status?(): NodeStatus;
}

export type ProcessFactory<H extends Host = Host> = (host: H) => Process;

/** One history record as a client reports it; the host adds index and true time. */
export interface ClientRecord {
  process: number;
  type: 'invoke' | 'ok' | 'fail' | 'info';
  f: string;
  value: unknown;
  key?: string;
  node?: NodeId;
}

/** Clients are processes on the network too, with one more power: recording the history. */
export interface ClientHost extends Host {
  /** Appends a history record stamped with true time (the simulator's, not this client's clock). */
  record(record: ClientRecord): void;
  /** Says this client has finished its workload. */
  done(): void;
}

/** One history record as the host keeps it: the client's record plus its index and true time. */
export interface HistoryRecord {
  /** Position in the history, from 0, strictly increasing. */
  index: number;
  process: number;
  type: 'invoke' | 'ok' | 'fail' | 'info';
  f: string;
  value: unknown;
  key?: string;
  /** Nanoseconds from run start (virtual in the simulator). Absent when the source had none. */
  time?: number;
  node?: NodeId;
}

/** One trace event: structured, formatted only when shown. Kept by the World and by the TCP host. */
export interface TraceEvent {
  /** True time in nanoseconds. */
  time: number;
  /** The process it concerns, or null for the world itself (faults). */
  node: NodeId | null;
  kind: string;
  fields?: TraceFields;
}

/** The fields of a recorded fault action: what it hit, with node lists comma-joined. */
export type FaultFields = Record<string, string | number | boolean | null>;

/**
 * One fault action as a run records it (the store's fault_events row, a checker's context, the
 * viewer's fault bands): `<fault kind>.start`, `.stop` or `.skip`, or `heal.start`.
 */
export interface FaultAction {
  /** True time in nanoseconds. */
  time: number;
  kind: string;
  /**
   * What the action hit (`node`, `side`, `from`, ...), `event` (its index in the schedule) and
   * `touched`: the nodes it faulted, comma-joined, so nobody needs a list of which kinds touch what.
   */
  fields: Readonly<FaultFields>;
}

/** A checker's verdict; a run's is the worst of its checkers' (invalid > unknown > valid). */
export type Verdict = 'valid' | 'invalid' | 'unknown';

/**
 * What every checker returns, and what the store keeps of it. A checker reads a history (from
 * anywhere: our runs, Jepsen, Porcupine, a real cluster) and says valid, invalid or unknown, with
 * evidence a person can read. (checkers/verdict.ts re-exports it with the helpers around it.)
 */
export interface CheckerResult {
  /** Stable checker name: `linearizable`, `set`, `liveness`, `invariants`, ... */
  checker: string;
  verdict: Verdict;
  /** One line a person reads first: what was checked and what broke. */
  summary: string;
  /** Structured, JSON-serialisable evidence; its shape belongs to the checker. */
  evidence?: unknown;
  /**
   * What it judges: `safety` (nothing bad happened; the default) or `progress` (something good did
   * happen in time). A run cut short is judged for safety only, and a shrink keeps a safety
   * violation over a progress one (a stall is often a consequence; the safety violation is the finding).
   */
  property?: 'safety' | 'progress';
}

/** A planted bug: a real change to the real node, switched on by name through `host.bug`. */
export interface PlantedBug {
  /** Full name, prefixed by the system: `raft.stale-local-read`. */
  name: string;
  /** One line: what the change does to the real node. */
  description: string;
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
