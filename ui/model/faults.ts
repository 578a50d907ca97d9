// Turns a run's fault events into bands (a start and an end) and points (instants) along the time
// axis. Fault kinds come from faults/ and from imported runs we know nothing about, so the pairing
// is generic: an explicit end event, a duration or end time in the fields, or, for kinds that last,
// the end of the run; anything else is a point.
import type { FaultEvent } from '../../histories/store.js';
import type { FaultFamily } from './palette.js';

export interface FaultBand {
  kind: string;
  family: FaultFamily;
  /** Short text: `crash n2`, `partition-halves n1,n2 | n3`. */
  label: string;
  startNs: number;
  /** Null for a point (an instant such as a clock jump). */
  endNs: number | null;
  /** True when no end was seen and the band runs to the end of the run. */
  open: boolean;
  node?: string;
  fields: Readonly<Record<string, unknown>>;
}

/** Most bands kept; a run's scenario allows at most 10,000 fault events. */
export const FAULT_BANDS_MAX = 20_000;
/** Fault labels are cut here (a hostile field must not make a label of megabytes). */
export const LABEL_LENGTH_MAX = 240;

const PHASE_SUFFIXES: readonly [string, 'start' | 'stop' | 'skip'][] = [
  ['.start', 'start'],
  ['-start', 'start'],
  [':start', 'start'],
  ['.stop', 'stop'],
  ['-stop', 'stop'],
  [':stop', 'stop'],
  ['.end', 'stop'],
  ['-end', 'stop'],
  [':end', 'stop'],
  ['.skip', 'skip'],
];

/** The kind without a `fault.` prefix or a phase suffix, and the phase (from the suffix or `fields.phase`). */
export function splitPhase(rawKind: string, fields: Readonly<Record<string, unknown>>): { kind: string; phase: 'start' | 'stop' | 'skip' | null } {
  const bare = bareKind(rawKind);
  for (const [suffix, phase] of PHASE_SUFFIXES) {
    if (bare.endsWith(suffix) && bare.length > suffix.length) return { kind: bare.slice(0, -suffix.length), phase };
  }
  const phase = fields.phase;
  return { kind: bare, phase: phase === 'start' || phase === 'stop' || phase === 'skip' ? phase : null };
}

/** End kinds and the start kinds each closes (same node when the start named one). */
const ENDERS: Readonly<Record<string, readonly string[]>> = {
  // Our nemesis heals everything at the end of the safety phase with one `heal`.
  heal: [''],
  restart: ['crash', 'kill'],
  resume: ['pause'],
};
/** The kernel's one instant kind, for rows written before the nemesis recorded `instant` on every start. */
const KERNEL_INSTANTS = new Set(['clock-jump']);

/** Instants are never a band even when fields carry a duration: the nemesis says which kinds are. */
function isInstant(kind: string, fields: Readonly<Record<string, unknown>>): boolean {
  return fields.instant === true || KERNEL_INSTANTS.has(kind);
}

const FAMILIES: ReadonlySet<string> = new Set(['partition', 'process', 'clock', 'disk', 'network', 'membership']);

function bareKind(kind: string): string {
  return kind.startsWith('fault.') ? kind.slice('fault.'.length) : kind;
}

/**
 * The family of a fault: the group its kind recorded (every kind says its own, faults/kind.ts), or
 * for the kernel's kinds and older rows, by the kind's leading word; a system's kind whose group is
 * no family of ours is `other`.
 */
export function faultFamily(kind: string, fields: Readonly<Record<string, unknown>> = {}): FaultFamily {
  const group = fields.group;
  if (typeof group === 'string') return FAMILIES.has(group) ? (group as FaultFamily) : 'other';
  const bare = bareKind(kind);
  if (bare.startsWith('partition') || bare === 'heal' || bare.startsWith('isolate')) return 'partition';
  if (/^(crash|restart|pause|resume|kill)/.test(bare)) return 'process';
  if (bare.startsWith('clock')) return 'clock';
  if (bare.startsWith('disk')) return 'disk';
  if (/^(drop|dup|reorder|delay|clog|network|link)/.test(bare)) return 'network';
  return 'other';
}

