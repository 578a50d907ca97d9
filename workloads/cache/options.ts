// The cache workloads' own options (a strict zod schema with defaults), and what the shrinker may simplify.
import { z } from 'zod';
import type { OptionShrink, WorkloadParams } from '../system.js';

export const cacheWorkloadSchema = z
  .object({
    /** Distinct keys; key `k<r>` has Zipf rank r. */
    keys: z.number().int().min(1).max(10_000).default(20),
    /** Zipf exponent of the key popularity (0: uniform). */
    zipf: z.number().min(0).max(4).default(1.1),
    /** Percent of ops in the mixed phase that read through the cache; writes take the rest. */
    readPercent: z.number().int().min(0).max(100).default(80),
    /**
     * How a committed write reaches the cache: `set` (write-through: the owner installs the new
     * version), `delete` (write-around: the owner drops older versions), or `mixed` (each write draws one).
     */
    writeMode: z.enum(['set', 'delete', 'mixed']).default('mixed'),
    /** Bursts: clients invoke only in the first `burstMs` of every `burstEveryMs` (0: steady arrivals). */
    burstEveryMs: z.number().int().min(0).max(600_000).default(0),
    burstMs: z.number().int().min(0).max(600_000).default(0),
  })
  .strict();

export type CacheWorkloadOptions = z.infer<typeof cacheWorkloadSchema>;

export function cacheOptions(params: Pick<WorkloadParams, 'options'>): CacheWorkloadOptions {
  return cacheWorkloadSchema.parse(params.options);
}

export const CACHE_SHRINK: readonly OptionShrink[] = [{ field: 'keys', floor: 1, absentAs: 20, label: 'keys' }];
