// The run's event trace: structured events, formatted only when someone looks. The shape is the
// TraceEvent of nodes/host.ts, the one place every layer reads it from.
import type { TraceEvent } from '../nodes/host.js';

export type { TraceEvent };

/** The kinds the kernel itself records. Nodes' own `log()` kinds are theirs; faults are `fault.<name>`. */
export const TraceKind = {
  send: 'msg.send',
  deliver: 'msg.deliver',
  drop: 'msg.drop',
  /** A message arrived at a paused process and waits for its resume. */
  hold: 'msg.hold',
  timer: 'timer.fire',
  fsync: 'disk.fsync',
  start: 'proc.start',
  crash: 'proc.crash',
  restart: 'proc.restart',
  pause: 'proc.pause',
  resume: 'proc.resume',
  failure: 'proc.failure',
  faultPoint: 'proc.fault-point',
  done: 'client.done',
} as const;

/** Small numbers fed to the fingerprint for the kernel's kinds (other kinds are fed as strings). */
export const TraceCode = {
  send: 1,
  deliver: 2,
  drop: 3,
  timer: 4,
  fsync: 5,
  start: 6,
  crash: 7,
  restart: 8,
  pause: 9,
  resume: 10,
  failure: 11,
  faultPoint: 12,
  done: 13,
  log: 14,
  fault: 15,
  record: 16,
  hold: 17,
} as const;
