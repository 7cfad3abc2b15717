/**
 * The report as a person sees it: the demo mailbox's report opened in a real (headless) Chromium at a
 * phone and a desktop width. Screenshots go to test-artifacts/ (gitignored) for a human to look at; the
 * assertions catch a broken layout: every key section visible, nothing wider than the screen, every
 * image decoded.
 *
 * Needs Debian's Chromium at /usr/bin/chromium (`apt-get update && apt-get install -y chromium`). Without
 * it this test FAILS, on purpose: a layout check that silently skips is a layout check nobody runs.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../../worker/report/render-html.js';
import { buildReport } from '../../../worker/report/render-report.js';
import { ARTIFACTS, launchChromium } from '../../support/chromium.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { DEMO_AS_OF, importDemo } from './report-support.js';

/** Always there on a week with data (the action sections depend on the analysis; see `sections`). */
const ALWAYS = ['channel-mix', 'top-people'];

interface PageElement {
  getBoundingClientRect(): { width: number };
}
interface PageImage extends PageElement {
  getAttribute(name: string): string | null;
  complete: boolean;
  naturalWidth: number;
}
interface PageGlobals {
  innerWidth: number;
  document: {
    documentElement: { scrollWidth: number };
    images: Iterable<PageImage>;
    querySelector(selector: string): PageElement | null;
  };
}

let db: TestDatabase;
let reportUrl: string;
let sections: string[];
let browser: Browser | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  const user = await importDemo(db);
  const { model, rendered } = await buildReport(db.prisma, user, DEMO_AS_OF);
  sections = [...model.sections.map((s) => s.id), ...ALWAYS];
  // A layout check of a near-empty report would prove little.
  expect(model.sections.length).toBeGreaterThanOrEqual(3);
  // The browser gets the email's HTML with each cid: pointed at the PNG file next to it.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rapport-report-shot-'));
  await writeFile(
    path.join(dir, 'report.html'),
    renderHtml(model, rendered.charts, { imageSrc: (c) => c.filename }),
  );
  await Promise.all(rendered.charts.map((c) => writeFile(path.join(dir, c.filename), c.png)));
  reportUrl = pathToFileURL(path.join(dir, 'report.html')).href;
  await mkdir(ARTIFACTS, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await db?.drop();
});

async function launch(): Promise<Browser> {
  browser ??= await launchChromium('the report layout cannot be checked');
  return browser;
}

describe.each([
  { width: 375, file: 'report-375.png' },
  { width: 1024, file: 'report.png' },
])('the report at $width px', ({ width, file }) => {
  it('shows every key section, loads every image and never scrolls sideways', async () => {
    const page = await (await launch()).newPage({ viewport: { width, height: 900 } });
    try {
      await page.goto(reportUrl, { waitUntil: 'load' });
      for (const id of sections) {
        await expect
          .poll(() => page.locator(`[data-section="${id}"]`).isVisible(), { timeout: 5_000 })
          .toBe(true);
      }
      const layout = await page.evaluate(() => {
        // Runs in the page; the project compiles without DOM types, so name the little it uses.
        const { document: doc, innerWidth } = globalThis as unknown as PageGlobals;
        return {
          scrollWidth: doc.documentElement.scrollWidth,
          innerWidth,
          images: [...doc.images].map((img) => ({
            src: img.getAttribute('src'),
            complete: img.complete,
            naturalWidth: img.naturalWidth,
            shownWidth: img.getBoundingClientRect().width,
          })),
          card: doc.querySelector('.card')?.getBoundingClientRect().width ?? 0,
        };
      });
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.innerWidth);
      expect(layout.images.length).toBeGreaterThanOrEqual(2);
      for (const img of layout.images) {
        expect(img.complete, `${img.src} did not load`).toBe(true);
        expect(img.naturalWidth, `${img.src} did not decode`).toBeGreaterThan(0);
        expect(img.shownWidth, `${img.src} is wider than the screen`).toBeLessThanOrEqual(width);
      }
      // The card is fluid up to 640 px.
      expect(layout.card).toBeLessThanOrEqual(640);
      expect(layout.card).toBeGreaterThan(Math.min(width, 640) - 40);
      await page.screenshot({ path: path.join(ARTIFACTS, file), fullPage: true });
    } finally {
      await page.close();
    }
  }, 60_000);
});
