// Pairs each invoke with its completion, per process, for checkers that reason about whole ops
// (set, liveness). A process has at most one op outstanding, so its next record after an invoke is
// that op's completion; an invoke with none is an op whose outcome is unknown, like `info`.
import type { History, HistoryRecord } from '../histories/schema.js';

export interface PairedOp {
  process: number;
  f: string;
  key: string | undefined;
  /** The invoke's value (a read's is usually null). */
  invokeValue: unknown;
  invokeIndex: number;
  invokeTime: number | undefined;
  /** `info` also for an invoke that never completed. */
  type: 'ok' | 'fail' | 'info';
  /** The completion's value, or the invoke's when there was no completion. */
  value: unknown;
  completeIndex: number | null;
  completeTime: number | undefined;
  node: string | undefined;
}

export interface PairedHistory {
  /** In invoke order. */
  ops: PairedOp[];
  /** What made the history malformed, one line each (at most `PROBLEMS_MAX`). */
  problems: string[];
}

const PROBLEMS_MAX = 20;

export function pairOps(history: History): PairedHistory {
  const ops: PairedOp[] = [];
  const problems: string[] = [];
  const note = (line: string) => {
    if (problems.length < PROBLEMS_MAX) problems.push(line);
  };
  /** The position in `ops` of each process's outstanding op. */
  const open = new Map<number, number>();
  /** Processes whose op ended `info`: by Jepsen's rule they never invoke again. */
  const retired = new Set<number>();
  for (const record of history) {
    if (record.type === 'invoke') {
      if (open.has(record.process)) note(`index ${record.index}: process ${record.process} invokes with an op outstanding`);
      if (retired.has(record.process)) note(`index ${record.index}: process ${record.process} invokes after an info`);
      open.set(record.process, ops.length);
      ops.push(fromInvoke(record));
      continue;
    }
    const position = open.get(record.process);
    if (position === undefined) {
      note(`index ${record.index}: ${record.type} of process ${record.process} with no invoke`);
      continue;
    }
    open.delete(record.process);
    if (record.type === 'info') retired.add(record.process);
    const op = ops[position]!;
    if (op.f !== record.f) note(`index ${record.index}: completion f "${record.f}" differs from invoke f "${op.f}"`);
    op.type = record.type;
    op.value = record.value;
    op.completeIndex = record.index;
    op.completeTime = record.time;
    if (record.node !== undefined) op.node = record.node;
  }
  return { ops, problems };
}

function fromInvoke(record: HistoryRecord): PairedOp {
  return {
    process: record.process,
    f: record.f,
    key: record.key,
    invokeValue: record.value,
    invokeIndex: record.index,
    invokeTime: record.time,
    type: 'info',
    value: record.value,
    completeIndex: null,
    completeTime: undefined,
    node: record.node,
  };
}
