/**
 * Training progress updated in place (one output that changes, not a stream of lines): a bar,
 * the epoch, the latest numbers and the ETA. Outside a kernel it prints one line when done.
 */
import { displayBundle, escapeHtml, inKernel, newDisplayId } from './jupyter';

function fmtTime(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '–';
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function fmtValue(v: number | string): string {
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4);
}

export class Progress {
  private readonly id = newDisplayId();
  private readonly start = Date.now();
  private shown = false;
  private lastDraw = 0;
  private done = 0;
  private info: Record<string, number | string> = {};

  /** `label` names the run; `total` is the number of steps it will take. */
  constructor(
    readonly label: string,
    readonly total: number,
    private readonly minIntervalMs = 250,
  ) {}

  /** Report `done` steps finished, with the numbers to show (loss, epoch, …). Throttled. */
  update(done: number, info: Record<string, number | string> = {}, force = false): void {
    this.done = done;
    this.info = { ...this.info, ...info };
    const now = Date.now();
    if (!force && this.shown && now - this.lastDraw < this.minIntervalMs) return;
    this.lastDraw = now;
    this.draw(false);
  }

  /** Mark the run finished and draw the final state. */
  finish(info: Record<string, number | string> = {}): void {
    this.info = { ...this.info, ...info };
    this.done = this.total;
    this.draw(true);
  }

  /** Elapsed seconds since the run started. */
  elapsed(): number {
    return (Date.now() - this.start) / 1000;
  }

  private text(final: boolean): string {
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const el = this.elapsed();
    const eta = frac > 0 && !final ? (el * (1 - frac)) / frac : 0;
    const width = 24;
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
    const nums = Object.entries(this.info)
      .map(([k, v]) => `${k} ${fmtValue(v)}`)
      .join(' · ');
    return `${this.label} ${bar} ${(frac * 100).toFixed(0)}% ${this.done}/${this.total} · ${fmtTime(el)}${final ? ' done' : ` · ETA ${fmtTime(eta)}`}${nums ? ' · ' + nums : ''}`;
  }

  private draw(final: boolean): void {
    const text = this.text(final);
    if (!inKernel()) {
      if (final) process.stderr.write(`${text}\n`);
      return;
    }
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const html =
      `<div style="font-family:monospace;font-size:12px">` +
      `<progress value="${frac.toFixed(4)}" max="1" style="width:240px;vertical-align:middle"></progress> ` +
      `${escapeHtml(text.slice(this.label.length + 1).replace(/[█░]+ /, ''))} <b>${escapeHtml(this.label)}</b></div>`;
    displayBundle(
      { 'text/html': html, 'text/plain': text },
      { displayId: this.id, update: this.shown },
    );
    this.shown = true;
  }
}
