// The submitting client: submits `jobs` jobs spread over its window, each under its own request id
// (the job id), retrying a submission whose outcome is unknown under the same id (the store is
// idempotent by it), and now and then cancels a job it was told was accepted.
import type { ClientHost, NodeId, Process, TimerTag } from '../../nodes/host.js';
import { ATTEMPT_NS_DEFAULT, roleProcess, SchedCaller, SUBMITTER_ID_BASE, SUBMITTER_SLOT, Timers, isSchedReply, type SchedReply } from '../../nodes/scheduler/index.js';

export interface SubmitterConfig {
  nodes: readonly NodeId[];
  index: number;
  clients: number;
  jobs: number;
  tenants: number;
  /** Submissions stop at this time since start, so the queue can drain before the run ends. */
  windowNs: number;
  requestNs: number;
  /** After an accepted submission, cancel some accepted job in this many (0: never). */
  cancelOneIn: number;
  /** Tries of one submission whose outcome stays unknown or refused. */
  triesMax: number;
  /** Each tenant's quota of running jobs, stated with every submission; null: none. */
  quota: number | null;
  /** Called once it has submitted everything (default: the host's `done`). */
  finished?: () => void;
}

export class SubmitterProcess implements Process {
  private readonly timers: Timers;
  private readonly caller: SchedCaller;
  private generation = 0;
  private submitted = 0;
  private readonly accepted: string[] = [];
  private startNs = 0;

  constructor(
    private readonly host: ClientHost,
    private readonly config: SubmitterConfig,
  ) {
    this.timers = new Timers(host, 's');
    this.caller = new SchedCaller(host, this.timers, { nodes: config.nodes, attemptNs: ATTEMPT_NS_DEFAULT, deadlineNs: config.requestNs }, SUBMITTER_ID_BASE, config.index);
  }

  start(): void {
    this.startNs = this.host.monotonicNow();
    this.timers.set(this.gapNs(), () => this.next());
  }

  onMessage(from: NodeId, message: unknown): void {
    if (isSchedReply(message)) this.caller.onReply(from, message);
  }

  onTimer(tag: TimerTag): void {
    this.timers.onTimer(tag);
  }

  onFsync(): void {}

  private gapNs(): number {
    const meanNs = this.config.windowNs / Math.max(1, this.config.jobs);
    return this.host.random.range(Math.floor(meanNs / 2), Math.floor((meanNs * 3) / 2));
  }

  private process(): number {
    return roleProcess(this.config.index, this.config.clients, SUBMITTER_SLOT, this.generation);
  }

  private next(): void {
    if (this.submitted >= this.config.jobs || this.host.monotonicNow() - this.startNs >= this.config.windowNs) {
      (this.config.finished ?? (() => this.host.done()))();
      return;
    }
    // Ids are namespaced by tenant (`t1/j1.4`): the store keeps a tenant's jobs in one document.
    const tenant = `t${this.host.random.int(this.config.tenants)}`;
    const job = `${tenant}/j${this.config.index}.${this.submitted}`;
    this.submitted += 1;
    this.submit(job, tenant, 1);
  }

  private submit(job: string, tenant: string, tries: number): void {
    const quota = this.config.quota;
    const value = quota === null ? { job, tenant } : { job, tenant, quota };
    this.host.record({ process: this.process(), type: 'invoke', f: 'submit', key: job, value });
    this.caller.call(quota === null ? { f: 'submit', job, tenant } : { f: 'submit', job, tenant, quota }, (reply) => {
      const outcome = this.recordReply('submit', job, value, reply);
      if (outcome === 'ok') {
        this.accepted.push(job);
        if (this.config.cancelOneIn > 0 && this.host.random.chance(1, this.config.cancelOneIn)) {
          this.cancel(this.host.random.pick(this.accepted));
          return;
        }
      } else if (tries < this.config.triesMax) {
        // Unknown or refused: the same request id again, so a submission that did commit is not doubled.
        this.timers.set(this.gapNs(), () => this.submit(job, tenant, tries + 1));
        return;
      }
      this.timers.set(this.gapNs(), () => this.next());
    });
  }

  private cancel(job: string): void {
    const value = { job };
    this.host.record({ process: this.process(), type: 'invoke', f: 'cancel', key: job, value });
    this.caller.call({ f: 'cancel', job }, (reply) => {
      this.recordReply('cancel', job, value, reply);
      this.timers.set(this.gapNs(), () => this.next());
    });
  }

  private recordReply(f: string, job: string, value: object, reply: SchedReply | null): 'ok' | 'fail' | 'info' {
    const process = this.process();
    if (reply === null) {
      this.host.record({ process, type: 'info', f, key: job, value });
      this.generation += 1;
      return 'info';
    }
    const type = reply.ok ? 'ok' : 'fail';
    this.host.record({ process, type, f, key: job, value: reply.ok ? value : { ...value, error: reply.error ?? null } });
    return type;
  }
}
