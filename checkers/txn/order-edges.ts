// Process and real-time order edges. History order is real-time order (Jepsen's and ours): T1 ->
// T2 when T1's completion comes before T2's invoke. Only a transitive reduction is kept: a
// transaction that completed is dropped from the frontier once a later completed transaction is
// known to follow it, so the edge count stays near n times the concurrency, not n squared.
import type { GraphBuilder } from './graph.js';
import { PROCESS, REALTIME, type Txn } from './types.js';

/**
 * Consecutive transactions of each process. Aborted ones are skipped (they never happened), and an
 * indeterminate one precedes nothing: it may take effect at any time after its invoke.
 */
export function addProcessEdges(txns: readonly Txn[], builder: GraphBuilder): boolean {
  const last = new Map<number, Txn>();
  for (const txn of txns) {
    if (txn.status === 'fail') continue;
    const previous = last.get(txn.process);
    if (previous !== undefined && !builder.add(previous.id, txn.id, PROCESS)) return false;
    if (txn.status === 'ok') last.set(txn.process, txn);
    else last.delete(txn.process);
  }
  return true;
}

export function addRealtimeEdges(txns: readonly Txn[], builder: GraphBuilder): boolean {
  type Event = { index: number; txn: Txn; complete: boolean };
  const events: Event[] = [];
  for (const txn of txns) {
    if (txn.status === 'fail') continue;
    events.push({ index: txn.invokeIndex, txn, complete: false });
    if (txn.status === 'ok') events.push({ index: txn.completeIndex, txn, complete: true });
  }
  events.sort((a, b) => a.index - b.index);
  let frontier = new Set<number>();
  const before = new Map<number, number[]>();
  for (const event of events) {
    const id = event.txn.id;
    if (!event.complete) {
      const predecessors = [...frontier];
      for (const from of predecessors) if (!builder.add(from, id, REALTIME)) return false;
      if (event.txn.status === 'ok') before.set(id, predecessors);
      continue;
    }
    const predecessors = before.get(id)!;
    before.delete(id);
    if (predecessors.length > 0) {
      const dominated = new Set(predecessors);
      frontier = new Set([...frontier].filter((from) => !dominated.has(from)));
    }
    frontier.add(id);
  }
  return true;
}
