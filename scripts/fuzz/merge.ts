// Gathering shards: copies the fuzz runs of shard stores (made on other machines, CI jobs or pods)
// into one store, skipping runs it already has, then says per campaign which seeds are covered,
// which are missing, and which failed.
import { existsSync } from 'node:fs';
import { EXIT, UsageError } from '../cli/command.js';
import { LIST_LIMIT_MAX, RunStore, type NewRun, type StoredRun } from '../../histories/store.js';

export interface CampaignCoverage {
  campaign: string;
  system: string;
  bug: string | null;
  seedStart: number;
  seeds: number;
  /** Distinct campaign seeds with a stored run. */
  covered: number;
  missing: number;
  /** The first missing seeds, at most 20. */
  missingSample: number[];
  shards: string[];
  valid: number;
  invalid: number;
  unknown: number;
  failures: { seed: number; runId: number; repro: string | null }[];
}

export interface MergeResult {
  target: string;
  copied: number;
  skipped: number;
  campaigns: CampaignCoverage[];
}

const MISSING_SAMPLE_MAX = 20;

function tagValue(run: StoredRun, prefix: string): string | null {
  const tag = run.tags.find((candidate) => candidate.startsWith(prefix));
  return tag === undefined ? null : tag.slice(prefix.length);
}

/** Identity of a stored fuzz run across stores: campaign, seed, shrunk or not, fingerprint. */
function runKey(run: StoredRun): string | null {
  const campaign = tagValue(run, 'campaign:');
  if (campaign === null) return null;
  return `${campaign}|${run.seed}|${run.tags.includes('shrunk') ? 'shrunk' : 'run'}|${run.fingerprint}`;
}

/** Every run of a store, oldest first, page by page. */
function* allRuns(store: RunStore): Generator<StoredRun> {
  const total = store.countRuns();
  const pages: StoredRun[][] = [];
  for (let offset = 0; offset < total; offset += LIST_LIMIT_MAX) pages.push(store.listRuns({ limit: LIST_LIMIT_MAX, offset }));
  for (let page = pages.length - 1; page >= 0; page--) {
    const runs = pages[page]!;
    for (let index = runs.length - 1; index >= 0; index--) yield runs[index]!;
  }
}

function toNewRun(run: StoredRun): NewRun {
  // A stored run is a new run plus what the store gives it: its id, and whether its parts were kept.
  const { id: _id, kept: _kept, ...fields } = run;
  return fields;
}

/** Coverage of every campaign in `store`. */
export function campaignCoverage(store: RunStore): CampaignCoverage[] {
  const byCampaign = new Map<string, { runs: StoredRun[]; seedStart: number; seeds: number }>();
  for (const run of allRuns(store)) {
    const campaign = tagValue(run, 'campaign:');
    const range = tagValue(run, 'seeds:');
    if (campaign === null || range === null || run.tags.includes('shrunk')) continue;
    const [start, count] = range.split('+').map(Number);
    let entry = byCampaign.get(campaign);
    if (entry === undefined) {
      entry = { runs: [], seedStart: start!, seeds: count! };
      byCampaign.set(campaign, entry);
    }
    entry.runs.push(run);
  }
  const coverage: CampaignCoverage[] = [];
  for (const [campaign, entry] of byCampaign) {
    const seen = new Map<number, StoredRun>();
    const shards = new Set<string>();
    for (const run of entry.runs) {
      if (run.seed !== null) seen.set(run.seed, run);
      const shard = tagValue(run, 'shard:');
      if (shard !== null) shards.add(shard);
    }
    const missingSample: number[] = [];
    let missing = 0;
    for (let seed = entry.seedStart; seed < entry.seedStart + entry.seeds; seed++) {
      if (seen.has(seed)) continue;
      missing++;
      if (missingSample.length < MISSING_SAMPLE_MAX) missingSample.push(seed);
    }
    const runs = [...seen.values()];
    const first = runs[0]!;
    coverage.push({
      campaign,
      system: first.system,
      bug: first.bug,
      seedStart: entry.seedStart,
      seeds: entry.seeds,
      covered: runs.filter((run) => run.seed! >= entry.seedStart && run.seed! < entry.seedStart + entry.seeds).length,
      missing,
      missingSample,
      shards: [...shards].sort(),
      valid: runs.filter((run) => run.verdict === 'valid').length,
      invalid: runs.filter((run) => run.verdict === 'invalid').length,
      unknown: runs.filter((run) => run.verdict === 'unknown').length,
      failures: runs
        .filter((run) => run.verdict !== 'valid')
        .sort((a, b) => a.seed! - b.seed!)
        .map((run) => ({ seed: run.seed!, runId: run.id, repro: run.repro })),
    });
  }
  return coverage.sort((a, b) => (a.campaign < b.campaign ? -1 : 1));
}

