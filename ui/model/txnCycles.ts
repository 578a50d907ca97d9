// Transactional evidence (the Elle-style checker's, checkers/txn/) read back from a stored run, for
// the report's cycle drawings and the viewer's list: each anomaly's transactions in cycle order and,
// for each edge, its kind, key, values and why. Read defensively: a stored run is JSON from anywhere.

export interface TxnView {
  id: number;
  process: number;
  /** History index of its invoke, to link back to the op. */
  invokeIndex: number | undefined;
  status: string;
  ops: string;
}

export interface TxnEdgeView {
  kind: string;
  key: string | undefined;
  values: string | undefined;
  why: string;
}

export interface TxnCycleView {
  /** Anomaly class: G0, G1c, G-single, G2-item and their -process and -realtime variants. */
  cls: string;
  /** Edge i goes from txns[i] to txns[(i + 1) % length]. */
  txns: TxnView[];
  edges: TxnEdgeView[];
  explanation: string[];
}

/** Cycles drawn per violation at most; the rest are counted. */
export const CYCLES_SHOWN_MAX = 6;

function object(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function txnOf(raw: unknown): TxnView | null {
  const txn = object(raw);
  if (txn === null || typeof txn.id !== 'number' || typeof txn.process !== 'number') return null;
  return {
    id: txn.id,
    process: txn.process,
    invokeIndex: typeof txn.invokeIndex === 'number' ? txn.invokeIndex : undefined,
    status: typeof txn.status === 'string' ? txn.status : 'ok',
    ops: typeof txn.ops === 'string' ? txn.ops : '',
  };
}

function edgeOf(raw: unknown): TxnEdgeView | null {
  const edge = object(raw);
  if (edge === null || typeof edge.kind !== 'string') return null;
  return {
    kind: edge.kind,
    key: typeof edge.key === 'string' ? edge.key : undefined,
    values: Array.isArray(edge.values) ? edge.values.map((value) => (value === null ? 'nil' : String(value))).join(' -> ') : undefined,
    why: typeof edge.why === 'string' ? edge.why : '',
  };
}

/** The cycles of transactional evidence, or null when the evidence has another shape. */
export function readTxnCycles(evidence: unknown): TxnCycleView[] | null {
  const root = object(evidence);
  if (root === null || !Array.isArray(root.cycles) || typeof root.model !== 'string') return null;
  const cycles: TxnCycleView[] = [];
  for (const raw of root.cycles) {
    const cycle = object(raw);
    if (cycle === null || typeof cycle.class !== 'string' || !Array.isArray(cycle.txns) || !Array.isArray(cycle.edges)) continue;
    const txns = cycle.txns.map(txnOf);
    const edges = cycle.edges.map(edgeOf);
    // A cycle whose parts do not read is left out rather than drawn wrong.
    if (txns.some((txn) => txn === null) || edges.some((edge) => edge === null) || txns.length !== edges.length || txns.length === 0) continue;
    const explanation = Array.isArray(cycle.explanation) ? cycle.explanation.filter((line): line is string => typeof line === 'string') : [];
    cycles.push({ cls: cycle.class, txns: txns as TxnView[], edges: edges as TxnEdgeView[], explanation });
  }
  return cycles;
}

/** One line naming the cycle: `G-single: T3 -rw(x)-> T5 -wr(y)-> T3`. */
export function cycleLine(cycle: TxnCycleView): string {
  const parts = [`T${cycle.txns[0]!.id}`];
  cycle.edges.forEach((edge, index) => {
    const next = cycle.txns[(index + 1) % cycle.txns.length]!;
    parts.push(`-${edge.kind}${edge.key === undefined ? '' : `(${edge.key})`}-> T${next.id}`);
  });
  return `${cycle.cls}: ${parts.join(' ')}`;
}
