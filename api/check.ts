// `check(history, model)`: the lab's generic checkers on any history (one you recorded, one from a
// file, one a simulation returned). A model name picks one; a Model object of your own is checked
// for linearizability with the same search.
import type { CheckerResult } from '../nodes/host.js';
import type { History } from '../histories/schema.js';
import { historyRecordSchema } from '../histories/schema.js';
import { z } from 'zod';
import { checkHistory, toCheckerResult, type CheckOptions } from '../checkers/linearizability.js';
import { models } from '../checkers/models/index.js';
import type { Model } from '../checkers/model.js';
import { checkSet } from '../checkers/set.js';
import { checkUniqueIds } from '../checkers/unique-ids.js';
import { checkLog } from '../checkers/log.js';
import { checkSessions } from '../checkers/session.js';
import { LIN_KV_MODEL } from '../workloads/lin-kv.js';

/** The checkers `check` knows by name, each with what it judges. */
export const CHECKS = {
  kv: 'linearizable key-value store: read, write, cas per key; keys start absent (the lin-kv clients\' histories)',
  register: 'linearizable register: read, write',
  'cas-register': 'linearizable register with compare-and-set: read, write, cas [old new]',
  counter: 'linearizable counter: add n, read',
  queue: 'linearizable FIFO queue: enqueue v, dequeue',
  'set-linearizable': 'linearizable set: add v, read -> the whole set, every read atomic',
  set: 'grow-only set, Jepsen\'s way: add v, read -> elements; lost, unexpected, stale elements (reads need not be atomic)',
  'unique-ids': 'generate -> id; no id returned twice',
  log: 'append-only log: append v (ok value: its offset), read -> the whole log; one order, nothing lost',
  mutex: 'linearizable lock: acquire, release',
  sessions: 'session guarantees per client: read your writes, monotonic reads',
} as const;

export type CheckName = keyof typeof CHECKS;

/** Linearizability models by the names above. */
const LINEARIZABLE: Partial<Record<CheckName, string>> = {
  kv: LIN_KV_MODEL,
  register: 'register',
  'cas-register': 'cas-register',
  counter: 'counter',
  queue: 'queue',
  'set-linearizable': 'set',
  mutex: 'mutex',
};

export interface CheckCallOptions extends Pick<CheckOptions, 'budgetSteps' | 'memoryBytesMax' | 'evidence'> {}

/**
 * Judges `history` (records `{index, process, type, f, value, key?, time?}`, as nodes/host.ts says)
 * with the named checker or your own linearizability Model. The history is validated first: a bad
 * record throws one line naming its index and field. An unknown name throws, listing the known ones.
 */
export function check(history: History, model: CheckName | Model, options: CheckCallOptions = {}): CheckerResult {
  const parsed = z.array(historyRecordSchema).safeParse(history);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [index, ...field] = issue.path;
    throw new TypeError(`check: history[${String(index)}]${field.length > 0 ? `.${field.join('.')}` : ''}: ${issue.message}`);
  }
  if (typeof model !== 'string') return toCheckerResult(checkHistory(history, model, options));
  const linearizable = LINEARIZABLE[model];
  if (linearizable !== undefined) return toCheckerResult(checkHistory(history, models[linearizable]!, options));
  switch (model) {
    case 'set':
      return checkSet(history);
    case 'unique-ids':
      return checkUniqueIds(history);
    case 'log':
      return checkLog(history);
    case 'sessions':
      return checkSessions(history);
    default:
      throw new RangeError(`check: unknown model "${String(model)}" (known: ${Object.keys(CHECKS).join(', ')}; or pass a Model object)`);
  }
}
