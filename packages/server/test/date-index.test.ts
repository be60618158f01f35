// Issue 18: the date index remembers the searchable periods of the string values it has seen (every resource's
// `meta.lastUpdated`, the dates an encounter and its notes share). A value's period is Medplum's toPeriod of that value
// alone, so a remembered period must be exactly what the value gives, for any value, in any order of writes.
import fc from 'fast-check';
import type { Condition, DocumentReference, Encounter, Patient } from 'fhir/r4.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { periodsOf } from '../src/date-index.js';
import { loadFhirDefinitions } from '../src/index.js';
import { dateParamsOf, searchablePeriods } from '../src/search-params.js';

beforeAll(() => {
  loadFhirDefinitions();
});

/** Date-like strings: instants, dates, partial dates, offsets, and strings that are no date at all. */
const dateText = fc.oneof(
  fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom('2025', '2025-02', '2025-02-30', '2025-01-01T10:00:00+05:30', '2025-01-01T10:00:00', '', 'not a date', '99999-01-01'),
);

/** A resource of a type with string and Period date parameters, its dates drawn from a few values (so they repeat). */
const resourceOf = (type: string, a: string, b: string): Condition | DocumentReference | Encounter | Patient => {
  switch (type) {
    case 'Condition':
      return { resourceType: 'Condition', subject: { reference: 'Patient/p' }, recordedDate: a, meta: { lastUpdated: b } };
    case 'DocumentReference':
      return { resourceType: 'DocumentReference', status: 'current', content: [], date: a, context: { period: { start: a, end: b } }, meta: { lastUpdated: b } };
    case 'Encounter':
      return { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, period: { start: a, end: b }, meta: { lastUpdated: a } };
    default:
      return { resourceType: 'Patient', birthDate: a, meta: { lastUpdated: b } };
  }
};

describe('date index periods', () => {
  it('are, remembered or not, the searchable periods of each value as Medplum computes them', () => {
    const write = fc.tuple(fc.constantFrom('Condition', 'DocumentReference', 'Encounter', 'Patient'), dateText, dateText);
    fc.assert(
      fc.property(fc.array(write, { minLength: 1, maxLength: 20 }), (writes) => {
        for (const [type, a, b] of writes) {
          const resource = resourceOf(type, a, b);
          for (const param of dateParamsOf(type)) expect(periodsOf(resource, param)).toEqual(searchablePeriods(resource, param));
        }
      }),
      { numRuns: 100 },
    );
  });
});
