// Reads the checkers' evidence into one shape the viewer and the report draw. The linearizability
// checker's evidence (a failing part's key, its longest linearizable prefix and the ops that cannot
// follow it, each with the model state before) gets its own picture; any other checker's evidence is
// shown as pretty JSON, and any history indexes it names are highlighted on the timeline.
import type { StoredCheckerResult } from '../../histories/store.js';

/** One op as the evidence names it; every field is optional because sources differ. */
export interface EvidenceOp {
  /** History index of the invoke (or the op's only index). */
  invokeIndex?: number;
  completeIndex?: number;
  process?: number;
  f?: string;
  key?: string;
  value?: unknown;
  result?: unknown;
  outcome?: string;
  invokeNs?: number;
  completeNs?: number;
  /** The model state before this op, rendered by the model (`3`, `{x: 1}`). */
  stateBefore?: string;
}

export interface LinearizabilityEvidence {
  key?: string;
  model?: string;
  /** The longest linearizable prefix, in linearization order. */
  prefix: EvidenceOp[];
  /** The ops that cannot be placed after the prefix. */
  stuck: EvidenceOp[];
  /** The model state at the end of the prefix, when given. */
  stateAfterPrefix?: string;
}

export interface Violation {
  checker: string;
  verdict: 'invalid' | 'unknown';
  summary: string;
  /** Set when the evidence has the linearizability shape. */
  linearizability: LinearizabilityEvidence | null;
  /** History indexes to highlight: the offending ops first (the stuck ops, or what the evidence names). */
  indexes: number[];
  evidence: unknown;
}

/** Evidence objects are walked to this depth and this many nodes at most, to stay cheap on big JSON. */
const WALK_DEPTH_MAX = 6;
const WALK_NODES_MAX = 50_000;
/** Most indexes highlighted per violation. */
export const HIGHLIGHTS_MAX = 10_000;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function numberField(object: Json, names: readonly string[]): number | undefined {
  for (const name of names) {
    const value = object[name];
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  }
  return undefined;
}

function stringField(object: Json, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = object[name];
    if (typeof value === 'string') return value;
    if (value !== undefined && value !== null && (typeof value === 'number' || typeof value === 'boolean')) return String(value);
  }
  return undefined;
}

function renderState(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Reads one op of the evidence; nested `op` objects (`{op: {...}, stateBefore}`) are merged. */
export function readEvidenceOp(raw: unknown): EvidenceOp | null {
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return { invokeIndex: raw };
  if (!isObject(raw)) return null;
  const source: Json = isObject(raw.op) ? { ...raw.op, ...raw, op: undefined } : raw;
  const op: EvidenceOp = {};
  const invokeIndex = numberField(source, ['invokeIndex', 'invoke', 'index', 'call', 'invokeIdx']);
  if (invokeIndex !== undefined) op.invokeIndex = invokeIndex;
  const completeIndex = numberField(source, ['completeIndex', 'complete', 'returnIndex', 'completeIdx', 'return']);
  if (completeIndex !== undefined) op.completeIndex = completeIndex;
  const process = numberField(source, ['process', 'client', 'clientId']);
  if (process !== undefined) op.process = process;
  const f = stringField(source, ['f', 'fn', 'op', 'kind']);
  if (f !== undefined) op.f = f;
  const key = stringField(source, ['key']);
  if (key !== undefined) op.key = key;
  if ('value' in source) op.value = source.value;
  if ('result' in source) op.result = source.result;
  else if ('output' in source) op.result = source.output;
  const outcome = stringField(source, ['type', 'outcome', 'status']);
  if (outcome !== undefined) op.outcome = outcome;
  const invokeNs = numberField(source, ['invokeNs', 'invokeTime', 'invokeTimeNs', 'time', 'start']);
  if (invokeNs !== undefined) op.invokeNs = invokeNs;
  const completeNs = numberField(source, ['completeNs', 'completeTime', 'completeTimeNs', 'end']);
  if (completeNs !== undefined) op.completeNs = completeNs;
  const stateBefore = renderState(source.stateBefore ?? source.state ?? source.modelState ?? source.before);
  if (stateBefore !== undefined) op.stateBefore = stateBefore;
  if (op.invokeIndex === undefined && op.f === undefined && op.process === undefined) return null;
  return op;
}

function readOps(value: unknown): EvidenceOp[] {
  if (!Array.isArray(value)) return [];
  const ops: EvidenceOp[] = [];
  for (const item of value) {
    const op = readEvidenceOp(item);
    if (op !== null) ops.push(op);
  }
  return ops;
}

const PREFIX_FIELDS = ['prefix', 'longestPrefix', 'linearizablePrefix', 'longestLinearizablePrefix', 'linearized', 'linearization'];
const STUCK_FIELDS = ['stuck', 'cannotFollow', 'blocked', 'unplaceable', 'next', 'offending', 'failing', 'candidates', 'cannotLinearize', 'notLinearizable'];

/** Finds the object of the evidence that carries a prefix and the stuck ops, however deep (bounded). */
function findLinearizability(evidence: unknown): LinearizabilityEvidence | null {
  let visited = 0;
  const walk = (value: unknown, depth: number): LinearizabilityEvidence | null => {
    if (depth > WALK_DEPTH_MAX || visited++ > WALK_NODES_MAX) return null;
    if (Array.isArray(value)) {
      for (const item of value) {
        const found = walk(item, depth + 1);
        if (found !== null) return found;
      }
      return null;
    }
    if (!isObject(value)) return null;
    const prefixField = PREFIX_FIELDS.find((name) => Array.isArray(value[name]));
    const stuckField = STUCK_FIELDS.find((name) => Array.isArray(value[name]));
    if (prefixField !== undefined && stuckField !== undefined) {
      const found: LinearizabilityEvidence = { prefix: readOps(value[prefixField]), stuck: readOps(value[stuckField]) };
      const key = stringField(value, ['key', 'part']);
      if (key !== undefined) found.key = key;
      const model = stringField(value, ['model']);
      if (model !== undefined) found.model = model;
      const state = renderState(value.stateAfterPrefix ?? value.state ?? value.finalState);
      if (state !== undefined) found.stateAfterPrefix = state;
      return found;
    }
    for (const name of Object.keys(value)) {
      const found = walk(value[name], depth + 1);
      if (found !== null) return found;
    }
    return null;
  };
  return walk(evidence, 0);
}

/** History indexes an evidence object names: fields called `indexes`/`index`/`invokeIndex`/... */
export function indexesNamed(evidence: unknown): number[] {
  const found: number[] = [];
  let visited = 0;
  const add = (value: unknown): void => {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && found.length < HIGHLIGHTS_MAX) found.push(value);
  };
  const walk = (value: unknown, depth: number): void => {
    if (depth > WALK_DEPTH_MAX || visited++ > WALK_NODES_MAX) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1);
      return;
    }
    if (!isObject(value)) return;
    for (const name of Object.keys(value)) {
      const field = value[name];
      if (/^(indexes|indices|historyIndexes|opIndexes)$/.test(name) && Array.isArray(field)) for (const item of field) add(item);
      else if (/^(index|invokeIndex|completeIndex)$/.test(name)) add(field);
      else walk(field, depth + 1);
    }
  };
  walk(evidence, 0);
  return found;
}

