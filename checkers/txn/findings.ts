// Non-cycle anomalies as they are found, with a cap per class so a history with a million garbage
// reads still gives a short report (the counts stay exact).
import { showOps } from './txns.js';
import type { NonCycleClass, OtherAnomaly, Txn, TxnRef } from './types.js';

/** Examples kept per class; `counts` has them all. */
export const EXAMPLES_PER_CLASS_MAX = 8;

export function txnRef(txn: Txn): TxnRef {
  return { id: txn.id, process: txn.process, invokeIndex: txn.invokeIndex, completeIndex: txn.completeIndex, status: txn.status, ops: showOps(txn.ops) };
}

/** `T3 (process 2, records 30-31)`: how a person finds a transaction in the file. */
export function nameTxn(txn: Txn): string {
  const records = txn.completeIndex < 0 ? `record ${txn.invokeIndex}, never completed` : `records ${txn.invokeIndex}-${txn.completeIndex}`;
  return `T${txn.id} (process ${txn.process}, ${records}${txn.status === 'ok' ? '' : `, ${txn.status}`})`;
}

export class Findings {
  readonly counts = new Map<NonCycleClass, number>();
  readonly examples: OtherAnomaly[] = [];

  add(cls: NonCycleClass, key: string, txns: Txn[], explanation: string): void {
    const count = (this.counts.get(cls) ?? 0) + 1;
    this.counts.set(cls, count);
    if (count <= EXAMPLES_PER_CLASS_MAX) this.examples.push({ class: cls, key, txns: txns.map(txnRef), explanation });
  }
}
