// Turns a history (invoke/completion records) into operations laid out in lanes, the one model the
// terminal viewer and the HTML report both draw. It works on any history in our schema, including
// imported Jepsen and Porcupine histories, so it tolerates gaps (no times, unpaired records) and
// counts them instead of throwing.
import type { HistoryRecord } from '../../histories/schema.js';

/** How an operation ended; `pending` never completed within the history. */
export type OpOutcome = 'ok' | 'fail' | 'info' | 'pending';

export interface TimelineOp {
  /** Position in `Timeline.ops` (ordered by invoke index). */
  id: number;
  process: number;
  lane: number;
  f: string;
  key?: string;
  /** The value the client asked with. */
  value: unknown;
  /** The value the completion carried (what a read returned); undefined while pending. */
  result: unknown;
  outcome: OpOutcome;
  invokeIndex: number;
  completeIndex: number | null;
  /** Time of the invoke; history index when the history has no times (see `Timeline.timeUnit`). */
  invokeNs: number;
  /** Time of the completion, or null while pending. */
  completeNs: number | null;
  /** The node that served it, from the completion (or the invoke) record. */
  node?: string;
}

export interface Lane {
  lane: number;
  /** Processes that ran in this lane, one after another, in order. */
  processes: number[];
}

export interface Timeline {
  ops: TimelineOp[];
  lanes: Lane[];
  /** Per lane, op ids in invoke order; the ops of one lane never overlap in time. */
  laneOps: number[][];
  /** `ns` when records carry times; `index` when times are absent and history indexes stand in. */
  timeUnit: 'ns' | 'index';
  startNs: number;
  endNs: number;
  /** Op ids in the order they completed, so ascending in completion index. */
  completionOrder: number[];
  /** Records that could not be paired (a completion without an open invoke, a second invoke). */
  anomalies: number;
}

/** Most ops a timeline holds; far above any run we make, it bounds memory for a hostile file. */
export const TIMELINE_OPS_MAX = 5_000_000;

/** Builds the timeline of a history; records must be in index order. */
export function buildTimeline(history: readonly HistoryRecord[]): Timeline {
  const timeUnit: 'ns' | 'index' = history.length > 0 && history.every((record) => record.time !== undefined) ? 'ns' : 'index';
  const timeOf = (record: HistoryRecord): number => (timeUnit === 'ns' ? record.time! : record.index);
  const ops: TimelineOp[] = [];
  const completionOrder: number[] = [];
  const open = new Map<number, TimelineOp>();
  let anomalies = 0;
  let previousIndex = -1;
  for (const record of history) {
    if (record.index <= previousIndex) throw new Error(`history record index ${record.index} follows ${previousIndex}: records must be in increasing index order`);
    previousIndex = record.index;
    if (record.type === 'invoke') {
      const earlier = open.get(record.process);
      if (earlier !== undefined) anomalies++; // The earlier op stays pending: the history never closed it.
      if (ops.length >= TIMELINE_OPS_MAX) throw new Error(`history has more than ${TIMELINE_OPS_MAX} operations`);
      const op: TimelineOp = {
        id: ops.length,
        process: record.process,
        lane: -1,
        f: record.f,
        value: record.value,
        result: undefined,
        outcome: 'pending',
        invokeIndex: record.index,
        completeIndex: null,
        invokeNs: timeOf(record),
        completeNs: null,
      };
      if (record.key !== undefined) op.key = record.key;
      if (record.node !== undefined) op.node = record.node;
      ops.push(op);
      open.set(record.process, op);
    } else {
      const op = open.get(record.process);
      if (op === undefined) {
        anomalies++;
        continue;
      }
      open.delete(record.process);
      op.outcome = record.type;
      op.result = record.value;
      op.completeIndex = record.index;
      op.completeNs = Math.max(timeOf(record), op.invokeNs);
      completionOrder.push(op.id);
      if (record.node !== undefined) op.node = record.node;
      if (op.key === undefined && record.key !== undefined) op.key = record.key;
    }
  }
  const startNs = ops.length > 0 ? ops[0]!.invokeNs : 0;
  let endNs = startNs;
  for (const record of history) endNs = Math.max(endNs, timeOf(record));
  const { lanes, laneOps } = assignLanes(ops);
  return { ops, lanes, laneOps, timeUnit, startNs, endNs, completionOrder, anomalies };
}

/**
 * Packs processes into lanes: a process takes the lowest lane whose previous process has finished
 * all its ops, so a run whose clients crash (each `info` starts a new process) keeps about as many
 * lanes as it has clients, the way Jepsen draws process p in lane p mod concurrency.
 */
