// The colours every view uses, in the terminal and in the HTML report alike. Operation colours
// follow Jepsen's timeline: ok blue, info orange, fail pink-red, invoke (still pending) grey, so a
// person who knows Jepsen's pictures reads ours at once.
import type { OpOutcome } from './timeline.js';

export const OUTCOME_COLOURS: Readonly<Record<OpOutcome, string>> = {
  ok: '#6DB6FE',
  info: '#FFAA26',
  fail: '#FF6B8B',
  pending: '#9E9E9E',
};

/** Fault bands: one colour per family of fault kind, chosen to stay apart from the op colours. */
export const FAULT_COLOURS: Readonly<Record<FaultFamily, string>> = {
  partition: '#C678DD',
  process: '#E06C75',
  clock: '#56B6C2',
  disk: '#98C379',
  network: '#D19A66',
  membership: '#ABB2BF',
  other: '#7F848E',
};

export type FaultFamily = 'partition' | 'process' | 'clock' | 'disk' | 'network' | 'membership' | 'other';

/** One letter per family, for the terminal's fault gutter. */
export const FAULT_LETTERS: Readonly<Record<FaultFamily, string>> = {
  partition: 'P',
  process: 'C',
  clock: 'K',
  disk: 'D',
  network: 'N',
  membership: 'M',
  other: '*',
};

/** The colour that marks evidence: the ops a checker names as offending. */
export const HIGHLIGHT_COLOUR = '#FF3355';

export function faultFamilyColour(family: FaultFamily): string {
  return FAULT_COLOURS[family];
}
