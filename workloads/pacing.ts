// How a workload spreads its operations over clients and time: each client's share of the op
// budget, Poisson-ish gaps between invocations, and process numbers that never collide.
import type { Random } from '../nodes/host.js';
import { NS_PER_S } from '../nodes/host.js';

/** A gap is cut at this many means, so one unlucky draw cannot silence a client for the run. */
const GAP_MEANS_MAX = 8;

/** Client `index`'s share of `opsMax`: equal shares, the remainder to the first clients. */
export function opsShare(opsMax: number, clients: number, index: number): number {
  assert(Number.isSafeInteger(opsMax) && opsMax >= 0, 'opsMax must be a non-negative integer');
  assert(Number.isSafeInteger(clients) && clients >= 1, 'clients must be a positive integer');
  assert(Number.isSafeInteger(index) && index >= 0 && index < clients, 'client index out of range');
  return Math.floor(opsMax / clients) + (index < opsMax % clients ? 1 : 0);
}

/** The mean gap between one client's invocations, so all clients together reach the rate. */
export function meanGapNs(opsPerSecond: number, clients: number): number {
  assert(opsPerSecond > 0 && Number.isFinite(opsPerSecond), 'opsPerSecond must be positive');
  return Math.max(1, Math.round((NS_PER_S * clients) / opsPerSecond));
}

/**
 * The mean gap of a client that spreads `share` ops over `windowNs`: the rate's gap, or longer when
 * the rate would spend the share early. A budget spent in the first seconds would leave the later
 * faults, and the liveness phase after them, with no ops to judge. `spendBy` is the fraction of
 * the window by which the share is spent on average: below 1 the budget is nearly always used up,
 * above 1 ops nearly always last to the end of the window (and some budget is left).
 */
export function spreadGapNs(opsPerSecond: number, clients: number, share: number, windowNs: number, spendBy = 0.8): number {
  assert(windowNs >= 0, 'windowNs must not be negative');
  assert(spendBy > 0 && spendBy <= 4, 'spendBy must be in (0, 4]');
  const rateGapNs = meanGapNs(opsPerSecond, clients);
  if (share <= 0) return rateGapNs;
  return Math.max(rateGapNs, Math.floor((windowNs * spendBy) / share));
}

/** An exponential gap with the given mean (a Poisson arrival process), in whole nanoseconds. */
export function exponentialGapNs(random: Random, meanNs: number): number {
  assert(meanNs > 0, 'meanNs must be positive');
  // 1 - float() is in (0, 1], so the logarithm is finite.
  const gap = -Math.log(1 - random.float()) * meanNs;
  return Math.max(1, Math.min(Math.round(gap), meanNs * GAP_MEANS_MAX));
}

/**
 * The history process of client `index` in its `generation` (how many of its ops ended `info`).
 * Distinct (index, generation) pairs give distinct numbers, so no process is ever reused.
 */
export function processNumber(index: number, clients: number, generation: number): number {
  assert(index >= 0 && index < clients, 'client index out of range');
  assert(Number.isSafeInteger(generation) && generation >= 0, 'generation must be a non-negative integer');
  const process = index + clients * generation;
  assert(Number.isSafeInteger(process), 'process number overflow');
  return process;
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`pacing: ${message}`);
}
