// The node's two uses of time, each in one place.
import type { Host, Nanos } from '../host.js';

/** Wall time for version tags (hybrid logical clocks): skewed, but survives restarts. */
export function wallNow(host: Pick<Host, 'wallNow'>): Nanos {
  return host.wallNow();
}

/** Time for timeouts and failure detection: only differences of it mean anything. */
export function monoNow(host: Pick<Host, 'monotonicNow'>): Nanos {
  return host.monotonicNow();
}
