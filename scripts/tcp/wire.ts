// The frames that follow the handshake. A node message travels as `{ m: message }`; an operator
// (role `admin`) may ask the host itself for its status with `{ q: 'status' }` and gets
// `{ r: 'status', ... }` back, or set the host's wall clock with `{ q: 'clock', offsetNs, driftPpm }`
// (a clock fault; answered with the status). Anything else is a protocol error that closes the
// connection.
import type { Message, NodeId, NodeStatus } from '../../nodes/host.js';
import { type ClockSetting, clockSettingProblem } from './clock.js';

export interface HostStatus {
  id: NodeId;
  pid: number;
  uptimeMs: number;
  /** The node's own `status()`, or `{}` when it has none. */
  status: NodeStatus;
  /** Set once a handler threw: the node is stopped and says why. */
  failed: string | null;
  peersConnected: NodeId[];
  framesIn: number;
  framesOut: number;
  framesDropped: number;
  /** Real fsyncs completed on the node's disk since it started. */
  fsyncs: number;
  /** The wall clock's offset from the machine's and its drift, as clock faults set them. */
  clock: ClockSetting;
}

export type Envelope =
  | { kind: 'message'; message: Message }
  | { kind: 'status-query' }
  | { kind: 'clock-set'; setting: ClockSetting }
  | { kind: 'status-reply'; status: HostStatus };

export function messageFrame(message: Message): { m: Message } {
  return { m: message };
}

export function statusQueryFrame(): { q: 'status' } {
  return { q: 'status' };
}

export function clockSetFrame(setting: ClockSetting): { q: 'clock'; offsetNs: number; driftPpm: number } {
  return { q: 'clock', offsetNs: setting.offsetNs, driftPpm: setting.driftPpm };
}

export function statusReplyFrame(status: HostStatus): { r: 'status'; s: HostStatus } {
  return { r: 'status', s: status };
}

/** Reads one post-handshake frame, or says why it is malformed. */
export function parseEnvelope(value: unknown): Envelope | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'frame is not an object';
  const frame = value as Record<string, unknown>;
  if ('m' in frame) return { kind: 'message', message: frame.m };
  if (frame.q === 'status') return { kind: 'status-query' };
  if (frame.q === 'clock') {
    const setting = { offsetNs: frame.offsetNs, driftPpm: frame.driftPpm } as ClockSetting;
    const problem = clockSettingProblem(setting);
    return problem === null ? { kind: 'clock-set', setting } : `clock request: ${problem}`;
  }
  if (frame.r === 'status' && typeof frame.s === 'object' && frame.s !== null) {
    return { kind: 'status-reply', status: frame.s as HostStatus };
  }
  return `unknown frame shape with keys ${Object.keys(frame).slice(0, 5).join(',') || '(none)'}`;
}
