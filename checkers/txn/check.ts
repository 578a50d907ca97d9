// The transactional checker in the style of Elle: infer dependencies, find the strongly connected
// components, then the shortest cycle of each anomaly class inside each component, and judge the
// consistency models from what was found. A step and edge budget ends the work with `unknown`
// and everything decided so far, never a hang.
import type { History } from '../../histories/schema.js';
import type { CheckerResult } from '../verdict.js';
import { CYCLE_SPECS, CycleSearch } from './cycles.js';
import { explainCycle, type TxnModel } from './explain.js';
import { Findings } from './findings.js';
import { Budget, buildGraph, GraphBuilder, stronglyConnected } from './graph.js';
import { addListAppendEdges } from './list-append.js';
import { judgeModels, MODELS, type ModelName, type ModelVerdicts } from './models.js';
import { addProcessEdges, addRealtimeEdges } from './order-edges.js';
import { addRegisterEdges } from './rw-register.js';
import { readTxns } from './txns.js';
import { CYCLE_CLASSES, NON_CYCLE_CLASSES, PROCESS, REALTIME, DATA, type AnomalyClass, type CycleAnomaly, type OtherAnomaly, type Txn } from './types.js';

export const CHECKER_NAME = 'txn';

export interface TxnCheckOptions {
  model: TxnModel;
  /** The claimed consistency model; the verdict is whether it holds (default strict-serializable). */
  consistency?: ModelName;
  /** Add process and real-time order edges (default true: the session and strong models need them). */
  process?: boolean;
  realtime?: boolean;
  /** rw-register: a write follows the value its transaction read of the key (Elle's wfr-keys). */
  wfr?: boolean;
  /** Search steps before the verdict is unknown. */
  stepsMax?: number;
  /** Edges before the verdict is unknown (the memory bound: about 40 bytes each). */
  edgesMax?: number;
}

export const STEPS_MAX_DEFAULT = 200_000_000;
export const EDGES_MAX_DEFAULT = 50_000_000;
/** Cycles kept per class in the evidence (the class counts components with one). */
export const CYCLES_PER_CLASS_MAX = 4;

export interface TxnEvidence {
  model: TxnModel;
  consistency: ModelName;
  txns: { ok: number; info: number; fail: number };
  edges: number;
  /** Strongly connected components of two or more transactions, and the largest one's size. */
  components: number;
  largestComponent: number;
  /** Count per anomaly class: cycles (one per component and class) and other findings. */
  counts: Partial<Record<AnomalyClass, number>>;
  cycles: CycleAnomaly[];
  others: OtherAnomaly[];
  models: ModelVerdicts;
  /** Set when the budget ended the check: what ran out, and the classes left undecided. */
  exhausted?: { budget: 'steps' | 'edges'; undecided: AnomalyClass[] };
  steps: number;
}

/** Every dependency and order edge of the transactions, and the non-cycle anomalies. */
export function inferDependencies(txns: readonly Txn[], options: TxnCheckOptions): { builder: GraphBuilder; findings: Findings; edgesFit: boolean } {
  const builder = new GraphBuilder(txns.length, options.edgesMax ?? EDGES_MAX_DEFAULT);
  const findings = new Findings();
  let edgesFit =
    options.model === 'list-append' ? addListAppendEdges(txns, builder, findings) : addRegisterEdges(txns, builder, findings, { wfr: options.wfr });
  if (edgesFit && options.process !== false) edgesFit = addProcessEdges(txns, builder);
  if (edgesFit && options.realtime !== false) edgesFit = addRealtimeEdges(txns, builder);
  return { builder, findings, edgesFit };
}

export function checkTxnHistory(history: History, options: TxnCheckOptions): CheckerResult & { evidence: TxnEvidence } {
  const consistency = options.consistency ?? 'strict-serializable';
  const txns = readTxns(history);
  const budget = new Budget(options.stepsMax ?? STEPS_MAX_DEFAULT);
  const useProcess = options.process !== false;
  const useRealtime = options.realtime !== false;
  const { builder, findings, edgesFit } = inferDependencies(txns, options);

  const counts: Partial<Record<AnomalyClass, number>> = {};
  for (const [cls, count] of findings.counts) counts[cls] = count;
  const cycles: CycleAnomaly[] = [];
  const undecided = new Set<AnomalyClass>();
  let components = 0;
  let largestComponent = 0;
  let exhausted: TxnEvidence['exhausted'];
  const specs = CYCLE_SPECS.filter((spec) => (spec.needOrder === PROCESS ? useProcess : spec.needOrder === REALTIME ? useRealtime : true));
  if (!edgesFit) {
    for (const cls of CYCLE_CLASSES) undecided.add(cls);
    exhausted = { budget: 'edges', undecided: [] };
  } else {
    const graph = buildGraph(builder);
    const mask = DATA | (useProcess ? PROCESS : 0) | (useRealtime ? REALTIME : 0);
    const sccs = stronglyConnected(graph, mask, budget);
    if (sccs === null) {
      for (const spec of specs) undecided.add(spec.cls);
    } else {
      components = sccs.length;
      largestComponent = sccs.reduce((max, c) => Math.max(max, c.length), 0);
      const search = new CycleSearch(graph, budget);
      for (const component of sccs) {
        for (const spec of specs) {
          if (budget.exhausted) {
            undecided.add(spec.cls);
            continue;
          }
          const { cycle, complete } = search.find(component, spec);
          if (!complete) undecided.add(spec.cls);
          if (cycle === null) continue;
          counts[spec.cls] = (counts[spec.cls] ?? 0) + 1;
          if (cycles.filter((c) => c.class === spec.cls).length < CYCLES_PER_CLASS_MAX) cycles.push(explainCycle(spec.cls, cycle, graph, txns, options.model));
        }
      }
    }
    if (budget.exhausted) exhausted = { budget: 'steps', undecided: [] };
  }
  if (exhausted !== undefined) exhausted.undecided = [...undecided];
  const found = new Set(Object.keys(counts) as AnomalyClass[]);
  const models = judgeModels(found, undecided);
  const status = models.status[consistency];
  const verdict = status === 'violated' ? 'invalid' : status === 'unknown' ? 'unknown' : 'valid';
  const shown = [...NON_CYCLE_CLASSES, ...CYCLE_CLASSES].filter((cls) => counts[cls] !== undefined);
  const txnCounts = { ok: 0, info: 0, fail: 0 };
  for (const txn of txns) txnCounts[txn.status] += 1;
  const evidence: TxnEvidence = {
    model: options.model,
    consistency,
    txns: txnCounts,
    edges: builder.size,
    components,
    largestComponent,
    counts,
    cycles,
    others: findings.examples,
    models,
    ...(exhausted === undefined ? {} : { exhausted }),
    steps: budget.steps,
  };
  const strongest = models.strongestSatisfied.length === 0 ? 'none' : models.strongestSatisfied.join(', ');
  const what = `${txns.length} ${options.model} txns`;
  const summary =
    verdict === 'valid'
      ? `${what}: ${consistency} holds (strongest models satisfied: ${strongest})`
      : verdict === 'invalid'
        ? `${what}: not ${consistency}: ${MODELS[consistency].forbids.filter((c) => found.has(c)).map((c) => `${c} x${counts[c]}`).join(', ')} (strongest satisfied: ${strongest})`
        : `${what}: ${consistency} unknown, the ${exhausted?.budget ?? 'step'} budget ran out with ${[...undecided].join(', ')} undecided${shown.length > 0 ? `; found ${shown.join(', ')}` : ''}`;
  return { checker: CHECKER_NAME, verdict, summary, evidence };
}
