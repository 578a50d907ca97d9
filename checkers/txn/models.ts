// The consistency models Elle reports, as the anomalies each forbids (Adya; Cerone, Bernardi and
// Gotsman; Elle's lattice), and which model directly implies which. A model holds when the history
// shows none of its anomalies. Anomalies that no database may show (a transaction contradicting
// itself, a value nobody wrote, two orders of one key) break even read uncommitted.
import type { AnomalyClass } from './types.js';

export const MODEL_NAMES = [
  'read-uncommitted',
  'read-committed',
  'repeatable-read',
  'snapshot-isolation',
  'serializable',
  'strong-session-read-committed',
  'strong-session-snapshot-isolation',
  'strong-session-serializable',
  'strong-snapshot-isolation',
  'strict-serializable',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

const ALWAYS: AnomalyClass[] = ['internal', 'duplicate-appends', 'duplicate-elements', 'garbage-read', 'incompatible-order'];
const RU: AnomalyClass[] = [...ALWAYS, 'G0'];
const RC: AnomalyClass[] = [...RU, 'G1a', 'G1b', 'G1c'];
const SI: AnomalyClass[] = [...RC, 'G-single', 'lost-update'];
const RR: AnomalyClass[] = [...RC, 'G-single', 'G2-item', 'lost-update'];
const SER: AnomalyClass[] = [...RR];
const PROCESS_OF = (classes: AnomalyClass[]): AnomalyClass[] => classes.filter((c) => ['G0', 'G1c', 'G-single', 'G2-item'].includes(c)).map((c) => `${c}-process` as AnomalyClass);
const REALTIME_OF = (classes: AnomalyClass[]): AnomalyClass[] => PROCESS_OF(classes).map((c) => c.replace('-process', '-realtime') as AnomalyClass);

export interface ConsistencyModel {
  name: ModelName;
  forbids: readonly AnomalyClass[];
  /** The models this one directly implies (the next weaker ones). */
  implies: readonly ModelName[];
}

export const MODELS: Record<ModelName, ConsistencyModel> = {
  'read-uncommitted': { name: 'read-uncommitted', forbids: RU, implies: [] },
  'read-committed': { name: 'read-committed', forbids: RC, implies: ['read-uncommitted'] },
  'repeatable-read': { name: 'repeatable-read', forbids: RR, implies: ['read-committed'] },
  'snapshot-isolation': { name: 'snapshot-isolation', forbids: SI, implies: ['read-committed'] },
  serializable: { name: 'serializable', forbids: SER, implies: ['repeatable-read', 'snapshot-isolation'] },
  'strong-session-read-committed': { name: 'strong-session-read-committed', forbids: [...RC, ...PROCESS_OF(RC)], implies: ['read-committed'] },
  'strong-session-snapshot-isolation': {
    name: 'strong-session-snapshot-isolation',
    forbids: [...SI, ...PROCESS_OF(SI)],
    implies: ['snapshot-isolation', 'strong-session-read-committed'],
  },
  'strong-session-serializable': {
    name: 'strong-session-serializable',
    forbids: [...SER, ...PROCESS_OF(SER)],
    implies: ['serializable', 'strong-session-snapshot-isolation'],
  },
  'strong-snapshot-isolation': {
    name: 'strong-snapshot-isolation',
    forbids: [...SI, ...PROCESS_OF(SI), ...REALTIME_OF(SI)],
    implies: ['strong-session-snapshot-isolation'],
  },
  'strict-serializable': {
    name: 'strict-serializable',
    forbids: [...SER, ...PROCESS_OF(SER), ...REALTIME_OF(SER)],
    implies: ['strong-session-serializable', 'strong-snapshot-isolation'],
  },
};

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

export type ModelStatus = 'satisfied' | 'violated' | 'unknown';

export interface ModelVerdicts {
  status: Record<ModelName, ModelStatus>;
  /** Satisfied models no satisfied model implies. */
  strongestSatisfied: ModelName[];
  /** Violated models whose weaker models all hold, each with the anomalies that prove it. */
  weakestViolated: { model: ModelName; anomalies: AnomalyClass[] }[];
}

/**
 * The status of every model. `found` are the classes shown; `undecided` are classes the budget did
 * not let the search rule out (a model forbidding one is unknown unless a found class violates it).
 */
export function judgeModels(found: ReadonlySet<AnomalyClass>, undecided: ReadonlySet<AnomalyClass>): ModelVerdicts {
  const status = {} as Record<ModelName, ModelStatus>;
  for (const name of MODEL_NAMES) {
    const forbids = MODELS[name].forbids;
    if (forbids.some((c) => found.has(c))) status[name] = 'violated';
    else status[name] = forbids.some((c) => undecided.has(c)) ? 'unknown' : 'satisfied';
  }
  const strongerOf = (name: ModelName): ModelName[] => MODEL_NAMES.filter((other) => MODELS[other].implies.includes(name));
  const strongestSatisfied = MODEL_NAMES.filter((name) => status[name] === 'satisfied' && strongerOf(name).every((s) => status[s] !== 'satisfied'));
  const weakestViolated = MODEL_NAMES.filter((name) => status[name] === 'violated' && MODELS[name].implies.every((w) => status[w] === 'satisfied')).map((model) => ({
    model,
    anomalies: MODELS[model].forbids.filter((c) => found.has(c)),
  }));
  return { status, strongestSatisfied, weakestViolated };
}
