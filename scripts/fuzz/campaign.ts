// A fuzz campaign: seeds handed out to worker threads (one per core by default), each result passed
// to the caller the moment it arrives (the caller stores it, so a killed campaign loses no finished
// run), failing runs queued for shrinking ahead of further seeds.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { FuzzExecutor, type CampaignConfig, type SeedDone, type ShrinkDone } from './executor.js';
import type { ToMain, ToWorker } from './protocol.js';
import type { ExplicitScenario } from '../../faults/scenario.js';

export const WORKERS_MAX = 256;

export interface CampaignOptions {
  config: CampaignConfig;
  /** The seeds to run, in order of dispatch. */
  seeds: readonly number[];
  /** Worker threads; 0 runs everything in this thread. */
  workers: number;
  /** Keep running seeds after a failure (default: stop handing out seeds after the first). */
  keepGoing: boolean;
  shrink: boolean;
  /** Failures shrunk at most; later ones keep their unshrunk run. */
  shrinkMax: number;
  /** Stop handing out seeds after this much wall time; null for no limit. */
  timeLimitMs: number | null;
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
    this.listener.seed(done);
    if (done.result.violation === null) return;
    if (!this.options.keepGoing && this.next < this.options.seeds.length) this.stopped ??= 'failure';
    if (this.options.shrink && this.shrinksQueued < this.options.shrinkMax) {
      this.shrinksQueued++;
      this.shrinks.push({ type: 'shrink', seed: done.seed, scenario: done.result.scenario });
    }
  }

  shrunk(done: ShrinkDone): void {
    this.listener.shrunk(done);
  }

  error(seed: number, task: 'run' | 'shrink', message: string): void {
    this.errors++;
    this.listener.error(seed, task, message);
  }

  outcome(): CampaignOutcome {
    return { runs: this.runs, events: this.events, wallMs: performance.now() - this.startedMs, stopped: this.stopped, errors: this.errors };
  }
}

async function runInProcess(options: CampaignOptions, dispatch: Dispatch): Promise<void> {
  const executor = await FuzzExecutor.create(options.config);
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

function runThreaded(options: CampaignOptions, dispatch: Dispatch): Promise<void> {
  const boot = new URL('./worker-boot.mjs', import.meta.url);
  const entry = new URL('./worker.ts', import.meta.url).href;
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    const busy = new Set<Worker>();
    const idle = new Set<Worker>();
    let finished = false;
    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      for (const worker of workers) void worker.terminate();
      if (error === undefined) resolve();
      else reject(error);
    };
    /** Gives the worker its next task; true when it got one. */
    const feed = (worker: Worker): boolean => {
      const task = dispatch.take();
      if (task === null) {
        busy.delete(worker);
        idle.add(worker);
        if (busy.size === 0) finish();
        return false;
      }
      idle.delete(worker);
      busy.add(worker);
      worker.postMessage(task satisfies ToWorker);
      return true;
    };
    for (let index = 0; index < options.workers; index++) {
      const worker = new Worker(boot, { workerData: { entry, config: options.config } });
      workers.push(worker);
      busy.add(worker);
      worker.on('message', (message: ToMain) => {
        if (finished) return;
        try {
          switch (message.type) {
            case 'ready':
              break;
            case 'seed':
              dispatch.seedDone(message.done);
              break;
            case 'shrunk':
              dispatch.shrunk(message.done);
              break;
            case 'error':
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
        // A failure may have queued a shrink after other workers went idle: wake them for it.
        for (const other of [...idle]) if (finished || !feed(other)) break;
      });
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) => {
        if (!finished && code !== 0) finish(new Error(`a fuzz worker exited with code ${code}`));
      });
    }
  });
}

/** Runs the campaign; resolves when every handed-out seed and queued shrink is done. */
export async function runCampaign(options: CampaignOptions, listener: CampaignListener): Promise<CampaignOutcome> {
  if (!(Number.isInteger(options.workers) && options.workers >= 0 && options.workers <= WORKERS_MAX)) {
    throw new Error(`workers must be 0..${WORKERS_MAX}, got ${options.workers}`);
  }
  const dispatch = new Dispatch(options, listener);
  if (options.workers === 0) await runInProcess(options, dispatch);
  else await runThreaded(options, dispatch);
  return dispatch.outcome();
}
