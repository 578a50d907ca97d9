// The rw-register workload (Jepsen's): transactions of 1 to 4 micro-ops over a few keys, each a
// write of a unique value or a read; keys retire after `RW_REGISTER_WRITES_PER_KEY` writes. Judged
// by the Elle-style checker with wfr (a write after a read of the same key in one transaction
// follows what was read), which holds because each transaction is one log entry applied at once.
import type { History } from '../histories/schema.js';
import type { CheckerResult } from '../checkers/verdict.js';
import { checkTxnHistory } from '../checkers/txn/check.js';
import type { Workload, WorkloadParams } from './system.js';
import { TXN_CHECK_STEPS_MAX } from './list-append.js';
import { slotPlanner, TXN_LENGTH_MAX, TXN_SHRINK, txnClient, txnOptionsSchema, type TxnPlanner } from './txn-client.js';

export const RW_REGISTER_WRITES_PER_KEY = 8;

export function rwRegisterPlanner(params: WorkloadParams, index: number): TxnPlanner {
  return slotPlanner(params, index, 'w', RW_REGISTER_WRITES_PER_KEY);
}

export function checkRwRegister(history: History): CheckerResult {
  return checkTxnHistory(history, { model: 'rw-register', consistency: 'strict-serializable', wfr: true, stepsMax: TXN_CHECK_STEPS_MAX });
}

export const rwRegisterWorkload: Workload = {
  name: 'rw-register',
  description: `transactions of 1-${TXN_LENGTH_MAX} register writes (unique values) and reads over a few keys (retired after ${RW_REGISTER_WRITES_PER_KEY} writes); strict serializable, checked Elle's way`,
  options: txnOptionsSchema,
  shrink: TXN_SHRINK,
  client: (params, index) => txnClient(params, index, rwRegisterPlanner),
  check: (history) => [checkRwRegister(history)],
};
