// The Maelstrom services a node may call by sending an RPC to their id (doc/services.md): `lin-kv`,
// `seq-kv` and `lww-kv`, each with read, write and cas (and cas's `create_if_not_exists`). Pure
// state machines: the process host hands each request in with the lab's clock and a seeded random
// stream, and routes the reply back over the lab's network.
//
// What serves them, honestly:
// - lin-kv: one in-process map, each request applied atomically when it arrives, so every request
//   takes effect at one instant between its send and its reply: linearizable. It is not our Raft KV
//   cluster; it stands outside the nemesis's partitions, as Maelstrom's own services do.
// - seq-kv: sequentially consistent. The store keeps its recent versions in one total order; an
//   update applies to the newest; a read may return any version from the newest back to the last
//   one that caller has seen (never older), so each caller's view moves forward only. This is the
//   stale-read half of sequential consistency; it never reorders a caller's update into the past,
//   which Maelstrom's seq-kv may.
// - lww-kv: `replicas` independent copies; each request goes to one of them at random; a write is
//   stamped with that replica's clock (the lab's, skewed per replica); the copies gossip one another
//   every `gossipMs` and keep the higher stamp. Reads are stale and writes can be lost to a
//   concurrent one with a higher stamp, as Maelstrom's is meant to be pathological.
import type { Random } from '../../nodes/host.js';
import { canonicalJson } from '../../checkers/unique-ids.js';
import { sameValue } from '../../checkers/values.js';
import { ERROR, type Body, type MaelstromId } from './protocol.js';

export const SERVICE_IDS = ['lin-kv', 'seq-kv', 'lww-kv'] as const;
export type ServiceId = (typeof SERVICE_IDS)[number];

export function isServiceId(id: string): id is ServiceId {
  return (SERVICE_IDS as readonly string[]).includes(id);
}

export interface MaelstromService {
  readonly id: ServiceId;
  /** The reply to one request from `src`, at the lab's time `nowMs`. */
  handle(src: MaelstromId, request: Body, nowMs: number): Body;
  /** Called every few ms by the host: background work (lww-kv's gossip). */
  tick(nowMs: number): void;
}

/** Keys a store holds before it answers writes of new keys with temporarily-unavailable. */
export const SERVICE_KEYS_MAX = 100_000;
/** Versions seq-kv keeps to serve stale reads from. */
export const SEQ_VERSIONS_KEPT = 16;

type Store = Map<string, unknown>;

function reply(request: Body, body: Body): Body {
  return { ...body, in_reply_to: request.msg_id };
}

function fail(request: Body, code: number, text: string): Body {
  return reply(request, { type: 'error', code, text });
}

/**
 * One kv request against a store: returns the reply and, for an update that took effect, the new
 * store (a copy: the caller may keep the old one as a past version).
 */
export function applyKv(store: Store, request: Body): { reply: Body; next: Store | null } {
  if (!('key' in request)) return { reply: fail(request, ERROR.MALFORMED_REQUEST, `${request.type} needs a "key"`), next: null };
  const key = canonicalJson(request.key);
  const present = store.has(key);
  const grows = !present && store.size >= SERVICE_KEYS_MAX;
  const set = (value: unknown): Store => new Map(store).set(key, value);
  switch (request.type) {
    case 'read':
      if (!present) return { reply: fail(request, ERROR.KEY_DOES_NOT_EXIST, `key ${key} does not exist`), next: null };
      return { reply: reply(request, { type: 'read_ok', value: store.get(key) }), next: null };
    case 'write':
      if (!('value' in request)) return { reply: fail(request, ERROR.MALFORMED_REQUEST, 'write needs a "value"'), next: null };
      if (grows) return { reply: fail(request, ERROR.TEMPORARILY_UNAVAILABLE, `the store holds ${SERVICE_KEYS_MAX} keys`), next: null };
      return { reply: reply(request, { type: 'write_ok' }), next: set(request.value) };
    case 'cas': {
      if (!('from' in request) || !('to' in request)) return { reply: fail(request, ERROR.MALFORMED_REQUEST, 'cas needs "from" and "to"'), next: null };
      if (!present) {
        if (request.create_if_not_exists !== true) return { reply: fail(request, ERROR.KEY_DOES_NOT_EXIST, `key ${key} does not exist`), next: null };
        if (grows) return { reply: fail(request, ERROR.TEMPORARILY_UNAVAILABLE, `the store holds ${SERVICE_KEYS_MAX} keys`), next: null };
        return { reply: reply(request, { type: 'cas_ok' }), next: set(request.to) };
      }
      const current = store.get(key);
      if (!sameValue(current, request.from)) {
        return { reply: fail(request, ERROR.PRECONDITION_FAILED, `expected ${canonicalJson(request.from)}, but had ${canonicalJson(current)}`), next: null };
      }
      return { reply: reply(request, { type: 'cas_ok' }), next: set(request.to) };
    }
    default:
      return { reply: fail(request, ERROR.NOT_SUPPORTED, `${request.type} is not an operation of this kv service (read, write, cas)`), next: null };
  }
}

