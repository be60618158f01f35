// Acceptance (issue 15, 3): for every resource type peer-fhir writes that has a patient, `T?patient=Patient/{id}` on
// the embedded server returns it (US Core requires these searches), and `_revinclude=Provenance:target` returns the
// Provenance of the matches.
import type { Bundle, Claim, ClaimResponse, Resource } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getInstrument, instrumentResponseBundle, recordKeys, referralBundle, toFhir } from '@peer-fhir/core';
import { buildClaimBundle, evaluate, getPack } from '@peer-fhir/billing';
import { read835, remittanceToClaimResponses, resolveX12ClaimInput } from '@peer-fhir/x12';
import { build835ForTest } from '@peer-fhir/x12/testing';
import { billableAgency, generateAgency, startFhirServer, syntheticBillingContext, withPlaceholderRates, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { AGENCY_NPI, allRecords } from '../../packages/core/test/fixtures.js';

let server: EmbeddedFhirServer;
let patientId = '';

async function post(bundle: Bundle): Promise<Bundle> {
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) });
  const body = (await res.json()) as Bundle;
  expect(res.status, JSON.stringify(body).slice(0, 600)).toBe(200);
  return body;
}

async function search(path: string): Promise<Resource[]> {
  const res = await fetch(`${server.url}/${path}`, { headers: { accept: 'application/fhir+json' } });
  expect(res.status, path).toBe(200);
  return ((await res.json()) as Bundle).entry?.flatMap((e) => (e.resource ? [e.resource] : [])) ?? [];
}

beforeAll(async () => {
  server = await startFhirServer({ validate: true });
  await post(toFhir(allRecords()));
  const key = recordKeys({ agency: AGENCY_NPI }).participant('p-1');
  patientId = (await search(`Patient?identifier=${encodeURIComponent(`${key.system}|${key.value}`)}`))[0]!.id!;
  const existing = (k: { resourceType: string; system: string; value: string }) => (k.resourceType === 'Patient' && k.value === 'p-1' ? `Patient/${patientId}` : undefined);
  const barc = getInstrument('barc-10');
  await post(instrumentResponseBundle({ id: 'qr-1', instrumentId: 'barc-10', participantId: 'p-1', authored: '2025-03-01T10:00:00-05:00', answers: Object.fromEntries(barc.items.map((i) => [i.linkId, 4])) }, { agency: AGENCY_NPI, existing }));
  await post(referralBundle({ id: 'ref-1', participantId: 'p-1', direction: 'into-peer-services', category: 'peer-support', requester: { npi: '1003000126', kind: 'practitioner' }, performer: { name: 'Harbor Peer Agency', npi: '1234567893' }, status: 'requested', authoredOn: '2025-02-01T09:00:00-05:00' }, { agency: AGENCY_NPI, resolved: { subject: `Patient/${patientId}` } }));
});
afterAll(async () => {
  await server?.close();
});

describe('US Core patient searches on the embedded server', () => {
  // Every type toFhir, the outcome and the referral mappers write with a patient, and the search parameter R4 defines.
  it.each(['Encounter', 'Condition', 'DocumentReference', 'CarePlan', 'Goal', 'CareTeam', 'Consent', 'Coverage', 'QuestionnaireResponse', 'Observation', 'ServiceRequest'])(
    '%s?patient=Patient/{id} returns what was written for the participant',
    async (type) => {
      const found = await search(`${type}?patient=Patient/${patientId}`);
      expect(found.length, type).toBeGreaterThan(0);
      for (const r of found) expect(JSON.stringify(r)).toContain(`Patient/${patientId}`);
    },
  );

  it('Observation?patient=&category=survey returns the instrument score', async () => {
    const found = await search(`Observation?patient=Patient/${patientId}&category=survey`);
    expect(found.map((r) => r.resourceType)).toEqual(['Observation']);
  });

  it('Task?patient=Patient/{id} returns the referral Task', async () => {
    expect((await search(`Task?patient=Patient/${patientId}`)).length).toBeGreaterThan(0);
  });
});

