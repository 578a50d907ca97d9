// The `cache` system: look-aside cache nodes on a consistent-hash ring in front of the lab's Raft
// KV, which runs in the same simulation on n1..n3 as the authoritative store (nodes/cache/). Its
// workloads read Zipf-ranked keys through the cache and write through the store; the checkers judge
// every read against the store's commit history (bounded staleness, delta from `stalenessMs`),
// eventual freshness after the store settles, progress after the heal, and, white-box, TTLs in true
// time, one origin load per key per miss window, and bytes within capacity.
import type { z } from 'zod';
import { NS_PER_MS } from '../../nodes/host.js';
import { cacheBugs, CACHE_PARAMS, createCacheSystemNode } from '../../nodes/cache/index.js';
import type { History } from '../../histories/schema.js';
import type { CheckerResult } from '../../checkers/verdict.js';
import { checkLiveness } from '../../checkers/liveness.js';
import { checkBoundedStaleness } from '../../checkers/cache/staleness.js';
import { freshnessBoundNs } from '../../checkers/cache/bounds.js';
import type { CheckContext, SystemPlugin, Workload } from '../system.js';
import { cacheClient } from './client.js';
import { cacheMonitor } from './monitor.js';
import { CACHE_SHRINK, cacheWorkloadSchema } from './options.js';
import { cacheReady, cacheTargets } from './targets.js';

/**
 * The plugin's parameters. `stalenessMs` is the delta of the bounded-staleness check: 0, because a
 * write is acknowledged only once the key's owner installed or dropped the new version, and leases
 * keep any load that read before it from installing an older one.
 */
export const CACHE_SYSTEM_PARAMS: Readonly<Record<string, number>> = { ...CACHE_PARAMS, stalenessMs: 0 };

/**
 * Progress after the last heal within this long: the store needs up to ten election timeouts (as
 * the raft plugin allows) and a client's op then waits out an attempt or two on top.
 */
export const LIVENESS_BOUND_MS = 4_000;

function param(context: CheckContext, name: string): number {
  const value = context.params[name];
  if (value === undefined || !Number.isFinite(value) || value < 0) throw new Error(`cache plugin: params.${name} must be a non-negative number`);
  return value;
}

function check(history: History, context: CheckContext): CheckerResult[] {
  const ttlMs = param(context, 'ttlMs');
  const staleness = checkBoundedStaleness(history, {
    deltaNs: param(context, 'stalenessMs') * NS_PER_MS,
    freshAfterNs: freshnessBoundNs(ttlMs, param(context, 'ttlJitterPercent')),
  });
  const liveness = checkLiveness(history, { healedAtNs: context.healedAtNs, endNs: context.endNs, boundNs: LIVENESS_BOUND_MS * NS_PER_MS, answeredFails: [] });
  return [staleness, liveness];
}

/** A cache workload: the one client and the one set of checks, with its own name, text and option defaults. */
function cacheWorkload(name: string, description: string, options: z.ZodType<Record<string, unknown>>): Workload {
  return { name, description, options, shrink: CACHE_SHRINK, client: (params, index) => cacheClient(params, index, CACHE_PARAMS.ttlMs), check };
}

export const zipfWorkload = cacheWorkload(
  'zipf',
  "read-heavy Zipfian reads through the cache (s = 1.1 over 20 keys by default), writes through the store then the key's owner (set or delete); bounded staleness against the store's commits, freshness after it settles, progress after the heal",
  cacheWorkloadSchema,
);

export const hotKeyWorkload = cacheWorkload(
  'hot-key',
  'hot keys: eight keys at Zipf s = 1.5 (k0 takes half the reads), so misses, expiries and writes of one key meet other callers; `burstEveryMs` and `burstMs` make the arrivals come in bursts; the same checks as zipf',
  cacheWorkloadSchema.extend({ keys: cacheWorkloadSchema.shape.keys.default(8), zipf: cacheWorkloadSchema.shape.zipf.default(1.5) }).strict(),
);

export const cacheSystem: SystemPlugin = {
  name: 'cache',
  description: 'look-aside cache on a consistent-hash ring (vnodes, membership epoch) with leases, per-key coalescing, TTLs, byte-accounted LRU and hot-key replicas, in front of the Raft KV (n1..n3) whose acknowledged writes it relays as versioned invalidations',
  node: createCacheSystemNode,
  nodes: { default: 6, min: 4, max: 12 },
  workloads: { zipf: zipfWorkload, 'hot-key': hotKeyWorkload },
  defaultWorkload: 'hot-key',
  bugs: cacheBugs,
  params: CACHE_SYSTEM_PARAMS,
  invariants: cacheMonitor,
  targets: cacheTargets,
  ready: cacheReady,
  // The store is n1..n3 of the cluster: a "minority" of all nodes can be a majority of the store.
  livenessCore: false,
};
