// The cache's white-box monitor: the trace rules of checkers/cache/trace-rules.ts (TTL never
// exceeded in true time, one origin load per key per miss window), and, after every fill, the
// node's entries recomputed byte by byte against its capacity.
import { CacheNode } from '../../nodes/cache/index.js';
import type { CheckerResult } from '../../checkers/verdict.js';
import { CacheTraceRules } from '../../checkers/cache/trace-rules.js';
import type { Inspector, InvariantMonitor, TraceEvent } from '../system.js';

interface CapacityViolation {
  timeNs: number;
  node: string;
  trueBytes: number;
  capacityBytes: number;
  believedBytes: number;
}

export function cacheMonitor(): InvariantMonitor {
  const rules = new CacheTraceRules();
  const capacity: CapacityViolation[] = [];
  let fillsJudged = 0;
  return {
    onTrace(event: TraceEvent, inspector: Inspector) {
      rules.onTrace(event);
      if (event.kind !== 'cache.fill' || event.node === null || capacity.length > 0) return;
      const process = inspector.process(event.node);
      if (!(process instanceof CacheNode)) return;
      fillsJudged += 1;
      const view = process.inspect();
      if (view.trueBytes > view.capacityBytes) {
        capacity.push({ timeNs: event.time, node: view.id, trueBytes: view.trueBytes, capacityBytes: view.capacityBytes, believedBytes: view.bytesUsed });
      }
    },
    result(): CheckerResult {
      const evidence = { traceViolations: rules.violations, capacity, hitsJudged: rules.hitsJudged, loadsJudged: rules.loadsJudged, fillsJudged };
      const firstCapacity = capacity[0];
      if (firstCapacity !== undefined) {
        return {
          checker: 'invariants',
          verdict: 'invalid',
          summary: `cache capacity: ${firstCapacity.node} held ${firstCapacity.trueBytes} bytes at ${(firstCapacity.timeNs / 1e6).toFixed(1)} ms, over its ${firstCapacity.capacityBytes} (it believed ${firstCapacity.believedBytes})`,
          evidence,
        };
      }
      const first = rules.violations[0];
      if (first !== undefined) {
        return { checker: 'invariants', verdict: 'invalid', summary: `cache ${first.rule}: ${first.node} ${first.key} at ${(first.timeNs / 1e6).toFixed(1)} ms: ${first.detail}`, evidence };
      }
      return { checker: 'invariants', verdict: 'valid', summary: `cache: ${rules.hitsJudged} hits within their TTL, ${rules.loadsJudged} leases (origin loads) without a stampede, ${fillsJudged} fills within capacity`, evidence };
    },
  };
}
