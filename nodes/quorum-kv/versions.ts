// Versions of one key: a set of sibling values under one causal context, in the style of Riak's
// dotted version vector sets (Preguiça, Baquero et al., "Dotted Version Vectors").
//
// - An *actor* is one incarnation of one replica (`n2.3`: node n2 after its third start). Only a
//   replica of a key issues versions of it, always on top of its own copy, so the counters one actor
//   issues for one key are 1, 2, 3, ... with every one of them in that copy. A restart is a new actor:
//   a version made before a crash and lost with the unsynced tail can never share a dot with a new one.
// - Each sibling carries its *dot* (actor, counter): the one event that made it.
// - The object's *version vector* `vv` covers every event the object has seen: its siblings' dots
//   and those of every version they replaced. A dot the vv covers but no sibling has was replaced.
// - Each sibling also carries a *tag*, a hybrid logical timestamp: at least the coordinator's wall
//   clock and greater than every tag it has seen. Tags order siblings where one value must win
//   (last-writer-wins, and the linearizable mode, where the tag plays the part of ABD's timestamp).
//
// Merging two copies (replication, read repair, anti-entropy, hinted handoff) keeps a sibling when
// the other copy has it too or has never seen its dot; the vv is the join. Merge is commutative,
// associative and idempotent, so copies meet in one state whatever order they exchange in.
import { hash32 } from './hash.js';

export type Actor = string;

/** Counter per actor; absent means 0. Keys are kept sorted so equal vectors serialise equally. */
export type VersionVector = Readonly<Record<Actor, number>>;

export interface Sibling {
  actor: Actor;
  counter: number;
  /** Hybrid logical timestamp in nanoseconds (see `nextTag`). */
  tag: number;
  /** The value; null is a tombstone (a delete that carries its causal context like any write). */
  value: number | null;
  /** A write with a TTL: the coordinator's wall clock at the write plus the TTL (ns). */
  expiresAtNs?: number;
}

/** One key's versions. Siblings are sorted by dot and mutually concurrent. */
export interface VersionedObject {
  vv: VersionVector;
  siblings: readonly Sibling[];
}

/** What a client carries from a read to its next write: "I have seen these versions". */
export interface CausalContext {
  vv: VersionVector;
  /** The largest tag seen, so a write that follows gets a larger one. */
  tag: number;
}

export const EMPTY_OBJECT: VersionedObject = Object.freeze({ vv: Object.freeze({}), siblings: Object.freeze([]) }) as VersionedObject;
export const EMPTY_CONTEXT: CausalContext = Object.freeze({ vv: Object.freeze({}), tag: 0 }) as CausalContext;

/** True when the vector has seen the sibling's dot. */
export function covers(vv: VersionVector, sibling: Pick<Sibling, 'actor' | 'counter'>): boolean {
  return sibling.counter <= (vv[sibling.actor] ?? 0);
}

export function joinVectors(a: VersionVector, b: VersionVector): VersionVector {
  const joined: Record<Actor, number> = {};
  for (const actor of sortedUnion(Object.keys(a), Object.keys(b))) joined[actor] = Math.max(a[actor] ?? 0, b[actor] ?? 0);
  return joined;
}

function sameDot(a: Sibling, b: Sibling): boolean {
  return a.actor === b.actor && a.counter === b.counter;
}

function compareDots(a: Sibling, b: Sibling): number {
  return a.actor < b.actor ? -1 : a.actor > b.actor ? 1 : a.counter - b.counter;
}

/**
 * The two copies as one. `treatConcurrentAsDominated` is the planted bug `kv.vv-merge`: a sibling
 * the other copy has not seen is dropped anyway when the other copy holds a sibling with a larger
 * tag, as if a newer timestamp meant a newer version: concurrent writes are lost.
 */
export function merge(a: VersionedObject, b: VersionedObject, treatConcurrentAsDominated = false): VersionedObject {
  const kept: Sibling[] = [];
  const keep = (sibling: Sibling, other: VersionedObject): void => {
    const inOther = other.siblings.some((s) => sameDot(s, sibling));
    if (!inOther && covers(other.vv, sibling)) return;
    if (!inOther && treatConcurrentAsDominated && other.siblings.some((s) => s.tag > sibling.tag)) return;
    if (!kept.some((s) => sameDot(s, sibling))) kept.push(sibling);
  };
  for (const sibling of a.siblings) keep(sibling, b);
  for (const sibling of b.siblings) keep(sibling, a);
  kept.sort(compareDots);
  return { vv: joinVectors(a.vv, b.vv), siblings: kept };
}

/**
 * The next tag for a write that has seen `seenTag`: the wall clock when it is ahead, otherwise one
 * past what was seen, so a write that follows another (in its context) always sorts after it even
 * when the coordinator's clock lags. With `rawWallClock` (planted bug `kv.lww-wall-clock`) the tag
 * is the skewed wall clock alone and a later write can sort before an earlier one.
 */
export function nextTag(wallNs: number, seenTag: number, rawWallClock = false): number {
  if (rawWallClock) return wallNs;
  return Math.max(wallNs, seenTag + 1);
}

export function maxTag(object: VersionedObject): number {
  let max = 0;
  for (const sibling of object.siblings) max = Math.max(max, sibling.tag);
  return max;
}

export function contextOf(object: VersionedObject): CausalContext {
  return { vv: object.vv, tag: maxTag(object) };
}

/**
 * A new version by `actor` on top of its own copy `local`, following `context`: the siblings the
 * context has seen are replaced, the others stay beside the new one. `local` must hold every dot
 * `actor` ever issued for this key (see the header); the assertion below states that.
 */
