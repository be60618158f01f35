// validateProfiles must find each class of failure issue 15 reported (US Core 6.1.0 rules cited per test), or a green
// conformance run means nothing; and it names paths and constraint keys, never values.
import type { Bundle, Encounter, Practitioner, PractitionerRole, Provenance, Resource } from 'fhir/r4.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Extensions, Profiles } from '@peer-fhir/core';
import { builtInProfileUrls, readFhirPackage, validateProfiles, FhirPackageError, type ProfileIssue } from '../src/validation/index.js';

const codes = (issues: ProfileIssue[]) => [...new Set(issues.map((i) => `${i.code}${i.key ? `:${i.key}` : ''} ${i.path}`))].sort();
const US = (id: string) => `http://hl7.org/fhir/us/core/StructureDefinition/${id}`;
const bundle = (...entries: [string, Resource][]): Bundle => ({ resourceType: 'Bundle', type: 'transaction', entry: entries.map(([fullUrl, resource]) => ({ fullUrl, resource })) });

const practitioner: Practitioner = { resourceType: 'Practitioner', meta: { profile: [Profiles.Practitioner] }, identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1245319599' }], name: [{ family: 'Rivera', given: ['Sam'] }] };
const patient = { resourceType: 'Patient', meta: { profile: [Profiles.Patient] }, identifier: [{ system: 'urn:x', value: '1' }], name: [{ family: 'Doe', given: ['J'] }], gender: 'female' } as Resource;

describe('validateProfiles knows', () => {
  it('the US Core 6.1.0 profiles peer-fhir names and every peer-fhir profile and extension, without any package', () => {
    const urls = builtInProfileUrls();
    for (const id of ['us-core-patient', 'us-core-encounter', 'us-core-practitionerrole', 'us-core-provenance', 'us-core-servicerequest', 'us-core-location', 'us-core-race']) expect(urls).toContain(US(id));
    expect(urls).toContain(Profiles.PeerGroupEncounter);
    expect(urls).toContain(Extensions.Setting);
  });
});

describe('validateProfiles finds', () => {
  it('pd-1 (US Core PractitionerRole: telecom or endpoint SHALL be present)', () => {
    const role: PractitionerRole = { resourceType: 'PractitionerRole', meta: { profile: [Profiles.PractitionerRole] }, practitioner: { reference: 'urn:uuid:p' } };
    const result = validateProfiles(role);
    expect(codes(result.issues)).toContain('invariant:pd-1 PractitionerRole');
    expect(result).toMatchObject({ checked: 1, failed: 1, byType: { PractitionerRole: { checked: 1, failed: 1 } } });
  });

  it('provenance-1 (R4: an agent who is a Practitioner needs onBehalfOf), resolving the agent inside the bundle', () => {
    const prov: Provenance = {
      resourceType: 'Provenance',
      meta: { profile: [Profiles.Provenance] },
      target: [{ reference: 'urn:uuid:t' }],
      recorded: '2025-01-02T11:00:00-05:00',
      agent: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author' }] }, who: { reference: 'urn:uuid:p' } }],
    };
    const b = bundle(['urn:uuid:p', practitioner], ['urn:uuid:t', patient], ['urn:uuid:v', prov]);
    expect(codes(validateProfiles(b).issues)).toEqual(['invariant:provenance-1 Provenance.agent']);
    expect(validateProfiles(b).issues[0]).toMatchObject({ resource: 'entry[2]', resourceType: 'Provenance' });
    const fixed = { ...prov, agent: [{ ...prov.agent[0]!, onBehalfOf: { reference: 'Organization/1' } }] };
    expect(validateProfiles(bundle(['urn:uuid:p', practitioner], ['urn:uuid:t', patient], ['urn:uuid:v', fixed])).issues).toEqual([]);
  });

  it('a US Core Encounter whose subject resolves to a Group (US Core: subject is a US Core Patient)', () => {
    const enc: Encounter = {
      resourceType: 'Encounter',
      meta: { profile: [Profiles.Encounter] },
      identifier: [{ system: 'urn:x', value: 'e' }],
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      type: [{ text: 'peer support' }],
      subject: { reference: 'urn:uuid:g' },
    };
    const group = { resourceType: 'Group', meta: { profile: [Profiles.PeerGroupSession] }, identifier: [{ system: 'urn:x', value: 'g' }], type: 'person', actual: true } as Resource;
    expect(codes(validateProfiles(bundle(['urn:uuid:g', group], ['urn:uuid:e', enc])).issues)).toEqual(['reference-target Encounter.subject']);
  });

  it('a US Core Practitioner named by text only (US Core: name.family 1..1)', () => {
    const p: Practitioner = { ...practitioner, name: [{ text: 'Dr. Ana Ruiz' }] };
    expect(validateProfiles(p).issues.map((x) => x.code)).toContain('structure');
  });

  it('profiles and extensions with no StructureDefinition, an extension with the wrong value type, a resource naming no profile', () => {
    const enc = { resourceType: 'Encounter', meta: { profile: ['https://peer-fhir.org/fhir/StructureDefinition/nothing'] }, extension: [{ url: 'https://peer-fhir.org/fhir/StructureDefinition/unheard-of', valueString: 'x' }] } as Resource;
    expect(codes(validateProfiles(enc).issues)).toEqual(['extension-unknown Encounter.extension[0]', 'profile-unknown Encounter.meta.profile']);
    const bad = { ...practitioner, extension: [{ url: Extensions.Setting, valueString: 'home' }] } as Resource;
    expect(validateProfiles(bad).issues.map((x) => x.code)).toContain('extension');
    expect(codes(validateProfiles({ resourceType: 'Basic' } as Resource).issues)).toEqual(['profile-missing Basic.meta.profile']);
  });

  it('Provenance.entity.agent, which the validator drops from US Core Provenance to load it in Medplum, as unchecked', () => {
    const prov = { resourceType: 'Provenance', meta: { profile: [Profiles.Provenance] }, target: [{ reference: 'Patient/1' }], recorded: '2025-01-02T11:00:00Z', agent: [{ who: { reference: 'Patient/1' } }], entity: [{ role: 'source', what: { reference: 'Patient/1' }, agent: [{ who: { reference: 'Patient/1' } }] }] } as Resource;
    expect(codes(validateProfiles(prov).issues)).toContain('unchecked Provenance.entity.agent');
  });

  it('list entries that are not resources, by position', () => {
    const result = validateProfiles([practitioner, 'nonsense' as unknown as Resource]);
    expect(result.issues).toContainEqual(expect.objectContaining({ resource: '[1]', code: 'structure', path: 'resourceType' }));
    expect(result).toMatchObject({ checked: 2, failed: 1 });
  });
});

describe('issues never carry a value', () => {
  it('for any planted value in any element, no issue message or path contains it', () => {
    const planted = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{7,15}$/).map((s) => `Zq${s}`);
    fc.assert(
      fc.property(planted, fc.constantFrom('name', 'gender', 'birthDate', 'telecom', 'identifier', 'unknownElement'), (value, element) => {
        const p = { ...patient, [element]: element === 'gender' || element === 'birthDate' ? value : [{ value, family: value, system: value }] } as Resource;
        const out = JSON.stringify(validateProfiles(p).issues.map((i) => [i.message, i.profile, i.path, i.key]));
        expect(out).not.toContain(value);
      }),
      { numRuns: 60, seed: 15 },
    );
  });
});

describe('readFhirPackage', () => {
  it('refuses bytes that are not a FHIR package with a typed error', () => {
    expect(() => readFhirPackage(new TextEncoder().encode('not a package'))).toThrow(FhirPackageError);
  });
});
