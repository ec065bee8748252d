// The book's glossary (용어집), read from the chapters' markdown. A chapter gives a term's Korean
// at its first use, in parentheses right after the English:
//
//   **variational autoencoder** (변분 오토인코더, VAE)     bold: the term as introduced
//   the partition function (분배 함수)                     plain: the words before the bracket
//   ## 3 · Mode collapse (모드 붕괴)                       a heading: its whole title
//
// Inside the brackets, parts are separated by commas: those with Hangul are the Korean, a short
// capitalized word is the abbreviation (MLE, GMM, VAE), other English is ignored. For a plain
// term the English is the run of words before the bracket, back to punctuation, an article, a
// preposition or a verb such as "is" (at most five words).
//
// `bookGlossary` also reports what a reader would trip over: one English term given two Korean
// spellings (사후 확률 in one chapter, 사후 분포 in another: write "posterior probability" and
// "posterior distribution" if both are meant), a term bolded without Korean before the chapter
// that gives its Korean, and Korean in brackets with no English term before it.

const source = (x) => (Array.isArray(x) ? x.join('') : (x ?? ''));
const HANGUL = /[\uac00-\ud7a3]/;

/** A heading's text as an id: markup and math delimiters dropped, lowercase, spaces → '-'. */
export function slug(text) {
  const s = String(text)
    .normalize('NFKC')
    .replace(/\$+/g, '')
    .replace(/[*_`~]/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .trim()
    .replace(/\s+/g, '-');
  return s || 'section';
}

/** A slug function that keeps the ids of one page distinct: "x", "x-2", "x-3". */
export function uniqueSlugger() {
  const seen = new Map();
  return (text) => {
    const base = slug(text);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  };
}

/** The ATX headings of a markdown text outside code fences: [{level, text, offset}]. */
export function headingsInMarkdown(md) {
  const out = [];
  let fence = null;
  let offset = 0;
  for (const line of md.split('\n')) {
    const f = line.match(/^\s{0,3}(```|~~~)/);
    if (f) fence = fence === f[1] ? null : (fence ?? f[1]);
    else if (!fence) {
      const h = line.match(/^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/);
      if (h) out.push({ level: h[1].length, text: h[2], offset });
    }
    offset += line.length + 1;
  }
  return out;
}

/**
 * Each cell's headings with the ids the book's page gives them (uniqueSlugger over the
 * notebook's headings in order): [{level, text, offset, id}] per markdown cell, null for others.
 * The page's anchors and the glossary's links both come from here.
 */
export function cellHeadings(nb) {
  const slugger = uniqueSlugger();
  return nb.cells.map((cell) =>
    cell.cell_type === 'markdown'
      ? headingsInMarkdown(source(cell.source)).map((h) => ({ ...h, id: slugger(h.text) }))
      : null,
  );
}

// words that end a plain term when read backwards from its bracket
const STOP = new Set(
  (
    'a an the of by to in on for with from as at into over under and or vs versus is are was ' +
    'were be been being its their this that these those we it our you your call called named ' +
    'gives give uses use learns learn minimizing maximizing assume approximates summarizes ' +
    'drawn via per each every one two how what which where when than then not no also only ' +
    'both like has have known so but if about'
  ).split(' '),
);
const ABBR = /^[A-Za-z]{0,2}[A-Z][A-Za-z0-9²·-]{0,7}$/;

