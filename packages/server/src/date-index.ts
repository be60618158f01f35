import type Database from 'better-sqlite3';
import type { Resource } from 'fhir/r4.js';
import { dateParamsOf, MISSING_SORT_KEY, searchablePeriods } from './search-params.js';

/** Statements {@link writeDates} needs. */
export interface DateStatements {
  removeDates: Database.Statement<unknown[], unknown>;
  addDate: Database.Statement<unknown[], unknown>;
}

/**
 * Replace a resource's rows in the date index: for each plain-path date parameter of its type (`_lastUpdated`
 * included), one row per searchable period (Medplum's toPeriod, see search-params.ts), the first carrying the sort key;
 * a resource without a value gets one row with no period, so that a sort read from the index still lists it.
 */
export function writeDates(t: DateStatements, type: string, id: string, resource: Resource): void {
  t.removeDates.run(type, id);
  for (const param of dateParamsOf(type)) {
    const periods = searchablePeriods(resource, param);
    if (periods.length === 0) t.addDate.run(type, id, param.code, 0, null, null, MISSING_SORT_KEY);
    for (let n = 0; n < periods.length; n++) {
      const p = periods[n]!;
      t.addDate.run(type, id, param.code, n, p.start, p.end, n === 0 ? (p.sortStart ?? MISSING_SORT_KEY) : null);
    }
  }
}

