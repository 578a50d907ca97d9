// Opens the HTML report of the hand-built failing run in headless Chromium and does what a person
// does (testing/reportBrowser.ts): reads the violation, clicks the jump link, zooms, opens the
// per-key view and steps through it; then filters the sequence diagram and hovers a message.
// `crucible report`'s own test does the same for the corpus capsule and a real failing Raft run.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../histories/store.js';
import { makeFixtureStore, type FixtureStore } from '../testing/fixtures.js';
import { CHROMIUM, HAS_CHROMIUM, NO_CHROMIUM, openReportBrowser, walkThroughReport, type ReportBrowser } from '../testing/reportBrowser.js';
import { buildReport, loadReportInput } from './report.js';

if (!HAS_CHROMIUM) console.warn(`Skipping the report's browser test: ${CHROMIUM} is not installed (apt-get install -y chromium).`);

describe.skipIf(!HAS_CHROMIUM)(`the HTML report in headless Chromium (${HAS_CHROMIUM ? CHROMIUM : NO_CHROMIUM})`, () => {
  let fixture: FixtureStore;
  let browser: ReportBrowser;
  let file: string;

  beforeAll(async () => {
    fixture = makeFixtureStore();
    const reader = RunStore.open(fixture.path, { readonly: true });
    try {
      file = join(mkdtempSync(join(tmpdir(), 'crucible-report-')), 'report.html');
      writeFileSync(file, (await buildReport(loadReportInput(reader, fixture.failingRunId)!)).html);
    } finally {
      reader.close();
    }
    browser = await openReportBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('every part of the page, the sequence filters and the topology', async () => {
    const page = await walkThroughReport(browser, file, 'fixture', fixture.staleReadIndex);
    expect(await page.locator('#repro').textContent()).toBe(`npm run --silent crucible -- replay ${fixture.failingRunId}`);
    expect(await page.locator('svg.timeline g.op').count()).toBe(11);
    expect(await page.locator('svg.timeline g.fault-band').count()).toBe(2);
    // Lanes in process order (process 3 follows process 1, whose write ended in info, in its lane).
    expect(await page.locator('svg.timeline-head text.lane-head').allTextContents()).toEqual(['time', 'process 0', 'lane 1', 'process 2']);
    expect(await page.locator('svg.timeline-head text.lane-procs').allTextContents()).toContain('processes 1, 3');
    // Plots and status lanes.
    expect(await page.locator('svg.plot.latency').isVisible()).toBe(true);
    expect(await page.locator('svg.plot.status g.status-seg').count()).toBeGreaterThan(0);
    // The topology at the violation: n1 cut off, n3 crashed.
    expect(await page.locator('svg.topology g.node.crashed').getAttribute('data-node')).toBe('n3');
    // The sequence diagram: filtering a node hides its messages; the focus is marked.
    const visibleMessages = (): Promise<number> => page.locator('svg.sequence g.msg:visible').count();
    const all = await visibleMessages();
    expect(all).toBeGreaterThan(10);
    await page.locator('input.seq-node[value="n3"]').uncheck();
    expect(await visibleMessages()).toBeLessThan(all);
    expect(await page.locator('svg.sequence g.msg:visible[data-nodes~="n3"]').count()).toBe(0);
    await page.locator('input.seq-node[value="n3"]').check();
    expect(await visibleMessages()).toBe(all);
    expect(await page.locator('svg.sequence line.focus').count()).toBe(1);
    // Hover shows a message's body.
    await page.locator('svg.sequence g.msg:not(.undelivered):visible line.hit').first().hover();
    await expect.poll(() => page.locator('#tooltip').isVisible()).toBe(true);
    expect(await page.locator('#tooltip').textContent()).toContain('"type"');
  });
});