export class LinKvService implements MaelstromService {
  readonly id = 'lin-kv';
  private store: Store = new Map();

  handle(_src: MaelstromId, request: Body): Body {
    const { reply, next } = applyKv(this.store, request);
    if (next !== null) this.store = next;
    return reply;
  }

  tick(): void {}
}

export class SeqKvService implements MaelstromService {
  readonly id = 'seq-kv';
  /** Recent versions, oldest first; `base` is the number of the first. */
  private readonly versions: Store[] = [new Map()];
  private base = 0;
  /** The newest version each caller has seen. */
  private readonly seen = new Map<MaelstromId, number>();

  constructor(private readonly random: Random) {}

  handle(src: MaelstromId, request: Body): Body {
    const newest = this.base + this.versions.length - 1;
    const floor = Math.max(this.base, this.seen.get(src) ?? this.base);
    if (request.type === 'read') {
      // Any version the caller has not moved past.
      const version = this.random.range(floor, newest);
      this.seen.set(src, version);
      return applyKv(this.versions[version - this.base]!, request).reply;
    }
    const { reply, next } = applyKv(this.versions[this.versions.length - 1]!, request);
    let now = newest;
    if (next !== null) {
      this.versions.push(next);
      now += 1;
      if (this.versions.length > SEQ_VERSIONS_KEPT) {
        this.versions.shift();
        this.base += 1;
      }
    }
    // An update (or a refused one) observed the newest version: the caller may not go back before it.
    this.seen.set(src, now);
    return reply;
  }

  tick(): void {}
}

interface Stamped {
  value: unknown;
  stamp: number;
}

export interface LwwOptions {
  replicas: number;
  gossipMs: number;
  /** Each replica's clock is off the lab's by up to this much, either way. */
  skewMsMax: number;
}

export const LWW_DEFAULTS: LwwOptions = { replicas: 5, gossipMs: 100, skewMsMax: 20 };

export class LwwKvService implements MaelstromService {
  readonly id = 'lww-kv';
  private readonly replicas: Map<string, Stamped>[];
  private readonly skewsMs: number[];
  private lastGossipMs = 0;
  /** Breaks ties between stamps taken in the same ms. */
  private sequence = 0;

  constructor(
    private readonly random: Random,
    private readonly options: LwwOptions = LWW_DEFAULTS,
  ) {
    if (!(options.replicas >= 1 && options.gossipMs > 0 && options.skewMsMax >= 0)) throw new Error('lww-kv: needs replicas >= 1, gossipMs > 0, skewMsMax >= 0');
    this.replicas = Array.from({ length: options.replicas }, () => new Map());
    this.skewsMs = Array.from({ length: options.replicas }, () => random.range(-options.skewMsMax, options.skewMsMax));
  }

  handle(_src: MaelstromId, request: Body, nowMs: number): Body {
    const index = this.random.int(this.replicas.length);
    const replica = this.replicas[index]!;
    const plain: Store = new Map([...replica].map(([key, entry]) => [key, entry.value]));
    const { reply, next } = applyKv(plain, request);
    if (next !== null) {
      const key = canonicalJson(request.key);
      this.sequence = (this.sequence + 1) % 1_000;
      replica.set(key, { value: next.get(key), stamp: (Math.floor(nowMs) + this.skewsMs[index]!) * 1_000 + this.sequence });
    }
    return reply;
  }

  tick(nowMs: number): void {
    if (nowMs - this.lastGossipMs < this.options.gossipMs) return;
    this.lastGossipMs = nowMs;
    // Each replica merges one other replica's copy into its own.
    for (const target of this.replicas) {
      const source = this.replicas[this.random.int(this.replicas.length)]!;
      if (source === target) continue;
      for (const [key, entry] of source) {
        const mine = target.get(key);
        if (mine === undefined || mine.stamp < entry.stamp) target.set(key, entry);
      }
    }
  }
}

export function createService(id: ServiceId, random: Random): MaelstromService {
  switch (id) {
    case 'lin-kv':
      return new LinKvService();
    case 'seq-kv':
      return new SeqKvService(random);
    case 'lww-kv':
      return new LwwKvService(random);
  }
}
