/**
 * Run modes of the book. One environment variable, BOOK_MODE, chooses how much work each
 * notebook does:
 *   quick    — seconds per notebook; what `npm test` runs
 *   standard — the default for a person: a few minutes per notebook on a 2-core CPU
 *   full     — published-grade runs, for a GPU or a long CPU run
 */
export type Mode = 'quick' | 'standard' | 'full';
export const MODES: readonly Mode[] = ['quick', 'standard', 'full'];

/** The mode from BOOK_MODE (default "standard"); an unknown value is an error, not a guess. */
export function mode(): Mode {
  const raw = (process.env.BOOK_MODE ?? '').trim().toLowerCase();
  if (raw === '') return 'standard';
  if ((MODES as readonly string[]).includes(raw)) return raw as Mode;
  throw new Error(
    `BOOK_MODE="${process.env.BOOK_MODE}" is not a mode: use one of ${MODES.join(', ')}.`,
  );
}

/** Pick a value per mode: `byMode({quick: 1, standard: 20, full: 100})`. `full` defaults to `standard`. */
export function byMode<T>(values: { quick: T; standard: T; full?: T }, m: Mode = mode()): T {
  if (m === 'full') return values.full ?? values.standard;
  return values[m];
}
