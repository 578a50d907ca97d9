// Opens HTML reports in headless Chromium (Debian's package, driven by playwright-core; never a
// downloaded browser) and does what a person does: reads the violation, clicks the jump link, opens
// the per-key view and steps through it, filters the sequence diagram, zooms the timeline, and takes
// screenshots (CRUCIBLE_SHOTS_DIR, default .crucible/screenshots) whose paths the test prints. Runs:
// the hand-built fixture, the stale-local-read capsule of the corpus (2 ops), and a real failing run.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../histories/store.js';
import { cli, failingRaftRun } from '../../scripts/commands/testing/failing-raft.js';
import { makeFixtureStore, type FixtureStore } from '../testing/fixtures.js';
import { buildReport, loadReportInput } from './report.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SHOTS = resolve(process.env.CRUCIBLE_SHOTS_DIR ?? '.crucible/screenshots');
const CAPSULE = 'histories/corpus/raft-raft.stale-local-read-seed10-e5fae259d9f9f072.json';
if (!HAS_CHROMIUM) console.warn(`Skipping the report's browser test: ${CHROMIUM} is not installed (apt-get install -y chromium).`);

async function writeReport(store: string, runId: number): Promise<string> {
  const reader = RunStore.open(store, { readonly: true });
  try {
    const report = await buildReport(loadReportInput(reader, runId)!);
    const file = join(mkdtempSync(join(tmpdir(), 'crucible-report-')), `run-${runId}.html`);
    writeFileSync(file, report.html);
    return file;
  } finally {
    reader.close();
  }
}

/** True when the element is inside the window. */
function inView(page: Page, id: string): Promise<boolean> {
  return page.evaluate(`(() => { const box = document.getElementById(${JSON.stringify(id)}).getBoundingClientRect(); return box.top >= 0 && box.bottom <= window.innerHeight; })()`) as Promise<boolean>;
}

describe.skipIf(!HAS_CHROMIUM)(`HTML reports in headless Chromium (${HAS_CHROMIUM ? CHROMIUM : `skipped: no ${CHROMIUM}; apt-get install -y chromium`})`, () => {
  let fixture: FixtureStore;
  let userDataDir: string;
  let context: BrowserContext;
  const outside: string[] = [];

  beforeAll(async () => {
    fixture = makeFixtureStore();
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
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
  });

  /** What every failing run's page must let a person do; returns the page for more checks. */
  async function walkThrough(file: string, name: string, staleIndex: number): Promise<Page> {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(file).href);
    // The violation in one sentence, at the top, naming the stale read and what overwrote it.
    const banner = (await page.locator('#violation-banner').textContent()) ?? '';
    expect(banner).toMatch(/is stale/);
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
    await page.locator('#per-key').scrollIntoViewIfNeeded();
    const shot = join(SHOTS, `report-${name}-per-key.png`);
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`report screenshot (${name}, per-key view open): ${shot}`);
    expect(existsSync(shot)).toBe(true);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    return page;
  }

  it('the fixture: every part of the page, the sequence filters and the topology', async () => {
    const page = await walkThrough(await writeReport(fixture.path, fixture.failingRunId), 'fixture', fixture.staleReadIndex);
    expect(await page.locator('#repro').textContent()).toBe(`npm run --silent crucible -- replay ${fixture.failingRunId}`);
    expect(await page.locator('svg.timeline g.op').count()).toBe(11);
    expect(await page.locator('svg.timeline g.fault-band').count()).toBe(2);
    // Lanes in process order.
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
    const withoutN3 = await visibleMessages();
    expect(withoutN3).toBeLessThan(all);
    expect(await page.locator('svg.sequence g.msg:visible[data-nodes~="n3"]').count()).toBe(0);
    await page.locator('input.seq-node[value="n3"]').check();
    expect(await visibleMessages()).toBe(all);
    expect(await page.locator('svg.sequence line.focus').count()).toBe(1);
    // Hover shows a message's body.
    await page.locator('svg.sequence g.msg:not(.undelivered):visible line.hit').first().hover();
    await expect.poll(() => page.locator('#tooltip').isVisible()).toBe(true);
    expect(await page.locator('#tooltip').textContent()).toContain('"type"');
  });

  it('the 2-op stale read of the corpus capsule, with background traffic hidden until asked', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'crucible-capsule-')), 'runs.db');
    const replay = await cli('replay', CAPSULE, '--store', store, '--json');
    expect(replay.code).toBe(1);
    const runId = (JSON.parse(replay.out[0]!) as { runId: number }).runId;
    const reader = RunStore.open(store, { readonly: true });
    const stale = (reader.getRun(runId)!.checkers.find((result) => result.checker === 'linearizable')!.evidence as { stuck: { invokeIndex: number }[] }).stuck[0]!.invokeIndex;
    expect(reader.getRun(runId)!.ops).toBe(2);
    reader.close();
    const page = await walkThrough(await writeReport(store, runId), 'capsule-2-ops', stale);
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
  });

  it('a real failing Raft run under partitions', async () => {
    const { store, runId } = await failingRaftRun();
    const reader = RunStore.open(store, { readonly: true });
    const run = reader.getRun(runId)!;
    const stale = (run.checkers.find((result) => result.checker === 'linearizable')!.evidence as { stuck: { invokeIndex: number }[] }).stuck[0]!.invokeIndex;
    reader.close();
    await walkThrough(await writeReport(store, runId), `raft-${run.ops}-ops`, stale);
  });
});
