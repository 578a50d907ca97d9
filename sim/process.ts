// Process lifecycle: one endpoint per process name (server, client, or an external sender such as
// the runner's `admin`), and the states it moves through.
//
//   idle --start--> up --crash--> down --restart--> up
//                   up --pause--> paused --resume--> up
//                paused --crash--> down           any --remove--> removed --add--> up (fresh disk)
//
// A crash drops the process object (all its memory); its incarnation number goes up, which
// cancels its pending timers and fsyncs (they are discarded when they come out of the queue).
// Messages in flight to it are dropped on arrival while it is down. A paused process keeps its
// memory; events for it are held, in arrival order, up to `holdMax`, and handled after resume.
import type { ClientHost, Host, NodeId, Process, ProcessFactory } from '../nodes/host.js';
import { AssertionError, assert } from './assert.js';
import type { NodeClock } from './clock.js';
import type { SimDisk } from './disk.js';
import type { SimRandom } from './random.js';

export type EndpointRole = 'server' | 'client' | 'external';
export type ProcessState = 'idle' | 'up' | 'paused' | 'down' | 'removed';

/** Events held for a paused process beyond this are dropped (and traced). */
export const HOLD_MAX_DEFAULT = 100_000;

export class Endpoint {
  state: ProcessState = 'idle';
  /** Goes up on every crash, so events scheduled by an earlier incarnation can be recognised. */
  incarnation = 0;
  /** The clock's monotonic reading when this incarnation started: its monotonic clock counts from there. */
  monotonicStartNs = 0;
  process: Process | null = null;
  /** Queue slots of events held while paused, in arrival order. */
  held: number[] = [];
  /** A client said it finished its workload. */
  done = false;

  constructor(
    readonly index: number,
    readonly id: NodeId,
    readonly role: EndpointRole,
    readonly factory: ProcessFactory<Host> | ProcessFactory<ClientHost> | null,
    readonly disk: SimDisk | null,
    readonly clock: NodeClock | null,
    readonly random: SimRandom | null,
    readonly faultPointRandom: SimRandom | null,
    readonly holdMax: number,
  ) {
    assert(role === 'external' || (factory !== null && disk !== null && clock !== null && random !== null), `endpoint ${id}: a process needs a factory, disk, clock and random stream`);
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  /** The process object now runs (fresh start or restart). */
  started(process: Process): void {
    assert(this.state === 'idle' || this.state === 'down' || this.state === 'removed', `start of ${this.id} in state ${this.state}`);
    this.process = process;
    this.state = 'up';
    this.done = false;
  }

  /** The process object is gone; returns the held slots the caller must release. */
  crashed(): number[] {
    assert(this.state === 'up' || this.state === 'paused' || this.state === 'idle', `crash of ${this.id} in state ${this.state}`);
    this.process = null;
    this.state = 'down';
    this.incarnation++;
    const held = this.held;
    this.held = [];
    return held;
  }

  paused(): void {
    assert(this.state === 'up', `pause of ${this.id} in state ${this.state}`);
    this.state = 'paused';
  }

  /** Back to running; returns the held slots, in order, for the caller to schedule now. */
  resumed(): number[] {
    assert(this.state === 'paused', `resume of ${this.id} in state ${this.state}`);
    this.state = 'up';
    const held = this.held;
    this.held = [];
    return held;
  }

  /** Holds an event slot while paused; false when the hold buffer is full (the caller drops it). */
  hold(slot: number): boolean {
    if (this.state !== 'paused') throw new AssertionError(`hold for ${this.id} in state ${this.state}`);
    if (this.held.length >= this.holdMax) return false;
    this.held.push(slot);
    return true;
  }

  removed(): number[] {
    const held = this.state === 'down' || this.state === 'removed' ? [] : this.crashed();
    this.state = 'removed';
    return held;
  }
}
