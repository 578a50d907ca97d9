// The leader's view of one follower: how far its log matches, what to send next, and flow control.
//   probe:     one append in flight at a time, until the follower's match is found;
//   replicate: pipelined appends, at most `inflightMax` unacknowledged messages;
//   snapshot:  the follower needs the snapshot; chunks go one at a time.
import { assert } from './assert.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append was sent and is not answered yet (reset by a heartbeat response). */
  probeSent = false;
  /** Last index of each append in flight, ascending; never longer than `inflightMax`. */
  private inflights: number[] = [];
  /** Snapshot state: the index being sent and the next character offset to send. */
  pendingSnapshot = 0;
  snapshotOffset = 0;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;
  /** The newest ReadIndex round this follower confirmed. */
  ackedCtx = 0;
  /** The leader's tick when this follower last answered (for leases and diagnostics). */
  lastHeardTick = 0;
  /** The leader's tick when this follower's match last advanced (or replication restarted). */
  lastProgressTick = 0;
  /**
   * The newest heartbeat round (ctx) whose response was acted on, and the newest round a heartbeat
   * went out in: a duplicated or older heartbeat response, or a second heartbeat for a round this
   * follower was already sent, would otherwise each trigger more traffic (a storm under duplication).
   */
  heartbeatRespCtx = 0;
  heartbeatSentCtx = 0;

  constructor(
    next: number,
    private readonly inflightMax: number,
  ) {
    assert(next >= 1, 'progress next starts at 1 or later');
    assert(inflightMax >= 1, 'inflight limit must be positive');
    this.next = next;
  }

  becomeProbe(): void {
    // After a snapshot, probing resumes just past it; otherwise just past the match.
    if (this.state === 'snapshot') {
      this.next = Math.max(this.match + 1, this.pendingSnapshot + 1);
      this.pendingSnapshot = 0;
      this.snapshotOffset = 0;
    } else {
      this.next = this.match + 1;
    }
    this.state = 'probe';
    this.probeSent = false;
    this.inflights = [];
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.probeSent = false;
    this.inflights = [];
  }

  becomeSnapshot(index: number): void {
    this.state = 'snapshot';
    this.pendingSnapshot = index;
    this.snapshotOffset = 0;
    this.probeSent = false;
    this.inflights = [];
  }

  /** An accepted append up to `index`: true when it told us something new. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (index > this.match) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    if (this.next < index + 1) this.next = index + 1;
    return updated;
  }

  /**
   * A rejected append of prevIndex `rejected`: back off to `probeHint`. Returns false when the
   * rejection is stale (answers a message older than our current view).
   */
  maybeDecrTo(rejected: number, probeHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, probeHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Records an append whose last entry is `last` as in flight (replicate state). */
  sentEntries(last: number): void {
    assert(this.state === 'replicate', 'sentEntries outside replicate');
    assert(this.inflights.length < this.inflightMax, 'inflight window overflow');
    this.inflights.push(last);
    this.next = last + 1;
  }

  /** Frees in-flight slots for appends up to `index`. */
  freeTo(index: number): void {
    let k = 0;
    while (k < this.inflights.length && this.inflights[k]! <= index) k++;
    if (k > 0) this.inflights.splice(0, k);
  }

  inflightCount(): number {
    return this.inflights.length;
  }

  /** Whether no more appends may be sent now. */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.length >= this.inflightMax;
      case 'snapshot':
        return true;
    }
  }
}
