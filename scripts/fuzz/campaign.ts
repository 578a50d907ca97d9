// A fuzz campaign: seeds handed out to worker processes (one per core by default), each result passed
// to the caller the moment it arrives (the caller stores it, so a killed campaign loses no finished
// run), failing runs queued for shrinking ahead of further seeds.
import { performance } from 'node:perf_hooks';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FuzzExecutor, type CampaignConfig, type SeedDone, type ShrinkDone } from './executor.js';
import type { ToMain, ToWorker } from './protocol.js';
import type { ExplicitScenario } from '../lab/scenario.js';
import type { SystemPlugin } from '../../workloads/system.js';

export const WORKERS_MAX = 256;

export interface CampaignOptions {
  config: CampaignConfig;
  /** The seeds to run, in order of dispatch. */
  seeds: readonly number[];
  /** Worker processes; 0 runs everything in this thread. */
  workers: number;
  /** Keep running seeds after a failure (default: stop handing out seeds after the first). */
  keepGoing: boolean;
  shrink: boolean;
  /** Failures shrunk at most; later ones keep their unshrunk run. */
  shrinkMax: number;
  /** Stop handing out seeds after this much wall time; null for no limit. */
  timeLimitMs: number | null;
  /** In-process only (`workers: 0`): the system object itself, when no module names it (the library's `fuzz`). */
  plugin?: SystemPlugin;
}

export interface CampaignListener {
  seed(done: SeedDone): void;
  shrunk(done: ShrinkDone): void;
  /** A task threw: the run is counted as not finished and reported. */
  error(seed: number, task: 'run' | 'shrink', message: string): void;
}

export interface CampaignOutcome {
  /** Seeds that finished (any verdict). */
  runs: number;
  events: number;
  wallMs: number;
  /** Why seeds stopped being handed out before the list ended, if they did. */
  stopped: 'failure' | 'time-limit' | null;
  errors: number;
  /** CPU time the runs and shrinks took where they ran (worker processes, or this one). */
  taskCpuMs: number;
}

type Task = { type: 'run'; seed: number } | { type: 'shrink'; seed: number; scenario: ExplicitScenario };

/** The dispatch state shared by the threaded and the in-process pools. */
class Dispatch {
  private next = 0;
  private readonly shrinks: Task[] = [];
  private shrinksQueued = 0;
  stopped: CampaignOutcome['stopped'] = null;
  runs = 0;
  events = 0;
  errors = 0;
  taskCpuMs = 0;
  private readonly startedMs = performance.now();

  constructor(
    private readonly options: CampaignOptions,
    private readonly listener: CampaignListener,
  ) {}

  take(): Task | null {
    const shrink = this.shrinks.shift();
    if (shrink !== undefined) return shrink;
    if (this.stopped !== null) return null;
    if (this.options.timeLimitMs !== null && performance.now() - this.startedMs >= this.options.timeLimitMs) {
      if (this.next < this.options.seeds.length) this.stopped = 'time-limit';
      return null;
    }
    if (this.next >= this.options.seeds.length) return null;
    return { type: 'run', seed: this.options.seeds[this.next++]! };
  }

  seedDone(done: SeedDone): void {
    this.runs++;
    this.events += done.result.events;
    this.taskCpuMs += done.cpuMs;
    this.listener.seed(done);
    if (done.result.violation === null) return;
    if (!this.options.keepGoing && this.next < this.options.seeds.length) this.stopped ??= 'failure';
    if (this.options.shrink && this.shrinksQueued < this.options.shrinkMax) {
      this.shrinksQueued++;
      this.shrinks.push({ type: 'shrink', seed: done.seed, scenario: done.result.scenario });
    }
  }

  shrunk(done: ShrinkDone): void {
    this.taskCpuMs += done.cpuMs;
    this.listener.shrunk(done);
  }

  error(seed: number, task: 'run' | 'shrink', message: string): void {
    this.errors++;
    this.listener.error(seed, task, message);
  }

  outcome(): CampaignOutcome {
    return { runs: this.runs, events: this.events, wallMs: performance.now() - this.startedMs, stopped: this.stopped, errors: this.errors, taskCpuMs: this.taskCpuMs };
  }
}

