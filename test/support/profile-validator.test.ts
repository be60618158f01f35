// The profile harness must find each class of failure issue 15 reported, or a green conformance run means nothing.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Bundle, Encounter, Practitioner, PractitionerRole, Provenance, Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { Extensions, Profiles } from '@peer-fhir/core';
import { readFhirPackage, US_CORE_PACKAGE } from './fhir-package.js';
import { bundleProfileProblems, hasProfile, loadUsCore, medplumProblems, profileProblems, type ProfileProblem } from './profile-validator.js';

const codes = (ps: ProfileProblem[]) => [...new Set(ps.map((p) => `${p.code} ${p.path}`))].sort();
const US = (id: string) => `http://hl7.org/fhir/us/core/StructureDefinition/${id}`;
const bundle = (...entries: [string, Resource][]): Bundle => ({ resourceType: 'Bundle', type: 'transaction', entry: entries.map(([fullUrl, resource]) => ({ fullUrl, resource })) });

const practitioner: Practitioner = { resourceType: 'Practitioner', meta: { profile: [Profiles.Practitioner] }, identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1245319599' }], name: [{ family: 'Rivera', given: ['Sam'] }] };
const patient: Resource = { resourceType: 'Patient', meta: { profile: [Profiles.Patient] }, identifier: [{ system: 'urn:x', value: '1' }], name: [{ family: 'Doe', given: ['J'] }], gender: 'female' } as Resource;

describe('the vendored US Core package', () => {
  it('is HL7 US Core 6.1.0 (CC0-1.0), byte for byte the copy the provenance note names', () => {
    const sha = createHash('sha256').update(readFileSync(US_CORE_PACKAGE)).digest('hex');
    expect(sha).toBe('4c4e7fbb07ef2fdb35bdfc3f5d09a417ee0d8644ea17cb3692ca6d03c4358b1d');
    const pkg = readFhirPackage();
    expect(pkg.manifest).toMatchObject({ name: 'hl7.fhir.us.core', version: '6.1.0', license: 'CC0-1.0' });
    loadUsCore();
    for (const id of ['us-core-patient', 'us-core-encounter', 'us-core-practitionerrole', 'us-core-provenance', 'us-core-servicerequest']) expect(hasProfile(US(id))).toBe(true);
  }, 120_000);
});

describe('the profile harness finds', () => {
  it('pd-1: a US Core PractitionerRole without telecom or endpoint', () => {
    const role: PractitionerRole = { resourceType: 'PractitionerRole', meta: { profile: [Profiles.PractitionerRole] }, practitioner: { reference: 'urn:uuid:p' } };
    expect(codes(profileProblems(role))).toContain('invariant:pd-1 PractitionerRole');
  });

  it('provenance-1: an agent who resolves, inside the bundle, to a Practitioner without onBehalfOf (Medplum alone cannot see it)', () => {
    const prov: Provenance = {
      resourceType: 'Provenance',
      meta: { profile: [Profiles.Provenance] },
      target: [{ reference: 'urn:uuid:t' }],
      recorded: '2025-01-02T11:00:00-05:00',
      agent: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author' }] }, who: { reference: 'urn:uuid:p' } }],
    };
    const b = bundle(['urn:uuid:p', practitioner], ['urn:uuid:t', patient], ['urn:uuid:v', prov]);
    expect(codes(bundleProfileProblems(b))).toEqual(['invariant:provenance-1 Provenance.agent']);
    const fixed = { ...prov, agent: [{ ...prov.agent[0]!, onBehalfOf: { reference: 'Organization/1' } }] };
    expect(bundleProfileProblems(bundle(['urn:uuid:p', practitioner], ['urn:uuid:t', patient], ['urn:uuid:v', fixed]))).toEqual([]);
  });

  it('a US Core Encounter whose subject resolves to a Group', () => {
    const enc: Encounter = {
      resourceType: 'Encounter',
      meta: { profile: [Profiles.Encounter] },
      identifier: [{ system: 'urn:x', value: 'e' }],
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      type: [{ text: 'peer support' }],
      subject: { reference: 'urn:uuid:g' },
    };
    const group: Resource = { resourceType: 'Group', meta: { profile: [Profiles.PeerGroupSession] }, identifier: [{ system: 'urn:x', value: 'g' }], type: 'person', actual: true } as Resource;
    expect(codes(bundleProfileProblems(bundle(['urn:uuid:g', group], ['urn:uuid:e', enc])))).toEqual(['reference-target Encounter.subject']);
  });

  it('a US Core Practitioner named by text only (name.family is required)', () => {
    const p: Practitioner = { ...practitioner, name: [{ text: 'Dr. Ana Ruiz' }] };
    expect(profileProblems(p).map((x) => x.code)).toContain('structure');
  });

  it('profiles and extensions with no StructureDefinition, and an extension with the wrong value type', () => {
    const enc = { resourceType: 'Encounter', meta: { profile: ['https://peer-fhir.org/fhir/StructureDefinition/nothing'] }, extension: [{ url: 'https://peer-fhir.org/fhir/StructureDefinition/unheard-of', valueString: 'x' }] } as Resource;
    expect(codes(profileProblems(enc))).toEqual(['extension-unknown Encounter.extension[0]', 'profile-unknown Encounter.meta.profile']);
    const bad = { ...practitioner, extension: [{ url: Extensions.Setting, valueString: 'home' }] } as Resource;
    expect(profileProblems(bad).map((x) => x.code)).toContain('extension');
    expect(codes(profileProblems({ resourceType: 'Basic' } as Resource))).toEqual(['profile-missing Basic.meta.profile']);
  });

  it('the same structural issues with the cached profile schema as with validateResource re-parsing the profile', () => {
    loadUsCore();
    const sd = readFhirPackage().structureDefinitions.find((s) => s.url === Profiles.Encounter)!;
    const bad = { resourceType: 'Encounter', meta: { profile: [Profiles.Encounter] }, status: 'finished', class: { code: 'AMB' }, unknownThing: 1 } as unknown as Resource;
    const fast = medplumProblems(bad, sd, 'Encounter');
    expect(fast.length).toBeGreaterThan(1);
    expect(fast).toEqual(medplumProblems(bad, sd, 'Encounter', true));
  });

  it('Provenance.entity.agent, which the harness drops from US Core Provenance to load it in Medplum, as unchecked', () => {
    const prov = { resourceType: 'Provenance', meta: { profile: [Profiles.Provenance] }, target: [{ reference: 'Patient/1' }], recorded: '2025-01-02T11:00:00Z', agent: [{ who: { reference: 'Patient/1' } }], entity: [{ role: 'source', what: { reference: 'Patient/1' }, agent: [{ who: { reference: 'Patient/1' } }] }] } as Resource;
    expect(codes(profileProblems(prov))).toContain('unchecked Provenance.entity.agent');
  });
});
