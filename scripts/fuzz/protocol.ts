// Messages between the campaign and its fuzz worker processes. A worker leaves when its channel
// closes, so there is no stop message.
import type { ExplicitScenario } from '../lab/scenario.js';
import type { CampaignConfig, SeedDone, ShrinkDone } from './executor.js';

export type ToWorker =
  /** The first message: which module to load (TypeScript, through tsx) and the campaign. */
  | { type: 'start'; entry: string; config: CampaignConfig }
  | { type: 'run'; seed: number }
  | { type: 'shrink'; seed: number; scenario: ExplicitScenario };

export type ToMain =
  | { type: 'ready' }
  | { type: 'seed'; done: SeedDone }
  | { type: 'shrunk'; done: ShrinkDone }
  | { type: 'error'; seed: number; task: 'run' | 'shrink'; message: string }
  /** The worker could not start (a bad plugin module, say); the campaign stops. */
  | { type: 'fatal'; message: string };