export function writeVersion(local: VersionedObject, context: CausalContext, actor: Actor, tag: number, value: number | null, expiresAtNs?: number): VersionedObject {
  const counter = (local.vv[actor] ?? 0) + 1;
  if ((context.vv[actor] ?? 0) >= counter) {
    throw new Error(`versions: context has seen ${actor}:${context.vv[actor]} but the actor's own copy only reaches ${counter - 1}`);
  }
  const kept = local.siblings.filter((sibling) => !covers(context.vv, sibling));
  const vv = { ...joinVectors(local.vv, context.vv), [actor]: counter };
  const made: Sibling = expiresAtNs === undefined ? { actor, counter, tag, value } : { actor, counter, tag, value, expiresAtNs };
  const siblings = [...kept, made].sort(compareDots);
  return { vv: sortVector(vv), siblings };
}

/** The sibling that wins where one must: the largest tag, ties broken by dot. Null when none. */
export function winner(object: VersionedObject): Sibling | null {
  let best: Sibling | null = null;
  for (const sibling of object.siblings) {
    if (best === null || sibling.tag > best.tag || (sibling.tag === best.tag && compareDots(sibling, best) > 0)) best = sibling;
  }
  return best;
}

/** Last-writer-wins: only the winner stays; the vv still covers everything it replaced. */
export function resolveLww(object: VersionedObject): VersionedObject {
  const best = winner(object);
  return { vv: object.vv, siblings: best === null ? [] : [best] };
}

/** The live values (tombstones left out), sorted: what a client sees as siblings. */
export function liveValues(object: VersionedObject): number[] {
  const values: number[] = [];
  for (const sibling of object.siblings) if (sibling.value !== null) values.push(sibling.value);
  return values.sort((a, b) => a - b);
}

/** The canonical text of an object: equal objects, equal text. */
export function canonical(object: VersionedObject): string {
  const vv = Object.keys(object.vv)
    .sort()
    .map((actor) => `${actor}=${object.vv[actor]}`)
    .join(',');
  const siblings = object.siblings.map((s) => `${s.actor}:${s.counter}@${s.tag}=${s.value === null ? '-' : s.value}${s.expiresAtNs === undefined ? '' : `~${s.expiresAtNs}`}`).join(',');
  return `${vv}|${siblings}`;
}

/** A 32-bit digest of (key, object), the leaf input of the anti-entropy Merkle tree. */
export function digest(key: string, object: VersionedObject): number {
  return hash32(`${key}\u0000${canonical(object)}`);
}

export function sameObject(a: VersionedObject, b: VersionedObject): boolean {
  return canonical(a) === canonical(b);
}

function sortVector(vv: Record<Actor, number>): VersionVector {
  const sorted: Record<Actor, number> = {};
  for (const actor of Object.keys(vv).sort()) sorted[actor] = vv[actor]!;
  return sorted;
}

function sortedUnion(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

/**
 * The object as it came off the network or the disk, or null when its shape is wrong. Nothing
 * about a message's shape is assumed (under the TCP host it comes from another process).
 */
export function asVersionedObject(value: unknown): VersionedObject | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.vv !== 'object' || v.vv === null || !Array.isArray(v.siblings)) return null;
  for (const counter of Object.values(v.vv as Record<string, unknown>)) {
    if (typeof counter !== 'number' || !Number.isSafeInteger(counter) || counter < 0) return null;
  }
  for (const s of v.siblings as unknown[]) {
    if (typeof s !== 'object' || s === null) return null;
    const sibling = s as Record<string, unknown>;
    if (typeof sibling.actor !== 'string' || typeof sibling.counter !== 'number' || typeof sibling.tag !== 'number') return null;
    if (sibling.value !== null && typeof sibling.value !== 'number') return null;
    if (sibling.expiresAtNs !== undefined && typeof sibling.expiresAtNs !== 'number') return null;
  }
  return value as VersionedObject;
}

export function asCausalContext(value: unknown): CausalContext | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.vv !== 'object' || v.vv === null || typeof v.tag !== 'number') return null;
  for (const counter of Object.values(v.vv as Record<string, unknown>)) {
    if (typeof counter !== 'number' || !Number.isSafeInteger(counter) || counter < 0) return null;
  }
  return value as CausalContext;
}

/**
 * A counter bucket (a PN-counter as a CRDT): each actor's cumulative sum of the deltas it applied
 * is its one sibling, and each add replaces that actor's previous sibling (its dot is covered by
 * the new vv), so merge keeps the newest entry per actor and the value is the sum over actors.
 * Only the actor adds to its own entry, on its own copy, like any version (see the header).
 */
export function addToCounter(local: VersionedObject, actor: Actor, delta: number): VersionedObject {
  const own = local.siblings.find((sibling) => sibling.actor === actor);
  const seenOwn: CausalContext = { vv: { [actor]: local.vv[actor] ?? 0 }, tag: 0 };
  return writeVersion(local, seenOwn, actor, 0, (own?.value ?? 0) + delta);
}

/** The counter's value: the sum of every actor's entry. */
export function counterValue(object: VersionedObject): number {
  let sum = 0;
  for (const sibling of object.siblings) sum += sibling.value ?? 0;
  return sum;
}

/**
 * The object as a reader whose wall clock says `wallNs` sees it: siblings whose TTL has run out
 * are gone. Only what is answered changes; the stored copy keeps them (with their dots), so merge
 * and version order are the same on every replica whatever its clock.
 */
export function liveAt(object: VersionedObject, wallNs: number): VersionedObject {
  if (object.siblings.every((sibling) => sibling.expiresAtNs === undefined || sibling.expiresAtNs > wallNs)) return object;
  return { vv: object.vv, siblings: object.siblings.filter((sibling) => sibling.expiresAtNs === undefined || sibling.expiresAtNs > wallNs) };
}
