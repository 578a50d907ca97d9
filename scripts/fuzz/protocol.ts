// Messages between the campaign (main thread) and its fuzz workers.
import type { ExplicitScenario } from '../../faults/scenario.js';
import type { CampaignConfig, SeedDone, ShrinkDone } from './executor.js';

export type ToWorker =
  /** The first message: which module to load (TypeScript, through tsx) and the campaign. */
  | { type: 'start'; entry: string; config: CampaignConfig }
  | { type: 'run'; seed: number }
  | { type: 'shrink'; seed: number; scenario: ExplicitScenario }
  | { type: 'stop' };

export type ToMain =
  | { type: 'ready' }
  | { type: 'seed'; done: SeedDone }
  | { type: 'shrunk'; done: ShrinkDone }
  | { type: 'error'; seed: number; task: 'run' | 'shrink'; message: string }
  /** The worker could not start (a bad plugin module, say); the campaign stops. */
  | { type: 'fatal'; message: string };
