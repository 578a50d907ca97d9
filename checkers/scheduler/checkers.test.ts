// The scheduler's checkers on small hand-built histories: each property shown holding, and shown
// broken by the history that breaks it (the shape a buggy scheduler or worker would record).
import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../histories/schema.js';
import { checkAtLeastOnce, checkExactlyOnce, checkFencedResource, checkLeaseExclusion, checkMutex, checkQuota, checkRelease, checkTokens } from './index.js';

const MS = 1_000_000;
const TTL = 1_000 * MS;

/** Records ops as (process, f, invoke value, outcome, completion value, invoke ms, completion ms). */
class Builder {
  private readonly events: { time: number; order: number; record: Omit<HistoryRecord, 'index'> }[] = [];
  private order = 0;

  op(process: number, f: string, invokeValue: unknown, type: 'ok' | 'fail' | 'info', value: unknown, atMs: number, doneMs: number): this {
    const key = typeof (invokeValue as { job?: unknown })?.job === 'string' ? (invokeValue as { job: string }).job : undefined;
    this.events.push({ time: atMs * MS, order: this.order++, record: { process, type: 'invoke', f, value: invokeValue, time: atMs * MS, ...(key ? { key } : {}) } });
    this.events.push({ time: doneMs * MS, order: this.order++, record: { process, type, f, value, time: doneMs * MS, ...(key ? { key } : {}) } });
    return this;
  }

  grant(process: number, holder: string, job: string, token: number, atMs: number, doneMs = atMs + 5): this {
    return this.op(process, 'acquire', { holder }, 'ok', { holder, job, token }, atMs, doneMs);
  }

  stop(process: number, holder: string, job: string, token: number, atMs: number, f: 'stop' | 'crash' = 'stop'): this {
    const value = { job, token, holder, reason: f === 'crash' ? undefined : 'deadline' };
    return this.op(process, f, value, 'ok', value, atMs, atMs);
  }

  write(holder: string, job: string, token: number | null, kind: 'step' | 'commit', outcome: 'accepted' | 'rejected' | 'duplicate', atMs: number): this {
    const value = { key: job, token, kind, idem: kind === 'commit' ? job : null, holder };
    return this.op(0, 'write', value, outcome === 'rejected' ? 'fail' : 'ok', { ...value, outcome }, atMs, atMs);
  }

  build(): HistoryRecord[] {
    return this.events.sort((a, b) => a.time - b.time || a.order - b.order).map((event, index) => ({ index, ...event.record }) as HistoryRecord);
  }
}

describe('fenced-resource', () => {
  it('holds when a stale holder was rejected, and fails for a shared token, an unfenced write or a token going back', () => {
    const fenced = new Builder().write('a', 'j', 1, 'step', 'accepted', 10).write('b', 'j', 2, 'step', 'accepted', 20).write('a', 'j', 1, 'step', 'rejected', 30).build();
    expect(checkFencedResource(fenced).verdict).toBe('valid');
    const shared = new Builder().write('a', 'j', 1, 'step', 'accepted', 10).write('b', 'j', 1, 'step', 'accepted', 20).build();
    expect(checkFencedResource(shared)).toMatchObject({ verdict: 'invalid', summary: expect.stringMatching(/token 1 accepted from a and from b/) });
    const unfenced = new Builder().write('a', 'j', null, 'step', 'accepted', 10).build();
    expect(checkFencedResource(unfenced).summary).toMatch(/no token/);
    const back = new Builder().write('b', 'j', 2, 'step', 'accepted', 10).write('a', 'j', 1, 'step', 'accepted', 20).build();
    expect(checkFencedResource(back).summary).toMatch(/token 1 of a accepted .* after token 2 of b/);
    // Tokens are per key: another job's lower token is no regression.
    const twoKeys = new Builder().write('b', 'j', 2, 'step', 'accepted', 10).write('a', 'k', 1, 'step', 'accepted', 20).build();
    expect(checkFencedResource(twoKeys).verdict).toBe('valid');
  });
});

describe('mutex (the black-box model on the workers)', () => {
  it('holds for holds in sequence and fails when a second worker acquires before the first stopped', () => {
    const sequential = new Builder().grant(1, 'a', 'j', 1, 0).stop(1, 'a', 'j', 1, 700).grant(2, 'b', 'j', 2, 1_100).build();
    expect(checkMutex(sequential).verdict).toBe('valid');
    const paused = new Builder().grant(1, 'a', 'j', 1, 0).grant(2, 'b', 'j', 2, 1_100).stop(1, 'a', 'j', 1, 2_000).build();
    expect(checkMutex(paused)).toMatchObject({ verdict: 'invalid', summary: expect.stringMatching(/held by two workers at once; first j/) });
    // A holder that never stopped holds to the end.
    const neverStopped = new Builder().grant(1, 'a', 'j', 1, 0).grant(2, 'b', 'j', 2, 5_000).build();
    expect(checkMutex(neverStopped).verdict).toBe('invalid');
  });
});

