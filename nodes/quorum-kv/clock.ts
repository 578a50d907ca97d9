// The node's two uses of time, each in one place, so the host's coming split into a wall clock and
// a monotonic clock (issue 11) is a one-line change here: today both read `host.now()`.
import type { Host, Nanos } from '../host.js';

/** Wall time for version tags (hybrid logical clocks): skewed, but survives restarts. */
export function wallNow(host: Pick<Host, 'now'>): Nanos {
  return host.now();
}

/** Time for timeouts and failure detection: only differences of it mean anything. */
export function monoNow(host: Pick<Host, 'now'>): Nanos {
  return host.now();
}
