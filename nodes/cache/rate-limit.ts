// A token bucket on a node's monotonic clock: `ratePerSecond` tokens a second up to `burst`. The
// cache takes one per lease it grants, so a burst of misses (a cold restart, a hot key expiring
// everywhere) cannot send more than that many callers a second to the store; a miss over the
// limit is refused with an error, which is never cached. Pure apart from the clock it is handed.
import { NS_PER_S } from '../host.js';

export class TokenBucket {
  private tokens: number;
  private lastNs: number | null = null;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
  ) {
    if (!(ratePerSecond > 0 && burst >= 1)) throw new Error('token bucket: ratePerSecond must be positive and burst at least 1');
    this.tokens = burst;
  }

  /** Takes a token at `nowNs` if there is one. */
  take(nowNs: number): boolean {
    if (this.lastNs !== null && nowNs > this.lastNs) this.tokens = Math.min(this.burst, this.tokens + ((nowNs - this.lastNs) * this.ratePerSecond) / NS_PER_S);
    this.lastNs = this.lastNs === null ? nowNs : Math.max(this.lastNs, nowNs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
