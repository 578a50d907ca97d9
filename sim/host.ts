// The Host (and ClientHost) a simulated process sees. Every call goes to the World's kernel; a host
// belongs to one incarnation of its process, so a crashed process's host refuses further calls.
import type {
  ClientHost,
  ClientRecord,
  Disk,
  Message,
  Nanos,
  NodeId,
  Random,
  TimerId,
  TimerTag,
  TraceFields,
} from '../nodes/host.js';
import { AssertionError } from './assert.js';
import type { Endpoint } from './process.js';

/** What a host needs from the World. Implemented by World; not part of the public API. */
export interface HostKernel {
  hostPeers(): readonly NodeId[];
  hostWallNow(endpoint: Endpoint): Nanos;
  hostMonotonicNow(endpoint: Endpoint): Nanos;
  hostSend(endpoint: Endpoint, to: NodeId, message: Message): void;
  hostSetTimer(endpoint: Endpoint, delay: Nanos, tag: TimerTag): TimerId;
  hostCancelTimer(endpoint: Endpoint, id: TimerId): void;
  hostLog(endpoint: Endpoint, kind: string, fields: TraceFields | undefined): void;
  hostFaultPoint(endpoint: Endpoint, name: string): boolean;
  hostBug(name: string): boolean;
  hostRecord(endpoint: Endpoint, record: ClientRecord): void;
  hostDone(endpoint: Endpoint): void;
}

export class SimHost implements ClientHost {
  readonly id: NodeId;
  readonly disk: Disk;
  readonly random: Random;

  constructor(
    private readonly kernel: HostKernel,
    private readonly endpoint: Endpoint,
    private readonly incarnation: number,
    private readonly foundingIds: readonly NodeId[] = [],
  ) {
    this.id = endpoint.id;
    this.disk = endpoint.disk!;
    this.random = endpoint.random!;
  }

  peers(): readonly NodeId[] {
    return this.kernel.hostPeers();
  }

  founding(): readonly NodeId[] {
    return this.foundingIds;
  }

  wallNow(): Nanos {
    return this.kernel.hostWallNow(this.endpoint);
  }

  monotonicNow(): Nanos {
    return this.kernel.hostMonotonicNow(this.endpoint);
  }

  send(to: NodeId, message: Message): void {
    this.check();
    this.kernel.hostSend(this.endpoint, to, message);
  }

  setTimer(delay: Nanos, tag: TimerTag): TimerId {
    this.check();
    return this.kernel.hostSetTimer(this.endpoint, delay, tag);
  }

  cancelTimer(id: TimerId): void {
    this.check();
    this.kernel.hostCancelTimer(this.endpoint, id);
  }

  log(kind: string, fields?: TraceFields): void {
    this.check();
    this.kernel.hostLog(this.endpoint, kind, fields);
  }

  faultPoint(name: string): boolean {
    this.check();
    return this.kernel.hostFaultPoint(this.endpoint, name);
  }

  bug(name: string): boolean {
    return this.kernel.hostBug(name);
  }

  record(record: ClientRecord): void {
    this.check();
    if (this.endpoint.role !== 'client') throw new AssertionError(`record() on ${this.id}, which is not a client`);
    this.kernel.hostRecord(this.endpoint, record);
  }

  done(): void {
    this.check();
    if (this.endpoint.role !== 'client') throw new AssertionError(`done() on ${this.id}, which is not a client`);
    this.kernel.hostDone(this.endpoint);
  }

  /** A crashed incarnation's host must not act: the process object is gone. */
  private check(): void {
    if (this.endpoint.incarnation !== this.incarnation) {
      throw new AssertionError(`${this.id}: host of a crashed incarnation used (${this.incarnation}, now ${this.endpoint.incarnation})`);
    }
  }
}
