/** Calendar arithmetic on `YYYY-MM-DD` strings (UTC, no time zones involved). @internal */

const toDate = (d: string) => new Date(Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))));
const fmt = (d: Date) => d.toISOString().slice(0, 10);

/** The local calendar date of a timestamp with offset (the date the service was rendered where it was rendered). */
export function dateOf(timestamp: string): string {
  return timestamp.slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const d = toDate(date);
  d.setUTCDate(d.getUTCDate() + days);
  return fmt(d);
}

/** Add months, clamping to the last day of the target month (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(date: string, months: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + months;
  const day = Number(date.slice(8, 10));
  const ty = y + Math.floor(m / 12);
  const tm = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(ty, tm + 1, 0)).getUTCDate();
  return fmt(new Date(Date.UTC(ty, tm, Math.min(day, last))));
}

/** Whole years of age on a date. */
export function ageOn(birthDate: string, date: string): number {
  let age = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4));
  if (date.slice(5) < birthDate.slice(5)) age--;
  return age;
}

/** First day of the fiscal year that contains `date`. */
export function fiscalYearStart(date: string, startMonth: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const fy = m >= startMonth ? y : y - 1;
  return `${fy}-${String(startMonth).padStart(2, '0')}-01`;
}

export function monthOf(date: string): string {
  return date.slice(0, 7);
}

export function within(date: string, start: string, end?: string): boolean {
  return date >= start && (end === undefined || date <= end);
}
