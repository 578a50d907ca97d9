// Crucible as a library: the one entry module (`import { simulate } from 'crucible'`).
//
// Everything here runs anywhere Node runs: the simulator, the nemesis, the checkers and capsules.
// The run store (better-sqlite3), the terminal viewer (ink, react) and the HTML report are the
// CLI's, never imported from here (api/imports.test.ts proves it). fast-check arbitraries are in
// `crucible/fast-check`, the vitest helpers in `crucible/vitest`.

// Defining a system: the node against the host, its workloads, checkers, bugs and targets.
export type { SystemPlugin, Workload, WorkloadParams, CheckContext, OptionShrink } from '../workloads/system.js';
export type {
  ClientHost,
  ClientRecord,
  CheckerResult,
  Disk,
  FaultAction,
  HistoryRecord,
  Host,
  Inspector,
  InvariantMonitor,
  Message,
  Nanos,
  NodeId,
  NodeStatus,
  PlantedBug,
  Process,
  ProcessFactory,
  Random,
  TimerTag,
  TraceEvent,
  Verdict,
} from '../nodes/host.js';
export { DiskError, MESSAGE_BYTES_MAX, NS_PER_MS, NS_PER_S } from '../nodes/host.js';
export type { History } from '../histories/schema.js';
export type { TargetSets, AnyFaultKind } from '../faults/kind.js';
export { defineSystem } from './define.js';

// Running it.
export { simulate, type ScenarioSpec, type SimulateOptions, type Simulation } from './simulate.js';
export { fuzz, type FuzzFailure, type FuzzOptions, type FuzzReport } from './fuzz.js';
export { replay, type Replay, type ReplayOptions } from './replay.js';
export { replayCommand, saveCapsule, CAPSULE_DIR_DEFAULT } from './capsules.js';
export type { Capsule } from '../scripts/lab/capsule.js';
export type { ExplicitScenario, ScenarioInput } from '../scripts/lab/scenario.js';
export { ScenarioError } from '../scripts/lab/scenario.js';
export type { SystemRef } from './system.js';

// Judging any history.
export { check, CHECKS, type CheckName, type CheckCallOptions } from './check.js';
export { readHistory } from '../histories/detect.js';
export { encodeJsonl, parseJsonl } from '../histories/jsonl.js';
export { checkLiveness, type LivenessOptions } from '../checkers/liveness.js';
export { checkSet } from '../checkers/set.js';
export { checkUniqueIds } from '../checkers/unique-ids.js';
export { checkLog } from '../checkers/log.js';
export { worstVerdict } from '../checkers/verdict.js';
export { ILLEGAL, type Model, type PreparedOp } from '../checkers/model.js';
export type { PairedOp } from '../checkers/paired-ops.js';

// Building blocks: the KV request/retry/de-duplication client and its protocol, the lin-kv workload.
export { KvCaller, defaultCallerConfig, CALLER_TIMER_TAGS, type CallResult, type KvCallerConfig } from '../workloads/kv-caller.js';
export { asKvReply, CAS_MISMATCH, type KvFunction, type KvOp, type KvOutcome, type KvReply, type KvRequest } from '../workloads/kv-protocol.js';
export { opsShare, meanGapNs, spreadGapNs } from '../workloads/pacing.js';
// The lin-kv workload whole, for a system whose nodes speak the KV protocol above.
export { checkLinKv, LIN_KV_SHRINK, linKvClient, linKvOptionsSchema, type LinKvMix } from '../workloads/lin-kv.js';

// Interaction tests of one node: deliver, tick, crash, partition, with expected output you rewrite.
export { Harness, runScript, STABILIZE_MESSAGES_MAX, type HarnessOptions } from './harness.js';
