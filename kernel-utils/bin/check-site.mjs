// The HTML book checked in a real browser: Debian's chromium, driven headless by playwright-core
// (which downloads nothing; it is pointed at the system's chromium). Every page of a built book
// is opened from disk (file://, as a reader opens it) and checked: no console error or failed
// request, every chart drawn live by vega-embed as an SVG, KaTeX typeset with no error, every
// internal link pointing at a page and an id that exist, each live model drawing a non-blank
// image after it is moved. `node kernel-utils/bin/check-site.mjs [dir]` prints the report
// (default dir build/book) and writes screenshots of the index and one chapter next to it.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const CANDIDATES = [
  process.env.BOOK_CHROMIUM,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
].filter(Boolean);

/** The system chromium's path, or an error saying how to install it. */
export function findChromium() {
  const found = CANDIDATES.find((p) => fs.existsSync(p));
  if (!found)
    throw new Error(
      `no chromium found (looked at ${CANDIDATES.join(', ')}): the browser test drives the ` +
        "system's chromium. On Debian/Ubuntu, as root: apt-get install -y chromium " +
        'fonts-noto-cjk (or set BOOK_CHROMIUM to a Chrome/Chromium binary)',
    );
  return found;
}

const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // the live models' tfjs reads its own script; nothing else leaves the page's folder
  '--allow-file-access-from-files',
];

/** What one page does in the browser. */
async function checkPage(page, file, dir) {
  const errors = [];
  const onConsole = (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  };
  const onError = (e) => errors.push(`page error: ${e.message}`);
  const onFailed = (r) => errors.push(`failed request: ${r.url()} (${r.failure()?.errorText})`);
  page.on('console', onConsole);
  page.on('pageerror', onError);
  page.on('requestfailed', onFailed);
  await page.goto(pathToFileURL(path.join(dir, file)).href, { waitUntil: 'load' });
  await page.waitForFunction(() => document.documentElement.dataset.charts === 'done', null, {
    timeout: 60000,
  });
  const facts = await page.evaluate(() => {
    const charts = [...document.querySelectorAll('div.chart')];
    return {
      charts: charts.length,
      drawn: charts.filter((c) => c.dataset.rendered === 'vega' && c.querySelector('svg')).length,
      notDrawn: charts
        .filter((c) => !(c.dataset.rendered === 'vega' && c.querySelector('svg')))
        .map((c) => c.id),
      katex: document.querySelectorAll('.katex').length,
      katexErrors: [...document.querySelectorAll('.katex-error')].map((e) => e.textContent),
      katexFont: document.fonts.check('16px KaTeX_Main'),
      ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
      links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
      live: [...document.querySelectorAll('[data-live]')].map((e) => e.id),
      width: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
    };
  });
  // every chart with a slider (a vega-lite param bound to a range input) redraws when it moves
  facts.sliders = await page.evaluate(async () => {
    const out = [];
    for (const chart of document.querySelectorAll('div.chart')) {
      const input = chart.querySelector('.vega-bindings input[type="range"]');
      if (!input) continue;
      const svg = () => chart.querySelector('.chart-live svg')?.innerHTML ?? '';
      const before = svg();
      // to the other end of its range
      input.value = Number(input.value) === Number(input.max) ? input.min : input.max;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => setTimeout(r, 400));
      out.push({
        id: chart.id,
        label: input.closest('label')?.textContent?.trim(),
        changed: svg() !== before,
      });
    }
    return out;
  });
  // the live models: each moves its control and must draw something that is not blank
  facts.liveResults = [];
  for (const id of facts.live) {
    const r = await page.evaluate(async (id) => {
      const el = document.getElementById(id);
      await el.bookLiveReady;
      const before = el.bookLiveImage();
      await el.bookLiveInteract();
      const after = el.bookLiveImage();
      const spread = (a) => Math.max(...a) - Math.min(...a);
      return {
        id,
        spread: spread(after),
        changed: after.some((v, i) => Math.abs(v - before[i]) > 1e-3),
      };
    }, id);
    facts.liveResults.push(r);
  }
  page.off('console', onConsole);
  page.off('pageerror', onError);
  page.off('requestfailed', onFailed);
  return { page: file, errors, ...facts };
}

/**
 * Check every page of the book in `dir`; returns {pages, brokenLinks, screenshots}. Screenshots
 * (the index and `chapter`'s page) are written to `shotDir`.
 */
export async function checkSite(dir, { shotDir = dir, chapter = null } = {}) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: findChromium(), args: ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.html'))
      .sort();
    const pages = [];
    for (const f of files) pages.push(await checkPage(page, f, dir));
    const idsOf = new Map(pages.map((p) => [p.page, new Set(p.ids)]));
    const brokenLinks = [];
    for (const p of pages)
      for (const href of p.links) {
        if (/^[a-z]+:/i.test(href)) continue; // http(s), mailto: outside the book
        const [file, hash] = href.split('#');
        const target = file || p.page;
        if (!idsOf.has(target)) brokenLinks.push(`${p.page}: ${href} (no such page)`);
        else if (hash && !idsOf.get(target).has(decodeURIComponent(hash)))
          brokenLinks.push(`${p.page}: ${href} (no id "${hash}" there)`);
      }
    fs.mkdirSync(shotDir, { recursive: true });
    const screenshots = [];
    const shoot = async (file, name) => {
      await page.goto(pathToFileURL(path.join(dir, file)).href, { waitUntil: 'load' });
      await page.waitForFunction(() => document.documentElement.dataset.charts === 'done');
      const out = path.join(shotDir, name);
      await page.screenshot({ path: out, fullPage: false });
      screenshots.push(out);
    };
    await shoot('index.html', 'book-index.png');
    if (files.includes('live.html')) await shoot('live.html', 'book-live.png');
    const ch = chapter && files.find((f) => f.startsWith(chapter));
    if (ch) {
      await shoot(ch, `book-${path.basename(ch, '.html')}.png`);
      // the first chart of the chapter, scrolled into view
      await page.locator('div.chart.live').first().scrollIntoViewIfNeeded();
      const out = path.join(shotDir, `book-${path.basename(ch, '.html')}-chart.png`);
      await page.screenshot({ path: out });
      screenshots.push(out);
    }
    return { pages, brokenLinks, screenshots };
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dir = path.resolve(process.argv[2] ?? 'build/book');
  const t0 = Date.now();
  const r = await checkSite(dir, { chapter: process.argv[3] ?? '07' });
  for (const p of r.pages)
    console.log(
      `${p.page}: ${p.errors.length} errors, charts ${p.drawn}/${p.charts} drawn, ` +
        `${p.katex} math (${p.katexErrors.length} errors, KaTeX font ${p.katexFont}), ` +
        `${p.links.length} links, width ${p.width}/${p.viewport}` +
        (p.liveResults.length ? `, live ${JSON.stringify(p.liveResults)}` : '') +
        (p.sliders.length ? `, sliders ${JSON.stringify(p.sliders)}` : '') +
        (p.errors.length ? `\n  ${p.errors.slice(0, 5).join('\n  ')}` : '') +
        (p.notDrawn.length ? `\n  not drawn: ${p.notDrawn.join(', ')}` : ''),
    );
  console.log(
    `broken links: ${r.brokenLinks.length}\n  ${r.brokenLinks.slice(0, 20).join('\n  ')}`,
  );
  console.log(
    `screenshots: ${r.screenshots.join(', ')} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
}
