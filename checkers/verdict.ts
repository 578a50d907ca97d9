// What every checker returns. A checker reads a history (from anywhere: our runs, Jepsen, Porcupine,
// a real cluster) and says valid, invalid or unknown, with evidence a person can read.

/** The run-level verdict: the worst over all checkers (invalid > unknown > valid). */
export type Verdict = 'valid' | 'invalid' | 'unknown';

export interface CheckerResult {
  /** Stable checker name: `linearizable`, `set`, `liveness`, `invariants`, ... */
  checker: string;
  verdict: Verdict;
  /** One line a person reads first: what was checked and what broke. */
  summary: string;
  /** Structured, JSON-serialisable evidence; its shape belongs to the checker. */
  evidence?: unknown;
  /**
   * What it judges: `safety` (nothing bad happened; the default) or `progress` (something good did
   * happen in time). A run cut short is judged for safety only, and a shrink keeps a safety
   * violation over a progress one (a stall is often a consequence; the safety violation is the finding).
   */
  property?: 'safety' | 'progress';
}

/** True for a progress checker's result. */
export function isProgress(result: Pick<CheckerResult, 'property'>): boolean {
  return result.property === 'progress';
}

const RANK: Record<Verdict, number> = { valid: 0, unknown: 1, invalid: 2 };

/** The worst of the verdicts; an empty list is valid. */
export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = 'valid';
  for (const verdict of verdicts) if (RANK[verdict] > RANK[worst]) worst = verdict;
  return worst;
}
