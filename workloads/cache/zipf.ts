// Zipf's law over ranks 0..n-1 (rank r drawn with weight 1 / (r + 1)^s), as an integer CDF so a
// draw is one integer from the host's random stream and a binary search. Pure.
import type { Random } from '../../nodes/host.js';

/** Total weight of the integer CDF: large enough that a rank's share is exact to about 1e-9. */
const CDF_TOTAL = 2 ** 30;

export class Zipf {
  private readonly cdf: number[];

  constructor(
    readonly n: number,
    readonly s: number,
  ) {
    if (!(Number.isSafeInteger(n) && n >= 1)) throw new Error(`zipf: n must be a positive integer, got ${n}`);
    if (!(s >= 0 && Number.isFinite(s))) throw new Error(`zipf: s must be a non-negative number, got ${s}`);
    const weights = Array.from({ length: n }, (_, rank) => 1 / Math.pow(rank + 1, s));
    const sum = weights.reduce((a, b) => a + b, 0);
    let running = 0;
    this.cdf = weights.map((weight) => {
      running += weight;
      return Math.round((running / sum) * CDF_TOTAL);
    });
    this.cdf[n - 1] = CDF_TOTAL;
  }

  /** A rank, 0 the most popular. */
  draw(random: Random): number {
    const point = random.int(CDF_TOTAL);
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid]! > point) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
