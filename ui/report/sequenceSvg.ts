// A message-sequence (Lamport) diagram of the trace around one instant: a lifeline per process,
// time flowing down in trace order, an arrow from each send to its delivery, drops ending in a
// cross, and crashes, restarts, pauses, faults and the nodes' own log events (role changes) marked
// on their lifelines. Drawn as SVG when the report is written.
import type { TraceEventRow } from '../../histories/store.js';
import { FAULT_COLOURS, HIGHLIGHT_COLOUR, OUTCOME_COLOURS } from '../model/palette.js';
import { naturalSort } from '../model/cluster.js';
import { escapeHtml, ms, px } from './markup.js';

export interface SequenceInput {
  /** Trace events in time order (a window the caller chose). */
  events: readonly TraceEventRow[];
  /** The instant the diagram is about (the first offending op's invoke); a red rule marks it. */
  focusNs: number | null;
  /** Server nodes, drawn first; other processes (clients) follow as they appear. */
  servers: readonly string[];
}

export interface SequenceDiagram {
  svg: string;
  /** Rows drawn and events left out (timers and disk events are not drawn; the rest beyond the cap). */
  rows: number;
  omitted: number;
  messages: number;
}

/** Most events drawn: a diagram a person can follow. */
export const SEQUENCE_ROWS_MAX = 240;
const ROW_PX = 16;
const COLUMN_PX = 110;
const LEFT_PX = 84;
const TOP_PX = 34;
const HEAD_REPEAT_ROWS = 30;

const SEND = new Set(['msg.send', 'send', 'message.send']);
const DELIVER = new Set(['msg.deliver', 'deliver', 'recv', 'receive', 'message.deliver']);
const DROP = new Set(['msg.drop', 'drop', 'message.drop']);
/** Kinds left out of the diagram: frequent and rarely the story. */
const QUIET = /^(timer\.|disk\.|proc\.fault-point|client\.done)/;

function field(event: TraceEventRow, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = event.fields?.[name];
    if (value !== undefined && value !== null) return String(value);
  }
  return undefined;
}

/** The message's own id when the trace gives one; otherwise sends and deliveries pair in FIFO order per link and type. */
function messageKey(event: TraceEventRow, from: string, to: string): string {
  const id = field(event, ['id', 'msgId', 'messageId', 'seq', 'mid']);
  if (id !== undefined) return `id:${id}`;
  return `${from}>${to}:${field(event, ['type', 'msgType']) ?? ''}`;
}

/** Picks at most SEQUENCE_ROWS_MAX drawable events, centred on the focus instant. */
export function pickSequenceEvents(events: readonly TraceEventRow[], focusNs: number | null): { picked: TraceEventRow[]; omitted: number } {
  const drawable = events.filter((event) => !QUIET.test(event.kind));
  if (drawable.length <= SEQUENCE_ROWS_MAX) return { picked: drawable, omitted: events.length - drawable.length };
  let centre = 0;
  if (focusNs !== null) {
    centre = drawable.findIndex((event) => event.time >= focusNs);
    if (centre === -1) centre = drawable.length;
  }
  const from = Math.max(0, Math.min(centre - Math.floor(SEQUENCE_ROWS_MAX / 2), drawable.length - SEQUENCE_ROWS_MAX));
  return { picked: drawable.slice(from, from + SEQUENCE_ROWS_MAX), omitted: events.length - SEQUENCE_ROWS_MAX };
}

