// What the profile validator assumes about @medplum/core 4.5.2 and fhirpath 5.2.0 (src/validation/medplum-profiles.ts,
// src/validation/invariants.ts): each test fails when an assumption breaks, so an upgrade cannot silently weaken it.
import type { Provenance, Resource, StructureDefinition } from 'fhir/r4.js';
import { indexStructureDefinitionBundle } from '@medplum/core';
import type { StructureDefinition as MedplumStructureDefinition } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { Profiles } from '@peer-fhir/core';
import { validateProfiles } from '../src/validation/index.js';
import { shippedUsCore } from '../src/validation/built-in.js';
import { loadedProfile, structureIssues } from '../src/validation/medplum-profiles.js';
import { SKIPPED_INVARIANTS } from '../src/validation/invariants.js';

const at = { resource: '', resourceType: 'Encounter' };

describe('@medplum/core 4.5.2, as the profile validator uses it', () => {
  it('reports the same structural issues from the profile loaded once as a data type as from validateResource re-parsing it', () => {
    validateProfiles([]);
    const sd = loadedProfile(Profiles.Encounter)!;
    const bad = { resourceType: 'Encounter', meta: { profile: [Profiles.Encounter] }, status: 'finished', class: { code: 'AMB' }, unknownThing: 1 } as unknown as Resource;
    const fast = structureIssues(bad, sd, at, SKIPPED_INVARIANTS);
    expect(fast.length).toBeGreaterThan(1);
    expect(fast).toEqual(structureIssues(bad, sd, at, SKIPPED_INVARIANTS, true));
  });

  it('still cannot index US Core Provenance as published (Provenance.entity.agent): drop the patch only when this fails', () => {
    const published = shippedUsCore().structureDefinitions.find((sd) => sd.url === Profiles.Provenance)! as StructureDefinition;
    const copy = { ...published, url: 'https://peer-fhir.org/test/provenance-as-published' };
    expect(() => indexStructureDefinitionBundle([copy as unknown as MedplumStructureDefinition])).toThrow();
  });
});

describe('fhirpath 5.2.0, as the profile validator uses it', () => {
  it('answers resolve() from the input: provenance-1 holds only when the agent resolves to a Practitioner with onBehalfOf', () => {
    const prov: Provenance = { resourceType: 'Provenance', meta: { profile: [Profiles.Provenance] }, target: [{ reference: 'Patient/1' }], recorded: '2025-01-02T11:00:00Z', agent: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author' }] }, who: { reference: 'Practitioner/1' } }] };
    const practitioner = { resourceType: 'Practitioner', id: '1', meta: { profile: [Profiles.Practitioner] }, identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1245319599' }], name: [{ family: 'Rivera' }] } as Resource;
    const patient = { resourceType: 'Patient', id: '1', meta: { profile: [Profiles.Patient] }, identifier: [{ system: 'urn:x', value: '1' }], name: [{ family: 'Doe' }], gender: 'female' } as Resource;
    // Alone, the agent does not resolve: provenance-1 is vacuously true.
    expect(validateProfiles(prov).issues.filter((i) => i.key === 'provenance-1')).toEqual([]);
    expect(validateProfiles([practitioner, patient, prov]).issues.filter((i) => i.key === 'provenance-1')).toHaveLength(1);
  });
});
