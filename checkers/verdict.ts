// What every checker returns. A checker reads a history (from anywhere: our runs, Jepsen, Porcupine,
// a real cluster) and says valid, invalid or unknown, with evidence a person can read.

import type { CheckerResult, Verdict } from '../nodes/host.js';

// Declared once, in nodes/host.ts (the shapes every layer shares); the helpers live here.
export type { CheckerResult, Verdict };

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