describe('claims and their answers', () => {
  it('Claim?patient= and ClaimResponse?patient= return what billing and remittance wrote for the participant', async () => {
    const pack = withPlaceholderRates(getPack('nc-alliance-peer-support-2019'), { H0038: 6.25 }, 'search-test price, not a fee schedule');
    const agency = billableAgency(generateAgency({ seed: 1506, months: 1, participants: 8, state: 'NC' }));
    const lines = evaluate(syntheticBillingContext(agency, pack, {})).lines;
    const claimBundle = buildClaimBundle(lines, { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants }, { pack, created: '2025-02-01' });
    const written = (bundle: Bundle) => (bundle.entry ?? []).flatMap((e) => (e.response?.location ? [e.response.location.split('/_history')[0]!] : []));
    // billing's bundle is a collection (claims + the records they name): store it as one transaction
    const asTransaction: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: (claimBundle.entry ?? []).map((e) => ({ ...e, request: { method: 'POST', url: e.resource!.resourceType } })) };
    const refs = written(await post(asTransaction));
    const claims = await Promise.all(refs.filter((r) => r.startsWith('Claim/')).map(async (r) => (await (await fetch(`${server.url}/${r}`)).json()) as Claim));
    expect(claims.length).toBeGreaterThan(0);
    const owner = claims[0]!.patient.reference!;
    expect(owner).toMatch(/^Patient\//);
    const found = await search(`Claim?patient=${owner}`);
    expect(found.length).toBe(claims.filter((c) => c.patient.reference === owner).length);

    // The 835's answers refer to the stored Claims' patients literally, so ClaimResponse?patient= finds them
    const text835 = build835ForTest(claims.map((c) => resolveX12ClaimInput(c, claimBundle)), () => ({ kind: 'paid' }), {
      sender: { id: 'SYNMEDICAID' }, receiver: { id: 'PEERFHIRTEST' }, traceNumber: 'EFT1507',
      payer: { name: 'Synthetic Medicaid', tin: '999999999', id: 'SYNMEDICAID' }, date: new Date('2025-03-02T12:00:00Z'), controlNumbers: { isa: 8, gs: 8, st: 1 },
    });
    const responses: ClaimResponse[] = read835(text835).flatMap((r) => remittanceToClaimResponses(r, claims));
    await post({ resourceType: 'Bundle', type: 'transaction', entry: responses.map((resource) => ({ resource, request: { method: 'POST', url: 'ClaimResponse' } })) });
    const answers = await search(`ClaimResponse?patient=${owner}`);
    expect(answers.length).toBe(found.length);
  }, 120_000);
});

describe('provenance of what was written', () => {
  it('CarePlan?patient=&_revinclude=Provenance:target returns the plan with its signatures, and the CapabilityStatement offers it', async () => {
    const res = await fetch(`${server.url}/CarePlan?patient=Patient/${patientId}&_revinclude=Provenance:target`, { headers: { accept: 'application/fhir+json' } });
    expect(res.status).toBe(200);
    const page = (await res.json()) as Bundle;
    const found = page.entry?.flatMap((e) => (e.resource ? [{ type: e.resource.resourceType, mode: e.search?.mode }] : [])) ?? [];
    expect(found.filter((r) => r.type === 'CarePlan')).toEqual([{ type: 'CarePlan', mode: 'match' }]);
    const provenance = found.filter((r) => r.type === 'Provenance');
    expect(provenance.length).toBe(allRecords().plans[0]!.signatures.length);
    expect(provenance.every((r) => r.mode === 'include')).toBe(true);
    // the next-page links keep asking for the Provenance (https://hl7.org/fhir/R4/search.html#revinclude)
    expect(page.link?.find((l) => l.relation === 'self')?.url).toContain('_revinclude=Provenance%3Atarget');
    const cs = (await (await fetch(`${server.url}/metadata`)).json()) as { rest?: { resource?: { type: string; searchRevInclude?: string[] }[] }[] };
    expect(cs.rest?.[0]?.resource?.find((r) => r.type === 'CarePlan')?.searchRevInclude).toContain('Provenance:target');
  });

  it('refuses any other _revinclude with 501 instead of ignoring it', async () => {
    const res = await fetch(`${server.url}/CarePlan?patient=Patient/${patientId}&_revinclude=Encounter:subject`, { headers: { accept: 'application/fhir+json' } });
    expect(res.status).toBe(501);
  });
});
