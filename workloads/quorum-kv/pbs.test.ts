// The PBS Monte Carlo: strict quorums are never stale, partial ones are, and more so with slower writes.
import { describe, expect, it } from 'vitest';
import type { Random } from '../../nodes/host.js';
import { SimRandom } from '../../sim/random.js';
import { pbsModel } from './pbs.js';

const uniform = (minNs: number, maxNs: number) => (random: Random) => minNs + random.int(maxNs - minNs + 1);

describe('pbsModel', () => {
  it('finds no staleness when R + W > N, and some when R + W <= N', () => {
    const base = { n: 3, trials: 20_000, messageNs: uniform(1e6, 5e6), replicaWriteNs: () => 0 };
    expect(pbsModel({ ...base, r: 2, w: 2 }, SimRandom.stream(1, 'pbs')).staleAtCommit).toBe(0);
    const partial = pbsModel({ ...base, r: 1, w: 1 }, SimRandom.stream(1, 'pbs'));
    expect(partial.staleAtCommit).toBeGreaterThan(0.002);
    // A window can never exceed one write delivery (at most 5 ms here, minus the commit's own 2 ms).
    expect(partial.windowMs.p999).toBeLessThanOrEqual(5);
    expect(partial.windowMs.p50).toBeGreaterThan(0);
  });

  it('grows stale windows when replicas are slow to make writes durable', () => {
    const base = { n: 3, r: 1, w: 1, trials: 20_000, messageNs: uniform(1e6, 5e6) };
    const fast = pbsModel({ ...base, replicaWriteNs: () => 0 }, SimRandom.stream(2, 'pbs'));
    const slow = pbsModel({ ...base, replicaWriteNs: uniform(0, 20e6) }, SimRandom.stream(2, 'pbs'));
    expect(slow.staleAtCommit).toBeGreaterThan(fast.staleAtCommit);
    expect(slow.windowMs.p99).toBeGreaterThan(fast.windowMs.p99);
  });

  it('refuses a quorum larger than N', () => {
    expect(() => pbsModel({ n: 3, r: 4, w: 1, trials: 1, messageNs: () => 1, replicaWriteNs: () => 0 }, SimRandom.stream(3, 'pbs'))).toThrow(/1 <= r, w <= n/);
  });
});
