import type Database from 'better-sqlite3';
import type { Resource } from 'fhir/r4.js';
import { dateParamsOf, searchablePeriods } from './search-params.js';

/** Statements {@link writeDates} needs. */
export interface DateStatements {
  removeDates: Database.Statement<unknown[], unknown>;
  addDate: Database.Statement<unknown[], unknown>;
}

/**
 * Replace a resource's rows in the date index: for each plain-path date parameter of its type (`_lastUpdated`
 * included), one row per searchable period (Medplum's toPeriod, see search-params.ts); row 0's start is the sort key.
 * A resource without a value has no row (a row for it would be one more index entry per write).
 */
export function writeDates(t: DateStatements, type: string, id: string, resource: Resource): void {
  t.removeDates.run(type, id);
  for (const param of dateParamsOf(type)) {
    const periods = searchablePeriods(resource, param);
    periods.forEach((period, n) => t.addDate.run(type, id, param.code, n, period.start, period.end));
  }
}

