// Tenant quotas, counted the way they cost: at no instant may a tenant have more jobs running than
// its quota, where running means a worker's hold (its acquire's `ok` until it says it stopped), so
// a zombie (a holder whose lease expired while it still ran) counts until it really stops.
import type { History } from '../../histories/schema.js';
import type { CheckerResult } from '../verdict.js';
import { msOf, schedulerEvents, untimedResult } from './events.js';
import { holdsOf, type Hold } from './mutex.js';

export interface QuotaExcess {
  tenant: string;
  atNs: number;
  running: Hold[];
}

/** The first instant per tenant at which more than `quota` holds ran at once. */
export function quotaExcesses(holds: readonly Hold[], tenantOf: (job: string) => string, quota: number): QuotaExcess[] {
  const byTenant = new Map<string, Hold[]>();
  for (const hold of holds) {
    const tenant = tenantOf(hold.job);
    byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), hold]);
  }
  const found: QuotaExcess[] = [];
  for (const [tenant, list] of [...byTenant].sort(([a], [b]) => a.localeCompare(b))) {
    // Starts sorted; at a tie an end comes first (a hold ending as another starts is no overlap).
    const starts = [...list].sort((a, b) => a.startNs - b.startNs);
    const running: Hold[] = [];
    for (const hold of starts) {
      for (let i = running.length - 1; i >= 0; i--) if (running[i]!.endNs <= hold.startNs) running.splice(i, 1);
      running.push(hold);
      if (running.length > quota) {
        found.push({ tenant, atNs: hold.startNs, running: [...running] });
        break;
      }
    }
  }
  return found;
}

export function checkQuota(history: History, quota: number): CheckerResult {
  const events = schedulerEvents(history);
  const untimed = untimedResult('quota', events);
  if (untimed !== null) return untimed;
  const tenantOf = (job: string): string => events.tenants.get(job) ?? 'unknown';
  const holds = holdsOf(events);
  const found = quotaExcesses(holds, tenantOf, quota);
  if (found.length > 0) {
    const first = found[0]!;
    return {
      checker: 'quota',
      verdict: 'invalid',
      summary: `quota exceeded: tenant ${first.tenant} ran ${first.running.length} jobs at once at ${msOf(first.atNs)} ms (quota ${quota}): ${first.running.map((hold) => `${hold.job} by ${hold.holder}`).join(', ')}`,
      evidence: { excesses: found.slice(0, 20).map((excess) => ({ ...excess, running: excess.running.map((hold) => ({ ...hold, endNs: hold.endNs === Infinity ? null : hold.endNs })) })), quota },
    };
  }
  return { checker: 'quota', verdict: 'valid', summary: `quota: no tenant ran more than ${quota} jobs at once (${holds.length} holds, zombies counted until they stopped)` };
}
