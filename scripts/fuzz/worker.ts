// A fuzz worker: builds its executor from the campaign config, then answers run and shrink tasks one
// at a time. Errors go back as messages; the pool decides what to do. worker-boot.mjs loads it.
import { FuzzExecutor, type CampaignConfig } from './executor.js';
import type { ToMain, ToWorker } from './protocol.js';

/** Makes the executor, says `ready`, and returns the handler for every later message. */
export async function serve(config: CampaignConfig, send: (message: ToMain) => void): Promise<(message: ToWorker) => void> {
  const executor = await FuzzExecutor.create(config);
  send({ type: 'ready' });
  return (message) => {
    switch (message.type) {
      case 'start':
        throw new Error('fuzz worker: started twice');
      case 'run':
      case 'shrink':
        try {
          if (message.type === 'run') send({ type: 'seed', done: executor.runSeed(message.seed) });
          else send({ type: 'shrunk', done: executor.shrinkSeed(message.seed, message.scenario) });
        } catch (error) {
          send({ type: 'error', seed: message.seed, task: message.type, message: (error as Error).stack ?? String(error) });
        }
    }
  };
}