export function renderSequenceSvg(input: SequenceInput): SequenceDiagram {
  const { picked, omitted } = pickSequenceEvents(input.events, input.focusNs);
  // Lifelines: servers in their order, then every other process in order of appearance.
  const lifelines: string[] = [...input.servers];
  const others = new Set<string>();
  for (const event of picked) {
    const names = [event.node, field(event, ['to']), field(event, ['from'])];
    for (const name of names) if (name !== undefined && name !== null && !lifelines.includes(name)) others.add(name);
  }
  lifelines.push(...naturalSort(others));
  const hasWorld = picked.some((event) => event.node === null);
  if (hasWorld) lifelines.unshift('world');
  const column = new Map(lifelines.map((name, index) => [name, index]));
  const xOf = (name: string): number => LEFT_PX + (column.get(name) ?? 0) * COLUMN_PX + COLUMN_PX / 2;
  const yOf = (row: number): number => TOP_PX + row * ROW_PX + ROW_PX / 2;
  const width = LEFT_PX + lifelines.length * COLUMN_PX + 140;
  const height = TOP_PX + Math.max(1, picked.length) * ROW_PX + 20;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="sequence" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" role="img" aria-label="message sequence diagram">`];
  parts.push(`<defs><marker id="seq-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>`);
  for (const name of lifelines) {
    const x = xOf(name);
    parts.push(`<text class="lifeline-head" x="${px(x)}" y="18" text-anchor="middle">${escapeHtml(name)}</text>`);
    parts.push(`<line class="lifeline" x1="${px(x)}" y1="${TOP_PX - 6}" x2="${px(x)}" y2="${px(height - 8)}"/>`);
    // The names again every so often: the diagram opens scrolled to the violation, far below the top.
    for (let row = HEAD_REPEAT_ROWS; row < picked.length; row += HEAD_REPEAT_ROWS) {
      parts.push(`<text class="lifeline-again" x="${px(x + 3)}" y="${px(yOf(row) - 4)}">${escapeHtml(name)}</text>`);
    }
  }
  // The focus rule: the row of the first event at or after the focus instant.
  if (input.focusNs !== null) {
    const row = picked.findIndex((event) => event.time >= input.focusNs!);
    if (row !== -1) {
      const y = yOf(row) - ROW_PX / 2;
      parts.push(`<line class="focus" x1="0" y1="${px(y)}" x2="${px(width)}" y2="${px(y)}" stroke="${HIGHLIGHT_COLOUR}" stroke-width="2"/>`);
      parts.push(`<text class="focus-label" x="${px(width - 136)}" y="${px(y - 3)}" fill="${HIGHLIGHT_COLOUR}">first offending op</text>`);
    }
  }
  // Pair sends with deliveries and drops inside the window.
  const pending = new Map<string, number[]>();
  const endOf = new Map<number, { row: number; dropped: boolean }>();
  picked.forEach((event, row) => {
    if (SEND.has(event.kind)) {
      const from = event.node ?? 'world';
      const to = field(event, ['to', 'dest']) ?? '?';
      const key = messageKey(event, from, to);
      const queue = pending.get(key) ?? [];
      queue.push(row);
      pending.set(key, queue);
    } else if (DELIVER.has(event.kind) || DROP.has(event.kind)) {
      const dropped = DROP.has(event.kind);
      const from = dropped ? (field(event, ['from', 'src']) ?? event.node ?? '?') : (field(event, ['from', 'src']) ?? '?');
      const to = dropped ? (field(event, ['to', 'dest']) ?? '?') : (event.node ?? '?');
      const queue = pending.get(messageKey(event, from, to));
      const sendRow = queue?.shift();
      if (sendRow !== undefined) endOf.set(sendRow, { row, dropped });
    }
  });
  let messages = 0;
  picked.forEach((event, row) => {
    const y = yOf(row);
    parts.push(`<text class="seq-time" x="4" y="${px(y + 4)}">${escapeHtml(ms(event.time))}</text>`);
    const node = event.node ?? 'world';
    const type = field(event, ['type', 'msgType']) ?? '';
    if (SEND.has(event.kind)) {
      messages++;
      const to = field(event, ['to', 'dest']) ?? '?';
      const end = endOf.get(row);
      const x1 = xOf(node);
      const x2 = xOf(to);
      const title = `<title>${escapeHtml(`${ms(event.time)} ${node} → ${to} ${type}${end === undefined ? ' (not delivered in this window)' : end.dropped ? ' (dropped)' : ''}`)}</title>`;
      if (end === undefined) {
        // Delivered after the window, or lost: a short dashed stub towards the receiver.
        const stub = x1 + Math.sign(x2 - x1) * Math.min(Math.abs(x2 - x1), COLUMN_PX * 0.45);
        parts.push(`<g class="msg undelivered">${title}<line x1="${px(x1)}" y1="${px(y)}" x2="${px(stub)}" y2="${px(y + 4)}" stroke-dasharray="3 3"/></g>`);
      } else {
        const y2 = yOf(end.row);
        const x2end = end.dropped ? x1 + (x2 - x1) * 0.6 : x2;
        const y2end = end.dropped ? y + (y2 - y) * 0.6 : y2;
        parts.push(
          `<g class="msg${end.dropped ? ' dropped' : ''}">${title}<line x1="${px(x1)}" y1="${px(y)}" x2="${px(x2end)}" y2="${px(y2end)}"${end.dropped ? '' : ' marker-end="url(#seq-arrow)"'}/>` +
            (end.dropped ? `<text x="${px(x2end)}" y="${px(y2end + 4)}" text-anchor="middle" fill="${HIGHLIGHT_COLOUR}">✕</text>` : '') +
            `<text class="msg-label" x="${px((x1 + x2end) / 2)}" y="${px((y + y2end) / 2 - 2)}" text-anchor="middle">${escapeHtml(type.slice(0, 18))}</text></g>`,
        );
      }
      return;
    }
    if (DELIVER.has(event.kind) || DROP.has(event.kind)) return;
    // Everything else is a mark on its lifeline: process events, faults, the nodes' own logs.
    const x = xOf(node);
    const isFault = event.node === null || event.kind.startsWith('fault.');
    const isProcess = /^proc\.(crash|restart|pause|resume|failure)/.test(event.kind);
    const colour = isFault ? FAULT_COLOURS.partition : isProcess ? FAULT_COLOURS.process : OUTCOME_COLOURS.ok;
    const details = Object.entries(event.fields ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${name}=${String(value)}`)
      .join(' ');
    parts.push(
      `<g class="mark"><title>${escapeHtml(`${ms(event.time)} ${node} ${event.kind} ${details}`)}</title><circle cx="${px(x)}" cy="${px(y)}" r="4" fill="${colour}"/>` +
        `<text x="${px(x + 7)}" y="${px(y + 4)}" class="mark-label">${escapeHtml(`${event.kind.replace(/^proc\./, '')}${details !== '' ? ` ${details}` : ''}`.slice(0, 40))}</text></g>`,
    );
  });
  parts.push('</svg>');
  return { svg: parts.join('\n'), rows: picked.length, omitted: Math.max(0, omitted), messages };
}
