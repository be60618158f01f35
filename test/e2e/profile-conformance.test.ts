// Acceptance (issue 15): every resource peer-fhir emits names a profile (US Core 6.1.0 where one exists, else
// peer-fhir's own) and validates against each with 0 errors, checked against the published StructureDefinitions:
// the sample record sets and a small generated agency (a few thousand resources). The harness is
// test/support/profile-validator.ts; its own tests show it finds each failure class the issue reported.
import type { Basic, Bundle, Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import {
  defaultInstruments,
  getInstrument,
  instrumentResponseBundle,
  referralBundle,
  supervisionSessionToFhir,
  SyncCheckpoint,
  syncCheckpointResource,
  toFhir,
  type DomainRecords,
} from '@peer-fhir/core';
import { remittanceToClaimResponses } from '@peer-fhir/x12';
import { generateAgency } from '@peer-fhir/testing';
import { AGENCY_NPI, allRecords, participant, part2Consent, specialist } from '../../packages/core/test/fixtures.js';
import { bundleProfileProblems, profileProblems, summarize } from '../support/profile-validator.js';
import { billingOf, countByType, emittedBundles, EMITTED_TYPES } from '../support/emitted.js';

const NS = 'https://ehr.example.org/ids';

describe('sample record sets', () => {
  it('validate against every profile they name: all records, with and without optional US Core elements', () => {
    const records: DomainRecords = allRecords();
    const where = { id: 'loc-downtown', name: 'Downtown drop-in center', address: { line: ['12 Elm St'], city: 'Durham', state: 'NC', postalCode: '27701' } };
    const withContact: DomainRecords = {
      ...records,
      // A named place on every encounter (one Location shared by all), the US Core way
      encounters: (records.encounters ?? []).map((e) => ({ ...e, location: where })),
      specialists: [specialist({ phone: '919-555-0100', email: 'sam.rivera@harbor.example.org' })],
      participants: [
        participant('p-1', {
          phone: '(919) 555-0199',
          email: 'jordan@example.org',
          language: 'es',
          race: { categories: ['2054-5', '2106-3'], text: 'Black and White' },
          ethnicity: { category: '2186-5', text: 'Not Hispanic or Latino' },
          birthSex: 'F',
        }),
        participant('p-2', { race: { categories: ['ASKU'], text: 'Declined' }, ethnicity: { category: 'UNK', text: 'Unknown' }, birthSex: 'UNK' }),
        participant('p-3'),
      ],
      consents: [
        part2Consent({
          recipients: [
            { kind: 'practitioner', name: 'Dr. Ana Ruiz', npi: '1215908876', personName: { family: 'Ruiz', given: ['Ana'], prefix: ['Dr.'] } },
            { kind: 'practitioner', name: 'Front desk, Eastside Clinic', identifier: { system: 'urn:example:staff', value: 'fd-1' } },
            { kind: 'organization', name: 'Example Health Plan', npi: '1104000124' },
          ],
        }),
      ],
    };
    const bundles = [toFhir(records, { namespace: NS }), toFhir(withContact, { namespace: NS })];
    const problems = bundles.flatMap(bundleProfileProblems);
    expect(summarize(problems)).toEqual({});
    expect(Object.keys(countByType(bundles)).sort()).toEqual(
      ['CarePlan', 'CareTeam', 'Condition', 'Consent', 'Coverage', 'DocumentReference', 'Encounter', 'Goal', 'Group', 'Location', 'Organization', 'Patient', 'Practitioner', 'PractitionerRole', 'Provenance'].sort(),
    );
  }, 120_000);

  it('outcome instruments, responses, referrals and supervision sessions validate against their profiles', () => {
    const resources: Resource[] = [];
    for (const def of defaultInstruments.list()) resources.push(def.questionnaire);
    const barc = getInstrument('barc-10');
    const answers = Object.fromEntries(barc.items.map((i) => [i.linkId, 4]));
    // The caller resolves the participant (as toFhir's `existing`): both resources refer to the Patient literally, so
    // US Core's `QuestionnaireResponse?patient=` and `Observation?patient=&category=survey` find them.
    const existing = (key: { resourceType: string; value: string }) => (key.resourceType === 'Patient' && key.value === 'p-1' ? 'Patient/123' : undefined);
    const outcome = instrumentResponseBundle({ id: 'qr-1', instrumentId: 'barc-10', participantId: 'p-1', authored: '2025-03-01T10:00:00-05:00', answers }, { agency: AGENCY_NPI, namespace: NS, existing });
    for (const e of outcome.entry ?? []) expect((e.resource as { subject?: { reference?: string } }).subject?.reference).toBe('Patient/123');
    const referralIn = referralBundle(
      { id: 'ref-1', participantId: 'p-1', direction: 'into-peer-services', category: 'peer-support', requester: { npi: '1003000126', kind: 'practitioner' }, performer: { name: 'Harbor Peer Agency', npi: '1234567893' }, status: 'completed', fulfilledBy: { kind: 'procedure', id: 'proc-1' }, authoredOn: '2025-02-01T09:00:00-05:00' },
      { agency: AGENCY_NPI, namespace: NS },
    );
    const referralOut = referralBundle(
      { id: 'ref-2', participantId: 'p-1', direction: 'to-community-resource', category: 'housing', requester: { npi: '1245319599', kind: 'practitioner' }, performer: { name: 'Eastside Housing Coalition' }, status: 'requested', authoredOn: '2025-02-01T09:00:00-05:00' },
      { agency: AGENCY_NPI, namespace: NS },
    );
    const supervision = supervisionSessionToFhir({ id: 'sup-1', supervisorNpi: '1003000126', peerNpis: ['1245319599'], date: '2025-02-03', minutes: 60, mode: 'individual', organizationNpi: '1234567893' }, { agency: '1234567893', namespace: NS });
    const problems = [
      ...resources.flatMap((r) => profileProblems(r)),
      ...[outcome, referralIn, referralOut].flatMap(bundleProfileProblems),
      ...profileProblems(supervision),
    ];
    expect(summarize(problems)).toEqual({});
  });
});

describe('a small generated agency', () => {
  it('every kind of resource it emits validates against every profile it names, resource by resource (a few thousand resources)', () => {
    const agency = generateAgency({ seed: 15, months: 3, participants: 24 });
    const bundles = [...emittedBundles(agency)];
    const counts = countByType(bundles);
    const total = Object.values(counts).reduce((s, n) => s + n, 0);
    expect(total).toBeGreaterThan(1500);
    expect(Object.keys(counts).sort()).toEqual(EMITTED_TYPES);
    expect(summarize(bundles.flatMap(bundleProfileProblems))).toEqual({});
  }, 180_000);
});

describe('claims and remittances', () => {
  it('Claims and the ClaimResponses read from an 835 name peer-fhir profiles, validate, and refer to the Patient literally', () => {
    const { bundle, claims, remittances } = billingOf(generateAgency({ seed: 1506, months: 1, participants: 8, state: 'NC' }));
    expect(claims.length).toBeGreaterThan(0);
    const patients = new Set((bundle.entry ?? []).filter((e) => e.resource?.resourceType === 'Patient').map((e) => e.fullUrl));
    for (const c of claims) expect(patients.has(c.patient.reference)).toBe(true);
    const responses = remittances.flatMap((r) => remittanceToClaimResponses(r, claims));
    expect(responses).toHaveLength(claims.length);
    for (const r of responses) expect(patients.has(r.patient.reference)).toBe(true);
    const context: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [...(bundle.entry ?? []), ...responses.map((resource) => ({ resource }))] };
    expect(summarize(bundleProfileProblems(context))).toEqual({});
  }, 120_000);
});

describe('a Bulk Data sync checkpoint', () => {
  it('validates against peer-sync-checkpoint; one without its source or its time does not', () => {
    const checkpoint = syncCheckpointResource('https://ehr.example/fhir', '2026-01-02T03:04:05.678Z');
    expect(checkpoint.meta?.profile).toEqual([SyncCheckpoint.Profile]);
    expect(profileProblems(checkpoint)).toEqual([]);
    const codes = (r: Basic) => profileProblems(r).map((p) => p.code);
    expect(codes({ ...checkpoint, identifier: [{ system: 'urn:other', value: 'x' }] })).not.toEqual([]);
    expect(codes({ ...checkpoint, extension: [] })).not.toEqual([]);
  });
});
