// Callback timers for client processes that juggle several activities (a worker's lanes, a
// caller's attempts): each timer gets its own tag, and the process routes `onTimer` here first.
import type { Host, TimerId, TimerTag } from '../host.js';

/** Timers one process may have pending: a bound on the map (a leak shows as an assertion). */
export const TIMERS_MAX = 4096;

export class Timers {
  private readonly pending = new Map<string, { id: TimerId; fire: () => void }>();
  private next = 0;

  constructor(
    private readonly host: Host,
    private readonly prefix: string,
  ) {}

  /** Fires `fire` after `delayNs` of this process's monotonic clock; returns a handle for `cancel`. */
  set(delayNs: number, fire: () => void): string {
    if (this.pending.size >= TIMERS_MAX) throw new Error(`timers: more than ${TIMERS_MAX} pending in ${this.prefix}`);
    const tag = `${this.prefix}${this.next++}`;
    this.pending.set(tag, { id: this.host.setTimer(Math.max(0, Math.round(delayNs)), tag), fire });
    return tag;
  }

  cancel(handle: string | null): void {
    if (handle === null) return;
    const timer = this.pending.get(handle);
    if (timer === undefined) return;
    this.host.cancelTimer(timer.id);
    this.pending.delete(handle);
  }

  /** True when the tag was one of these timers (fired now). */
  onTimer(tag: TimerTag): boolean {
    if (typeof tag !== 'string') return false;
    const timer = this.pending.get(tag);
    if (timer === undefined) return tag.startsWith(this.prefix);
    this.pending.delete(tag);
    timer.fire();
    return true;
  }
}