/** Markdown with code and math blanked out (same length, so offsets keep their meaning). */
function blankCodeAndMath(md) {
  const blank = (m) => m.replace(/[^\n]/g, ' ');
  return md
    .replace(/```[\s\S]*?```|~~~[\s\S]*?~~~/g, blank)
    .replace(/`[^`\n]*`/g, blank)
    .replace(/\$\$[\s\S]+?\$\$/g, (m) => ` ${blank(m.slice(2, -2)).replace(/ /g, '·')} `)
    .replace(/\$[^$\n]+\$/g, (m) => '·'.repeat(m.length));
}

/** The English words a plain term's bracket follows ('' when there are none). */
function plainTermBefore(text) {
  const words = text.replace(/\s+$/, '').split(/\s+/);
  // "a latent code $z$ (잠재 표현)": the symbol after a term is skipped
  if (/^·+$/.test(words.at(-1) ?? '')) words.pop();
  const picked = [];
  for (let i = words.length - 1; i >= 0 && picked.length < 5; i--) {
    const w = words[i];
    const clean = w.replace(/^[*_"“‘(]+|[*_"”’]+$/g, '');
    if (!clean || /[.,;:!?)—|·]$/.test(clean) || /^[—–|·#>-]/.test(clean)) break;
    if (!/^[\p{L}][\p{L}\p{N}'’–-]*$/u.test(clean) || HANGUL.test(clean)) break;
    if (STOP.has(clean.toLowerCase())) break;
    picked.unshift(clean);
    if (/^[*_"“‘(]/.test(w)) break;
  }
  return picked.join(' ');
}

/** The Korean and abbreviation a bracket gives: {ko, abbr} (ko null when it has no Hangul). */
function bracketParts(inner) {
  const parts = inner
    .split(/[,;]\s*/)
    .map((p) => p.trim())
    .filter(Boolean);
  const koPart = parts.find((p) => HANGUL.test(p));
  const ko = koPart ? koPart.split(/:\s/)[0].trim() : null;
  const abbr = parts.find((p) => !HANGUL.test(p) && ABBR.test(p) && !/^§/.test(p)) ?? null;
  // "(latent, 잠재)", "(in raster order, 래스터 순서)": an English gloss first is the term
  const first = parts[0] ?? '';
  const gloss =
    parts.length > 1 && !HANGUL.test(first) && first !== abbr && /^[a-z][a-z -]*$/.test(first)
      ? first
          .split(' ')
          .filter((w, i, ws) => !(i < ws.length - 1 && STOP.has(w)))
          .join(' ')
      : null;
  return { ko, abbr, gloss };
}

// Korean in quotation marks is a quotation (of the notes), not a term's translation
const hasKorean = (inner) => HANGUL.test(inner.replace(/"[^"]*"|“[^”]*”/g, ''));

/** A heading's term: its title without the section number, a leading article or a lead-in. */
function headingTerm(title) {
  return title
    .replace(/[*_]/g, '')
    .replace(/^.*:\s+/, '')
    .replace(/^(the|a|an)\s+/i, '')
    .trim();
}

/**
 * The term pairs a markdown text gives: {terms: [{en, ko, abbr, offset, bold}], problems,
 * bolds: [{en, offset}]} (bolds: bold phrases without Korean, for the check across chapters).
 */
export function termsInMarkdown(md) {
  const text = blankCodeAndMath(md);
  const terms = [];
  const problems = [];
  const bolds = [];
  const used = new Set();
  for (const h of headingsInMarkdown(text)) {
    const m = h.text.match(/^(?:[\d.]+\s*·\s*)?(.*?)\s*\(([^()]*)\)\s*$/);
    if (!m || !hasKorean(m[2])) continue;
    const { ko, abbr } = bracketParts(m[2]);
    const en = headingTerm(m[1]);
    const at = md.indexOf(m[2], h.offset) - 1;
    used.add(at);
    if (en) terms.push({ en, ko, abbr, offset: h.offset, bold: true });
  }
  // **en** (ko…) and **en (ko…)**
  for (const m of text.matchAll(/\*\*((?:(?!\n\s*\n)[^*])+?)\*\*(\s*\(([^()]*)\))?/g)) {
    m[1] = m[1].replace(/\s+/g, ' ');
    const inside = m[1].match(/^(.*?)\s*\(([^()]*)\)$/);
    if (inside && hasKorean(inside[2])) {
      const { ko, abbr } = bracketParts(inside[2]);
      used.add(m.index + m[0].indexOf('(' + inside[2]));
      terms.push({ en: inside[1].trim(), ko, abbr, offset: m.index, bold: true });
    } else if (m[3] !== undefined && hasKorean(m[3])) {
      const { ko, abbr } = bracketParts(m[3]);
      used.add(m.index + m[0].lastIndexOf('('));
      terms.push({ en: m[1].trim(), ko, abbr, offset: m.index, bold: true });
    } else if (!HANGUL.test(m[1])) {
      bolds.push({ en: m[1].trim(), offset: m.index });
    }
  }
  // plain: words (ko…)
  for (const m of text.matchAll(/\(([^()\n]*)\)/g)) {
    if (used.has(m.index) || !hasKorean(m[1])) continue;
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    if (/^\s{0,3}#/.test(text.slice(lineStart, m.index))) continue;
    // the paragraph up to the bracket (markdown wraps a term across lines)
    const paraStart = Math.max(0, text.lastIndexOf('\n\n', m.index));
    const before = text.slice(paraStart, m.index).replace(/\n\s*([-*]|\d+\.)\s/g, ' — ');
    if (/\*\*\s*$/.test(before)) continue;
    const { ko, abbr, gloss } = bracketParts(m[1]);
    const en = gloss ?? plainTermBefore(before);
    if (!en) {
      const line = md.slice(lineStart, md.indexOf('\n', m.index) + 1 || undefined).trim();
      problems.push({
        kind: 'korean without a term',
        message: `Korean "${ko}" follows no English term: "${line.slice(0, 100)}"`,
        offset: m.index,
      });
      continue;
    }
    terms.push({ en, ko, abbr, offset: Math.max(0, m.index - en.length), bold: false });
  }
  terms.sort((a, b) => a.offset - b.offset);
  return { terms, problems, bolds };
}

/** The key two uses of a term share: lowercase, markup dropped, a final plural -s dropped. */
export function termKey(en) {
  return en
    .normalize('NFKC')
    .replace(/[*_`]/g, '')
    .replace(/[’']/g, "'")
    .replace(/[–—]/g, '-')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/(\w{3,}[^su])s$/, '$1');
}

