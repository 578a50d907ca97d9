// Random streams. Every purpose (the network, each disk, each clock, each node's host.random, each
// client) draws from its own stream, seeded from a hash of (root seed, stream name), so adding a new
// stream never shifts the numbers any other stream draws. The generator is seedrandom's alea
// (pinned by package-lock): fast, and its 32-bit outputs are the same on every platform.
import seedrandom from 'seedrandom';
import type { Random } from '../nodes/host.js';
import { AssertionError, assert, isCount } from './assert.js';
import { hashParts } from './fingerprint.js';

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
const TWO_POW_26 = 67108864;
const TWO_POW_MINUS_32 = 1 / TWO_POW_32;
/** Below this, draw * bound stays under 2^53 and is exact. */
const SMALL_BOUND_MAX = 2 ** 21;
/** Rejection sampling rejects less than half the time; this many rejections in a row is a bug. */
const REJECTIONS_MAX = 128;

/** The seed string of stream `name` under `rootSeed`: a hash of both, so streams are independent. */
export function streamSeed(rootSeed: number, name: string): string {
  assert(isCount(rootSeed), `root seed must be a non-negative safe integer, got ${rootSeed}`);
  assert(name.length > 0, 'stream name must not be empty');
  return hashParts(['crucible.stream.v1', rootSeed, name]);
}

export class SimRandom implements Random {
  private readonly next: () => number;
  /** Draws so far (32-bit outputs consumed), for tests and diagnostics. */
  draws = 0;

  constructor(readonly seed: string) {
    this.next = seedrandom.alea(seed);
  }

  /** The stream `name` under `rootSeed`. */
  static stream(rootSeed: number, name: string): SimRandom {
    return new SimRandom(streamSeed(rootSeed, name));
  }

  /** A uniform integer in [0, 2^32). */
  uint32(): number {
    this.draws++;
    // Alea's outputs are multiples of 2^-32, so this is exact.
    return (this.next() * TWO_POW_32) >>> 0;
  }

  int(bound: number): number {
    if (!(Number.isSafeInteger(bound) && bound > 0)) throw new AssertionError(`int(bound): bound must be a positive safe integer, got ${bound}`);
    return bound <= TWO_POW_32 ? this.below(bound) : this.belowWide(bound);
  }

  /**
   * A uniform integer in [0, bound) for an integer 0 < bound <= 2^32, unchecked (the hot path of
   * the network; callers validate bounds once, at configuration). Unbiased in both branches.
   * Small bounds use the multiply-and-take-the-high-word method (Lemire, "Fast random integer
   * generation in an interval", 2019): draw * bound is exact in a double below 2^53, and the
   * common case needs no division. Larger bounds reject draws at or above the largest multiple of
   * `bound` below 2^32; a quotient of integers below 2^32 is never rounded across an integer.
   */
  below(bound: number): number {
    if (bound <= SMALL_BOUND_MAX) {
      let product = this.uint32() * bound;
      let high = Math.floor(product * TWO_POW_MINUS_32);
      let low = product - high * TWO_POW_32;
      if (low < bound) {
        // Rare (probability bound / 2^32): reject the low words that would bias the result.
        const threshold = TWO_POW_32 % bound;
        for (let attempt = 0; low < threshold; attempt++) {
          if (attempt >= REJECTIONS_MAX) throw new Error(`int(${bound}): too many rejections; the generator is broken`);
          product = this.uint32() * bound;
          high = Math.floor(product * TWO_POW_MINUS_32);
          low = product - high * TWO_POW_32;
        }
      }
      return high;
    }
    const limit = Math.floor(TWO_POW_32 / bound) * bound;
    for (let attempt = 0; attempt < REJECTIONS_MAX; attempt++) {
      const draw = this.uint32();
      if (draw < limit) return draw - Math.floor(draw / bound) * bound;
    }
    throw new Error(`int(${bound}): ${REJECTIONS_MAX} rejections in a row; the generator is broken`);
  }

  private belowWide(bound: number): number {
    const limit = TWO_POW_53 - (TWO_POW_53 % bound);
    for (let attempt = 0; attempt < REJECTIONS_MAX; attempt++) {
      const draw = (this.uint32() >>> 11) * TWO_POW_32 + this.uint32();
      if (draw < limit) return draw % bound;
    }
    throw new Error(`int(${bound}): ${REJECTIONS_MAX} rejections in a row; the generator is broken`);
  }

  range(min: number, max: number): number {
    if (!(Number.isSafeInteger(min) && Number.isSafeInteger(max) && min <= max)) {
      throw new AssertionError(`range(${min}, ${max}): need safe integers with min <= max`);
    }
    return min + this.int(max - min + 1);
  }

