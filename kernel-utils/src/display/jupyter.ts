/**
 * Talking to the notebook front end through tslab. tslab's public `display` sends one MIME type
 * per message; a bundle with several (a vega-lite spec + a PNG fallback + text) goes through its
 * internal `lastWriteDisplayData`, which is what `display` itself calls.
 */
type WriteDisplay = (
  data: {
    data: Record<string, unknown>;
    metadata: Record<string, unknown>;
    transient: { display_id?: string };
  },
  update: boolean,
) => void;

function writer(): WriteDisplay | null {
  try {
    const jupyter = require('tslab/dist/jupyter');
    return (jupyter.lastWriteDisplayData as WriteDisplay | undefined) ?? null;
  } catch {
    return null;
  }
}

/** True inside a running tslab kernel (display output reaches a notebook). */
export function inKernel(): boolean {
  return writer() !== null;
}

let displayCounter = 0;
/** A new display id, for output that is later updated in place. */
export function newDisplayId(): string {
  return `gn-${process.pid}-${Date.now().toString(36)}-${displayCounter++}`;
}

/**
 * Send one output with several representations, e.g.
 * `{'text/html': …, 'text/plain': …}`. Binary values (PNG) are base64-encoded. With `displayId`,
 * `update: true` replaces that earlier output in place. Outside a kernel the text/plain part is
 * printed to stdout so scripts still show something.
 */
export function displayBundle(
  data: Record<string, string | Uint8Array | object>,
  opts: { displayId?: string; update?: boolean; metadata?: Record<string, unknown> } = {},
): void {
  const encoded: Record<string, unknown> = {};
  for (const [mime, v] of Object.entries(data))
    encoded[mime] = v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v;
  const write = writer();
  if (write) {
    write(
      {
        data: encoded,
        metadata: opts.metadata ?? {},
        transient: opts.displayId ? { display_id: opts.displayId } : {},
      },
      !!opts.update,
    );
  } else if (!opts.update && typeof data['text/plain'] === 'string') {
    process.stdout.write(`${data['text/plain']}\n`);
  }
}

/** Show Markdown (text/plain fallback is the source itself). */
export function showMarkdown(md: string): void {
  displayBundle({ 'text/markdown': md, 'text/plain': md });
}

/** Show HTML with a plain-text fallback. */
export function showHtml(html: string, text = ''): void {
  displayBundle({ 'text/html': html, 'text/plain': text || html.replace(/<[^>]+>/g, '') });
}

/** Show a PNG image. */
export function showPng(png: Uint8Array, alt = 'image'): void {
  displayBundle({ 'image/png': png, 'text/plain': `<${alt}: PNG, ${png.length} bytes>` });
}

/** Escape text for HTML. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
