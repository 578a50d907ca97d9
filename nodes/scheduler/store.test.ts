// The job store's transitions and the resource's fencing rule, pure.
import { describe, expect, it } from 'vitest';
import { cancelJob, charged, clearZombie, completeJob, emptyShard, endLease, grantJob, holds, leasedJobs, oldestQueued, parseShard, releaseLease, shardOf, SHARDS, submitJob, type ShardDoc } from './store.js';
import { FencedStore } from './resource.js';

function apply(doc: ShardDoc, next: ShardDoc | null): ShardDoc {
  return next ?? doc;
}

describe('the job store', () => {
  it('creates a job once per request id: a retried submission changes nothing', () => {
    const first = submitJob(emptyShard(), 'j1', 't0');
    expect(first.result).toBe('created');
    const again = submitJob(first.next!, 'j1', 't0');
    expect(again).toEqual({ next: null, result: 'exists' });
    expect(Object.keys(first.next!.jobs)).toEqual(['j1']);
  });

  it('grants the oldest queued job, fences the lease by token, and requeues or dead-letters it when it ends', () => {
    let doc = emptyShard();
    doc = apply(doc, submitJob(doc, 'a', 't0').next);
    doc = apply(doc, submitJob(doc, 'b', 't0').next);
    expect(oldestQueued(doc, new Set())).toBe('a');
    expect(oldestQueued(doc, new Set(['a']))).toBe('b');
    doc = apply(doc, grantJob(doc, 'a', 7, 'w1').next);
    expect(holds(doc, 'a', 7)).toBe(true);
    expect(grantJob(doc, 'a', 8, 'w2').result).toBe(false);
    expect(leasedJobs(doc)).toEqual([{ job: 'a', token: 7 }]);
    // A stale token neither completes nor ends the lease.
    expect(completeJob(doc, 'a', 6).result).toBe(false);
    expect(endLease(doc, 'a', 6, 10).result).toBe(false);
    // A release ends it; a duplicate of that release is answered alike, changing nothing.
    const released = releaseLease(doc, 'a', 7, 10);
    expect(released.next!.jobs.a).toMatchObject({ state: 'queued', released: true });
    expect(releaseLease(released.next!, 'a', 7, 10)).toEqual({ next: null, result: true });
    const requeued = apply(doc, endLease(doc, 'a', 7, 10).next);
    expect(requeued.jobs.a).toMatchObject({ state: 'queued', attempts: 1, token: 7 });
    const dead = apply(doc, endLease(doc, 'a', 7, 1).next);
    expect(dead.jobs.a!.state).toBe('dead');
  });

  it('completes once, answering a retried completion alike, and cancels only jobs no one holds', () => {
    let doc = emptyShard();
    doc = apply(doc, submitJob(doc, 'a', 't0').next);
    doc = apply(doc, submitJob(doc, 'b', 't0').next);
    doc = apply(doc, grantJob(doc, 'a', 1, 'w1').next);
    expect(cancelJob(doc, 'a').result).toBe('not-cancellable');
    const done = apply(doc, completeJob(doc, 'a', 1).next);
    expect(done.jobs.a!.state).toBe('done');
    expect(completeJob(done, 'a', 1)).toEqual({ next: null, result: true });
    const cancelled = cancelJob(done, 'b');
    expect(cancelled.result).toBe('cancelled');
    expect(cancelled.next!.jobs.b!.state).toBe('cancelled');
    expect(cancelJob(done, 'zzz').result).toBe('not-found');
    // Queued again after a lease: a zombie may still commit, so it is not cancellable.
    const again = apply(doc, endLease(doc, 'a', 1, 10, true).next);
    expect(again.jobs.a!.state).toBe('queued');
    expect(cancelJob(again, 'a').result).toBe('not-cancellable');
  });

  it('keeps shards stable and documents round-trip through their text', () => {
    expect(shardOf('j1.2')).toBe(shardOf('j1.2'));
    expect(new Set(Array.from({ length: 64 }, (_, i) => shardOf(`j${i}`))).size).toBe(SHARDS);
    // A tenant's jobs share its shard, so quota admission is one compare-and-set.
    expect(new Set(Array.from({ length: 16 }, (_, i) => shardOf(`t7/j${i}`)))).toEqual(new Set([shardOf('t7/x')]));
    const doc = submitJob(emptyShard(), 'a', 't0').next!;
    expect(parseShard(JSON.stringify(doc))).toEqual(doc);
    expect(parseShard(null)).toEqual(emptyShard());
    expect(() => parseShard(3)).toThrow(/holds a number/);
  });
});

describe('quotas', () => {
  it('admits a tenant only under its quota, counting zombie charges until released or cleared', () => {
    let doc = emptyShard();
    for (const job of ['t/a', 't/b', 't/c']) doc = apply(doc, submitJob(doc, job, 't', 2).next);
    doc = apply(doc, submitJob(doc, 'u/x', 'u', 2).next);
    expect(submitJob(doc, 't/z', 'u').result).toBe('bad-tenant');
    doc = apply(doc, grantJob(doc, 't/a', 1, 'w1').next);
    doc = apply(doc, grantJob(doc, 't/b', 2, 'w2').next);
    expect(grantJob(doc, 't/c', 3, 'w3').result).toBe(false);
    expect(oldestQueued(doc, new Set())).toBe('u/x');
    // a expires: its holder may still run, so its slot stays charged.
    doc = apply(doc, endLease(doc, 't/a', 1, 10, true).next);
    expect(charged(doc, 't')).toBe(2);
    expect(grantJob(doc, 't/c', 3, 'w3').result).toBe(false);
    // Its holder says it stopped: the charge goes.
    doc = apply(doc, releaseLease(doc, 't/a', 1, 10).next);
    expect(charged(doc, 't')).toBe(1);
    expect(releaseLease(doc, 't/a', 1, 10)).toEqual({ next: null, result: false });
    expect(grantJob(doc, 't/c', 3, 'w3').result).toBe(true);
    // A zombie never heard from is cleared after its grace.
    const expired = apply(doc, endLease(doc, 't/b', 2, 10, true).next);
    expect(charged(apply(expired, clearZombie(expired, 2).next), 't')).toBe(0);
  });
});

describe('the fenced resource', () => {
  it('rejects a token below the highest seen for the key and applies a commit once per idempotency key', () => {
    const store = new FencedStore();
    expect(store.judge({ key: 'j', token: 2, kind: 'step', idem: null }).outcome).toBe('accepted');
    expect(store.judge({ key: 'j', token: 1, kind: 'step', idem: null }).outcome).toBe('rejected');
    expect(store.judge({ key: 'k', token: 1, kind: 'step', idem: null }).outcome).toBe('accepted');
    expect(store.judge({ key: 'j', token: 3, kind: 'commit', idem: 'j' }).outcome).toBe('accepted');
    expect(store.judge({ key: 'j', token: 4, kind: 'commit', idem: 'j' }).outcome).toBe('duplicate');
    // Without the key the resource cannot tell a second run's commit from a first.
    expect(store.judge({ key: 'j', token: 5, kind: 'commit', idem: null }).outcome).toBe('accepted');
  });
});
