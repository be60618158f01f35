import type { Resource } from 'fhir/r4.js';
import { dateParamsOf, searchablePeriods, valuesAt, type DateParam, type SearchablePeriod } from './search-params.js';

/** Receives one row of the date index: the parameter, the row's position among its values, and its period. */
export type DateRowSink = (code: string, n: number, lo: string, hi: string) => void;

/**
 * A resource's rows of the date index: for each plain-path date parameter of its type (`_lastUpdated` included), one
 * row per searchable period (Medplum's toPeriod, see search-params.ts); row 0's start is the sort key. A resource
 * without a value has no row (a row for it would be one more index entry per write).
 */
export function forEachDateRow(type: string, resource: Resource, fn: DateRowSink): void {
  for (const param of dateParamsOf(type)) {
    let n = 0;
    for (const period of periodsOf(resource, param)) fn(param.code, n++, period.start, period.end);
  }
}

const DAY_MS = 86_400_000;
/** Stands for an open-ended or unreadable period's length: no range bound is derived from it (search-sql.ts). */
export const OPEN_SPAN_DAYS = 1e9;
const INSTANT = /^\d{4}-/;

/**
 * A date row's length in days, as `DATE_SPAN_DAYS` (search-params.ts) computes it in SQL: {@link OPEN_SPAN_DAYS} when
 * an end is open ('0000', '9999') or not an instant. What `date_spans` records (schema.ts, version 7).
 */
export function spanDays(lo: string, hi: string): number {
  if (!INSTANT.test(lo) || !INSTANT.test(hi)) return OPEN_SPAN_DAYS;
  const days = (Date.parse(hi) - Date.parse(lo)) / DAY_MS;
  return Number.isNaN(days) ? OPEN_SPAN_DAYS : days;
}

// A value's searchable period depends on the value alone, and the resources of one write share their values: every
// resource's `meta.lastUpdated` (one instant for many resources of a request), the dates of an encounter and its
// notes. Medplum's toPeriod parses each one, so the periods of the last string values are kept. Bounded: cleared
// when full.
const periodsByValue = new Map<string, readonly SearchablePeriod[]>();
const PERIODS_MAX = 4096;

/** {@link searchablePeriods}, remembered for a parameter of one path reaching one string (a date, an instant). */
export function periodsOf(resource: Resource, param: DateParam): readonly SearchablePeriod[] {
  const values = param.paths.length === 1 ? valuesAt(resource, param.paths[0]?.steps ?? []) : undefined;
  const value = values?.length === 1 ? values[0] : undefined;
  if (typeof value !== 'string') return searchablePeriods(resource, param);
  let periods = periodsByValue.get(value);
  if (periods === undefined) {
    periods = searchablePeriods(resource, param);
    if (periodsByValue.size >= PERIODS_MAX) periodsByValue.clear();
    periodsByValue.set(value, periods);
  }
  return periods;
}
