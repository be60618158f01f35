import { describe, expect, it } from 'vitest';
import { identifierSystems, Organization, PeerFhirValidationError, Profiles, Systems } from '@peer-fhir/core';
import type { Claim, Reference, Resource } from 'fhir/r4.js';
import { buildClaimBundle, buildClaims, evaluate, getPack } from '../src/index.js';
import { validationProblems } from '../../../test/support/validators.js';
import { context, encounter, ORG_NPI, participant, plan, specialist } from './support/factories.js';

const NC = getPack('nc-alliance-peer-support-2019');
const NJ = getPack('nj-horizon-sud-peer-2020');

describe('buildClaims', () => {
  const ncMonth = () => {
    const ctx = context(NC, {
      encounters: [
        encounter({ date: '2025-01-06', minutes: 60 }),
        encounter({ date: '2025-01-20', minutes: 45, part2: true }),
        encounter({ date: '2025-02-03', minutes: 30 }),
        encounter({ date: '2025-01-21', mode: 'group', groupId: 'grp-1', minutes: 90,
          attendees: [{ participantId: 'p-1', diagnoses: ['F11.20', 'F41.1'] }, { participantId: 'p-2', diagnoses: ['F32.1'] }] }),
      ],
      participants: [participant(), participant({ id: 'p-2' })],
      plans: [plan(), plan({ id: 'plan-2', participantId: 'p-2' })],
      serviceOrders: [{ id: 'so-1', participantId: 'p-1', signedDate: '2019-01-01' }, { id: 'so-2', participantId: 'p-2', signedDate: '2019-01-01' }],
    });
    return evaluate(ctx);
  };

  it('makes one claim per participant per payer per month', () => {
    const r = ncMonth();
    expect(r.totals.held).toBe(0);
    const claims = buildClaims(r.lines, { pack: NC, created: '2025-03-01' });
    expect(claims.map((c) => [c.patient.identifier?.value, c.billablePeriod?.start, c.item?.length])).toEqual([
      ['p-1', '2025-01-06', 3],
      ['p-1', '2025-02-03', 1],
      ['p-2', '2025-01-21', 1],
    ]);
  });

  it('produces Claims that pass both FHIR validators', () => {
    const claims = buildClaims(ncMonth().lines, { pack: NC, created: '2025-03-01' });
    for (const c of claims) expect(validationProblems(c)).toEqual([]);
  });

  it('fills the professional claim elements', () => {
    const [c] = buildClaims(ncMonth().lines, { pack: NC, created: '2025-03-01' });
    const ids = identifierSystems({ agency: ORG_NPI });
    expect(c).toMatchObject({
      status: 'active',
      use: 'claim',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      priority: { coding: [{ code: 'normal' }] },
      provider: { type: 'Organization', identifier: { system: Systems.NPI, value: '1234567893' } },
      patient: { type: 'Patient', identifier: { system: ids.participant, value: 'p-1' } },
      insurance: [{ sequence: 1, focal: true, coverage: { type: 'Coverage', identifier: { system: ids.coverage } } }],
      total: { value: 101.07, currency: 'USD' }, // 11.97 x 4 + 11.97 x 3 + 2.88 x 6
    });
    expect(c?.identifier?.[0]?.system).toBe(ids.claim);
    expect(c?.careTeam?.map((t) => t.role?.coding?.[0]?.code)).toEqual(['primary', 'supervisor']);
    expect(c?.careTeam?.[0]?.qualification?.coding?.[0]).toMatchObject({ system: Systems.NUCC, code: '175T00000X' });
    expect(c?.diagnosis?.map((d) => d.diagnosisCodeableConcept?.coding?.[0]?.code)).toEqual(['F11.20', 'F41.1']);
    const group = c?.item?.find((i) => i.modifier?.length);
    expect(group).toMatchObject({
      productOrService: { coding: [{ system: Systems.HCPCS, code: 'H0038' }] },
      modifier: [{ coding: [{ system: Systems.HCPCS, code: 'HQ' }] }],
      servicedDate: '2025-01-21',
      locationCodeableConcept: { coding: [{ system: Systems.CMS_POS, code: '53' }] },
      quantity: { value: 6 },
      unitPrice: { value: 2.88, currency: 'USD' },
      careTeamSequence: [1, 2],
      diagnosisSequence: [1, 2],
      encounter: [{ type: 'Encounter', identifier: { system: ids.groupAttendance } }],
    });
  });

  it('labels claims with Part 2 lines and only those', () => {
    const claims = buildClaims(ncMonth().lines, { pack: NC, created: '2025-03-01' });
    expect(claims[0]?.meta?.security?.map((s) => s.code).sort()).toEqual(['42CFRPart2', 'NORDSCLCD', 'R', 'SUD']);
    expect(claims[1]?.meta?.security).toBeUndefined();
    // Every Claim names the profile it conforms to (US Core has no Claim profile).
    for (const c of claims) expect(c.meta?.profile).toEqual([Profiles.PeerProfessionalClaim]);
  });

  it('omits prices and the total when the pack has no rate', () => {
    const [c] = buildClaims(evaluate(context(NJ)).lines, { pack: NJ, created: '2025-03-01' });
    expect(c?.total).toBeUndefined();
    expect(c?.item?.[0]?.unitPrice).toBeUndefined();
    expect(validationProblems(c!)).toEqual([]);
  });

  it('carries prior authorization numbers on the insurance', () => {
    const OH = getPack('oh-medicaid-peer-support');
    const r = evaluate(context(OH, {
      encounters: [encounter({ minutes: 300, startMinute: 480, program: 'mental-health' })],
      priorAuthorizations: [{ id: 'pa-1', participantId: 'p-1', code: 'H0038', period: { start: '2025-01-01', end: '2025-12-31' }, units: 8, unitsUsed: 0, reference: 'AUTH-9' }],
    }));
    const [c] = buildClaims(r.lines, { pack: OH, created: '2025-03-01' });
    expect(c?.insurance?.[0]?.preAuthRef).toEqual(['AUTH-9']);
    expect(validationProblems(c!)).toEqual([]);
  });
});

