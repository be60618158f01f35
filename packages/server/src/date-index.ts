import type Database from 'better-sqlite3';
import type { Resource } from 'fhir/r4.js';
import { dateParamsOf, searchablePeriods, valuesAt, type DateParam, type SearchablePeriod } from './search-params.js';

type Statement = Database.Statement<unknown[], unknown>;

/** Statements {@link writeDates} needs. */
export interface DateStatements {
  removeDates: Statement;
  addDate: Statement;
}

/**
 * Add a resource's rows to the date index: for each plain-path date parameter of its type (`_lastUpdated` included),
 * one row per searchable period (Medplum's toPeriod, see search-params.ts); row 0's start is the sort key. A resource
 * without a value has no row (a row for it would be one more index entry per write).
 */
export function addDates(addDate: Statement, type: string, id: string, resource: Resource): void {
  for (const param of dateParamsOf(type)) {
    let n = 0;
    for (const period of periodsOf(resource, param)) addDate.run(type, id, param.code, n++, period.start, period.end);
  }
}

/** Replace a resource's rows in the date index ({@link addDates}). */
export function writeDates(t: DateStatements, type: string, id: string, resource: Resource): void {
  t.removeDates.run(type, id);
  addDates(t.addDate, type, id, resource);
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
