// A scriptable test node: it does what injected `do` messages tell it (send, set or cancel a timer,
// append and fsync, throw) and reports every handler call to a shared log the test reads.
import type { Host, Message, NodeId, Process, ProcessFactory, TimerTag } from '../../nodes/host.js';

export type RecorderCommand =
  | { type: 'do'; action: 'send'; to: NodeId; payload: Message }
  | { type: 'do'; action: 'timer'; delayNs: number; tag: TimerTag }
  | { type: 'do'; action: 'cancel-last-timer' }
  | { type: 'do'; action: 'append'; file: string; text: string; fsyncTag: TimerTag }
  | { type: 'do'; action: 'throw'; message: string };

export interface RecorderEntry {
  node: NodeId;
  /** Which handler ran: start, message, timer, fsync. */
  call: string;
  incarnation: number;
  detail?: unknown;
}

export function recorderNode(log: RecorderEntry[], onStart?: (host: Host) => void): ProcessFactory<Host> {
  const incarnations = new Map<NodeId, number>();
  return (host) => {
    const incarnation = incarnations.get(host.id) ?? 0;
    incarnations.set(host.id, incarnation + 1);
    return new RecorderNode(host, log, incarnation, onStart);
  };
}

class RecorderNode implements Process {
  private lastTimer = -1;
  constructor(
    private readonly host: Host,
    private readonly log: RecorderEntry[],
    private readonly incarnation: number,
    private readonly onStart: ((host: Host) => void) | undefined,
  ) {}

  start(): void {
    const files = this.host.disk.list();
    this.log.push({ node: this.host.id, call: 'start', incarnation: this.incarnation, detail: files });
    this.onStart?.(this.host);
  }

  onMessage(from: NodeId, message: Message): void {
    this.log.push({ node: this.host.id, call: 'message', incarnation: this.incarnation, detail: { from, message } });
    const command = message as RecorderCommand;
    if (command.type !== 'do') return;
    switch (command.action) {
      case 'send':
        return this.host.send(command.to, command.payload);
      case 'timer':
        this.lastTimer = this.host.setTimer(command.delayNs, command.tag);
        return;
      case 'cancel-last-timer':
        return this.host.cancelTimer(this.lastTimer);
      case 'append':
        this.host.disk.append(command.file, new TextEncoder().encode(command.text));
        return this.host.disk.fsync(command.file, command.fsyncTag);
      case 'throw':
        throw new Error(command.message);
    }
  }

  onTimer(tag: TimerTag): void {
    this.log.push({ node: this.host.id, call: 'timer', incarnation: this.incarnation, detail: { tag, now: this.host.monotonicNow() } });
  }

  onFsync(tag: TimerTag, ok: boolean): void {
    this.log.push({ node: this.host.id, call: 'fsync', incarnation: this.incarnation, detail: { tag, ok } });
  }
}
