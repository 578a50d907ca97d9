// `crucible report` on a real failing Raft run: the command writes one self-contained HTML file,
// and headless Chromium (Debian's /usr/bin/chromium through playwright-core, never a downloaded
// browser) shows its timeline and evidence. The screenshot's path is printed.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../histories/store.js';
import { cli, failingRaftRun } from './testing/failing-raft.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SCREENSHOT = resolve('.crucible/screenshots/report-raft-stale-local-read.png');
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

  it.skipIf(!HAS_CHROMIUM)(`opens in headless Chromium with the timeline and the evidence on the page${HAS_CHROMIUM ? '' : ` (skipped: no ${CHROMIUM}; apt-get install -y chromium)`}`, async () => {
    if (!existsSync(file)) expect((await cli('report', String(runId), '--html', file, '--store', store)).code).toBe(1);
    const userDataDir = mkdtempSync(join(tmpdir(), 'crucible-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
      viewport: { width: 1400, height: 1000 },
    });
    try {
      const outside: string[] = [];
      await context.route('**/*', async (route) => {
        if (route.request().url().startsWith('file:')) await route.continue();
        else {
          outside.push(route.request().url());
          await route.abort();
        }
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(pathToFileURL(file).href);
      expect(await page.locator('#repro').textContent()).toBe(`npm run --silent crucible -- replay ${runId}`);
      // The timeline: ops in Jepsen's colours, the ones the checker could not place outlined.
      expect(await page.locator('#timeline svg.timeline').isVisible()).toBe(true);
      expect(await page.locator('svg.timeline g.op').count()).toBeGreaterThan(20);
      const stuck = stuckIndexes();
      expect(await page.locator('svg.timeline g.op.offending').count()).toBe(stuck.length);
      // The evidence: the prefix, the op that cannot follow it and the model state before it.
      const evidence = (await page.locator('#evidence').textContent()) ?? '';
      expect(evidence).toContain('longest linearizable prefix');
      expect(evidence).toContain('cannot follow it');
      expect(await page.locator('#evidence tr.stuck').count()).toBe(stuck.length);
      expect(await page.locator('#evidence tr.stuck').first().textContent()).toContain(`#${stuck[0]}`);
      // The topology and the sequence diagram are drawn.
      expect(await page.locator('svg.topology g.node').count()).toBeGreaterThanOrEqual(3);
      expect(await page.locator('svg.sequence g.msg').count()).toBeGreaterThan(10);
      await page.locator('#jump-to-violation').click();
      await expect.poll(() => page.evaluate(`(() => { const box = document.getElementById('op-${stuck[0]}').getBoundingClientRect(); return box.top >= 0 && box.bottom <= window.innerHeight; })()`)).toBe(true);
      await page.evaluate('window.scrollTo(0, 0)');
      mkdirSync(resolve('.crucible/screenshots'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      console.log(`report screenshot: ${SCREENSHOT}`);
      expect(existsSync(SCREENSHOT)).toBe(true);
      expect(errors).toEqual([]);
      expect(outside).toEqual([]);
    } finally {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    }
  });
});
