// A deliberately small node for testing the TCP host without Raft: a primary-only key-value store
// that speaks the Raft KV client protocol. The first node (sorted) is the primary; the others
// redirect to it. The primary batches operations, appends each batch's writes to a WAL file,
// fsyncs it, and only then applies and replies, so every acknowledged write survives a kill.
// A timer flushes the batch, so disk, fsync and timers of the host are all exercised.
//
// Planted bug `register.stale-read`: a non-primary answers reads from its own (empty) state
// instead of redirecting, which a checker must catch once some write has completed.
import type { Host, Message, NodeId, NodeStatus, Process, TimerTag } from '../../../nodes/host.js';

export const REGISTER_STALE_READ = 'register.stale-read';

type Op = { f: 'read' | 'write' | 'cas'; key: string; value: null | number | [number, number] };
interface Request {
  type: 'kv.request';
  client: string;
  seq: number;
  op: Op;
}
interface Pending {
  from: NodeId;
  request: Request;
}

/** Operations held for one batch; more are refused with `unavailable`. */
const BATCH_OPS_MAX = 4_096;
const FLUSH_DELAY_NS = 1_000_000;
const WAL = 'wal';

function isRequest(message: Message): message is Request {
  const m = message as Partial<Request> | null;
  return typeof m === 'object' && m !== null && m.type === 'kv.request' && typeof m.client === 'string' && typeof m.seq === 'number' && typeof m.op === 'object' && m.op !== null;
}

export function createRegisterNode(host: Host): Process {
  const primary = host.peers()[0]!;
  const values = new Map<string, number>();
  /** Per client: the last seq applied and its reply, so a retry is answered, not applied twice. */
  const sessions = new Map<string, { seq: number; reply: Message }>();
  let batch: Pending[] = [];
  let inFlight: Pending[] | null = null;
  let flushTimer: number | null = null;
  let syncs = 0;

  const reply = (to: NodeId, seq: number, body: Record<string, unknown>): void => {
    host.send(to, { type: 'kv.reply', seq, ...body });
  };

  /** Applies one op to the state; returns the reply body. Deterministic, so replay gives the same state. */
  const apply = (op: Op): Record<string, unknown> => {
    const current = values.has(op.key) ? values.get(op.key)! : null;
    if (op.f === 'read') return { outcome: 'ok', value: current };
    if (op.f === 'write') {
      values.set(op.key, op.value as number);
      return { outcome: 'ok', value: op.value };
    }
    const [from, to] = op.value as [number, number];
    if (current !== from) return { outcome: 'fail', error: 'cas-mismatch' };
    values.set(op.key, to);
    return { outcome: 'ok', value: to };
  };

  const flush = (): void => {
    flushTimer = null;
    if (inFlight !== null || batch.length === 0) return;
    inFlight = batch;
    batch = [];
    const lines = inFlight
      .filter((pending) => pending.request.op.f !== 'read')
      .map((pending) => `${JSON.stringify({ client: pending.request.client, seq: pending.request.seq, op: pending.request.op })}\n`)
      .join('');
    if (lines.length > 0) host.disk.append(WAL, new TextEncoder().encode(lines));
    else if (host.disk.read(WAL) === null) host.disk.write(WAL, new Uint8Array(0));
    syncs += 1;
    host.disk.fsync(WAL, `sync-${syncs}`);
  };

  const applyLogged = (request: Request): Message => {
    const previous = sessions.get(request.client);
    if (previous !== undefined && previous.seq >= request.seq) return previous.reply;
    const body = apply(request.op);
    const message = { type: 'kv.reply', seq: request.seq, ...body };
    if (request.op.f !== 'read') sessions.set(request.client, { seq: request.seq, reply: message });
    return message;
  };

  return {
    start(): void {
      const data = host.disk.read(WAL);
      if (data === null) return;
      const text = new TextDecoder().decode(data);
      const lines = text.split('\n');
      // The last line may be torn by a crash mid-append: only newline-terminated lines count.
      for (const line of lines.slice(0, -1)) {
        const record = JSON.parse(line) as { client: string; seq: number; op: Op };
        applyLogged({ type: 'kv.request', client: record.client, seq: record.seq, op: record.op });
      }
      host.log('register.recovered', { keys: values.size, records: lines.length - 1 });
    },

    onMessage(from: NodeId, message: Message): void {
      if (!isRequest(message)) return;
      if (host.id !== primary) {
        if (message.op.f === 'read' && host.bug(REGISTER_STALE_READ)) {
          reply(from, message.seq, { outcome: 'ok', value: values.get(message.op.key) ?? null });
          return;
        }
        reply(from, message.seq, { outcome: 'redirect', leader: primary });
        return;
      }
      if (batch.length >= BATCH_OPS_MAX) {
        reply(from, message.seq, { outcome: 'unavailable', error: 'batch full' });
        return;
      }
      batch.push({ from, request: message });
      if (flushTimer === null && inFlight === null) flushTimer = host.setTimer(FLUSH_DELAY_NS, 'flush');
    },

    onTimer(tag: TimerTag): void {
      if (tag === 'flush') flush();
    },

    onFsync(_tag: TimerTag, ok: boolean): void {
      const done = inFlight;
      if (done === null) throw new Error('register: fsync completion with no batch in flight');
      inFlight = null;
      if (!ok) {
        // The batch is not durable: say so for certain only for reads; writes may have landed.
        for (const pending of done) reply(pending.from, pending.request.seq, { outcome: 'unavailable', error: 'fsync failed' });
        throw new Error('register: fsync failed; stopping rather than serving from an unknown disk state');
      }
      for (const pending of done) host.send(pending.from, applyLogged(pending.request));
      if (batch.length > 0) flush();
    },

    status(): NodeStatus {
      return { role: host.id === primary ? 'leader' : 'follower', term: 1 };
    },
  };
}
