// Test and bench helper: large key-value histories in Porcupine's kv log format (one EDN op map a
// line), with a known verdict, drawn from a seed. Clients run get, put and append on many keys of a
// simulated store; each op takes effect at one instant inside its invoke and response (at the
// invoke or at the response, drawn per op), so the history is linearizable by construction. A few
// percent of puts and appends lose their response (`:info`): they took effect, the client does not
// know, and it goes on as a new process, as in Jepsen. Gets never time out, so Porcupine's own kv
// parser (which reads an op with no response as completing at the end) reads the same history.
// A violation can be planted: one get in the middle returns a value no op ever wrote.
//
// Lines are handed to `emit` one at a time, so a history of a million ops is never one string.
import { prng } from './etcd-log.js';

export interface KvHistoryOptions {
  seed: number;
  /** Operations invoked, all clients together. */
  ops: number;
  keys: number;
  /** Concurrent client slots. */
  clients: number;
  /** Percent of puts and appends whose response is lost (`:info`). */
  infoPercent: number;
  /** Plant a get that returns a value nobody wrote. */
  violation?: boolean;
}

export interface KvHistorySummary {
  ops: number;
  infoOps: number;
  lines: number;
  linearizable: boolean;
}

const GET_PERCENT = 50;
const PUT_PERCENT = 15;

interface Outstanding {
  f: 'get' | 'put' | 'append';
  key: number;
  value: string;
  applied: boolean;
  /** A get's result, once applied. */
  result: string;
  info: boolean;
}

/** Generates the history line by line; returns what it made. */
export function generateKvHistory(options: KvHistoryOptions, emit: (line: string) => void): KvHistorySummary {
  const random = prng(options.seed);
  const store = new Array<string>(options.keys).fill('');
  const process = Array.from({ length: options.clients }, (_, slot) => slot);
  const sent = new Array<number>(options.clients).fill(0);
  const outstanding = new Array<Outstanding | null>(options.clients).fill(null);
  let nextProcess = options.clients;
  let invoked = 0;
  let open = 0;
  let infoOps = 0;
  let lines = 0;
  const plantAt = options.violation === true ? Math.floor(options.ops / 2) : -1;
  let planted = false;
  const line = (slot: number, type: string, op: Outstanding, value: string | null): void => {
    emit(`{:process ${process[slot]}, :type :${type}, :f :${op.f}, :key "${op.key}", :value ${value === null ? 'nil' : `"${value}"`}}`);
    lines += 1;
  };
  const apply = (op: Outstanding): void => {
    op.applied = true;
    if (op.f === 'get') op.result = store[op.key]!;
    else if (op.f === 'put') store[op.key] = op.value;
    else store[op.key] += op.value;
  };
  while (invoked < options.ops || open > 0) {
    const slot = Math.floor(random() * options.clients);
    const op = outstanding[slot];
    if (op === null || op === undefined) {
      if (invoked >= options.ops) continue;
      const roll = random() * 100;
      const f = roll < GET_PERCENT ? 'get' : roll < GET_PERCENT + PUT_PERCENT ? 'put' : 'append';
      const key = Math.floor(random() * options.keys);
      // Values are unique per process and op, and never contain "z" (kept for the planted get).
      const value = f === 'get' ? '' : `x ${process[slot]} ${sent[slot]} y`;
      sent[slot]! += 1;
      const made: Outstanding = { f, key, value, applied: false, result: '', info: f !== 'get' && random() * 100 < options.infoPercent };
      line(slot, 'invoke', made, f === 'get' ? null : value);
      if (random() < 0.5) apply(made);
      outstanding[slot] = made;
      invoked += 1;
      open += 1;
      continue;
    }
    if (!op.applied) apply(op);
    outstanding[slot] = null;
    open -= 1;
    if (op.info) {
      line(slot, 'info', op, op.value);
      infoOps += 1;
      process[slot] = nextProcess++;
      sent[slot] = 0;
      continue;
    }
    let value = op.f === 'get' ? op.result : op.value;
    if (op.f === 'get' && !planted && invoked >= plantAt && plantAt >= 0) {
      value = `${value}x z y`;
      planted = true;
    }
    line(slot, 'ok', op, value);
  }
  return { ops: invoked, infoOps, lines, linearizable: !planted };
}
