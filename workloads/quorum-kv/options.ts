// The consistency options each quorum-kv workload sends with its requests, and the workload options
// as a zod schema: for the plugin contract of issue 11 (a plugin-owned schema of its workload
// options), until then the presets below are fixed per workload name.
import { z } from 'zod';
import type { RequestOptions } from '../../nodes/quorum-kv/index.js';

/** ABD on strict majorities: linearizable reads and writes. */
export const CP_QUORUM: RequestOptions = Object.freeze({ mode: 'cp', r: 'quorum', w: 'quorum', pr: 0, pw: 0, sloppy: false, resolve: 'lww' });

/** Writes and cas through the key's Paxos register, reads by ABD: linearizable with cas. */
export const CP_SERIAL: RequestOptions = Object.freeze({ ...CP_QUORUM, serial: true });

/**
 * The negative control: the same ABD code with R = W = 1, so R + W <= N and a read quorum can miss
 * a completed write. The lab must find it not linearizable.
 */
export const CP_PARTIAL: RequestOptions = Object.freeze({ ...CP_QUORUM, r: 'one', w: 'one' });

/** Dynamo defaults: sloppy quorums of two, siblings to the client. */
export const AP_SLOPPY: RequestOptions = Object.freeze({ mode: 'ap', r: 'one', w: 2, pr: 0, pw: 0, sloppy: true, resolve: 'siblings' });

/** For final reads in AP workloads: every primary answers, so every acknowledged write is seen. */
export const AP_READ_ALL: RequestOptions = Object.freeze({ ...AP_SLOPPY, r: 'all', sloppy: false });

/** Counter buckets (a PN-counter CRDT): adds to a sloppy W = 2, reads of one or of all primaries. */
export const AP_COUNTER_SLOPPY: RequestOptions = Object.freeze({ ...AP_SLOPPY, resolve: 'counter' });
export const AP_COUNTER_ONE: RequestOptions = Object.freeze({ ...AP_COUNTER_SLOPPY, sloppy: false });
export const AP_COUNTER_ALL: RequestOptions = Object.freeze({ ...AP_READ_ALL, resolve: 'counter' });

/** Partial quorums, last writer wins: the PBS setting whose staleness is measured. */
export const AP_ONE_LWW: RequestOptions = Object.freeze({ mode: 'ap', r: 'one', w: 'one', pr: 0, pw: 0, sloppy: false, resolve: 'lww' });

const level = z.union([z.enum(['one', 'quorum', 'all']), z.number().int().min(1).max(15)]);

/** Per-request options a scenario could set (issue 11: a plugin-owned workload schema). */
export const requestOptionsSchema = z
  .object({
    mode: z.enum(['cp', 'ap']),
    r: level,
    w: level,
    pr: z.number().int().min(0).max(15).default(0),
    pw: z.number().int().min(0).max(15).default(0),
    sloppy: z.boolean().default(false),
    resolve: z.enum(['siblings', 'lww', 'counter']).default('siblings'),
  })
  .strict();

/** The quorum-kv workload options (issue 11): which consistency to run, and the key count. */
export const quorumKvWorkloadSchema = z
  .object({
    keys: z.number().int().min(1).max(10_000).default(3),
    readPercent: z.number().int().min(0).max(100).optional(),
    request: requestOptionsSchema.optional(),
  })
  .strict();

/** Majorities without ABD, last writer wins: with a session token, read-your-writes holds. */
export const AP_QUORUM_LWW: RequestOptions = Object.freeze({ mode: 'ap', r: 'quorum', w: 'quorum', pr: 0, pw: 0, sloppy: false, resolve: 'lww' });
