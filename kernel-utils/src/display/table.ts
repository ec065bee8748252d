/**
 * Tables: danfo DataFrames (or plain rows) as HTML tables — danfojs-node has no HTML repr of its
 * own — with a plain-text fallback.
 */
import type * as dfd from 'danfojs-node';
import { displayBundle, escapeHtml } from './jupyter';

type Cell = string | number | boolean | null | undefined;

function fmt(v: Cell, digits: number): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v.toLocaleString('en-US');
    if (!Number.isFinite(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6)
      ? v.toExponential(digits - 1)
      : v.toFixed(Math.max(0, digits - Math.max(0, Math.floor(Math.log10(a || 1)) + 1)));
  }
  return String(v);
}

/** A DataFrame from rows (`[{model: 'VAE', nll: 90.1}, …]`). */
export function rowsToDataFrame(rows: Record<string, Cell>[]): dfd.DataFrame {
  if (rows.length === 0) throw new Error('rowsToDataFrame: no rows');
  // rows with different columns would be laid out by position, values under the wrong headers
  const columns = Object.keys(rows[0]);
  const ordered = rows.map((row, i) => {
    const keys = Object.keys(row);
    if (keys.length !== columns.length || !columns.every((c) => c in row))
      throw new Error(
        `rowsToDataFrame: row ${i} has the columns (${keys.join(', ')}) but row 0 has ` +
          `(${columns.join(', ')}): every row needs the same columns`,
      );
    return Object.fromEntries(columns.map((c) => [c, row[c]]));
  });
  // danfo (and the second tfjs bundle it brings) is loaded only when a table is built from rows.
  const { DataFrame } = require('danfojs-node') as typeof dfd;
  return new DataFrame(ordered as Record<string, unknown>[] as never);
}

/** The HTML table of a DataFrame, numbers right-aligned with `digits` significant digits. */
export function dataFrameHtml(
  df: dfd.DataFrame,
  opts: { caption?: string; digits?: number; maxRows?: number; index?: boolean } = {},
): string {
  const digits = opts.digits ?? 4;
  const cols = df.columns as string[];
  const values = df.values as Cell[][];
  const index = df.index as (string | number)[];
  const maxRows = opts.maxRows ?? 50;
  const showIndex = opts.index ?? false;
  const rows = values.slice(0, maxRows);
  const th = (showIndex ? ['<th></th>'] : [])
    .concat(cols.map((c) => `<th>${escapeHtml(String(c))}</th>`))
    .join('');
  const body = rows
    .map((r, i) => {
      const idx = showIndex ? `<th>${escapeHtml(String(index[i]))}</th>` : '';
      const tds = (Array.isArray(r) ? r : [r])
        .map(
          (v) =>
            `<td style="text-align:${typeof v === 'number' ? 'right' : 'left'}">${escapeHtml(fmt(v, digits))}</td>`,
        )
        .join('');
      return `<tr>${idx}${tds}</tr>`;
    })
    .join('');
  const more =
    values.length > maxRows
      ? `<tr><td colspan="${cols.length + (showIndex ? 1 : 0)}">… ${values.length - maxRows} more rows</td></tr>`
      : '';
  const caption = opts.caption
    ? `<caption style="caption-side:top;font-weight:600;text-align:left;white-space:nowrap">${escapeHtml(opts.caption)}</caption>`
    : '';
  return `<table class="dataframe" border="1" style="border-collapse:collapse">${caption}<thead><tr>${th}</tr></thead><tbody>${body}${more}</tbody></table>`;
}

/** A plain-text rendering of a DataFrame (aligned columns). */
export function dataFrameText(df: dfd.DataFrame, digits = 4): string {
  const cols = df.columns as string[];
  const values = (df.values as Cell[][]).map((r) =>
    (Array.isArray(r) ? r : [r]).map((v) => fmt(v, digits)),
  );
  const widths = cols.map((c, j) => Math.max(String(c).length, ...values.map((r) => r[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => c.padStart(widths[j])).join('  ');
  return [line(cols.map(String)), ...values.map(line)].join('\n');
}

/** Show a DataFrame (or rows) as a table. Returns nothing, so a cell ending with it prints nothing more. */
export function showTable(
  data: dfd.DataFrame | Record<string, Cell>[],
  opts: { caption?: string; digits?: number; maxRows?: number; index?: boolean } = {},
): void {
  const df = Array.isArray(data) ? rowsToDataFrame(data) : data;
  const text = (opts.caption ? opts.caption + '\n' : '') + dataFrameText(df, opts.digits);
  displayBundle({ 'text/html': dataFrameHtml(df, opts), 'text/plain': text });
}
