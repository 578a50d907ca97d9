// One-line renderings of messages, entries and node state for the interaction scripts. Stable on
// purpose: the expected output of every script depends on them.
import type { Message, NodeId } from '../../host.js';
import type { RaftInspection } from '../node.js';
import type { Entry, KvReply, KvRequest, RaftMessage } from '../types.js';

export function formatEntry(entry: Entry): string {
  const data = entry.data;
  switch (data.kind) {
    case 'noop':
      return `${entry.index}/${entry.term} noop`;
    case 'kv': {
      const value = data.op.value === null ? '' : Array.isArray(data.op.value) ? ` ${data.op.value[0]}->${data.op.value[1]}` : ` ${data.op.value}`;
      return `${entry.index}/${entry.term} ${data.client}#${data.seq} ${data.op.f} ${data.op.key}${value}`;
    }
    case 'config': {
      const c = data.config;
      const outgoing = c.outgoing.length > 0 ? ` old=${c.outgoing.join(',')}` : '';
      const learners = c.learners.length > 0 ? ` learners=${c.learners.join(',')}` : '';
      return `${entry.index}/${entry.term} config voters=${c.voters.join(',')}${outgoing}${learners}`;
    }
  }
}

function entries(list: readonly Entry[]): string {
  return list.length === 0 ? '[]' : `[${list.map(formatEntry).join(', ')}]`;
}

export function formatMessage(from: NodeId, to: NodeId, message: Message): string {
  const head = `${from}->${to}`;
  const m = message as { type?: string };
  switch (m.type) {
    case 'kv.request': {
      const r = message as KvRequest;
      const value = r.op.value === null ? '' : Array.isArray(r.op.value) ? ` ${r.op.value[0]}->${r.op.value[1]}` : ` ${r.op.value}`;
      return `${head} kv.request ${r.client}#${r.seq} ${r.op.f} ${r.op.key}${value}`;
    }
    case 'kv.reply': {
      const r = message as KvReply;
      const parts = [`${head} kv.reply #${r.seq} ${r.outcome}`];
      if (r.value !== undefined) parts.push(`value=${r.value}`);
      if (r.leader !== undefined) parts.push(`leader=${r.leader}`);
      if (r.error !== undefined) parts.push(`error="${r.error}"`);
      return parts.join(' ');
    }
    default:
      return `${head} ${formatRaft(message as RaftMessage)}`;
  }
}

function formatRaft(m: RaftMessage): string {
  switch (m.type) {
    case 'raft.prevote':
      return `prevote t${m.term} last=${m.lastIndex}/${m.lastTerm}`;
    case 'raft.prevote.resp':
      return `prevote-resp t${m.term} ${m.reject ? 'rejected' : 'granted'}`;
    case 'raft.vote':
      return `vote t${m.term} last=${m.lastIndex}/${m.lastTerm}${m.transfer ? ' transfer' : ''}`;
    case 'raft.vote.resp':
      return `vote-resp t${m.term} ${m.reject ? 'rejected' : 'granted'}`;
    case 'raft.append':
      return `app t${m.term} prev=${m.prevIndex}/${m.prevTerm} commit=${m.commit} ${entries(m.entries)}`;
    case 'raft.append.resp':
      return m.reject ? `app-resp t${m.term} reject ${m.index} hint=${m.hintIndex}/${m.hintTerm}` : `app-resp t${m.term} index=${m.index}`;
    case 'raft.heartbeat':
      return `hb t${m.term} commit=${m.commit} ctx=${m.ctx}`;
    case 'raft.heartbeat.resp':
      return `hb-resp t${m.term} ctx=${m.ctx}`;
    case 'raft.snapshot':
      return `snap t${m.term} at=${m.meta.index}/${m.meta.term} chunk=${m.offset}+${m.chunk.length}/${m.total}`;
    case 'raft.snapshot.resp':
      return `snap-resp t${m.term} index=${m.index} offset=${m.offset} of=${m.snapshotIndex}`;
    case 'raft.timeout-now':
      return `timeout-now t${m.term}`;
  }
}

export function formatStatus(view: RaftInspection): string {
  if (view.down !== null) return `${view.id}: down (${view.down})`;
  const config = view.outgoing.length > 0 ? `voters=${view.voters.join(',')} old=${view.outgoing.join(',')}` : `voters=${view.voters.join(',')}`;
  const learners = view.learners.length > 0 ? ` learners=${view.learners.join(',')}` : '';
  return `${view.id}: ${view.role} term=${view.term} lead=${view.lead ?? '-'} commit=${view.commit} applied=${view.applied} last=${view.lastIndex}/${view.lastTerm} ${config}${learners}`;
}

export function formatFields(fields: Readonly<Record<string, unknown>> | undefined): string {
  if (fields === undefined) return '';
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${value === null ? '-' : String(value)}`)
    .join(' ');
}