const spelling = (ko) => ko.normalize('NFKC').replace(/\s+/g, ' ').trim();

/**
 * Every term a notebook gives, with its section: [{en, ko, abbr, bold, chapter, section:
 * {title, id}, cell}], plus its problems and bold phrases without Korean. The section ids are
 * those of the book's pages (cellHeadings).
 */
export function chapterTerms(nb, base) {
  const headings = cellHeadings(nb);
  let section = { title: base, id: '' };
  const terms = [];
  const problems = [];
  const bolds = [];
  nb.cells.forEach((cell, k) => {
    if (cell.cell_type !== 'markdown') return;
    const md = source(cell.source);
    const heads = headings[k];
    const sectionAt = (offset) => {
      const h = heads.filter((x) => x.offset <= offset).pop();
      return h ? { title: h.text, id: h.id } : section;
    };
    const found = termsInMarkdown(md);
    for (const t of found.terms)
      terms.push({ ...t, chapter: base, section: sectionAt(t.offset), cell: k });
    for (const p of found.problems)
      problems.push({ ...p, chapter: base, message: `${base}, cell ${k}: ${p.message}` });
    for (const b of found.bolds)
      bolds.push({ ...b, chapter: base, section: sectionAt(b.offset), cell: k });
    if (heads.length) section = { title: heads.at(-1).text, id: heads.at(-1).id };
  });
  return { terms, problems, bolds };
}

/**
 * The glossary of the book's chapters ([{base, nb}] in book order): {entries: [{en, ko, abbr,
 * first: {chapter, section}, also: [{chapter, section}]}], problems: [{kind, message}]}, entries
 * sorted by English term. An entry's English is as written at its first use.
 */
export function bookGlossary(chapters) {
  const all = chapters.map(({ base, nb }) => chapterTerms(nb, base));
  const problems = all.flatMap((c) => c.problems);
  const found = all.flatMap((c) => c.terms);
  // a plain term is read as the longest run of its last words that another use names alone
  // with the same Korean: "the decoder's likelihood (가능도)" is the likelihood (가능도)
  const known = new Set(found.map((t) => `${termKey(t.en)}\u0000${spelling(t.ko)}`));
  for (const t of found.filter((t) => !t.bold)) {
    const words = t.en.split(' ');
    for (let i = 1; i < words.length; i++) {
      const tail = words.slice(i).join(' ');
      if (known.has(`${termKey(tail)}\u0000${spelling(t.ko)}`)) {
        t.en = tail;
        break;
      }
    }
  }
  const byKey = new Map();
  for (const t of found) {
    const key = termKey(t.en);
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key).push(t);
  }
  const entries = [];
  for (const [key, uses] of byKey) {
    const first = uses[0];
    const spellings = [...new Set(uses.map((u) => spelling(u.ko)))];
    if (spellings.length > 1)
      problems.push({
        kind: 'two Korean spellings',
        message:
          `"${first.en}" is given ${spellings.length} Korean spellings: ` +
          spellings
            .map((s) => {
              const u = uses.find((x) => spelling(x.ko) === s);
              return `${s} (${u.chapter}, cell ${u.cell})`;
            })
            .join(' vs ') +
          ' — use one, or name the two meanings differently in English',
        key,
      });
    const where = (u) => ({ chapter: u.chapter, section: u.section });
    const also = [];
    for (const u of uses.slice(1))
      if (u.chapter !== first.chapter && !also.some((a) => a.chapter === u.chapter))
        also.push(where(u));
    entries.push({
      en: first.en,
      ko: spelling(first.ko),
      abbr: uses.find((u) => u.abbr)?.abbr ?? null,
      first: where(first),
      also,
    });
  }
  // a term bolded (introduced) in an earlier chapter than the one that gives its Korean
  const order = new Map(chapters.map(({ base }, i) => [base, i]));
  for (const b of all.flatMap((c) => c.bolds)) {
    const uses = byKey.get(termKey(b.en));
    if (uses && order.get(b.chapter) < order.get(uses[0].chapter))
      problems.push({
        kind: 'introduced without Korean',
        message:
          `${b.chapter}, cell ${b.cell}: "${b.en}" is introduced in bold without its Korean, ` +
          `which ${uses[0].chapter} gives later (${spelling(uses[0].ko)})`,
      });
  }
  entries.sort((a, b) => termKey(a.en).localeCompare(termKey(b.en), 'en'));
  return { entries, problems };
}
