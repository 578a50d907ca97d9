// `crucible report` on real failing Raft runs (one found by seed, and the 2-op capsule of the
// corpus): the command writes one self-contained HTML file, and headless Chromium (Debian's
// /usr/bin/chromium through playwright-core, never a downloaded browser) is driven through it as a
// person reads it (ui/testing/reportBrowser.ts). The screenshots' paths are printed.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../histories/store.js';
import { CHROMIUM, HAS_CHROMIUM, NO_CHROMIUM, openReportBrowser, walkThroughReport } from '../../ui/testing/reportBrowser.js';
import { cli, failingRaftRun } from './testing/failing-raft.js';

const CAPSULE = 'histories/corpus/raft-raft.stale-local-read-seed10-e5fae259d9f9f072.json';
if (!HAS_CHROMIUM) console.warn(`Skipping the Chromium check of crucible report: ${CHROMIUM} is not installed (apt-get install -y chromium).`);

let store: string;
let runId: number;
let file: string;

beforeAll(async () => {
  ({ store, runId } = await failingRaftRun());
  file = join(mkdtempSync(join(tmpdir(), 'crucible-report-')), 'raft.html');
});

/** The history indexes of the ops the linearizability checker could not place. */
function stuckIndexes(): number[] {
  const reader = RunStore.open(store, { readonly: true });
  try {
    const evidence = reader.getRun(runId)!.checkers.find((result) => result.checker === 'linearizable')!.evidence as { stuck: { invokeIndex: number }[] };
    return evidence.stuck.map((op) => op.invokeIndex);
  } finally {
    reader.close();
  }
}

describe('crucible report', () => {
  it('writes one HTML file for the run and exits with its verdict', async () => {
    const result = await cli('report', String(runId), '--html', file, '--store', store, '--json');
    expect(result.code).toBe(1);
    const answer = JSON.parse(result.out[0]!) as Record<string, unknown>;
    expect(answer).toMatchObject({ runId, file, verdict: 'invalid', capped: false, repro: `npm run --silent crucible -- replay ${runId}` });
    const html = readFileSync(file, 'utf8');
    expect(answer.bytes).toBe(Buffer.byteLength(html));
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const index of stuckIndexes()) expect(html).toMatch(new RegExp(`<g class="op [a-z]+ offending" id="op-${index}"`));
  });

  it('refuses bad input with one line', async () => {
    const noFile = await cli('report', String(runId), '--store', store);
    expect(noFile.code).toBe(2);
    expect(noFile.err.join('\n')).toContain('--html');
    const missing = await cli('report', '4242', '--html', file, '--store', store);
    expect(missing.code).toBe(2);
    expect(missing.err).toEqual([expect.stringContaining('run 4242 is not in')]);
    // A folder that does not exist is refused, not created.
    const nowhere = join(mkdtempSync(join(tmpdir(), 'crucible-report-')), 'no', 'such', 'dir');
    const absent = await cli('report', String(runId), '--html', join(nowhere, 'x.html'), '--store', store);
    expect(absent.code).toBe(2);
    expect(absent.err).toEqual([expect.stringContaining(`the folder ${nowhere} does not exist`)]);
    expect(existsSync(join(nowhere, '..'))).toBe(false);
    const cap = await cli('report', String(runId), '--html', file, '--store', store, '--ops-max', '0');
    expect(cap.code).toBe(2);
    expect(cap.err[0]).toContain('--ops-max 0');
  });

  it.skipIf(!HAS_CHROMIUM)(`a real failing Raft run: the page a person reads in Chromium${HAS_CHROMIUM ? '' : ` (${NO_CHROMIUM})`}`, async () => {
    if (!existsSync(file)) expect((await cli('report', String(runId), '--html', file, '--store', store)).code).toBe(1);
    const browser = await openReportBrowser();
    try {
      const reader = RunStore.open(store, { readonly: true });
      const ops = reader.getRun(runId)!.ops;
      reader.close();
      const page = await walkThroughReport(browser, file, `raft-${ops}-ops`, stuckIndexes()[0]!);
      expect(await page.locator('#repro').textContent()).toBe(`npm run --silent crucible -- replay ${runId}`);
      expect(await page.locator('svg.timeline g.op.offending').count()).toBe(stuckIndexes().length);
      expect(await page.locator('#evidence tr.stuck').count()).toBe(stuckIndexes().length);
      expect(await page.locator('svg.topology g.node').count()).toBeGreaterThanOrEqual(3);
    } finally {
      await browser.close();
    }
  });

  it.skipIf(!HAS_CHROMIUM)(`the 2-op stale read of the corpus capsule, background traffic hidden until asked${HAS_CHROMIUM ? '' : ` (${NO_CHROMIUM})`}`, async () => {
    const capsuleStore = join(mkdtempSync(join(tmpdir(), 'crucible-capsule-')), 'runs.db');
    const replay = await cli('replay', CAPSULE, '--store', capsuleStore, '--json');
    expect(replay.code).toBe(1);
    const capsuleRun = (JSON.parse(replay.out[0]!) as { runId: number }).runId;
    const reader = RunStore.open(capsuleStore, { readonly: true });
    const run = reader.getRun(capsuleRun)!;
    reader.close();
    expect(run.ops).toBe(2);
    const stale = (run.checkers.find((result) => result.checker === 'linearizable')!.evidence as { stuck: { invokeIndex: number }[] }).stuck[0]!.invokeIndex;
    const html = join(mkdtempSync(join(tmpdir(), 'crucible-report-')), 'capsule.html');
    expect((await cli('report', String(capsuleRun), '--html', html, '--store', capsuleStore)).code).toBe(1);
    const browser = await openReportBrowser();
    try {
      const page = await walkThroughReport(browser, html, 'capsule-2-ops', stale);
      // The read that found nothing says so.
      expect(await page.locator(`#op-${stale} text`).textContent()).toContain('null (absent)');
      const rows = (): Promise<number> => page.locator('svg.sequence g.row:visible').count();
      const quiet = await rows();
      await page.locator('#seq-background').check();
      expect(await rows()).toBeGreaterThan(quiet);
      expect(await page.locator('svg.sequence g.row.bg:visible').count()).toBeGreaterThan(0);
      await page.locator('#seq-background').uncheck();
      expect(await rows()).toBe(quiet);
      expect(await page.locator('svg.sequence g.row.bg:visible').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });
});
