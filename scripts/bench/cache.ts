// The cache benchmark.
//
// Results (stable names):
// - `cache.hit-ratio.zipf<s>.size<p>pct.<policy>` (ratio): hits per access of each eviction policy
//   (lru, lfu, s3fifo) through the byte-accounted entry store of nodes/cache/, on a Zipf trace
//   (s = 0.9 and 1.1 over 1,000 keys, 40,000 accesses) with room for 1%, 5% and 20% of the keys,
//   beside `...belady`, the offline optimum on the same trace;
// - `cache.origin-loads.zipf<s>.size<p>pct.<policy>` (loads): the misses, each one load from the store;
// - `cache.moved-fraction.<join|leave>.vnodes<v>` (fraction): keys whose owner changes when a sixth
//   node joins five (or one of six leaves), for 1 to 256 vnodes per node, beside
//   `cache.moved-fraction.ideal` = 1/6;
// - `cache.max-load.<plain|bounded1.05>` (x average): the busiest node's share of 10,000 keys on
//   five nodes (64 vnodes each), by the ring alone and with bounded loads (c = 1.05);
// - `cache.speed` (x): simulated seconds per wall second of the cache system (Raft store and cache
//   nodes) under the zipf workload with every fault kind on, through the scenario runner.
import { SimRandom } from '../../sim/random.js';
import { CacheRing, EntryStore, entrySizeBytes, LfuPolicy, LruPolicy, movedFraction, S3FifoPolicy, type EvictionPolicy } from '../../nodes/cache/index.js';
import { beladyHits } from '../../checkers/cache/belady.js';
import { Zipf } from '../../workloads/cache/zipf.js';
import { parseScenario } from '../lab/scenario.js';
import { runScenario } from '../lab/runner.js';
import { findSystem } from '../../workloads/registry.js';
import type { BenchResult } from './index.js';

const KEYS = 1_000;
const ACCESSES = 40_000;
const EXPONENTS = [0.9, 1.1];
const SIZE_PERCENTS = [1, 5, 20];
const POLICIES: Record<string, () => EvictionPolicy> = { lru: () => new LruPolicy(), lfu: () => new LfuPolicy(), s3fifo: () => new S3FifoPolicy() };
const SPEED_SEEDS = [1, 2, 3];
/** Bounded loads' c: no node above ceil(c * average). */
const BALANCE = 1.05;

/** Keys of one width, so every entry costs the same bytes and a capacity is a whole number of slots. */
function key(rank: number): string {
  return `k${String(rank).padStart(4, '0')}`;
}

function zipfTrace(s: number, seed: number): string[] {
  const random = new SimRandom(`bench.cache.zipf.${s}.${seed}`);
  const zipf = new Zipf(KEYS, s);
  return Array.from({ length: ACCESSES }, () => key(zipf.draw(random)));
}

/** Hits of `policy` on `trace` with room for `slots` entries: a miss loads and fills. */
function policyHits(trace: readonly string[], slots: number, policy: EvictionPolicy): number {
  const value = 1;
  const store = new EntryStore(slots * entrySizeBytes(key(0), value), policy);
  let hits = 0;
  for (const k of trace) {
    if (store.peek(k) !== undefined) {
      store.touch(k);
      hits += 1;
    } else store.put(k, { value, version: value, sizeBytes: entrySizeBytes(k, value), expiresAtNs: Infinity, fill: 'bench' });
  }
  return hits;
}

/** A ring of cache nodes n<first>..n<first + count - 1>. */
function ring(count: number, vnodes: number, first = 4): CacheRing {
  return new CacheRing({ epoch: 1, members: Array.from({ length: count }, (_, i) => ({ node: `n${first + i}`, weight: 1 })), vnodesPerWeight: vnodes });
}

