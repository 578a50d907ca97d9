// A fuzz worker thread: builds its executor from the campaign config, then answers run and shrink
// tasks one at a time until told to stop. Errors go back as messages; the pool decides what to do.
import { parentPort, workerData } from 'node:worker_threads';
import { FuzzExecutor, type CampaignConfig } from './executor.js';
import type { ToMain, ToWorker } from './protocol.js';

const port = parentPort;
if (port === null) throw new Error('scripts/fuzz/worker.ts runs only as a worker thread');

const config = (workerData as { config: CampaignConfig }).config;

function send(message: ToMain): void {
  port!.postMessage(message);
}

let executor: FuzzExecutor;
try {
  executor = await FuzzExecutor.create(config);
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'fatal', message: (error as Error).message });
  throw error;
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') {
    port.close();
    return;
  }
  try {
    if (message.type === 'run') send({ type: 'seed', done: executor.runSeed(message.seed) });
    else send({ type: 'shrunk', done: executor.shrinkSeed(message.seed, message.scenario) });
  } catch (error) {
    send({ type: 'error', seed: message.seed, task: message.type, message: (error as Error).stack ?? String(error) });
  }
});
