// A JobKv over a plain map that always leads: for unit tests of the scheduler's store logic without
// Raft (a single node; nothing replicated). Commands complete after the current handler returns,
// by a zero-delay timer, as the embedded Raft's do.
import type { Host, TimerTag } from '../../host.js';
import type { JobKv, JobKvOp, JobKvReply } from '../kv-port.js';

export class MapKv implements JobKv {
  readonly values = new Map<string, string | number>();
  private readonly waiting = new Map<string, () => void>();
  private next = 0;
  leading = true;

  constructor(private readonly host: Host) {}

  start(): void {}
  onMessage(): boolean {
    return false;
  }
  onTimer(tag: TimerTag): boolean {
    if (typeof tag !== 'string' || !tag.startsWith('mapkv.')) return false;
    const run = this.waiting.get(tag);
    this.waiting.delete(tag);
    run?.();
    return true;
  }
  onFsync(): boolean {
    return false;
  }
  status() {
    return { role: this.leading ? 'leader' : 'follower', term: 1 };
  }
  isLeader(): boolean {
    return this.leading;
  }
  leader() {
    return this.leading ? this.host.id : null;
  }
  read(key: string): string | number | null {
    return this.values.get(key) ?? null;
  }
  propose(op: JobKvOp, _timeoutNs: number, done: (reply: JobKvReply | null) => void): void {
    this.later(() => {
      const [expected, value] = op.value;
      if ((this.values.get(op.key) ?? null) !== expected) done({ outcome: 'fail' });
      else {
        this.values.set(op.key, value);
        done({ outcome: 'ok' });
      }
    });
  }
  readLinearizable(key: string, _timeoutNs: number, done: (reply: JobKvReply | null) => void): void {
    this.later(() => done({ outcome: this.leading ? 'ok' : 'redirect', value: this.read(key) }));
  }
  private later(run: () => void): void {
    const tag = `mapkv.${this.next++}`;
    this.waiting.set(tag, run);
    this.host.setTimer(0, tag);
  }
}
