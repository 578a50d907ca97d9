// A message-sequence (Lamport) diagram of the trace around one instant: a lifeline per process,
// time flowing down in trace order, an arrow from each send to its delivery, drops ending in a
// cross, and crashes, restarts, pauses, faults and the nodes' own log events marked on their
// lifelines. Every event is a row; the page's script lays out the rows that pass its filters (by
// node and by message type; background traffic such as heartbeats and timer ticks hidden until
// asked), so one label per row and no two labels overlap. Hover shows a message's whole body.
import type { TraceEventRow } from '../../histories/store.js';
import { isBackgroundEvent, messageType, type BackgroundRule } from '../model/background.js';
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
  background: BackgroundRule;
}

export interface SequenceDiagram {
  svg: string;
  /** The filter controls: a checkbox per lifeline and per message type. */
  controls: string;
  /** Rows drawn (all of the window's events up to the cap), of which background, and events left out. */
  rows: number;
  backgroundRows: number;
  omitted: number;
  messages: number;
}

/** Most events in the diagram: the window around the focus is cut to this many rows, centred. */
export const SEQUENCE_ROWS_MAX = 6_000;
export const ROW_PX = 16;
const COLUMN_PX = 120;
const LEFT_PX = 84;
export const TOP_PX = 34;
/** The pseudo-type of events that are not messages (marks) but background: timers, disk. */
const TIMER_TYPE = '(timers and disk)';

const SEND = new Set(['msg.send', 'send', 'message.send']);
const DELIVER = new Set(['msg.deliver', 'deliver', 'recv', 'receive', 'message.deliver']);
const DROP = new Set(['msg.drop', 'drop', 'message.drop']);
const HOLD = 'msg.hold';

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
  return `${from}>${to}:${messageType(event) ?? ''}`;
}

/** At most SEQUENCE_ROWS_MAX events, centred on the focus instant. */
export function pickSequenceEvents(events: readonly TraceEventRow[], focusNs: number | null): { picked: TraceEventRow[]; omitted: number } {
  const drawable = events.filter((event) => event.kind !== HOLD);
  if (drawable.length <= SEQUENCE_ROWS_MAX) return { picked: [...drawable], omitted: events.length - drawable.length };
  let centre = 0;
  if (focusNs !== null) {
    centre = drawable.findIndex((event) => event.time >= focusNs);
    if (centre === -1) centre = drawable.length;
  }
  const from = Math.max(0, Math.min(centre - Math.floor(SEQUENCE_ROWS_MAX / 2), drawable.length - SEQUENCE_ROWS_MAX));
  return { picked: drawable.slice(from, from + SEQUENCE_ROWS_MAX), omitted: events.length - SEQUENCE_ROWS_MAX };
}

function fieldsText(event: TraceEventRow): string {
  return Object.entries(event.fields ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' ');
}