/** The node a fault event concerns, when its fields name exactly one. */
function nodeOf(fields: Readonly<Record<string, unknown>>): string | undefined {
  for (const name of ['node', 'target', 'id']) {
    const value = fields[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** The end of a fault from its own fields (a duration or an end time), or null. */
function endFromFields(time: number, fields: Readonly<Record<string, unknown>>): number | null {
  const number = (name: string): number | null => {
    const value = fields[name];
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  };
  const untilNs = number('untilNs') ?? number('endNs');
  if (untilNs !== null) return Math.max(time, untilNs);
  const durationNs = number('durationNs');
  if (durationNs !== null) return time + Math.max(0, durationNs);
  const untilMs = number('untilMs') ?? number('endMs');
  if (untilMs !== null) return Math.max(time, untilMs * 1_000_000);
  const durationMs = number('durationMs');
  if (durationMs !== null) return time + Math.max(0, durationMs) * 1_000_000;
  return null;
}

/** Fields worth showing in a label, in a stable order, without the timing ones. */
function labelOf(kind: string, fields: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [bareKind(kind)];
  const skip = new Set(['untilNs', 'endNs', 'durationNs', 'untilMs', 'endMs', 'durationMs', 'atMs', 'kind', 'time', 'phase', 'event']);
  for (const name of Object.keys(fields).sort()) {
    if (skip.has(name)) continue;
    const value = fields[name];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) parts.push(`${name}=${value.map((item) => (Array.isArray(item) ? item.join(',') : String(item))).join('|')}`);
    else if (typeof value === 'object') parts.push(`${name}=${JSON.stringify(value)}`);
    else if (name === 'node') parts.push(String(value));
    else parts.push(`${name}=${String(value)}`);
  }
  const text = parts.join(' ');
  // Long enough for any partition of 15 nodes; views cut it to their width, the report never does.
  return text.length > LABEL_LENGTH_MAX ? `${text.slice(0, LABEL_LENGTH_MAX - 1)}…` : text;
}

/** Kinds that last until something ends them, when no end is given. */
function lastsUntilEnded(bare: string, fields: Readonly<Record<string, unknown>>): boolean {
  const family = faultFamily(bare, fields);
  if (isInstant(bare, fields)) return false;
  if (bare === 'heal' || bare === 'restart' || bare === 'resume') return false;
  return family === 'partition' || family === 'process' || family === 'network' || family === 'disk' || family === 'membership' || bare === 'clock-offset' || bare === 'clock-drift';
}

/**
 * Bands and points of a run's fault events, ordered by start time. `endNs` is the end of the run:
 * bands left open reach it. End events themselves (heal, restart, resume, `x-end`) close bands and
 * are not drawn separately unless nothing was open for them to close.
 */
export function buildFaultBands(events: readonly FaultEvent[], endNs: number): FaultBand[] {
  if (events.length > FAULT_BANDS_MAX) throw new Error(`run has ${events.length} fault events; the viewer shows at most ${FAULT_BANDS_MAX}`);
  const bands: FaultBand[] = [];
  const open: FaultBand[] = [];
  const sorted = [...events].sort((a, b) => a.time - b.time);
  for (const event of sorted) {
    const fields = event.fields ?? {};
    const { kind, phase } = splitPhase(event.kind, fields);
    // A fault the nemesis declined (its target was down, ...) never happened: nothing to draw.
    if (phase === 'skip') continue;
    const node = nodeOf(fields);
    const closes: readonly string[] | undefined = phase === 'stop' ? [kind] : ENDERS[kind];
    if (closes !== undefined) {
      let closed = 0;
      for (let i = open.length - 1; i >= 0; i--) {
        const band = open[i]!;
        const kindMatches = closes.some((start) => start === '' || band.kind === start || band.kind.startsWith(`${start}-`));
        const nodeMatches = node === undefined || band.node === undefined || band.node === node;
        // The nemesis numbers each scheduled event; a stop names the event it ends.
        const eventMatches = fields.event === undefined || band.fields.event === undefined || band.fields.event === fields.event;
        if (kindMatches && nodeMatches && eventMatches) {
          band.endNs = Math.max(band.startNs, event.time);
          band.open = false;
          open.splice(i, 1);
          closed++;
        }
      }
      // End events are drawn as the ends of bands, not on their own; an end with nothing to close
      // (a restart of a node that never crashed here) is drawn as a point.
      if (closed > 0 || phase === 'stop' || kind === 'heal') continue;
    }
    const family = faultFamily(kind, fields);
    if (family === 'partition') {
      // One partition is in force at a time: a new one replaces the one before.
      for (let i = open.length - 1; i >= 0; i--) {
        const band = open[i]!;
        if (band.family !== 'partition') continue;
        band.endNs = Math.max(band.startNs, event.time);
        band.open = false;
        open.splice(i, 1);
      }
    }
    const band: FaultBand = { kind, family, label: labelOf(kind, fields), startNs: event.time, endNs: null, open: false, fields };
    if (node !== undefined) band.node = node;
    const fieldEnd = isInstant(kind, fields) ? null : endFromFields(event.time, fields);
    if (fieldEnd !== null) {
      band.endNs = fieldEnd;
    } else if (phase === 'start' || lastsUntilEnded(kind, fields)) {
      if (!isInstant(kind, fields)) {
        band.endNs = Math.max(event.time, endNs);
        band.open = true;
        open.push(band);
      }
    }
    bands.push(band);
  }
  return bands;
}

/** Bands active at time `t` (points count at their instant only). */
export function bandsAt(bands: readonly FaultBand[], t: number): FaultBand[] {
  return bands.filter((band) => (band.endNs === null ? band.startNs === t : band.startNs <= t && t < band.endNs));
}

/** Bands (and points) that start in the half-open time range (fromNs, toNs]. */
export function bandsStartingIn(bands: readonly FaultBand[], fromNs: number, toNs: number): FaultBand[] {
  return bands.filter((band) => band.startNs > fromNs && band.startNs <= toNs);
}