async function runInProcess(options: CampaignOptions, dispatch: Dispatch): Promise<void> {
  const executor = options.plugin === undefined ? await FuzzExecutor.create(options.config) : FuzzExecutor.withPlugin(options.config, options.plugin);
  for (let task = dispatch.take(); task !== null; task = dispatch.take()) {
    try {
      if (task.type === 'run') dispatch.seedDone(executor.runSeed(task.seed));
      else dispatch.shrunk(executor.shrinkSeed(task.seed, task.scenario));
    } catch (error) {
      dispatch.error(task.seed, task.type, (error as Error).stack ?? String(error));
    }
    // Let signals and output through between runs.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Worker processes, not threads. V8's garbage collector runs helper threads beside each isolate,
 * and with one worker per core those helpers compete with the workers for the cores; a process of
 * its own can be told to collect on its own thread (`--single-threaded-gc` is a per-process V8
 * flag), so a worker uses one core and no more. A worker that crashes or runs out of memory also
 * takes only itself down. `crucible bench --suite fuzz` measures what this gives against two
 * independent one-worker campaigns, the most two cores allow.
 */
const WORKER_EXEC_ARGV = ['--single-threaded-gc'];
/** Tasks handed to a worker ahead of the one it is running, so it never waits on this thread. */
const WORKER_AHEAD = 1;

function runPool(options: CampaignOptions, dispatch: Dispatch): Promise<void> {
  const boot = fileURLToPath(new URL('./worker-boot.mjs', import.meta.url));
  // Beside this file: worker.ts in the repository, worker.js in the built package (dist/).
  const entry = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url).href;
  return new Promise((resolve, reject) => {
    const workers: ChildProcess[] = [];
    /** Tasks each worker holds (running or queued). */
    const held = new Map<ChildProcess, number>();
    let finished = false;
    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      for (const worker of workers) {
        if (worker.exitCode !== null || worker.signalCode !== null) continue;
        // Idle workers leave when their channel closes; a busy one is stopped where it stands.
        if (error === undefined && worker.connected) worker.disconnect();
        else worker.kill('SIGKILL');
      }
      if (error === undefined) resolve();
      else reject(error);
    };
    /** Tops the worker up to its share of tasks; returns how many it was given. */
    const feed = (worker: ChildProcess): number => {
      let given = 0;
      while ((held.get(worker) ?? 0) <= WORKER_AHEAD) {
        const task = dispatch.take();
        if (task === null) break;
        held.set(worker, (held.get(worker) ?? 0) + 1);
        worker.send(task satisfies ToWorker);
        given++;
      }
      return given;
    };
    const idleAll = () => [...held.values()].every((count) => count === 0);
    for (let index = 0; index < options.workers; index++) {
      const worker = fork(boot, [], {
        execArgv: WORKER_EXEC_ARGV,
        serialization: 'advanced',
        // A worker prints nothing of its own; whatever it does print must not reach a --json stdout.
        stdio: ['ignore', 2, 2, 'ipc'],
      });
      workers.push(worker);
      held.set(worker, 0);
      worker.send({ type: 'start', entry, config: options.config } satisfies ToWorker);
      worker.on('message', (message: ToMain) => {
        if (finished) return;
        try {
          switch (message.type) {
            case 'ready':
              break;
            case 'seed':
              held.set(worker, held.get(worker)! - 1);
              dispatch.seedDone(message.done);
              break;
            case 'shrunk':
              held.set(worker, held.get(worker)! - 1);
              dispatch.shrunk(message.done);
              break;
            case 'error':
              held.set(worker, held.get(worker)! - 1);
              dispatch.error(message.seed, message.task, message.message);
              break;
            case 'fatal':
              finish(new Error(message.message));
              return;
          }
        } catch (error) {
          // The listener failed (the store, say): stop the campaign rather than lose results silently.
          finish(error as Error);
          return;
        }
        feed(worker);
        // A failure may have queued a shrink after other workers ran dry: wake them for it.
        for (const other of workers) if (other !== worker && held.get(other) === 0 && feed(other) === 0) break;
        if (idleAll()) finish();
      });
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code, signal) => {
        if (!finished) finish(new Error(`a fuzz worker exited (${signal ?? `code ${code}`}) with tasks unfinished`));
      });
    }
    for (const worker of workers) feed(worker);
    if (idleAll()) finish();
  });
}

/** Runs the campaign; resolves when every handed-out seed and queued shrink is done. */
export async function runCampaign(options: CampaignOptions, listener: CampaignListener): Promise<CampaignOutcome> {
  if (!(Number.isInteger(options.workers) && options.workers >= 0 && options.workers <= WORKERS_MAX)) {
    throw new Error(`workers must be 0..${WORKERS_MAX}, got ${options.workers}`);
  }
  if (options.plugin !== undefined && options.workers > 0) throw new Error('a system object runs in-process only (workers: 0); worker processes load it from its module');
  const dispatch = new Dispatch(options, listener);
  if (options.workers === 0) await runInProcess(options, dispatch);
  else await runPool(options, dispatch);
  return dispatch.outcome();
}
