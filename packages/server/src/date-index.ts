import type Database from 'better-sqlite3';
import type { Resource } from 'fhir/r4.js';
import { dateParamsOf, searchablePeriods } from './search-params.js';

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
    for (const period of searchablePeriods(resource, param)) addDate.run(type, id, param.code, n++, period.start, period.end);
  }
}

/** Replace a resource's rows in the date index ({@link addDates}). */
export function writeDates(t: DateStatements, type: string, id: string, resource: Resource): void {
  t.removeDates.run(type, id);
  addDates(t.addDate, type, id, resource);
}
