// Cycles as a person checks them by hand: each transaction in order, and for each edge the key,
// the values and why the edge exists.
import type { CycleStep } from './cycles.js';
import type { Graph } from './graph.js';
import { nameTxn, txnRef } from './findings.js';
import { showValue } from './txns.js';
import { KIND_OF_BIT, PROCESS, REALTIME, RW, WR, WW, type CycleAnomaly, type CycleClass, type EdgeWhy, type Scalar, type Txn } from './types.js';

export type TxnModel = 'list-append' | 'rw-register';

function explainEdge(step: CycleStep, graph: Graph, txns: readonly Txn[], model: TxnModel): EdgeWhy {
  const b = graph.builder;
  const from = txns[step.from]!;
  const to = txns[step.to]!;
  const key = b.keys[step.edge] ?? undefined;
  const va: Scalar | null = b.valueA[step.edge] ?? null;
  const vb: Scalar | null = b.valueB[step.edge] ?? null;
  const wrote = model === 'list-append' ? 'appended' : 'wrote';
  switch (step.bit) {
    case WW:
      return { kind: 'ww', key, values: [va, vb], why: `${nameTxn(from)} ${wrote} ${showValue(va)} to key ${key}, and ${nameTxn(to)} ${wrote} ${showValue(vb)}, the next version` };
    case WR:
      return { kind: 'wr', key, values: [va], why: `${nameTxn(to)} read ${showValue(va)} of key ${key}, which ${nameTxn(from)} ${wrote}` };
    case RW: {
      const saw = va === null ? 'the initial (empty) state' : `${showValue(va)} as the last version`;
      return { kind: 'rw', key, values: [va, vb], why: `${nameTxn(from)} read key ${key} and saw ${saw}; ${nameTxn(to)} ${wrote} ${showValue(vb)}, a later version` };
    }
    case PROCESS:
      return { kind: 'process', why: `${nameTxn(from)} and then ${nameTxn(to)} ran on process ${from.process}, one after the other` };
    case REALTIME:
      return { kind: 'realtime', why: `${nameTxn(from)} completed at record ${from.completeIndex}, before ${nameTxn(to)} was invoked at record ${to.invokeIndex}` };
    default:
      throw new Error(`explainEdge: edge kind bit ${step.bit} is not one kind`);
  }
}

export function explainCycle(cls: CycleClass, cycle: readonly CycleStep[], graph: Graph, txns: readonly Txn[], model: TxnModel): CycleAnomaly {
  const edges = cycle.map((step) => explainEdge(step, graph, txns, model));
  const members = cycle.map((step) => txns[step.from]!);
  const explanation = [
    `${cls}: a cycle of ${cycle.length} transactions (${edges.map((edge) => edge.kind).join(', ')}), so no order of them explains the history:`,
    ...cycle.map((step, i) => `  ${KIND_OF_BIT[step.bit]}: ${edges[i]!.why}`),
  ];
  return { class: cls, txns: members.map(txnRef), edges, explanation };
}
