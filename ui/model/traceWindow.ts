// The trace events around one instant, read from the store in small queries bounded in time and in
// rows: windows that grow from 1 ms forwards for the events at and after it, and backwards for the
// events before it (the store reads forwards only), so a run with millions of events stays quick.
import type { TraceEventRow } from '../../histories/store.js';
import type { RunSource } from './run.js';

export interface TraceWindow {
  /** Events in time order. */
  rows: TraceEventRow[];
  /** Position in `rows` of the first event at or after the instant (rows.length when none). */
  anchor: number;
}

/** Rows kept on each side of the instant. */
export const TRACE_SIDE_ROWS = 300;
/** Most rows one store query returns: small, because every row costs a JSON parse. */
export const TRACE_FETCH_LIMIT = 1_200;
/** Queries at most per side: a filter that matches rarely stops here with what it found. */
const QUERIES_MAX = 24;
const WINDOW_START_NS = 1_000_000;
/** Windows stop growing here (about 13 days of simulated time): far past any run. */
const WINDOW_MAX_NS = 2 ** 50;

export function traceAround(source: Pick<RunSource, 'trace'>, runId: number, atNs: number, keep: (event: TraceEventRow) => boolean): TraceWindow {
  const t = Math.max(0, Math.floor(atNs));
  // After: read forwards through windows that grow from 1 ms. Every query is bounded in time as
  // well as in rows: the store sorts a query's rows before it applies the limit, so an open-ended
  // query would sort the whole rest of the trace.
  const after: TraceEventRow[] = [];
  let fromNs = t;
  let widthNs = WINDOW_START_NS;
  for (let query = 0; query < QUERIES_MAX && after.length < TRACE_SIDE_ROWS; query++) {
    const raw = source.trace(runId, { fromNs, toNs: fromNs + widthNs, limit: TRACE_FETCH_LIMIT });
    for (const event of raw) if (keep(event) && after.length < TRACE_SIDE_ROWS) after.push(event);
    if (raw.length === TRACE_FETCH_LIMIT) {
      // A full page: go on from its last instant (rows sharing that instant were all in the page
      // unless one instant holds more than a page, which runs do not do).
      fromNs = raw[raw.length - 1]!.time + 1;
    } else {
      fromNs += widthNs + 1;
      widthNs = Math.min(widthNs * 4, WINDOW_MAX_NS);
    }
  }
  // Before: the store reads forwards only, so widen a window backwards until it holds enough
  // rows; a window too wide for one query (it would stop short of the instant) is not used.
  let before: TraceEventRow[] = [];
  if (t > 0) {
    widthNs = WINDOW_START_NS;
    for (let query = 0; query < QUERIES_MAX; query++) {
      const from = Math.max(0, t - widthNs);
      const raw = source.trace(runId, { fromNs: from, toNs: t - 1, limit: TRACE_FETCH_LIMIT });
      if (raw.length === TRACE_FETCH_LIMIT) {
        if (widthNs > WINDOW_START_NS) break;
        // Even the narrowest window overflows one query: keep what it gave (the first rows of that
        // millisecond); the pane then shows a gap just before the instant, never wrong rows.
        before = raw.filter(keep);
        break;
      }
      before = raw.filter(keep);
      if (before.length >= TRACE_SIDE_ROWS || from === 0) break;
      widthNs = Math.min(widthNs * 4, WINDOW_MAX_NS);
    }
    before = before.slice(Math.max(0, before.length - TRACE_SIDE_ROWS));
  }
  return { rows: [...before, ...after], anchor: before.length };
}

/** Queries a forward scan makes at most: far more than any run needs, a bound for a hostile store. */
const SCAN_QUERIES_MAX = 1_000_000;

/**
 * Reads the trace forwards from `fromNs` to `endNs` in queries bounded in time and in rows (an
 * open-ended query would make the store sort the whole rest of the trace for every page), calling
 * `visit` on each event in order until it returns true. Windows grow while they come back short.
 */
export function scanTrace(source: Pick<RunSource, 'trace'>, runId: number, fromNs: number, endNs: number, visit: (event: TraceEventRow) => boolean): void {
  let from = Math.max(0, Math.floor(fromNs));
  let widthNs = WINDOW_START_NS;
  // Rows at `from` already visited (a full page ended inside one instant's rows).
  let skip = 0;
  for (let query = 0; query < SCAN_QUERIES_MAX && from <= endNs; query++) {
    const rows = source.trace(runId, { fromNs: from, toNs: from + widthNs, limit: TRACE_FETCH_LIMIT });
    let skipped = 0;
    for (const event of rows) {
      if (event.time === from && skipped < skip) {
        skipped++;
        continue;
      }
      if (visit(event)) return;
    }
    if (rows.length === TRACE_FETCH_LIMIT) {
      const last = rows[rows.length - 1]!.time;
      if (last === from) {
        // One instant holds more than a page: the store cannot page inside it (it has no offset), so
        // the scan goes past it with its first page read, as traceAround does. Runs do not do this.
        from = last + 1;
        skip = 0;
      } else {
        // The rows at the last instant may go on in the next page: read them there, skipping those seen.
        skip = rows.filter((event) => event.time === last).length;
        from = last;
      }
    } else {
      from += widthNs + 1;
      skip = 0;
      widthNs = Math.min(widthNs * 4, WINDOW_MAX_NS);
    }
  }
}

/** One line for a trace event: `12.345ms n1 send to=n2 type=append`. */
export function describeTraceEvent(event: TraceEventRow, widthMax = 120): string {
  const parts = [`${(event.time / 1_000_000).toFixed(3)}ms`, event.node ?? 'world', event.kind];
  const fields = event.fields ?? {};
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    if (value === undefined) continue;
    parts.push(`${name}=${value === null ? 'null' : String(value)}`);
  }
  const text = parts.join(' ');
  return text.length > widthMax ? `${text.slice(0, widthMax - 1)}…` : text;
}
