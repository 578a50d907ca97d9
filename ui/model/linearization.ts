// What the linearizability checker found, laid out for a person: for the failing key, the ops in
// the order the checker linearized them, each with a linearization point inside its own interval
// (the instant it took effect, as Porcupine draws it), the model state before and after each step,
// and the op it got stuck on. It also names the ops that made a stale read stale. Pure: built from
// the evidence and the timeline, nothing else.
import type { EvidenceOp, Violation } from './evidence.js';
import type { RunModel } from './run.js';
import { formatValue, opAtIndex, type TimelineOp } from './timeline.js';

export interface LinearizationStep {
  /** 1-based position in the linearization. */
  step: number;
  op: TimelineOp;
  stateBefore: string | null;
  stateAfter: string | null;
  /** The instant the op takes effect: inside [invoke, complete], never before the previous point. */
  pointNs: number;
}

export interface StuckOp {
  op: TimelineOp;
  stateBefore: string | null;
  reason: string | null;
}

export interface KeyLinearization {
  key: string | null;
  model: string | null;
  steps: LinearizationStep[];
  stuck: StuckOp[];
  /** The state the model was left in, where the checker got stuck. */
  stuckState: string | null;
  /** Every op on the key (any outcome), for the per-key lanes; ascending by id. */
  keyOps: TimelineOp[];
}

export interface Staleness {
  /** The stuck op, a read whose value the model could no longer produce. */
  read: TimelineOp;
  /** The op whose value it returned (null when that value was never written: absent, or unknown). */
  wroteIt: TimelineOp | null;
  /** Ops that changed the state after that value and completed before the read began: they made it stale. */
  overwrittenBy: TimelineOp[];
  /** One sentence a person reads first. */
  sentence: string;
}

/** Values a model renders for a register that was never written. */
const ABSENT_STATES = new Set(['absent', 'null', 'nil', 'undefined', '']);

/** The value an op shows: what a read returned, what a write or cas asked for. */
export function shownValue(op: Pick<TimelineOp, 'f' | 'value' | 'result' | 'outcome'>): unknown {
  return op.outcome === 'ok' && op.result !== undefined && (op.value === null || op.value === undefined) ? op.result : op.value;
}

/** A value as the report labels it: `null (absent)` when a read found nothing, never blank. */
export function valueLabel(value: unknown, widthMax = 24): string {
  if (value === null) return 'null (absent)';
  if (value === undefined) return 'absent';
  return formatValue(value, widthMax);
}

function opOf(model: RunModel, evidence: EvidenceOp): TimelineOp | null {
  if (evidence.invokeIndex === undefined) return null;
  const id = opAtIndex(model.timeline, evidence.invokeIndex);
  return id === null ? null : model.timeline.ops[id]!;
}

/** True when a model state shows the value `value` (the read could have been placed there). */
export function stateShows(state: string | null, value: unknown): boolean {
  if (state === null) return false;
  if (value === null || value === undefined) return ABSENT_STATES.has(state.toLowerCase());
  return state === formatValue(value, 10_000);
}

/** The linearization of the first violation that has the linearizability shape, or null. */
export function keyLinearization(model: RunModel, violation: Violation | undefined = model.violations.find((v) => v.linearizability !== null)): KeyLinearization | null {
  const lin = violation?.linearizability ?? null;
  if (lin === null) return null;
  const steps: LinearizationStep[] = [];
  let previousNs = -Infinity;
  for (const evidence of lin.prefix) {
    const op = opOf(model, evidence);
    if (op === null) continue;
    const end = op.completeNs ?? model.timeline.endNs;
    const pointNs = Math.min(end, Math.max(op.invokeNs, previousNs));
    previousNs = pointNs;
    steps.push({ step: steps.length + 1, op, stateBefore: evidence.stateBefore ?? null, stateAfter: null, pointNs });
  }
  for (let i = 0; i < steps.length; i++) steps[i]!.stateAfter = steps[i + 1]?.stateBefore ?? lin.stateAfterPrefix ?? null;
  const stuck: StuckOp[] = [];
  for (const evidence of lin.stuck) {
    const op = opOf(model, evidence);
    if (op === null) continue;
    const raw = (violation!.evidence as { stuck?: { reason?: unknown }[] } | null)?.stuck?.find((item) => (item as { invokeIndex?: number }).invokeIndex === evidence.invokeIndex);
    stuck.push({ op, stateBefore: evidence.stateBefore ?? lin.stateAfterPrefix ?? null, reason: typeof raw?.reason === 'string' ? raw.reason : null });
  }
  const key = lin.key ?? stuck[0]?.op.key ?? null;
  const keyOps = key === null ? [...new Set([...steps.map((s) => s.op), ...stuck.map((s) => s.op)])].sort((a, b) => a.id - b.id) : model.timeline.ops.filter((op) => op.key === key);
  return { key, model: lin.model ?? null, steps, stuck, stuckState: lin.stateAfterPrefix ?? null, keyOps };
}

/**
 * Why a stuck read is stale: the last step whose state showed the value it returned, the op that
 * put that value there, and the state changes after it that completed before the read was invoked
 * (so any linearization must place them first). Null when the stuck op is not a read of a value the
 * linearization once held, or nothing overwrote it.
 */
export function staleness(lin: KeyLinearization): Staleness | null {
  const first = lin.stuck[0];
  if (first === undefined || first.op.outcome !== 'ok') return null;
  const read = first.op;
  const value = shownValue(read);
  // The last point of the linearization where the read's value was the state.
  let last = -1;
  for (let i = 0; i < lin.steps.length; i++) if (stateShows(lin.steps[i]!.stateAfter, value)) last = i;
  const initiallyShown = lin.steps.length > 0 && stateShows(lin.steps[0]!.stateBefore, value);
  if (last === -1 && !initiallyShown) return null;
  // The op that put the value there: the last state change at or before that point.
  let wrote = last;
  while (wrote >= 0 && lin.steps[wrote]!.stateBefore === lin.steps[wrote]!.stateAfter) wrote--;
  const wroteIt = wrote === -1 ? null : lin.steps[wrote]!.op;
  const overwrittenBy = lin.steps
    .slice(last + 1)
    .filter((step) => step.stateBefore !== step.stateAfter && step.op.completeNs !== null && step.op.completeNs <= read.invokeNs)
    .map((step) => step.op);
  if (overwrittenBy.length === 0) return null;
  const name = (op: TimelineOp): string => `p${op.process} ${op.f} ${valueLabel(shownValue(op), 40)} (op #${op.invokeIndex}${op.node !== undefined ? ` on ${op.node}` : ''})`;
  const ms = (ns: number): string => `${(ns / 1_000_000).toFixed(3)}ms`;
  const origin = wroteIt === null ? 'the initial state' : name(wroteIt);
  const over = overwrittenBy.map((op) => `${name(op)}, completed at ${ms(op.completeNs!)}`).join('; ');
  const sentence =
    `p${read.process} ${read.f}${read.key !== undefined ? ` ${read.key}` : ''} returned ${valueLabel(value, 40)} at ${ms(read.invokeNs)}${read.node !== undefined ? ` from ${read.node}` : ''}, ` +
    `the value of ${origin}; but ${over} before that read began, so the read is stale.`;
  return { read, wroteIt, overwrittenBy, sentence };
}