function unique(numbers: number[]): number[] {
  return [...new Set(numbers)].sort((a, b) => a - b);
}

/** The violations of a run: every checker that did not say valid, invalid ones first. */
export function violationsOf(checkers: readonly StoredCheckerResult[]): Violation[] {
  const violations: Violation[] = [];
  for (const result of checkers) {
    if (result.verdict === 'valid') continue;
    const linearizability = findLinearizability(result.evidence);
    let indexes: number[] = [];
    if (linearizability !== null && linearizability.stuck.length > 0) {
      for (const op of linearizability.stuck) {
        if (op.invokeIndex !== undefined) indexes.push(op.invokeIndex);
        if (op.completeIndex !== undefined) indexes.push(op.completeIndex);
      }
    } else {
      indexes = indexesNamed(result.evidence);
    }
    violations.push({
      checker: result.checker,
      verdict: result.verdict,
      summary: result.summary,
      linearizability,
      indexes: unique(indexes).slice(0, HIGHLIGHTS_MAX),
      evidence: result.evidence,
    });
  }
  // Invalid before unknown; within each, the checkers' own order.
  return [...violations.filter((v) => v.verdict === 'invalid'), ...violations.filter((v) => v.verdict === 'unknown')];
}

/** Pretty JSON of any evidence, cut to `linesMax` lines. */
export function prettyEvidence(evidence: unknown, linesMax: number): string[] {
  if (evidence === undefined) return ['(no evidence)'];
  let text: string;
  try {
    text = JSON.stringify(evidence, null, 2) ?? String(evidence);
  } catch {
    text = String(evidence);
  }
  const lines = text.split('\n');
  if (lines.length <= linesMax) return lines;
  return [...lines.slice(0, linesMax), `… ${lines.length - linesMax} more lines`];
}

/** One line for an evidence op: `#12 p1 read k1 -> ok 3 [1.200-1.450ms]`. */
export function describeEvidenceOp(op: EvidenceOp, widthMax = 40): string {
  const parts: string[] = [];
  if (op.invokeIndex !== undefined) parts.push(`#${op.invokeIndex}`);
  if (op.process !== undefined) parts.push(`p${op.process}`);
  if (op.f !== undefined) parts.push(op.f);
  if (op.key !== undefined) parts.push(op.key);
  const value = shortJson(op.value, widthMax);
  if (value !== '') parts.push(value);
  if (op.outcome !== undefined || op.result !== undefined) {
    parts.push('->');
    if (op.outcome !== undefined) parts.push(op.outcome);
    const result = shortJson(op.result, widthMax);
    if (result !== '') parts.push(result);
  }
  if (op.invokeNs !== undefined) {
    const end = op.completeNs !== undefined ? `-${(op.completeNs / 1_000_000).toFixed(3)}` : '';
    parts.push(`[${(op.invokeNs / 1_000_000).toFixed(3)}${end}ms]`);
  }
  return parts.join(' ');
}

function shortJson(value: unknown, widthMax: number): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > widthMax ? `${text.slice(0, widthMax - 1)}…` : text;
}
