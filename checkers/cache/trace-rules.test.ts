import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../nodes/host.js';
import { CacheTraceRules } from './trace-rules.js';

const MS = 1_000_000;

function feed(events: [number, string, string, Record<string, string | number | boolean>][]): CacheTraceRules {
  const rules = new CacheTraceRules();
  for (const [timeMs, node, kind, fields] of events) rules.onTrace({ time: timeMs * MS, node, kind, fields } satisfies TraceEvent);
  return rules;
}

describe('the cache trace rules', () => {
  it('accepts a hit inside its TTL and flags one past it in true time', () => {
    const inside = feed([[0, 'n4', 'cache.fill', { key: 'k', fill: 'a.1', ttlMs: 500 }], [500, 'n4', 'cache.hit', { key: 'k', fill: 'a.1' }]]);
    expect(inside.violations).toEqual([]);
    const past = feed([[0, 'n4', 'cache.fill', { key: 'k', fill: 'a.1', ttlMs: 500 }], [700, 'n4', 'cache.hit', { key: 'k', fill: 'a.1' }]]);
    expect(past.violations.map((violation) => violation.rule)).toEqual(['ttl-exceeded']);
  });

  it('flags a hit on a fill it never saw', () => {
    expect(feed([[1, 'n4', 'cache.hit', { key: 'k', fill: 'x.9' }]]).violations.map((violation) => violation.rule)).toEqual(['unknown-fill']);
  });

  it('flags a second lease for a key while the first is out, but not after it was revoked, filled or the node restarted', () => {
    const stampede = feed([[0, 'n4', 'cache.lease', { key: 'k', lease: 'a.1' }], [1, 'n4', 'cache.lease', { key: 'k', lease: 'a.2' }]]);
    expect(stampede.violations.map((violation) => violation.rule)).toEqual(['stampede']);
    const revoked = feed([[0, 'n4', 'cache.lease', { key: 'k', lease: 'a.1' }], [1, 'n4', 'cache.revoke', { key: 'k', lease: 'a.1' }], [2, 'n4', 'cache.lease', { key: 'k', lease: 'a.2' }]]);
    expect(revoked.violations).toEqual([]);
    const ended = feed([[0, 'n4', 'cache.lease', { key: 'k', lease: 'a.1' }], [1, 'n4', 'cache.lease-end', { key: 'k', lease: 'a.1' }], [2, 'n4', 'cache.lease', { key: 'k', lease: 'a.2' }]]);
    expect(ended.violations).toEqual([]);
    const restarted = feed([[0, 'n4', 'cache.lease', { key: 'k', lease: 'a.1' }], [1, 'n4', 'cache.start', { incarnation: 'b' }], [2, 'n4', 'cache.lease', { key: 'k', lease: 'b.1' }]]);
    expect(restarted.violations).toEqual([]);
    const otherNode = feed([[0, 'n4', 'cache.lease', { key: 'k', lease: 'a.1' }], [1, 'n5', 'cache.lease', { key: 'k', lease: 'c.1' }]]);
    expect(otherNode.violations).toEqual([]);
  });
});
