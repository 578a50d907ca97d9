// Opens the HTML report of a failing run in headless Chromium (Debian's package, driven by
// playwright-core; never a downloaded browser), checks what a person must see, and saves a
// screenshot whose path the test prints.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../histories/store.js';
import { makeFixtureStore, type FixtureStore } from '../testing/fixtures.js';
import { buildReport, loadReportInput } from './report.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SCREENSHOT = resolve('.crucible/screenshots/report-failing-run.png');
if (!HAS_CHROMIUM) console.warn(`Skipping the report's browser test: ${CHROMIUM} is not installed (apt-get install -y chromium).`);

describe.skipIf(!HAS_CHROMIUM)(`the HTML report in headless Chromium (${HAS_CHROMIUM ? CHROMIUM : `skipped: no ${CHROMIUM}; apt-get install -y chromium`})`, () => {
  let fixture: FixtureStore;
  let file: string;
  let userDataDir: string;
  let context: BrowserContext;
  const outside: string[] = [];

  beforeAll(async () => {
    fixture = makeFixtureStore();
    const store = RunStore.open(fixture.path, { readonly: true });
    try {
      const input = loadReportInput(store, fixture.failingRunId)!;
      const report = await buildReport(input);
      file = join(mkdtempSync(join(tmpdir(), 'crucible-report-')), 'report.html');
      writeFileSync(file, report.html);
    } finally {
      store.close();
    }
    userDataDir = mkdtempSync(join(tmpdir(), 'crucible-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
      viewport: { width: 1400, height: 1000 },
    });
    // The report must need nothing but its own file: anything else is refused and remembered.
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) await route.continue();
      else {
        outside.push(url);
        await route.abort();
      }
    });
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('shows the timeline, the evidence, the topology and the sequence diagram, and jumps to the violation', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(file).href);

    // Header: the repro command first.
    expect(await page.locator('#repro').textContent()).toBe(`npm run --silent crucible -- replay ${fixture.failingRunId}`);

    // The timeline: every op drawn, the stale read outlined as offending.
    const timeline = page.locator('#timeline svg.timeline');
    await expect.poll(() => timeline.isVisible()).toBe(true);
    expect(await page.locator('svg.timeline g.op').count()).toBe(11);
    const offending = page.locator('svg.timeline g.op.offending');
    expect(await offending.count()).toBe(1);
    expect(await offending.getAttribute('id')).toBe(`op-${fixture.staleReadIndex}`);
    expect(await page.locator('svg.timeline g.fault-band').count()).toBe(2);
    expect(await page.locator('svg.timeline g.fault-point').count()).toBe(1);

    // The evidence: the op that cannot follow the prefix, with the model state before it.
    const evidence = page.locator('#evidence');
    const evidenceText = (await evidence.textContent()) ?? '';
    expect(evidenceText).toContain('cannot follow it');
    expect(evidenceText).toContain('longest linearizable prefix has 5 ops');
    const stuckRow = evidence.locator('tr.stuck');
    expect(await stuckRow.count()).toBe(1);
    expect(await stuckRow.textContent()).toContain(`#${fixture.staleReadIndex} p0 read x 2`);
    expect((await stuckRow.locator('td').nth(1).textContent())?.trim()).toBe('3');

    // The topology at the violation: n1 cut off, n3 crashed.
    expect(await page.locator('svg.topology g.node').count()).toBe(3);
    expect(await page.locator('svg.topology g.node.crashed').getAttribute('data-node')).toBe('n3');
    expect(await page.locator('svg.topology g.cut').count()).toBe(2);

    // The sequence diagram has messages and marks the violation's moment.
    expect(await page.locator('svg.sequence g.msg').count()).toBeGreaterThan(10);
    expect(await page.locator('svg.sequence line.focus').count()).toBe(1);

    // Hover shows the op's details.
    await offending.hover();
    await expect.poll(() => page.locator('#tooltip').isVisible()).toBe(true);
    expect(await page.locator('#tooltip').textContent()).toContain('served by n1');

    // The jump link brings the offending op into view.
    await page.evaluate('window.scrollTo(0, 0)');
    const inView = `(() => { const box = document.getElementById('op-${fixture.staleReadIndex}').getBoundingClientRect(); return box.top >= 0 && box.bottom <= window.innerHeight; })()`;
    expect(await page.evaluate(inView)).toBe(false);
    await page.locator('#jump-to-violation').click();
    await expect.poll(() => page.evaluate(inView)).toBe(true);
    expect(new URL(page.url()).hash).toBe(`#op-${fixture.staleReadIndex}`);

    await page.evaluate('window.scrollTo(0, 0)');
    mkdirSync(resolve('.crucible/screenshots'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`report screenshot: ${SCREENSHOT}`);
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
  });
});