  /**
   * True with probability numerator / denominator. Certain outcomes (0 or den) draw nothing, so a
   * probability switched off costs nothing and leaves the stream alone.
   */
  chance(numerator: number, denominator: number): boolean {
    assert(
      Number.isSafeInteger(numerator) && Number.isSafeInteger(denominator) && denominator > 0 && numerator >= 0,
      `chance(${numerator}, ${denominator}): need integers with 0 <= numerator and 0 < denominator`,
    );
    if (numerator === 0) return false;
    if (numerator >= denominator) return true;
    return this.int(denominator) < numerator;
  }

  pick<T>(items: readonly T[]): T {
    assert(items.length > 0, 'pick() of an empty array');
    return items[this.below(items.length)]!;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const held = items[i]!;
      items[i] = items[j]!;
      items[j] = held;
    }
    return items;
  }

  /** A float in [0, 1) with 53 random bits. */
  float(): number {
    const high = this.uint32() >>> 5;
    const low = this.uint32() >>> 6;
    return (high * TWO_POW_26 + low) / TWO_POW_53;
  }
}

/**
 * A latency distribution; every sample is an integer number of nanoseconds, never negative.
 * The heavy-tailed kinds are capped by `maxNs` so one unlucky draw cannot stall a run.
 */
export type LatencyDistribution =
  | { kind: 'constant'; ns: number }
  | { kind: 'uniform'; minNs: number; maxNs: number }
  | { kind: 'exponential'; minNs: number; meanNs: number; maxNs: number }
  | { kind: 'pareto'; minNs: number; alpha: number; maxNs: number }
  | { kind: 'lognormal'; medianNs: number; sigma: number; maxNs: number };

/** Checks a distribution's parameters; returns a message naming the bad field, or null. */
export function latencyProblem(dist: LatencyDistribution): string | null {
  switch (dist.kind) {
    case 'constant':
      return isCount(dist.ns) ? null : 'constant: ns must be a non-negative integer';
    case 'uniform':
      if (!isCount(dist.minNs) || !isCount(dist.maxNs)) return 'uniform: minNs and maxNs must be non-negative integers';
      return dist.minNs <= dist.maxNs ? null : 'uniform: minNs must not exceed maxNs';
    case 'exponential':
      if (!isCount(dist.minNs) || !isCount(dist.meanNs) || !isCount(dist.maxNs)) {
        return 'exponential: minNs, meanNs and maxNs must be non-negative integers';
      }
      return dist.minNs <= dist.meanNs && dist.meanNs <= dist.maxNs ? null : 'exponential: need minNs <= meanNs <= maxNs';
    case 'pareto':
      if (!isCount(dist.minNs) || !isCount(dist.maxNs)) return 'pareto: minNs and maxNs must be non-negative integers';
      if (!(dist.alpha > 0 && Number.isFinite(dist.alpha))) return 'pareto: alpha must be a positive number';
      return dist.minNs <= dist.maxNs ? null : 'pareto: minNs must not exceed maxNs';
    case 'lognormal':
      if (!isCount(dist.medianNs) || !isCount(dist.maxNs)) return 'lognormal: medianNs and maxNs must be non-negative integers';
      if (!(dist.sigma >= 0 && Number.isFinite(dist.sigma))) return 'lognormal: sigma must be a non-negative number';
      return dist.medianNs <= dist.maxNs ? null : 'lognormal: medianNs must not exceed maxNs';
    default:
      return `unknown latency kind ${JSON.stringify((dist as { kind: unknown }).kind)}`;
  }
}

/**
 * One sample of `dist` from `random`, integer nanoseconds. The float kinds use Math.log, Math.exp,
 * Math.pow and Math.cos, which V8 computes with its own fdlibm port: the same bits on every
 * platform for a given Node version.
 */
export function sampleLatencyNs(dist: LatencyDistribution, random: SimRandom): number {
  switch (dist.kind) {
    case 'constant':
      return dist.ns;
    case 'uniform':
      return random.range(dist.minNs, dist.maxNs);
    case 'exponential': {
      const spread = dist.meanNs - dist.minNs;
      const sample = dist.minNs + Math.round(-spread * Math.log(1 - random.float()));
      return sample > dist.maxNs ? dist.maxNs : sample;
    }
    case 'pareto': {
      const sample = Math.round(dist.minNs / Math.pow(1 - random.float(), 1 / dist.alpha));
      return sample > dist.maxNs ? dist.maxNs : sample;
    }
    case 'lognormal': {
      const u1 = 1 - random.float();
      const u2 = random.float();
      const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      const sample = Math.round(dist.medianNs * Math.exp(dist.sigma * normal));
      return sample > dist.maxNs ? dist.maxNs : sample;
    }
  }
}