function evictionResults(): BenchResult[] {
  const results: BenchResult[] = [];
  for (const s of EXPONENTS) {
    const trace = zipfTrace(s, 1);
    for (const percent of SIZE_PERCENTS) {
      const slots = Math.max(1, Math.floor((KEYS * percent) / 100));
      const tag = `zipf${s}.size${percent}pct`;
      const optimum = beladyHits(trace, slots);
      for (const [name, make] of Object.entries(POLICIES)) {
        const hits = policyHits(trace, slots, make());
        if (hits > optimum) throw new Error(`bench cache: ${name} hit ${hits} times on ${tag}, more than the optimum's ${optimum}: one of them is wrong`);
        results.push({ name: `cache.hit-ratio.${tag}.${name}`, value: Number((hits / trace.length).toFixed(4)), unit: 'ratio' });
        results.push({ name: `cache.origin-loads.${tag}.${name}`, value: trace.length - hits, unit: 'loads' });
      }
      results.push({ name: `cache.hit-ratio.${tag}.belady`, value: Number((optimum / trace.length).toFixed(4)), unit: 'ratio' });
      results.push({ name: `cache.origin-loads.${tag}.belady`, value: trace.length - optimum, unit: 'loads' });
    }
  }
  return results;
}

function ringResults(): BenchResult[] {
  const keys = Array.from({ length: 10_000 }, (_, i) => `key-${i}`);
  const results: BenchResult[] = [];
  for (const vnodes of [1, 16, 64, 256]) {
    results.push({ name: `cache.moved-fraction.join.vnodes${vnodes}`, value: Number(movedFraction(ring(5, vnodes), ring(6, vnodes), keys).toFixed(4)), unit: 'fraction' });
    // The leaver is the first node, not the one that joined, so leave is not join run backwards.
    results.push({ name: `cache.moved-fraction.leave.vnodes${vnodes}`, value: Number(movedFraction(ring(6, vnodes), ring(5, vnodes, 5), keys).toFixed(4)), unit: 'fraction' });
  }
  results.push({ name: 'cache.moved-fraction.ideal', value: Number((1 / 6).toFixed(4)), unit: 'fraction' });
  const five = ring(5, 64);
  const plain = new Map<string, number>();
  const bounded = new Map<string, number>();
  for (const k of keys) {
    const owner = five.owner(k);
    plain.set(owner, (plain.get(owner) ?? 0) + 1);
    const placed = five.ownerBounded(k, bounded, BALANCE);
    bounded.set(placed, (bounded.get(placed) ?? 0) + 1);
  }
  const average = keys.length / 5;
  results.push({ name: 'cache.max-load.plain', value: Number((Math.max(...plain.values()) / average).toFixed(3)), unit: 'x average' });
  results.push({ name: `cache.max-load.bounded${BALANCE}`, value: Number((Math.max(...bounded.values()) / average).toFixed(3)), unit: 'x average' });
  return results;
}

function speedResult(): BenchResult {
  const cache = findSystem('cache');
  if (cache === undefined) throw new Error('bench cache: the cache system is not registered in workloads/registry.ts');
  const scenario = parseScenario({ system: 'cache', workload: { name: 'zipf', clients: 6, opsMax: 3_000, opsPerSecond: 300 }, durationMs: 10_000, livenessMs: 5_000, faults: { kinds: ['all'] } }, 'bench cache');
  runScenario(scenario, 1_000, { plugin: cache, traceLimit: 1_000 });
  let wallMs = 0;
  let simMs = 0;
  for (const seed of SPEED_SEEDS) {
    const started = performance.now();
    const result = runScenario(scenario, seed, { plugin: cache, traceLimit: 1_000 });
    wallMs += performance.now() - started;
    simMs += result.simMs;
    if (result.violation !== null) throw new Error(`bench cache: seed ${seed} is not valid: ${result.violation}`);
  }
  return { name: 'cache.speed', value: Number((simMs / wallMs).toFixed(1)), unit: 'x' };
}

export async function runSuite(): Promise<BenchResult[]> {
  return [...evictionResults(), ...ringResults(), speedResult()];
}
