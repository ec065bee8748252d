// The HTML book checked in a real browser: Debian's chromium, driven headless by playwright-core
// (which downloads nothing; it is pointed at the system's chromium). Every page of a built book
// is opened from disk (file://, as a reader opens it) and checked: no console error or failed
// request, every chart drawn live by vega-embed as an SVG, KaTeX typeset with no error, every
// internal link pointing at a page and an id that exist, each live model drawing a non-blank
// image after it is moved. `node kernel-utils/bin/check-site.mjs [dir] [chapter] [--http]` prints
// the report (default dir build/book; --http: served by a static server instead of from disk) and
// writes screenshots of the index, the live models and one chapter next to it.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const candidates = () =>
  [
    process.env.BOOK_CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ].filter(Boolean);

/** The system chromium's path, or null (setup-system's check and findChromium share it). */
export function chromiumPath() {
  return candidates().find((p) => fs.existsSync(p)) ?? null;
}

/** The system chromium's path, or an error saying how to install it. */
export function findChromium() {
  const found = chromiumPath();
  if (!found)
    throw new Error(
      `no chromium found (looked at ${candidates().join(', ')}): the browser test drives the ` +
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

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

/** A static file server over `dir` on a free local port, as any static hosting serves the book. */
export async function staticServer(dir) {
  const http = await import('node:http');
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const file = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const ok = file.startsWith(root) && fs.existsSync(file) && fs.statSync(file).isFile();
    res.writeHead(ok ? 200 : 404, {
      'content-type': (ok && TYPES[path.extname(file)]) || 'application/octet-stream',
    });
    if (ok) fs.createReadStream(file).pipe(res);
    else res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** What one page does in the browser. */
async function checkPage(page, file, urlOf) {
  const errors = [];
  const onConsole = (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  };
  const onError = (e) => errors.push(`page error: ${e.message}`);
  const onFailed = (r) => errors.push(`failed request: ${r.url()} (${r.failure()?.errorText})`);
  page.on('console', onConsole);
  page.on('pageerror', onError);
  page.on('requestfailed', onFailed);
  await page.goto(urlOf(file), { waitUntil: 'load' });
  await page.waitForFunction(() => document.documentElement.dataset.charts === 'done', null, {
    timeout: 60000,
  });
  const facts = await page.evaluate(() => {
    const charts = [...document.querySelectorAll('div.chart')];
    // drawn live: vega-embed finished and left an SVG
    const notDrawn = charts
      .filter((c) => !(c.dataset.rendered === 'vega' && c.querySelector('svg')))
      .map((c) => c.id);
    return {
      charts: charts.length,
      drawn: charts.length - notDrawn.length,
      notDrawn,
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
 * Check every page of the book in `dir`, opened from disk (file://) or, with `http`, served by a
 * static server; returns {pages, brokenLinks, screenshots}. Screenshots (the index, the live
 * models and `chapter`'s page) are written to `shotDir` (none when it is null).
 */
export async function checkSite(dir, { shotDir = dir, chapter = null, http = false } = {}) {
  const { chromium } = await import('playwright-core');
  const server = http ? await staticServer(dir) : null;
  const urlOf = (file) =>
    server ? new URL(file, server.url).href : pathToFileURL(path.join(dir, file)).href;
  const browser = await chromium.launch({ executablePath: findChromium(), args: ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.html'))
      .sort();
    const pages = [];
    for (const f of files) pages.push(await checkPage(page, f, urlOf));
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
    const screenshots = [];
    if (shotDir === null) return { pages, brokenLinks, screenshots };
    fs.mkdirSync(shotDir, { recursive: true });
    const shoot = async (file, name) => {
      await page.goto(urlOf(file), { waitUntil: 'load' });
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
    await server?.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const http = args.includes('--http');
  const [dirArg, chapter] = args.filter((a) => a !== '--http');
  const dir = path.resolve(dirArg ?? 'build/book');
  const t0 = Date.now();
  const r = await checkSite(dir, { chapter: chapter ?? '07', http });
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
