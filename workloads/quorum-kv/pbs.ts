// The PBS model (Bailis et al., "Probabilistically Bounded Staleness for Practical Partial
// Quorums", the WARS model), by Monte Carlo, to compare with the staleness a run measured.
//
// One trial, N replicas: the write reaches replica i after W_i and its acknowledgement comes back
// after A_i; the write commits when the W-th acknowledgement arrives, at c. A read started t after c
// reaches replica i after R_i and its answer comes back after S_i; it uses the first R answers
// (smallest R_i + S_i), and is fresh when one of those replicas had the write when the read
// arrived: W_i <= c + t + R_i. So the trial is stale for every t below
// min over those R replicas of (W_i - R_i - c), and the t-visibility at probability p is the
// p-quantile of that window over trials (0 when fresh at once).
//
// Our node differs from the paper's setting in two ways the comparison should be read with: the
// coordinator is itself a replica (its own copy costs no message), and a replica's write includes
// its fsync. `replicaWriteNs` lets the caller draw the latter into W_i.
import type { Random } from '../../nodes/host.js';

export interface PbsConfig {
  n: number;
  r: number;
  w: number;
  trials: number;
  /** One message's latency in ns (the same distribution for W, A, R and S, as in our network). */
  messageNs: (random: Random) => number;
  /** Extra time a replica takes to make a write durable before acknowledging, in ns. */
  replicaWriteNs: (random: Random) => number;
}

export interface PbsResult {
  /** The fraction of trials stale at t = 0 (a read started at the commit). */
  staleAtCommit: number;
  /** Quantiles of the staleness window over the stale trials, in ms (0 when none were stale). */
  windowMs: { p50: number; p99: number; p999: number };
}

export function pbsModel(config: PbsConfig, random: Random): PbsResult {
  const { n, r, w, trials } = config;
  if (!(r >= 1 && r <= n && w >= 1 && w <= n && trials >= 1)) throw new Error(`pbs: need 1 <= r, w <= n and trials >= 1 (n ${n}, r ${r}, w ${w}, trials ${trials})`);
  const windows: number[] = [];
  const arrive = new Array<number>(n);
  const acked = new Array<number>(n);
  const readReq = new Array<number>(n);
  const answered: { i: number; at: number }[] = [];
  for (let trial = 0; trial < trials; trial++) {
    for (let i = 0; i < n; i++) {
      arrive[i] = config.messageNs(random) + config.replicaWriteNs(random);
      acked[i] = arrive[i]! + config.messageNs(random);
    }
    const commit = [...acked].sort((a, b) => a - b)[w - 1]!;
    answered.length = 0;
    for (let i = 0; i < n; i++) {
      readReq[i] = config.messageNs(random);
      answered.push({ i, at: readReq[i]! + config.messageNs(random) });
    }
    answered.sort((a, b) => a.at - b.at);
    let window = Infinity;
    for (const { i } of answered.slice(0, r)) window = Math.min(window, arrive[i]! - readReq[i]! - commit);
    if (window > 0) windows.push(window);
  }
  windows.sort((a, b) => a - b);
  const quantile = (p: number): number => (windows.length === 0 ? 0 : windows[Math.min(windows.length - 1, Math.ceil(p * windows.length) - 1)]! / 1e6);
  return { staleAtCommit: windows.length / trials, windowMs: { p50: quantile(0.5), p99: quantile(0.99), p999: quantile(0.999) } };
}
