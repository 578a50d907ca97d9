// The list-append workload (Jepsen's): transactions of 1 to 4 micro-ops over a few keys, each an
// append of a unique value or a read of the whole list; keys retire after `LIST_APPEND_WRITES_PER_KEY`
// appends so lists stay short. Judged by the Elle-style checker: the Raft KV claims strict
// serializability (every transaction one log entry, reads by ReadIndex).
import type { History } from '../histories/schema.js';
import type { CheckerResult } from '../checkers/verdict.js';
import { checkTxnHistory } from '../checkers/txn/check.js';
import type { Workload, WorkloadParams } from './system.js';
import { slotPlanner, TXN_LENGTH_MAX, TXN_SHRINK, txnClient, txnOptionsSchema, type TxnPlanner } from './txn-client.js';

export const LIST_APPEND_WRITES_PER_KEY = 16;
/** Search steps of the transactional checker per history, as lin-kv's budget is a tenth of its default. */
export const TXN_CHECK_STEPS_MAX = 20_000_000;

export function listAppendPlanner(params: WorkloadParams, index: number): TxnPlanner {
  return slotPlanner(params, index, 'append', LIST_APPEND_WRITES_PER_KEY);
}

export function checkListAppend(history: History): CheckerResult {
  return checkTxnHistory(history, { model: 'list-append', consistency: 'strict-serializable', stepsMax: TXN_CHECK_STEPS_MAX });
}

export const listAppendWorkload: Workload = {
  name: 'list-append',
  description: `transactions of 1-${TXN_LENGTH_MAX} appends and list reads over a few keys (retired after ${LIST_APPEND_WRITES_PER_KEY} appends); strict serializable, checked Elle's way`,
  options: txnOptionsSchema,
  shrink: TXN_SHRINK,
  client: (params, index) => txnClient(params, index, listAppendPlanner),
  check: (history) => [checkListAppend(history)],
};