describe('lease-exclusion (the scheduler keeps its promise)', () => {
  it('allows a grant after the promised time and fails one before it, counting renewals', () => {
    const afterExpiry = new Builder().grant(1, 'a', 'j', 1, 0).grant(2, 'b', 'j', 2, 1_000).build();
    expect(checkLeaseExclusion(afterExpiry, TTL, 0.1).verdict).toBe('valid');
    const early = new Builder().grant(1, 'a', 'j', 1, 0).grant(2, 'b', 'j', 2, 500).build();
    expect(checkLeaseExclusion(early, TTL, 0.1)).toMatchObject({ verdict: 'invalid', summary: expect.stringMatching(/token 1 of a promised until 900 ms, token 2 granted to b at 505 ms/) });
    const renewed = new Builder()
      .grant(1, 'a', 'j', 1, 0)
      .op(3, 'renew', { job: 'j', token: 1, holder: 'a' }, 'ok', { job: 'j', token: 1, holder: 'a' }, 600, 610)
      .grant(2, 'b', 'j', 2, 1_100)
      .build();
    expect(checkLeaseExclusion(renewed, TTL, 0.1).verdict).toBe('invalid');
    // A completed job's lease is over: no promise stands.
    const completed = new Builder()
      .grant(1, 'a', 'j', 1, 0)
      .op(1, 'complete', { job: 'j', token: 1, holder: 'a' }, 'ok', { job: 'j', token: 1, holder: 'a' }, 100, 110)
      .grant(2, 'b', 'j', 2, 200)
      .build();
    expect(checkLeaseExclusion(completed, TTL, 0.1).verdict).toBe('valid');
  });
});

describe('tokens', () => {
  it('fails when a grant requested after another was granted gets a token not above it', () => {
    const rising = new Builder().grant(1, 'a', 'j', 5, 0).grant(2, 'b', 'k', 6, 100).build();
    expect(checkTokens(rising).verdict).toBe('valid');
    const afterFailover = new Builder().grant(1, 'a', 'j', 5, 0).grant(2, 'b', 'k', 1, 100).build();
    expect(checkTokens(afterFailover)).toMatchObject({ verdict: 'invalid', summary: expect.stringMatching(/token 1 .* after token 5/) });
    // Concurrent grants may come in any order.
    const concurrent = new Builder().grant(1, 'a', 'j', 6, 0, 50).grant(2, 'b', 'k', 5, 10, 60).build();
    expect(checkTokens(concurrent).verdict).toBe('valid');
  });
});

describe('exactly-once', () => {
  it('counts a duplicate commit as no second effect, and fails two accepted commits or one after a cancel', () => {
    const once = new Builder().write('a', 'j', 1, 'commit', 'accepted', 10).write('b', 'j', 2, 'commit', 'duplicate', 20).build();
    expect(checkExactlyOnce(once).verdict).toBe('valid');
    const twice = new Builder().write('a', 'j', 1, 'commit', 'accepted', 10).write('b', 'j', 2, 'commit', 'accepted', 20).build();
    expect(checkExactlyOnce(twice)).toMatchObject({ verdict: 'invalid', summary: expect.stringMatching(/j: committed 2 times \(by a, b\)/) });
    const afterCancel = new Builder().op(5, 'cancel', { job: 'j' }, 'ok', { job: 'j' }, 0, 10).write('a', 'j', 1, 'commit', 'accepted', 20).build();
    expect(checkExactlyOnce(afterCancel).summary).toMatch(/after its cancel was acknowledged/);
  });
});

describe('at-least-once', () => {
  const submit = (builder: Builder, job: string, atMs: number): Builder => builder.op(5, 'submit', { job, tenant: 't0' }, 'ok', { job, tenant: 't0' }, atMs, atMs + 5);
  const options = { healedAtNs: null, endNs: 10_000 * MS, boundNs: 4_000 * MS };

  it('fails an acknowledged job never committed, skips cancelled ones and those acknowledged too near the end', () => {
    const done = submit(new Builder(), 'j', 0).write('a', 'j', 1, 'commit', 'accepted', 500).build();
    expect(checkAtLeastOnce(done, options).verdict).toBe('valid');
    const lost = submit(new Builder(), 'j', 0).build();
    expect(checkAtLeastOnce(lost, options)).toMatchObject({ verdict: 'invalid', property: 'progress', summary: expect.stringMatching(/first: j/) });
    const cancelled = submit(new Builder(), 'j', 0).op(5, 'cancel', { job: 'j' }, 'ok', { job: 'j' }, 20, 30).build();
    expect(checkAtLeastOnce(cancelled, options).verdict).toBe('valid');
    const late = submit(new Builder(), 'j', 7_000).build();
    expect(checkAtLeastOnce(late, options)).toMatchObject({ verdict: 'valid', summary: expect.stringMatching(/1 acknowledged too near the end/) });
  });
});

