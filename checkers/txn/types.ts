// The shapes the transactional checker works on. A history record with `f: 'txn'` carries a list of
// micro-operations as its value, Jepsen's way: `['append', k, v]`, `['r', k, null | [..]]` for a
// list-append read, `['w', k, v]` and `['r', k, v]` for a register. Keys are compared as strings
// (EDN's 9 and JSON's "9" name the same key).

export type MicroOp =
  | { f: 'append'; key: string; value: Scalar }
  | { f: 'w'; key: string; value: Scalar }
  /** A read: `null` before completion; a list for list-append, a scalar or null for a register. */
  | { f: 'r'; key: string; value: Scalar | Scalar[] | null };

/** An element or register value: what a writer puts and a reader sees. */
export type Scalar = number | string;

/** How a transaction ended: committed, certainly aborted, or unknown. */
export type TxnStatus = 'ok' | 'fail' | 'info';

export interface Txn {
  /** Dense id, from 0, in invoke order; also the node of the dependency graph. */
  id: number;
  process: number;
  status: TxnStatus;
  /** The completion's micro-ops for `ok` (they carry the reads); the invoke's otherwise. */
  ops: MicroOp[];
  /** History index of the invoke and of the completion (-1 when it never completed). */
  invokeIndex: number;
  completeIndex: number;
}

/** Dependency kinds as bits, so an edge carrying several is one edge with several bits. */
export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 8;
export const REALTIME = 16;
export const DATA = WW | WR | RW;

export type EdgeKind = 'ww' | 'wr' | 'rw' | 'process' | 'realtime';

export const KIND_OF_BIT: Record<number, EdgeKind> = { [WW]: 'ww', [WR]: 'wr', [RW]: 'rw', [PROCESS]: 'process', [REALTIME]: 'realtime' };

/**
 * Why one edge exists, enough for a person to check it against the history by hand. `values` are
 * the versions involved: for ww the from-value and the to-value, for wr the value read, for rw the
 * last value the reader saw (null: none) and the value that overwrote it.
 */
export interface EdgeWhy {
  kind: EdgeKind;
  key?: string;
  values?: (Scalar | null)[];
  why: string;
}

/** The anomaly classes this checker names (Adya's and Elle's). */
export const CYCLE_CLASSES = [
  'G0', 'G1c', 'G-single', 'G2-item',
  'G0-process', 'G1c-process', 'G-single-process', 'G2-item-process',
  'G0-realtime', 'G1c-realtime', 'G-single-realtime', 'G2-item-realtime',
] as const;
export type CycleClass = (typeof CYCLE_CLASSES)[number];

export const NON_CYCLE_CLASSES = [
  'G1a', 'G1b', 'lost-update', 'internal', 'duplicate-appends', 'duplicate-elements', 'garbage-read', 'incompatible-order',
] as const;
export type NonCycleClass = (typeof NON_CYCLE_CLASSES)[number];

export type AnomalyClass = CycleClass | NonCycleClass;

export interface TxnRef {
  id: number;
  process: number;
  invokeIndex: number;
  completeIndex: number;
  status: TxnStatus;
  /** The micro-ops as Jepsen prints them, e.g. `[:append 9 2] [:r 8 [1]]`. */
  ops: string;
}

export interface CycleAnomaly {
  class: CycleClass;
  /** Transactions in cycle order; edge i goes from txns[i] to txns[(i + 1) % length]. */
  txns: TxnRef[];
  edges: EdgeWhy[];
  /** The whole cycle as lines a person reads. */
  explanation: string[];
}

export interface OtherAnomaly {
  class: NonCycleClass;
  key: string;
  txns: TxnRef[];
  explanation: string;
}

export type Anomaly = CycleAnomaly | OtherAnomaly;