export function renderSequenceSvg(input: SequenceInput): SequenceDiagram {
  const { picked, omitted } = pickSequenceEvents(input.events, input.focusNs);
  // Lifelines: servers in their order, then every other process in natural order.
  const lifelines: string[] = [...input.servers];
  const others = new Set<string>();
  for (const event of picked) {
    for (const name of [event.node, field(event, ['to']), field(event, ['from'])]) if (name !== undefined && name !== null && !lifelines.includes(name)) others.add(name);
  }
  lifelines.push(...naturalSort(others));
  if (picked.some((event) => event.node === null)) lifelines.unshift('world');
  const column = new Map(lifelines.map((name, index) => [name, index]));
  const xOf = (name: string): number => LEFT_PX + (column.get(name) ?? 0) * COLUMN_PX + COLUMN_PX / 2;
  const yOf = (row: number): number => TOP_PX + row * ROW_PX + ROW_PX / 2;
  const width = LEFT_PX + lifelines.length * COLUMN_PX + 40;
  const height = TOP_PX + Math.max(1, picked.length) * ROW_PX + 20;

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
      const sendRow = pending.get(messageKey(event, from, to))?.shift();
      if (sendRow !== undefined) endOf.set(sendRow, { row, dropped });
    }
  });

  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="sequence" width="${px(width)}" height="${px(height)}" data-top="${TOP_PX}" data-row-px="${ROW_PX}" role="img" aria-label="message sequence diagram">`];
  parts.push(`<defs><marker id="seq-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>`);
  for (const name of lifelines) {
    const x = xOf(name);
    parts.push(`<g class="lifeline-g" data-node="${escapeHtml(name)}"><text class="lifeline-head" x="${px(x)}" y="18" text-anchor="middle">${escapeHtml(name)}</text><line class="lifeline" x1="${px(x)}" y1="${TOP_PX - 6}" x2="${px(x)}" y2="${px(height - 8)}"/></g>`);
  }
  const types = new Map<string, { count: number; background: boolean }>();
  let messages = 0;
  let backgroundRows = 0;
  let focusRow = -1;
  if (input.focusNs !== null) focusRow = picked.findIndex((event) => event.time >= input.focusNs!);
  picked.forEach((event, row) => {
    const y = yOf(row);
    const node = event.node ?? 'world';
    const background = isBackgroundEvent(event, input.background);
    if (background) backgroundRows++;
    const type = messageType(event) ?? (background ? TIMER_TYPE : '');
    if (type !== '') {
      const entry = types.get(type) ?? { count: 0, background };
      entry.count++;
      types.set(type, entry);
    }
    const isMessage = SEND.has(event.kind) || DELIVER.has(event.kind) || DROP.has(event.kind);
    const from = isMessage ? (SEND.has(event.kind) ? node : (field(event, ['from', 'src']) ?? node)) : node;
    const to = isMessage ? (SEND.has(event.kind) ? (field(event, ['to', 'dest']) ?? '?') : DROP.has(event.kind) ? (field(event, ['to', 'dest']) ?? '?') : node) : node;
    const nodes = isMessage ? `${from} ${to}` : node;
    const focus = row === focusRow ? ' focus-row' : '';
    const open = `<g class="row${background ? ' bg' : ''}${focus}" data-row="${row}" data-type="${escapeHtml(type)}" data-nodes="${escapeHtml(nodes)}" data-y="${px(y)}">`;
    const time = `<text class="seq-time" x="4" y="${px(y + 4)}">${escapeHtml(ms(event.time))}</text>`;
    if (SEND.has(event.kind)) {
      messages++;
      const end = endOf.get(row);
      const x1 = xOf(from);
      const x2 = xOf(to);
      const fate = end === undefined ? ' (not delivered in this window)' : end.dropped ? ' (dropped)' : '';
      const title = `<title>${escapeHtml(`${ms(event.time)} ${from} → ${to} ${type}${fate}\n${JSON.stringify(event.fields ?? {}, null, 1)}`)}</title>`;
      const direction = x2 >= x1 ? 1 : -1;
      const label = `<text class="msg-label" x="${px(x1 + direction * 6)}" y="${px(y - 2)}" text-anchor="${direction > 0 ? 'start' : 'end'}">${escapeHtml(type.slice(0, 22))}</text>`;
      let line: string;
      if (end === undefined) {
        const stub = x1 + direction * Math.min(Math.abs(x2 - x1), COLUMN_PX * 0.45);
        line = `<g class="msg undelivered" data-from-row="${row}" data-to-row="${row}" data-stub="4">${title}<line x1="${px(x1)}" y1="${px(y)}" x2="${px(stub)}" y2="${px(y + 4)}" stroke-dasharray="3 3"/></g>`;
      } else {
        const y2 = yOf(end.row);
        const x2end = end.dropped ? x1 + (x2 - x1) * 0.6 : x2;
        line =
          `<g class="msg${end.dropped ? ' dropped' : ''}" data-from-row="${row}" data-to-row="${end.row}" data-fraction="${end.dropped ? 0.6 : 1}">${title}<line x1="${px(x1)}" y1="${px(y)}" x2="${px(x2end)}" y2="${px(end.dropped ? y + (y2 - y) * 0.6 : y2)}"${end.dropped ? '' : ' marker-end="url(#seq-arrow)"'}/>` +
          // A wide transparent twin: a thin arrow is hard to hover.
          `<line class="hit" x1="${px(x1)}" y1="${px(y)}" x2="${px(x2end)}" y2="${px(end.dropped ? y + (y2 - y) * 0.6 : y2)}"/>` +
          (end.dropped ? `<text class="drop-x" x="${px(x2end)}" y="${px(y + (y2 - y) * 0.6 + 4)}" text-anchor="middle" fill="${HIGHLIGHT_COLOUR}">✕</text>` : '') +
          '</g>';
      }
      parts.push(`${open}${time}${label}</g>${line.replace('<g class="msg', `<g data-type="${escapeHtml(type)}" data-nodes="${escapeHtml(nodes)}" class="msg${background ? ' bg' : ''}`)}`);
      return;
    }
    if (DELIVER.has(event.kind) || DROP.has(event.kind)) {
      parts.push(`${open}${time}</g>`);
      return;
    }
    // Everything else is a mark on its lifeline: process events, faults, the nodes' own logs.
    const x = xOf(node);
    const isFault = event.node === null || event.kind.startsWith('fault.');
    const isProcess = /^proc\.(crash|restart|pause|resume|failure)/.test(event.kind);
    const colour = isFault ? FAULT_COLOURS.partition : isProcess ? FAULT_COLOURS.process : background ? '#b7bdc8' : OUTCOME_COLOURS.ok;
    const details = fieldsText(event);
    parts.push(
      `${open}${time}<g class="mark"><title>${escapeHtml(`${ms(event.time)} ${node} ${event.kind} ${details}`)}</title><circle cx="${px(x)}" cy="${px(y)}" r="4" fill="${colour}"/>` +
        `<text x="${px(x + 7)}" y="${px(y + 4)}" class="mark-label">${escapeHtml(`${event.kind.replace(/^proc\./, '')}${details !== '' ? ` ${details}` : ''}`.slice(0, 48))}</text></g></g>`,
    );
  });
  if (focusRow !== -1) {
    const y = yOf(focusRow) - ROW_PX / 2;
    parts.push(`<g class="focus-g" data-row="${focusRow}"><line class="focus" x1="0" y1="${px(y)}" x2="${px(width)}" y2="${px(y)}" stroke="${HIGHLIGHT_COLOUR}" stroke-width="2"/><text class="focus-label" x="${px(width - 10)}" y="${px(y - 3)}" text-anchor="end" fill="${HIGHLIGHT_COLOUR}">first offending op</text></g>`);
  }
  parts.push('</svg>');

  const nodeBoxes = lifelines.map((name) => `<label><input type="checkbox" class="seq-node" value="${escapeHtml(name)}" checked> ${escapeHtml(name)}</label>`).join(' ');
  const typeBoxes = [...types.entries()]
    .sort((a, b) => Number(a[1].background) - Number(b[1].background) || b[1].count - a[1].count)
    .map(([type, entry]) => `<label${entry.background ? ' class="bg-type"' : ''}><input type="checkbox" class="seq-type" value="${escapeHtml(type)}"${entry.background ? '' : ' checked'}> ${escapeHtml(type)} <span class="muted">${entry.count}${entry.background ? ', background' : ''}</span></label>`)
    .join(' ');
  const controls = `<div class="seq-controls"><div><b>Nodes</b> ${nodeBoxes}</div><div><b>Message types</b> ${typeBoxes}</div>
<div><label><input type="checkbox" id="seq-background"> show background traffic (${backgroundRows} events: heartbeat-like messages, timers, disk)</label></div></div>`;
  return { svg: parts.join('\n'), controls, rows: picked.length, backgroundRows, omitted: Math.max(0, omitted), messages };
}
