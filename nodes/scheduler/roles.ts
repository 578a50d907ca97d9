// History process numbers and request-id ranges of the scheduler's client roles. One client
// process may play several roles (a run with one client is the resource, the submitter and a
// worker at once), so every role records on its own numbers and answers only its own replies.
import { assert } from './assert.js';

/** Worker lanes one process runs at most. */
export const LANES_MAX = 8;
/**
 * The resource, the submitter, then four per worker lane: its main loop, its renewals, its
 * releases, and its instant events (stop, crash), which may fall while a completion is outstanding.
 */
export const RESOURCE_SLOT = 0;
export const SUBMITTER_SLOT = 1;
export type LaneStrand = 'main' | 'renew' | 'release' | 'events';
const STRANDS: readonly LaneStrand[] = ['main', 'renew', 'release', 'events'];
export const ROLE_SLOTS = 2 + STRANDS.length * LANES_MAX;

export function laneSlot(lane: number, strand: LaneStrand): number {
  return 2 + STRANDS.length * lane + STRANDS.indexOf(strand);
}

/** Unique per (client, slot, generation): a new generation after each `info` (Jepsen's rule). */
export function roleProcess(index: number, clients: number, slot: number, generation: number): number {
  assert(index >= 0 && index < clients && slot >= 0 && slot < ROLE_SLOTS && generation >= 0, 'role process numbers: index, slot and generation in range');
  const process = index + clients * (slot + ROLE_SLOTS * generation);
  assert(Number.isSafeInteger(process), 'role process numbers: overflow');
  return process;
}

/** Request ids per caller: lanes take four ranges each (main, renewals, releases, resource writes); the submitter the one after. */
export const ID_RANGE = 1_000_000;
export const LANE_ID_RANGES = 4;
export const SUBMITTER_ID_BASE = LANE_ID_RANGES * LANES_MAX * ID_RANGE;
