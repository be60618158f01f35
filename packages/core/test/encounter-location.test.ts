// Issue 15: Encounter.location (US Core must-support) is mapped when the input names the place of the contact.
import type { Encounter, Location } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { PeerFhirValidationError, fromFhir, identifierSystems, toFhir } from '../src/index.js';
import { AGENCY_NPI, allRecords } from './fixtures.js';

const where = { id: 'loc-downtown', name: 'Downtown drop-in center', address: { line: ['12 Elm St'], city: 'Durham', state: 'NC', postalCode: '27701' } };

describe('Encounter.location from a named place', () => {
  it('writes one US Core Location per place, keyed in the agency, managed by the agency, and every Encounter points to it', () => {
    const records = allRecords();
    const bundle = toFhir({ ...records, encounters: records.encounters.map((e) => ({ ...e, location: where })) });
    const entries = bundle.entry ?? [];
    const locations = entries.filter((e) => e.resource?.resourceType === 'Location');
    expect(locations).toHaveLength(1);
    const location = locations[0]!.resource as Location;
    expect(location.meta?.profile).toEqual(['http://hl7.org/fhir/us/core/StructureDefinition/us-core-location']);
    expect(location.identifier).toEqual([{ system: identifierSystems({ agency: AGENCY_NPI }).location, value: 'loc-downtown' }]);
    expect([location.status, location.name, location.address?.city]).toEqual(['active', 'Downtown drop-in center', 'Durham']);
    const agency = entries.find((e) => e.resource?.resourceType === 'Organization' && JSON.stringify(e.resource).includes(AGENCY_NPI));
    expect(location.managingOrganization?.reference).toBe(agency?.fullUrl);
    const encounters = entries.flatMap((e) => (e.resource?.resourceType === 'Encounter' ? [e.resource as Encounter] : []));
    expect(encounters.length).toBeGreaterThan(0);
    for (const enc of encounters) expect(enc.location?.[0]?.location.reference).toBe(locations[0]!.fullUrl);
  });

  it('reads the place back, and writes no location for an encounter without one', () => {
    const records = allRecords();
    const input = { ...records, encounters: records.encounters.map((e, i) => (i === 0 ? { ...e, location: where } : e)) };
    const back = fromFhir(toFhir(input), { agency: AGENCY_NPI });
    const byId = new Map(back.encounters.map((e) => [e.id, e]));
    expect(byId.get(records.encounters[0]!.id)?.location).toEqual(where);
    for (const e of records.encounters.slice(1)) expect(byId.get(e.id)?.location).toBeUndefined();
  });

  it('refuses one place id with two different names in one bundle rather than dropping one', () => {
    const records = allRecords();
    const encounters = records.encounters.map((e, i) => ({ ...e, location: { ...where, name: i === 0 ? 'Downtown drop-in center' : 'Renamed center' } }));
    expect(records.encounters.length).toBeGreaterThan(1);
    expect(() => toFhir({ ...records, encounters })).toThrow(PeerFhirValidationError);
  });
});