/** Copies the fuzz runs of `sources` into `targetPath` (each run in its own transaction). */
export function mergeStores(sources: readonly string[], targetPath: string): MergeResult {
  for (const source of sources) {
    if (!existsSync(source)) throw new UsageError(`${source}: no such store file`);
  }
  const target = RunStore.open(targetPath);
  try {
    const have = new Set<string>();
    for (const run of allRuns(target)) {
      const key = runKey(run);
      if (key !== null) have.add(key);
    }
    let copied = 0;
    let skipped = 0;
    for (const source of sources) {
      const reader = RunStore.open(source, { readonly: true });
      try {
        for (const run of allRuns(reader)) {
          const key = runKey(run);
          if (key === null) continue;
          if (have.has(key)) {
            skipped++;
            continue;
          }
          const parts = run.kept ? { history: reader.history(run.id), faults: reader.faults(run.id), trace: reader.trace(run.id) } : undefined;
          target.saveRun(toNewRun(run), parts);
          have.add(key);
          copied++;
        }
      } finally {
        reader.close();
      }
    }
    return { target: targetPath, copied, skipped, campaigns: campaignCoverage(target) };
  } finally {
    target.close();
  }
}

/** Seeds missing from every campaign of a merge. */
export function missingSeeds(result: MergeResult): number {
  return result.campaigns.reduce((sum, campaign) => sum + campaign.missing, 0);
}

/**
 * The exit code of a merge: 1 when a campaign found a violation; 3 when any is undecided, either
 * by a checker or because seeds are missing (the shards did not cover the campaign, so it cannot be
 * called valid); 0 only when every seed of every campaign is there and valid.
 */
export function mergeExitCode(result: MergeResult): number {
  if (result.campaigns.some((campaign) => campaign.invalid > 0)) return EXIT.VIOLATION;
  if (result.campaigns.some((campaign) => campaign.unknown > 0) || missingSeeds(result) > 0) return EXIT.UNKNOWN;
  return EXIT.OK;
}

export function mergeLines(result: MergeResult): string[] {
  const lines = [`merged into ${result.target}: ${result.copied} runs copied, ${result.skipped} already there`];
  for (const campaign of result.campaigns) {
    lines.push(
      `campaign ${campaign.campaign}: ${campaign.system}${campaign.bug === null ? '' : ` with ${campaign.bug}`}, seeds ${campaign.seedStart}..${campaign.seedStart + campaign.seeds - 1}: ` +
        `${campaign.covered}/${campaign.seeds} covered by shards ${campaign.shards.join(' ')}; ${campaign.valid} valid, ${campaign.invalid} invalid, ${campaign.unknown} unknown`,
    );
    if (campaign.missing > 0) lines.push(`  missing ${campaign.missing} seeds: ${campaign.missingSample.join(' ')}${campaign.missing > campaign.missingSample.length ? ' ...' : ''} (merge every shard's store; the campaign is incomplete until then)`);
    for (const failure of campaign.failures) lines.push(`  ${failure.repro ?? `run ${failure.runId}`}  # seed ${failure.seed} failed (run ${failure.runId})`);
  }
  const missing = missingSeeds(result);
  if (missing > 0) lines.push(`incomplete: ${missing} seed${missing === 1 ? '' : 's'} missing, so the campaign cannot be called valid (exit 3)`);
  return lines;
}
