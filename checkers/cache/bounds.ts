// Time bounds the cache checkers hold a run to, from the system's parameters. Pure.
import { NS_PER_MS } from '../../nodes/host.js';

/**
 * The largest clock rate error a scenario may configure (100,000 ppm, scenario.ts) or a drift
 * fault may add; a TTL counted on a clock this slow lasts 1 / (1 - 0.1) as long in true time.
 */
export const DRIFT_FRACTION_MAX = 0.1;

/** Scheduling slack: a timer fires and a message is handled within this of its moment. */
export const MARGIN_MS = 10;

/** The longest an entry filled with TTL `ttlMs` (jitter included) may live in true time. */
export function ttlBoundNs(ttlMs: number, jitterPercent: number): number {
  if (!(ttlMs > 0) || !(jitterPercent >= 0)) throw new Error(`cache bounds: ttlMs must be positive and jitterPercent non-negative, got ${ttlMs}, ${jitterPercent}`);
  return Math.ceil(((ttlMs * (100 + jitterPercent)) / 100 / (1 - DRIFT_FRACTION_MAX) + MARGIN_MS) * NS_PER_MS);
}

/** Jitter the cache node applies unless told otherwise (nodes/cache CACHE_PARAMS.ttlJitterPercent). */
const JITTER_PERCENT_DEFAULT = 10;

/** After the store settles, every cached copy is fresh within this: its TTL bound. */
export function freshnessBoundNs(ttlMs: number, jitterPercent = JITTER_PERCENT_DEFAULT): number {
  return ttlBoundNs(ttlMs, jitterPercent);
}
