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

/**
 * What can be wrong with the pairing. The first two leave a meaning (the earlier op has no
 * completion, which is what an info op is); the others do not.
 */
export type PairingProblemCode = 'invoke-while-outstanding' | 'invoke-after-info' | 'completion-without-invoke' | 'f-mismatch';

export interface PairingProblem {
  code: PairingProblemCode;
  /** The history index of the record at fault. */
  index: number;
  /** One line for a person. */
  message: string;
}

export interface PairedHistory {
  /** In invoke order. */
  ops: PairedOp[];
  /** What made the history malformed (at most `PROBLEMS_MAX`). */
  problems: PairingProblem[];
}

const PROBLEMS_MAX = 20;

export function pairOps(history: History): PairedHistory {
  const pairer = new OpPairer();
  for (const record of history) pairer.push(record);
  return pairer.finish();
}

/**
 * Pairs records as they come, so a history streamed from a file is never held whole: only its ops
 * are kept (one object per op, where the records were two).
 */
export class OpPairer {
  private readonly ops: PairedOp[] = [];
  private readonly problems: PairingProblem[] = [];
  /** The position in `ops` of each process's outstanding op. */
  private readonly open = new Map<number, number>();
  /** Processes whose op ended `info`: by Jepsen's rule they never invoke again. */
  private readonly retired = new Set<number>();

  push(record: HistoryRecord): void {
    if (record.type === 'invoke') {
      if (this.open.has(record.process)) this.note('invoke-while-outstanding', record.index, `process ${record.process} invokes with an op outstanding`);
      if (this.retired.has(record.process)) this.note('invoke-after-info', record.index, `process ${record.process} invokes after an info`);
      this.open.set(record.process, this.ops.length);
      this.ops.push(fromInvoke(record));
      return;
    }
    const position = this.open.get(record.process);
    if (position === undefined) {
      this.note('completion-without-invoke', record.index, `${record.type} of process ${record.process} with no invoke`);
      return;
    }
    this.open.delete(record.process);
    if (record.type === 'info') this.retired.add(record.process);
    const op = this.ops[position]!;
    if (op.f !== record.f) this.note('f-mismatch', record.index, `completion f "${record.f}" differs from invoke f "${op.f}"`);
    op.type = record.type;
    op.value = record.value;
    op.completeIndex = record.index;
    op.completeTime = record.time;
    if (record.node !== undefined) op.node = record.node;
  }

  /** The ops in invoke order and the problems found. */
  finish(): PairedHistory {
    return { ops: this.ops, problems: this.problems };
  }

  private note(code: PairingProblemCode, index: number, message: string): void {
    if (this.problems.length < PROBLEMS_MAX) this.problems.push({ code, index, message: `index ${index}: ${message}` });
  }
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