describe('buildClaimBundle', () => {
  const NC_PRICED = getPack('nc-alliance-peer-support-2019');
  const agency = Organization.parse({
    name: 'Example Peer Agency', npi: ORG_NPI, taxId: '123456789', taxonomy: '251S00000X',
    address: { line: ['1 Main St'], city: 'Durham', state: 'NC', postalCode: '27701' },
  });
  const month = () =>
    evaluate(context(NC_PRICED, {
      encounters: [
        encounter({ date: '2025-01-06', minutes: 60, part2: true }),
        encounter({ date: '2025-01-21', mode: 'group', groupId: 'grp-1', minutes: 90,
          attendees: [{ participantId: 'p-1', diagnoses: ['F11.20'] }, { participantId: 'p-2', diagnoses: ['F32.1'] }] }),
      ],
      participants: [participant(), participant({ id: 'p-2' })],
      plans: [plan(), plan({ id: 'plan-2', participantId: 'p-2' })],
      serviceOrders: [{ id: 'so-1', participantId: 'p-1', signedDate: '2019-01-01' }, { id: 'so-2', participantId: 'p-2', signedDate: '2019-01-01' }],
    }));
  const records = { organizations: [agency], specialists: [specialist()], participants: [participant(), participant({ id: 'p-2' }), participant({ id: 'p-9' })] };

  it('is an empty collection when every item was held (no lines, no claim), not an error', () => {
    expect(buildClaimBundle([], records, { pack: NC_PRICED, created: '2025-03-01' })).toEqual({ resourceType: 'Bundle', type: 'collection', entry: [] });
  });

  it('holds the Claims first, then exactly one resource for every identifier they reference', () => {
    const r = month();
    const bundle = buildClaimBundle(r.lines, records, { pack: NC_PRICED, created: '2025-03-01' });
    expect(bundle.type).toBe('collection');
    const resources = (bundle.entry ?? []).map((e) => e.resource as Resource & { identifier?: { system?: string; value?: string }[] });
    const claims = resources.filter((x) => x.resourceType === 'Claim');
    // The same Claims as buildClaims, except that the patient is also a literal reference to its entry (US Core's
    // `Claim?patient=` and any reader that follows references need one).
    const patients = new Map((bundle.entry ?? []).filter((e) => e.resource?.resourceType === 'Patient').map((e) => [(e.resource as Resource & { identifier?: { value?: string }[] }).identifier?.[0]?.value, e.fullUrl]));
    expect(claims.map((c) => ({ ...c, patient: { ...(c as Claim).patient, reference: undefined } }))).toEqual(
      buildClaims(r.lines, { pack: NC_PRICED, created: '2025-03-01' }).map((c) => ({ ...c, patient: { ...c.patient, reference: undefined } })),
    );
    for (const c of claims as Claim[]) expect(c.patient.reference).toBe(patients.get(c.patient.identifier?.value));
    expect(resources.slice(0, claims.length).every((x) => x.resourceType === 'Claim')).toBe(true);
    const find = (ref: Reference) =>
      resources.filter((x) => x.resourceType === ref.type && x.identifier?.some((i) => i.system === ref.identifier?.system && i.value === ref.identifier?.value));
    for (const c of claims as Claim[]) {
      const refs = [c.patient, c.provider, c.insurer!, ...c.insurance.map((i) => i.coverage), ...(c.careTeam ?? []).map((m) => m.provider)];
      for (const ref of refs) expect(find(ref), `${ref.type}`).toHaveLength(1);
    }
    // p-9 has no line, so it is not in the bundle; no transaction requests remain.
    expect(resources.filter((x) => x.resourceType === 'Patient')).toHaveLength(2);
    expect((bundle.entry ?? []).every((e) => e.request === undefined)).toBe(true);
    expect(validationProblems(bundle)).toEqual([]);
  });

  it('names, by path only, every line whose records are missing', () => {
    const r = month();
    try {
      buildClaimBundle(r.lines, { organizations: [], specialists: [specialist({ supervisor: undefined })], participants: [participant()] }, { pack: NC_PRICED });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PeerFhirValidationError);
      const issues = (e as PeerFhirValidationError).issues;
      expect(new Set(issues.map((i) => i.path.replace(/^lines\[\d+\]\./, '')))).toEqual(new Set(['organizationNpi', 'supervisorNpi', 'participantId']));
      expect((e as Error).message).not.toMatch(/p-2|1234567893/);
    }
  });
});