function assignLanes(ops: TimelineOp[]): { lanes: Lane[]; laneOps: number[][] } {
  interface Life {
    process: number;
    first: number;
    last: number;
  }
  const lives = new Map<number, Life>();
  for (const op of ops) {
    const end = op.completeIndex ?? Number.POSITIVE_INFINITY;
    const life = lives.get(op.process);
    if (life === undefined) lives.set(op.process, { process: op.process, first: op.invokeIndex, last: end });
    else life.last = Math.max(life.last, end);
  }
  // Map insertion order is the order of first invokes, which is deterministic.
  const laneEnds: number[] = [];
  const lanes: Lane[] = [];
  const laneOfProcess = new Map<number, number>();
  for (const life of lives.values()) {
    let lane = laneEnds.findIndex((end) => end < life.first);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(life.last);
      lanes.push({ lane, processes: [] });
    } else {
      laneEnds[lane] = life.last;
    }
    lanes[lane]!.processes.push(life.process);
    laneOfProcess.set(life.process, lane);
  }
  // Lanes in process order (the lane of process 0 first), not in the order lanes were opened.
  const order = lanes.map((lane) => lane.lane).sort((a, b) => lanes[a]!.processes[0]! - lanes[b]!.processes[0]!);
  const renumber = new Map(order.map((old, index) => [old, index]));
  const sorted = order.map((old, index) => ({ lane: index, processes: lanes[old]!.processes }));
  lanes.length = 0;
  lanes.push(...sorted);
  const laneOps: number[][] = lanes.map(() => []);
  for (const op of ops) {
    op.lane = renumber.get(laneOfProcess.get(op.process)!)!;
    laneOps[op.lane]!.push(op.id);
  }
  return { lanes, laneOps };
}

/**
 * The op a history index belongs to (its invoke or its completion), or null. Two binary searches:
 * ops ascend by invoke index, `completionOrder` by completion index.
 */
export function opAtIndex(timeline: Timeline, index: number): number | null {
  const { ops, completionOrder } = timeline;
  let low = 0;
  let high = ops.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const at = ops[middle]!.invokeIndex;
    if (at === index) return middle;
    if (at < index) low = middle + 1;
    else high = middle - 1;
  }
  low = 0;
  high = completionOrder.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const id = completionOrder[middle]!;
    const at = ops[id]!.completeIndex!;
    if (at === index) return id;
    if (at < index) low = middle + 1;
    else high = middle - 1;
  }
  return null;
}

/**
 * The op of `lane` still running when op `row` is invoked (invoked before it, completed after its
 * invoke), or null. History indexes decide, not times, so ops at equal times are ordered exactly.
 * Binary search over the lane's ops: drawing a window of rows costs rows x lanes x log(ops).
 */
export function opRunningAt(timeline: Timeline, lane: number, row: TimelineOp): TimelineOp | null {
  const ids = timeline.laneOps[lane];
  if (ids === undefined || ids.length === 0) return null;
  // The last op of the lane invoked before `row`: ids ascend within a lane.
  let low = 0;
  let high = ids.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (ids[middle]! < row.id) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  if (found === -1) return null;
  const op = timeline.ops[ids[found]!]!;
  if (op.completeIndex === null || op.completeIndex > row.invokeIndex) return op;
  return null;
}

/** The first op whose invoke is at or after `t` (ops.length when none). */
export function firstOpAtOrAfter(timeline: Timeline, t: number): number {
  let low = 0;
  let high = timeline.ops.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (timeline.ops[middle]!.invokeNs < t) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A value as short text: strings bare, everything else as JSON, cut to `widthMax` characters. */
export function formatValue(value: unknown, widthMax = 40): string {
  let text: string;
  if (value === undefined) text = '';
  else if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > widthMax ? `${text.slice(0, Math.max(0, widthMax - 1))}…` : text;
}

/** One line describing an op: `p3 write k1 5 -> ok`, `p1 read k2 -> ok 7`. */
export function describeOp(op: TimelineOp, widthMax = 40): string {
  const parts = [`p${op.process}`, op.f];
  if (op.key !== undefined) parts.push(op.key);
  // A read invokes with null: saying so is noise.
  const value = op.value === null ? '' : formatValue(op.value, widthMax);
  if (value !== '') parts.push(value);
  parts.push('->', op.outcome);
  if (op.outcome !== 'pending') {
    const result = formatValue(op.result, widthMax);
    if (result !== '' && result !== value) parts.push(result);
  }
  return parts.join(' ');
}

/** Time as a person reads it: `12.345ms` for ns timelines, `#12` for index timelines. */
export function formatTime(t: number, unit: 'ns' | 'index'): string {
  if (unit === 'index') return `#${t}`;
  return `${(t / 1_000_000).toFixed(3)}ms`;
}

/** True when the op's text (process, f, key, values, outcome, node) contains `query`, ignoring case. */
export function opMatches(op: TimelineOp, query: string): boolean {
  const needle = query.trim().toLowerCase();
  if (needle === '') return false;
  const text = `${describeOp(op, 200)} ${op.node ?? ''} #${op.invokeIndex}`.toLowerCase();
  return text.includes(needle);
}
