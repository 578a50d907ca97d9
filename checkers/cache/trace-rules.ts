// White-box rules over a cache run's trace, in true time, fed one event at a time (pure state, no
// access to the nodes): no entry served past its TTL, and at most one origin load per key per miss
// window on a node. Each lease a node grants sends one caller to the store; its window ends when it
// is filled, expires, or a write revokes it. A second lease for the same key inside that window is
// a stampede the coalescing should have absorbed.
import type { TraceEvent } from '../../nodes/host.js';
import { DRIFT_FRACTION_MAX, MARGIN_MS } from './bounds.js';

export interface TraceViolation {
  rule: 'ttl-exceeded' | 'unknown-fill' | 'stampede';
  timeNs: number;
  node: string;
  key: string;
  detail: string;
}

const NS_PER_MS = 1_000_000;

export class CacheTraceRules {
  /** `${node}|${fill}` -> true time of the fill and its TTL bound in true time. */
  private readonly fills = new Map<string, { atNs: number; boundNs: number }>();
  /** `${node}|${key}` -> leases out, each with whether a write revoked it. */
  private readonly loads = new Map<string, Map<string, boolean>>();
  readonly violations: TraceViolation[] = [];
  hitsJudged = 0;
  loadsJudged = 0;

  constructor(private readonly violationsMax = 20) {}

  onTrace(event: TraceEvent): void {
    const node = event.node;
    const fields = event.fields;
    if (node === null || fields === undefined && event.kind !== 'cache.start') return;
    switch (event.kind) {
      case 'cache.start':
        // A restart lost every load in flight and every entry: fill ids of the old incarnation end too.
        for (const id of [...this.loads.keys()]) if (id.startsWith(`${node}|`)) this.loads.delete(id);
        return;
      case 'cache.fill': {
        const ttlMs = Number(fields!.ttlMs);
        this.fills.set(`${node}|${String(fields!.fill)}`, { atNs: event.time, boundNs: Math.ceil((ttlMs / (1 - DRIFT_FRACTION_MAX) + MARGIN_MS) * NS_PER_MS) });
        return;
      }
      case 'cache.hit': {
        this.hitsJudged += 1;
        const key = String(fields!.key);
        const fill = this.fills.get(`${node}|${String(fields!.fill)}`);
        if (fill === undefined) {
          this.note({ rule: 'unknown-fill', timeNs: event.time, node, key, detail: `a hit served fill ${String(fields!.fill)}, which no trace event filled` });
          return;
        }
        const ageNs = event.time - fill.atNs;
        if (ageNs > fill.boundNs) {
          this.note({ rule: 'ttl-exceeded', timeNs: event.time, node, key, detail: `served fill ${String(fields!.fill)} ${(ageNs / NS_PER_MS).toFixed(1)} ms after it was filled; its TTL allows ${(fill.boundNs / NS_PER_MS).toFixed(1)} ms in true time` });
        }
        return;
      }
      case 'cache.lease': {
        this.loadsJudged += 1;
        const id = `${node}|${String(fields!.key)}`;
        const inFlight = this.loads.get(id) ?? new Map<string, boolean>();
        const open = [...inFlight].filter(([, revoked]) => !revoked).map(([load]) => load);
        if (open.length > 0) {
          this.note({ rule: 'stampede', timeNs: event.time, node, key: String(fields!.key), detail: `lease ${String(fields!.lease)} sent a second caller to the store while lease ${open[0]} of the same key was out and unrevoked` });
        }
        inFlight.set(String(fields!.lease), false);
        this.loads.set(id, inFlight);
        return;
      }
      case 'cache.revoke': {
        this.loads.get(`${node}|${String(fields!.key)}`)?.set(String(fields!.lease), true);
        return;
      }
      case 'cache.lease-end': {
        const id = `${node}|${String(fields!.key)}`;
        const inFlight = this.loads.get(id);
        inFlight?.delete(String(fields!.lease));
        if (inFlight !== undefined && inFlight.size === 0) this.loads.delete(id);
        return;
      }
    }
  }

  private note(violation: TraceViolation): void {
    if (this.violations.length < this.violationsMax) this.violations.push(violation);
  }
}
