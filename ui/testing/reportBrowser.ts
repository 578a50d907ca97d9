// Driving an HTML report in headless Chromium (Debian's package, through playwright-core; never a
// downloaded browser) the way a person reads it: the violation sentence, the jump link, the zoom,
// the per-key view and its step-through. Shared by the report's own browser test and the `crucible
// report` command's test. Screenshots go to CRUCIBLE_SHOTS_DIR (default .crucible/screenshots).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const SHOTS = resolve(process.env.CRUCIBLE_SHOTS_DIR ?? '.crucible/screenshots');
export const NO_CHROMIUM = `skipped: no ${CHROMIUM}; apt-get install -y chromium`;

export interface ReportBrowser {
  context: BrowserContext;
  /** Every URL the pages asked for that was not their own file (refused). */
  outside: string[];
  close(): Promise<void>;
}

/** A browser whose pages may load nothing but files. */
export async function openReportBrowser(): Promise<ReportBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'crucible-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    viewport: { width: 1400, height: 1000 },
  });
  const outside: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) await route.continue();
    else {
      outside.push(url);
      await route.abort();
    }
  });
  mkdirSync(SHOTS, { recursive: true });
  return {
    context,
    outside,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

function inView(page: Page, id: string): Promise<boolean> {
  return page.evaluate(`(() => { const box = document.getElementById(${JSON.stringify(id)}).getBoundingClientRect(); return box.top >= 0 && box.bottom <= window.innerHeight; })()`) as Promise<boolean>;
}

/**
 * What every failing run's page must let a person do, checked as they would do it; saves a
 * full-page screenshot with the per-key view open and returns the page for more checks.
 */
export async function walkThroughReport(browser: ReportBrowser, file: string, name: string, staleIndex: number): Promise<Page> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(pathToFileURL(file).href);
  // The violation in one sentence, at the top, naming the stale read and what overwrote it.
  expect((await page.locator('#violation-banner').textContent()) ?? '').toMatch(/is stale/);
  // The offending op: outlined, inside a red band, with a label that says what it returned.
  const offending = page.locator(`#op-${staleIndex}`);
  expect(await offending.getAttribute('class')).toContain('offending');
  expect(await page.locator('svg.timeline rect.violation-band').count()).toBeGreaterThanOrEqual(1);
  expect((await offending.locator('text').textContent()) ?? '').toMatch(/→/);
  // The jump link brings it into view.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.evaluate("document.getElementById('timeline-scroll').scrollTop = 0");
  await page.locator('#jump-to-violation').click();
  await expect.poll(() => inView(page, `op-${staleIndex}`)).toBe(true);
  expect(new URL(page.url()).hash).toBe(`#op-${staleIndex}`);
  // Zoom: one step in doubles the op's height on the page.
  const heightOf = async (): Promise<number> => Number(await offending.locator('rect').getAttribute('height'));
  const before = await heightOf();
  await page.locator('button[data-zoom="in"]').click();
  expect(await heightOf()).toBeCloseTo(Math.max(3, before * 2), 0);
  // The per-key view: closed at first, opened by a click, showing the linearization and the stuck op.
  expect(await page.locator('svg.keyview').isVisible()).toBe(false);
  await page.locator('#per-key-details > summary').click();
  await expect.poll(() => page.locator('svg.keyview').isVisible()).toBe(true);
  const points = await page.locator('svg.keyview g.lin-point').count();
  expect(await page.locator('table.steps tr.step.stuck').count()).toBeGreaterThanOrEqual(1);
  expect(await page.locator(`#key-op-${staleIndex}`).getAttribute('class')).toContain('stuck');
  expect((await page.locator('#step-state').textContent()) ?? '').toMatch(/^stuck: from state/);
  // Step back once: the last linearized step is current, and the state after it is shown.
  await page.locator('.stepper button[data-go="prev"]').click();
  expect((await page.locator('#step-state').textContent()) ?? '').toMatch(new RegExp(`^state after step ${points}: `));
  expect(await page.locator('table.steps tr.current').getAttribute('data-step')).toBe(String(points));
  await page.locator('#step-to-stuck').click();
  await page.evaluate('window.scrollTo(0, 0)');
  const shot = join(SHOTS, `report-${name}-per-key.png`);
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`report screenshot (${name}, per-key view open): ${shot}`);
  expect(existsSync(shot)).toBe(true);
  expect(errors).toEqual([]);
  expect(browser.outside).toEqual([]);
  return page;
}
