/**
 * Calendar arithmetic on day numbers (days since 1970-01-01, UTC) and local timestamps with a US offset.
 * Day numbers keep the generator fast: one `Date` per day formatted, not per encounter.
 * @module
 */

const DAY_MS = 86_400_000;

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Day number of a `YYYY-MM-DD` date. */
export function toDay(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError('start must be a date YYYY-MM-DD');
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const day = Math.floor(ms / DAY_MS);
  if (fromDay(day) !== date) throw new RangeError('start is not a real calendar date');
  return day;
}

/** `YYYY-MM-DD` of a day number. */
export function fromDay(day: number): string {
  const d = new Date(day * DAY_MS);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** The day number `months` calendar months after `day`, clamped to the month's last day. */
export function addMonths(day: number, months: number): number {
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Math.floor(Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay)) / DAY_MS);
}

/** Standard-time UTC offset (hours) and whether the zone observes US daylight saving time. */
export interface UsZone {
  standardOffsetHours: number;
  observesDst: boolean;
}

function nthSunday(year: number, month: number, n: number): number {
  const first = Math.floor(Date.UTC(year, month, 1) / DAY_MS);
  return first + ((7 - weekday(first)) % 7) + (n - 1) * 7;
}

/**
 * UTC offset on a day under the US rule since 2007 (15 U.S.C. 260a): daylight time from the second Sunday
 * of March to the first Sunday of November. Applied per day, which is exact for business-hours timestamps.
 */
export function offsetMinutes(zone: UsZone, day: number): number {
  const base = zone.standardOffsetHours * 60;
  if (!zone.observesDst) return base;
  const year = new Date(day * DAY_MS).getUTCFullYear();
  const dst = day >= nthSunday(year, 2, 2) && day < nthSunday(year, 10, 1);
  return dst ? base + 60 : base;
}

/** `+hh:mm` / `-hh:mm` for an offset in minutes. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** A FHIR `dateTime` for a local date, minutes after local midnight (same day) and an offset suffix. */
export function localDateTime(date: string, minuteOfDay: number, offset: string): string {
  return `${date}T${pad2(Math.floor(minuteOfDay / 60))}:${pad2(minuteOfDay % 60)}:00${offset}`;
}
