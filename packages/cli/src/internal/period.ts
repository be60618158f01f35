import { CliUsageError } from '../errors.js';
import type { DateRange } from '../types.js';

export type { DateRange };

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAY = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function lastDay(year: number, month: number): string {
  return String(new Date(Date.UTC(year, month, 0)).getUTCDate()).padStart(2, '0');
}

/** `YYYY-MM` -> its first or last day; `YYYY-MM-DD` -> itself (checked to be a real date). */
function dateOf(value: string, edge: 'start' | 'end', option: string): string {
  const m = MONTH.exec(value);
  if (m) return edge === 'start' ? `${value}-01` : `${value}-${lastDay(Number(m[1]), Number(m[2]))}`;
  const d = DAY.exec(value);
  if (d && Number(d[3]) <= Number(lastDay(Number(d[1]), Number(d[2])))) return value;
  throw new CliUsageError(`${option} must be a date YYYY-MM-DD or a month YYYY-MM`);
}

/** A calendar date `YYYY-MM-DD` given as `option`; a usage error naming the option otherwise. */
export function parseDay(value: string, option: string): string {
  const d = DAY.exec(value);
  if (d && Number(d[3]) <= Number(lastDay(Number(d[1]), Number(d[2])))) return value;
  throw new CliUsageError(`${option} must be a date YYYY-MM-DD`);
}

/**
 * The date range of `--period YYYY-MM` / `--period YYYY-MM..YYYY-MM`, or of `--from` / `--to` (dates or months).
 * `undefined` when none is given; `required` turns that into a usage error.
 */
export function parseDateRange(o: { period?: string | undefined; from?: string | undefined; to?: string | undefined }, required: boolean): Partial<DateRange> | undefined {
  if (o.period !== undefined) {
    if (o.from !== undefined || o.to !== undefined) throw new CliUsageError('give either --period or --from/--to, not both');
    const [a, b, ...rest] = o.period.split('..');
    if (a === undefined || !MONTH.test(a) || rest.length > 0 || (b !== undefined && !MONTH.test(b))) {
      throw new CliUsageError('--period must be a month YYYY-MM or a range of months YYYY-MM..YYYY-MM');
    }
    const range = { start: dateOf(a, 'start', '--period'), end: dateOf(b ?? a, 'end', '--period') };
    if (range.end < range.start) throw new CliUsageError('--period ends before it starts');
    return range;
  }
  if (o.from === undefined && o.to === undefined) {
    if (required) throw new CliUsageError('give the period with --period YYYY-MM[..YYYY-MM] or --from/--to');
    return undefined;
  }
  if (required && (o.from === undefined || o.to === undefined)) throw new CliUsageError('--from and --to are both required (or use --period)');
  const range: Partial<DateRange> = {
    ...(o.from !== undefined ? { start: dateOf(o.from, 'start', '--from') } : {}),
    ...(o.to !== undefined ? { end: dateOf(o.to, 'end', '--to') } : {}),
  };
  if (range.start !== undefined && range.end !== undefined && range.end < range.start) throw new CliUsageError('--to is before --from');
  return range;
}
