// The white-box side of convergence: at the end of a run, every live replica of a key must hold
// the same versions (so their Merkle trees agree) and no hint may be left undelivered, provided
// the cluster has been quiet for a while. Quiet means no replica changed its copy of anything for
// `QUIET_NS` of true time before the end; a run that ends busy (the lin-kv workloads invoke to the
// end) is not judged, and the summary says so.
import { NS_PER_S } from '../../nodes/host.js';
import { QuorumKvNode, sameObject, type QuorumKvInspection, type VersionedObject } from '../../nodes/quorum-kv/index.js';
import type { CheckerResult } from '../../checkers/verdict.js';
import type { Inspector, InvariantMonitor, TraceEvent } from '../system.js';
import { PromiseLedger } from './paxos-monitor.js';

/** Anti-entropy runs every 100 ms with one peer in turn, so two seconds covers every pair several times. */
export const QUIET_NS = 2 * NS_PER_S;

export function convergenceMonitor(): InvariantMonitor {
  let inspector: Inspector | null = null;
  let lastChangeNs = 0;
  const promises = new PromiseLedger();
  return {
    onTrace(event: TraceEvent, seen: Inspector) {
      inspector = seen;
      if (event.kind === 'qkv.changed') lastChangeNs = event.time;
      promises.onTrace(event, seen);
    },
    result(): CheckerResult {
      const forgotten = promises.result();
      if (forgotten !== null) return forgotten;
      if (inspector === null) return { checker: 'invariants', verdict: 'valid', summary: 'convergence: nothing ran' };
      return judge(inspector, lastChangeNs);
    },
  };
}

function judge(inspector: Inspector, lastChangeNs: number): CheckerResult {
  const endNs = inspector.nowNs();
  if (endNs - lastChangeNs < QUIET_NS) {
    return { checker: 'invariants', verdict: 'valid', summary: `convergence not judged: the last change was ${Math.round((endNs - lastChangeNs) / 1e6)} ms before the end (needs ${QUIET_NS / 1e9} s of quiet)` };
  }
  const views: QuorumKvInspection[] = [];
  for (const id of inspector.nodes()) {
    const process = inspector.process(id);
    if (!(process instanceof QuorumKvNode)) continue;
    const view = process.inspect();
    if (view.up) views.push(view);
  }
  const byId = new Map(views.map((view) => [view.id, view]));
  const keys = new Set<string>();
  for (const view of views) for (const key of view.store.keys()) keys.add(key);
  const diverged: { key: string; replicas: string[] }[] = [];
  for (const key of [...keys].sort()) {
    const copies: { id: string; object: VersionedObject | undefined }[] = [];
    for (const replica of views[0]?.primaries(key) ?? []) {
      const view = byId.get(replica);
      if (view !== undefined) copies.push({ id: replica, object: view.store.get(key) });
    }
    // A purged key and one still holding only tombstones read the same: absent.
    const norm = (object: VersionedObject | undefined): VersionedObject | undefined => (object !== undefined && object.siblings.every((s) => s.value === null) ? undefined : object);
    const first = norm(copies[0]?.object);
    if (copies.some((copy) => !sameCopy(norm(copy.object), first))) {
      diverged.push({ key, replicas: copies.map((copy) => copy.id) });
    }
  }
  // Hints for a replica that is down may wait; hints for a live one should have been handed off.
  let hints = 0;
  for (const view of views) for (const target of byId.keys()) hints += view.hintsFor(target);
  if (diverged.length > 0 || hints > 0) {
    return {
      checker: 'invariants',
      verdict: 'invalid',
      summary: `convergence: after ${Math.round((endNs - lastChangeNs) / 1e6)} ms of quiet, ${diverged.length} key(s) differ between their replicas and ${hints} hint(s) are undelivered (first: ${diverged[0]?.key ?? 'none'})`,
      evidence: { diverged: diverged.slice(0, 20), hints, liveNodes: views.length },
    };
  }
  return { checker: 'invariants', verdict: 'valid', summary: `convergence: ${keys.size} keys identical on their ${views.length > 0 ? 'live ' : ''}replicas, no hints left` };
}

function sameCopy(a: VersionedObject | undefined, b: VersionedObject | undefined): boolean {
  return a === undefined || b === undefined ? a === b : sameObject(a, b);
}
