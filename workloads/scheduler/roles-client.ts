// One client process playing several of the scheduler workload's roles (the resource, the
// submitter, worker lanes), for runs with fewer than three clients (the shrinker cuts clients).
// Every message and timer goes to every role: each answers only its own (its reply ids, its timer
// prefix), and each records on its own process numbers (nodes/scheduler/roles.ts).
import type { ClientHost, NodeId, Process, TimerTag } from '../../nodes/host.js';

export class RolesProcess implements Process {
  private unfinished: number;

  constructor(
    private readonly host: ClientHost,
    /** Builds each role with the callback it calls when it has finished. */
    build: ((finished: () => void) => Process)[],
    /** Roles that never finish on their own (the resource serves to the end). */
    passive: number,
  ) {
    this.unfinished = build.length - passive;
    this.roles = build.map((make) => make(() => this.finish()));
  }

  private readonly roles: Process[];

  start(): void {
    for (const role of this.roles) role.start();
  }

  onMessage(from: NodeId, message: unknown): void {
    for (const role of this.roles) role.onMessage(from, message);
  }

  onTimer(tag: TimerTag): void {
    for (const role of this.roles) role.onTimer(tag);
  }

  onFsync(tag: TimerTag, ok: boolean): void {
    for (const role of this.roles) role.onFsync(tag, ok);
  }

  private finish(): void {
    this.unfinished -= 1;
    if (this.unfinished === 0) this.host.done();
  }
}
