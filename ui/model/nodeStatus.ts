// Node status over time, one lane per server node: whatever the node reports, never a field this
// code names. NodeStatus is an open record of the plugin's fields plus `down`; a run that records
// `node.status` trace events (the status record as fields) is drawn from those. Runs made before
// that carry only the nodes' own log events, and a heuristic (marked below) reads status from them.
// Crashes, pauses and restarts come from the kernel's process events, for every system alike.
import type { TraceEventRow } from '../../histories/store.js';
import type { RunSource } from './run.js';
import { scanTrace } from './traceWindow.js';
import { naturalSort } from './cluster.js';

/** The trace kind whose fields are a node's status record. */
export const STATUS_KIND = 'node.status';

export interface StatusSegment {
  node: string;
  startNs: number;
  /** End of the segment (the next change, or the end of the run). */
  endNs: number;
  /** The status fields in force, in the order first seen. */
  fields: Record<string, string>;
  /** Set while the process is crashed or paused (or the node reports `down`). */
  down: string | null;
  /** One short label: `down: crashed`, or `word a=1 b=2`. */
  label: string;
}

export interface StatusLanes {
  nodes: string[];
  segments: StatusSegment[];
  /** Where the fields came from: `node.status` events, the heuristic, or nothing. */
  source: 'status-events' | 'log-heuristic' | 'process-only';
}

const NODE_NAME = /^[a-z]+\d+$/i;
const KERNEL_KIND = /^(msg|timer|disk|proc|client|fault)\./;
/** Status segments kept at most per run: bounded, whatever the trace holds. */
export const STATUS_SEGMENTS_MAX = 20_000;
/** Status events kept at most when reading a run's trace. */
export const STATUS_EVENTS_MAX = 1_000_000;

function scalar(value: unknown): string | null {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string' && value.length <= 40) return value;
  return null;
}

/**
 * HEURISTIC (for runs without `node.status` events): the status fields are the scalar fields that
 * at least half of the nodes' log kinds (and at least two) carry, except fields that name a node (a
 * message's peer is not the node's status); the status word is the kind of the latest event that
 * carries one of them. A field most of a node's events repeat is its state; one a few carry is news.
 */
function heuristicFields(events: readonly TraceEventRow[]): Set<string> {
  const kindsOf = new Map<string, Set<string>>();
  const namesNode = new Set<string>();
  for (const event of events) {
    for (const [name, value] of Object.entries(event.fields ?? {})) {
      const text = scalar(value);
      if (text === null) continue;
      if (NODE_NAME.test(text) || text.includes(',')) namesNode.add(name);
      const kinds = kindsOf.get(name) ?? new Set<string>();
      kinds.add(event.kind);
      kindsOf.set(name, kinds);
    }
  }
  const allKinds = new Set<string>();
  for (const kinds of kindsOf.values()) for (const kind of kinds) allKinds.add(kind);
  const fields = new Set<string>();
  for (const [name, kinds] of kindsOf) if (kinds.size >= Math.max(2, allKinds.size / 2) && !namesNode.has(name)) fields.add(name);
  return fields;
}

function shortKind(kind: string): string {
  const dot = kind.indexOf('.');
  return dot === -1 ? kind : kind.slice(dot + 1);
}

/** Status lanes from a run's trace (any window of it, in time order); `endNs` closes the last segments. */
export function statusLanes(trace: readonly TraceEventRow[], servers: readonly string[], endNs: number): StatusLanes {
  const nodes = naturalSort(new Set([...servers]));
  const isServer = new Set(nodes);
  const own = trace.filter((event) => event.node !== null && isServer.has(event.node));
  const hasStatusEvents = own.some((event) => event.kind === STATUS_KIND);
  const logs = own.filter((event) => !KERNEL_KIND.test(event.kind) && event.kind !== STATUS_KIND);
  const statusFields = hasStatusEvents ? null : heuristicFields(logs);
  const source: StatusLanes['source'] = hasStatusEvents ? 'status-events' : statusFields!.size > 0 ? 'log-heuristic' : 'process-only';
  const segments: StatusSegment[] = [];
  for (const node of nodes) {
    const fields = new Map<string, string>();
    let word: string | null = null;
    let down: string | null = null;
    let open: StatusSegment | null = null;
    const emit = (time: number): void => {
      const record = Object.fromEntries(fields);
      const parts = Object.entries(record).map(([name, value]) => `${name}=${value}`);
      const label = down !== null ? `down: ${down}` : [word, ...parts].filter((part) => part !== null).join(' ');
      if (open !== null && open.label === label) return;
      if (open !== null && open.startNs === time) {
        // Two changes at one instant (a restart, then its status): the later one is the status.
        open.fields = record;
        open.down = down;
        open.label = label;
        if (segments.length > 1 && segments[segments.length - 2]!.node === node && segments[segments.length - 2]!.label === label) {
          segments.pop();
          open = segments[segments.length - 1]!;
          open.endNs = endNs;
        }
        return;
      }
      if (open !== null) open.endNs = time;
      if (segments.length >= STATUS_SEGMENTS_MAX) return;
      open = { node, startNs: time, endNs: endNs, fields: record, down, label };
      segments.push(open);
    };
    for (const event of own) {
      if (event.node !== node) continue;
      if (event.kind === 'proc.crash') down = 'crashed';
      else if (event.kind === 'proc.pause') down = 'paused';
      else if (event.kind === 'proc.restart' || event.kind === 'proc.resume' || event.kind === 'proc.start') down = null;
      else if (event.kind === STATUS_KIND) {
        fields.clear();
        for (const [name, value] of Object.entries(event.fields ?? {})) {
          const text = scalar(value);
          if (name === 'down') down = text;
          else if (text !== null) fields.set(name, text);
        }
      } else if (statusFields !== null && !KERNEL_KIND.test(event.kind)) {
        let carries = false;
        for (const [name, value] of Object.entries(event.fields ?? {})) {
          const text = scalar(value);
          if (text !== null && statusFields.has(name)) {
            fields.set(name, text);
            carries = true;
          }
        }
        if (carries) word = shortKind(event.kind);
        else continue;
      } else continue;
      emit(event.time);
    }
    if (open !== null) (open as StatusSegment).endNs = Math.max((open as StatusSegment).startNs, endNs);
  }
  return { nodes, segments, source };
}

/** Each node's status at `t`: the segment in force, or null before the first. */
export function statusAt(lanes: StatusLanes, t: number): Map<string, StatusSegment | null> {
  const at = new Map<string, StatusSegment | null>(lanes.nodes.map((node) => [node, null]));
  for (const segment of lanes.segments) if (segment.startNs <= t && (t < segment.endNs || segment.endNs === segment.startNs)) at.set(segment.node, segment);
  return at;
}

/** Kernel kinds that carry no node status: skipped while reading the status events. */
const NOT_STATUS = /^(msg|timer|disk)\.|^proc\.fault-point|^client\./;

/** The events status is read from, over the whole run (to `endNs`), in bounded queries. */
export function readStatusEvents(source: Pick<RunSource, 'trace'>, runId: number, endNs: number): TraceEventRow[] {
  const kept: TraceEventRow[] = [];
  scanTrace(source, runId, 0, endNs, (event) => {
    if (!NOT_STATUS.test(event.kind) && kept.length < STATUS_EVENTS_MAX) kept.push(event);
    return false;
  });
  return kept;
}