describe('release (a crashed holder is replaced in time)', () => {
  const options = { ttlNs: TTL, boundNs: 500 * MS, fromNs: 0, untilNs: 10_000 * MS };

  it('holds when the job is leased again within TTL plus the bound and fails when it is not', () => {
    const prompt = new Builder().grant(1, 'a', 'j', 1, 0).stop(1, 'a', 'j', 1, 100, 'crash').grant(2, 'b', 'j', 2, 1_200).build();
    expect(checkRelease(prompt, options).verdict).toBe('valid');
    const slow = new Builder().grant(1, 'a', 'j', 1, 0).stop(1, 'a', 'j', 1, 100, 'crash').grant(2, 'b', 'j', 2, 1_900).build();
    expect(checkRelease(slow, options)).toMatchObject({ verdict: 'invalid', summary: expect.stringMatching(/leased again at 1905 ms/) });
    const never = new Builder().grant(1, 'a', 'j', 1, 0).stop(1, 'a', 'j', 1, 100, 'crash').build();
    expect(checkRelease(never, options).summary).toMatch(/never leased again/);
  });
});

describe('quota (zombies counted)', () => {
  // Each submission on its own process, so they may overlap.
  let submitter = 100;
  const submit = (builder: Builder, job: string, tenant: string): Builder => builder.op(submitter++, 'submit', { job, tenant }, 'ok', { job, tenant }, 0, 1);

  it('counts a paused holder until it stops, and fails when a tenant runs more than its quota', () => {
    let within = new Builder();
    for (const job of ['a', 'b', 'c']) within = submit(within, job, 't');
    within = within.grant(1, 'w1', 'a', 1, 10).stop(1, 'w1', 'a', 1, 500).grant(2, 'w2', 'b', 2, 20).grant(3, 'w3', 'c', 3, 600);
    expect(checkQuota(within.build(), 2)).toMatchObject({ verdict: 'valid', summary: expect.stringMatching(/3 holds/) });
    // w1's lease expired at 1 s but it was paused and ran until 2.5 s: with w2 and w3, three at once.
    let zombie = new Builder();
    for (const job of ['a', 'b', 'c']) zombie = submit(zombie, job, 't');
    zombie = zombie.grant(1, 'w1', 'a', 1, 10).grant(2, 'w2', 'b', 2, 20).grant(3, 'w3', 'c', 3, 1_100).stop(1, 'w1', 'a', 1, 2_500);
    expect(checkQuota(zombie.build(), 2)).toMatchObject({ verdict: 'invalid', summary: expect.stringMatching(/tenant t ran 3 jobs at once at 1105 ms \(quota 2\)/) });
    // Other tenants' jobs do not count against t.
    let two = new Builder();
    two = submit(submit(submit(two, 'a', 't'), 'b', 't'), 'c', 'u');
    expect(checkQuota(two.grant(1, 'w1', 'a', 1, 10).grant(2, 'w2', 'b', 2, 20).grant(3, 'w3', 'c', 3, 30).build(), 2).verdict).toBe('valid');
  });
});

describe('a history the checks cannot read', () => {
  it('is not judged by any of the checks, and each says why', () => {
    const untimed = new Builder().grant(1, 'a', 'j', 1, 0).build().map(({ time: _time, ...rest }) => rest as HistoryRecord);
    const results = [
      checkFencedResource(untimed),
      checkMutex(untimed),
      checkLeaseExclusion(untimed, TTL, 0.1),
      checkTokens(untimed),
      checkExactlyOnce(untimed),
      checkAtLeastOnce(untimed, { healedAtNs: null, endNs: 1, boundNs: 1 }),
      checkRelease(untimed, { ttlNs: TTL, boundNs: 1, fromNs: 0, untilNs: 1 }),
      checkQuota(untimed, 1),
    ];
    for (const result of results) expect(result).toMatchObject({ verdict: 'unknown', summary: expect.stringMatching(/lack a true time/) });
  });

  it('nor is one whose ops do not pair (a process invoking twice)', () => {
    const twice = new Builder().grant(1, 'a', 'j', 1, 0, 50).grant(1, 'b', 'k', 2, 10, 60).build();
    expect(checkTokens(twice)).toMatchObject({ verdict: 'unknown', summary: expect.stringMatching(/do not pair/) });
  });
});
