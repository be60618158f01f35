/**
 * Every kind of resource peer-fhir emits, built from one generated agency the way the SDK builds them: the records
 * (`toFhir`: participants, staff, encounters with and without a location, group sessions, consents, plans), outcome
 * instruments and responses, referrals both ways, supervision sessions, claims, the ClaimResponses and
 * PaymentReconciliation read from an 835 answering them, eligibility requests and the answers of a 271, disclosure
 * records. Yielded as bundles of a realistic size (each resolves its own
 * references), so a year of a large agency never sits in memory at once. Used by the profile conformance tests (CI:
 * a small agency; `pnpm test:long`: a year) and the CLI's `validate --profiles` test.
 */
import type { Bundle, Claim, Coverage, CoverageEligibilityRequest, Organization, Patient, Resource } from 'fhir/r4.js';
import { buildDisclosureAuditEvent, continuingEducationToFhir, defaultInstruments, ExchangeProfiles, getInstrument, instrumentResponseBundle, referralBundle, supervisionSessionToFhir, toFhir, type PeerEncounter } from '@peer-fhir/core';
import { buildClaimBundle, evaluate, getPack, type RulePack } from '@peer-fhir/billing';
import { coverageFrom271, read271, read835, remittanceToClaimResponses, resolveX12ClaimInput, toCoverageEligibilityResponse, toPaymentReconciliation, write270, type EligibilityInquiryInput, type Remittance } from '@peer-fhir/x12';
import { build835ForTest } from '@peer-fhir/x12/testing';
import { answer270, billableAgency, syntheticBillingContext, withPlaceholderRates, type SyntheticAgency, type SyntheticEligibilityAnswer } from '@peer-fhir/testing';

const NS = 'https://ehr.example.org/ids';

/** Three service sites; every third encounter names one (US Core Location). */
const SITES = [
  { id: 'loc-downtown', name: 'Downtown drop-in center', address: { line: ['12 Elm St'], city: 'Durham', state: 'NC', postalCode: '27701' } },
  { id: 'loc-eastside', name: 'Eastside recovery hub', address: { line: ['400 Oak Ave'], city: 'Durham', state: 'NC', postalCode: '27703' } },
  { id: 'loc-mobile', name: 'Mobile outreach van' },
];

const withSite = (e: PeerEncounter, i: number): PeerEncounter => (i % 3 === 0 ? { ...e, location: SITES[(i / 3) % SITES.length]! } : e);

/** The records as toFhir writes them: encounters in slices of `slice`, consents, then one bundle per plan. */
function* recordBundles(a: SyntheticAgency, slice: number): Generator<Bundle> {
  const common = { organizations: [a.organization], specialists: a.specialists };
  const encounters = a.encounters.map(withSite);
  for (let i = 0; i < encounters.length; i += slice) {
    yield toFhir({ ...common, participants: a.participants, encounters: encounters.slice(i, i + slice) }, { namespace: NS });
  }
  yield toFhir({ ...common, participants: a.participants, consents: a.consents }, { namespace: NS });
  // One bundle per participant's plan history: a review carries the goals forward, one Goal each (docs/mapping.md).
  const histories = new Map<string, SyntheticAgency['plans']>();
  for (const plan of a.plans) histories.set(plan.participantId, [...(histories.get(plan.participantId) ?? []), plan]);
  for (const [id, plans] of histories) yield toFhir({ ...common, participants: a.participants.filter((p) => p.id === id), plans }, { namespace: NS });
}

/** A BARC-10 per participant per quarter of the agency's encounters, each referring to its Patient literally. */
function* outcomeBundles(a: SyntheticAgency): Generator<Bundle> {
  yield { resourceType: 'Bundle', type: 'collection', entry: defaultInstruments.list().map((d) => ({ resource: d.questionnaire })) };
  const barc = getInstrument('barc-10');
  const agency = a.organization.npi;
  const firstByParticipantQuarter = new Map<string, PeerEncounter>();
  for (const e of a.encounters) {
    if (e.mode !== 'individual' || e.status !== 'finished') continue;
    const key = `${e.attendees[0]!.participantId}|${e.start.slice(0, 4)}Q${Math.floor(Number(e.start.slice(5, 7)) / 4)}`;
    if (!firstByParticipantQuarter.has(key)) firstByParticipantQuarter.set(key, e);
  }
  let n = 0;
  for (const e of firstByParticipantQuarter.values()) {
    const participantId = e.attendees[0]!.participantId;
    const answers = Object.fromEntries(barc.items.map((item, i) => [item.linkId, 1 + ((n + i) % 6)]));
    const existing = (k: { resourceType: string; value: string }) => (k.resourceType === 'Patient' && k.value === participantId ? `Patient/${participantId}` : undefined);
    yield instrumentResponseBundle({ id: `qr-${++n}`, instrumentId: 'barc-10', participantId, encounterId: e.id, administeredByNpi: e.specialistNpi, authored: e.start, answers }, { agency, namespace: NS, existing });
  }
}

/** A completed referral into peer services for each participant; every fourth also referred out for housing. */
function* referralBundles(a: SyntheticAgency): Generator<Bundle> {
  const agency = a.organization.npi;
  const performer = { name: a.organization.name, npi: agency };
  const requester = { npi: a.specialists[0]!.supervisor?.npi ?? a.specialists[0]!.npi, kind: 'practitioner' as const };
  for (const [i, p] of a.participants.entries()) {
    yield referralBundle({ id: `ref-in-${p.id}`, participantId: p.id, direction: 'into-peer-services', category: 'peer-support', requester, performer, status: 'completed', fulfilledBy: { kind: 'procedure', id: `proc-${p.id}` }, authoredOn: '2025-01-02T09:00:00-05:00' }, { agency, namespace: NS });
    if (i % 4 === 0) {
      yield referralBundle({ id: `ref-out-${p.id}`, participantId: p.id, direction: 'to-community-resource', category: 'housing', requester: { npi: a.specialists[0]!.npi, kind: 'practitioner' }, performer: { name: 'Eastside Housing Coalition' }, status: 'requested', authoredOn: '2025-02-03T09:00:00-05:00' }, { agency, namespace: NS });
    }
  }
}

/** One individual supervision session a month for each supervised specialist, and the specialists' continuing education. */
function* supervisionResources(a: SyntheticAgency, months: number): Generator<Bundle> {
  const agency = a.organization.npi;
  const sessions: Resource[] = [];
  for (const s of a.specialists) {
    if (!s.supervisor) continue;
    for (let m = 1; m <= months; m++) {
      const date = `2025-${String(m).padStart(2, '0')}-03`;
      sessions.push(supervisionSessionToFhir({ id: `sup-${s.npi}-${m}`, supervisorNpi: s.supervisor.npi, peerNpis: [s.npi], date, minutes: 60, mode: 'individual', organizationNpi: agency }, { agency, namespace: NS }));
    }
  }
  // A continuing-education course per specialist, counted toward the first credential.
  for (const s of a.specialists) {
    sessions.push(continuingEducationToFhir({ id: `ce-${s.npi}`, peerNpi: s.npi, date: '2025-02-10', hours: 6, topic: 'Ethics in peer support', provider: 'State peer training program', ...(s.credentials[0]?.number ? { credentialNumber: s.credentials[0].number } : {}) }, { agency, namespace: NS }));
  }
  yield { resourceType: 'Bundle', type: 'collection', entry: sessions.map((resource) => ({ resource })) };
}

/** The agency's claims (NC pack, placeholder rate) in their bundle, and the 835 remittances of a payer paying them all. */
export function billingOf(a: SyntheticAgency): { bundle: Bundle; claims: Claim[]; remittances: Remittance[] } {
  const pack: RulePack = withPlaceholderRates(getPack('nc-alliance-peer-support-2019'), { H0038: 6.25 }, 'conformance-test price, not a fee schedule');
  const agency = billableAgency(a);
  const lines = evaluate(syntheticBillingContext(agency, pack, {})).lines;
  const bundle = buildClaimBundle(lines, { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants }, { pack, created: '2025-02-01', namespace: NS });
  const claims = (bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Claim' ? [e.resource as Claim] : []));
  if (!claims.length) return { bundle, claims, remittances: [] };
  const text835 = build835ForTest(claims.map((c) => resolveX12ClaimInput(c, bundle)), () => ({ kind: 'paid' }), {
    sender: { id: 'SYNMEDICAID' },
    receiver: { id: 'PEERFHIRTEST' },
    traceNumber: 'EFT1506',
    payer: { name: 'Synthetic Medicaid', tin: '999999999', id: 'SYNMEDICAID' },
    date: new Date('2025-03-02T12:00:00Z'),
    controlNumbers: { isa: 7, gs: 7, st: 1 },
  });
  return { bundle, claims, remittances: read835(text835) };
}

/** The claims, then the ClaimResponses and PaymentReconciliation of the 835 paying them. */
function* billingBundles(a: SyntheticAgency): Generator<Bundle> {
  const { bundle, claims, remittances } = billingOf(a);
  const answers: Resource[] = [...remittances.flatMap((r) => remittanceToClaimResponses(r, claims)), ...remittances.map((r) => toPaymentReconciliation(r))];
  // The answers resolve against the claims and patients they name.
  yield { resourceType: 'Bundle', type: 'collection', entry: [...(bundle.entry ?? []), ...answers.map((resource) => ({ resource }))] };
}

/** The answers a payer gives, in turn: active, inactive, managed care, another payer, rejected. */
const ELIGIBILITY_ANSWERS: SyntheticEligibilityAnswer[] = [
  { kind: 'active', plan: 'Tailored Plan' },
  { kind: 'inactive', endedOn: '20250131' },
  { kind: 'managed-care', name: 'Synthetic Health Plan', payerId: 'SYNMCO1' },
  { kind: 'other-payer', name: 'Synthetic Commercial', payerId: 'SYNCOM1' },
  { kind: 'rejected', code: '75' },
];

const byType = <T extends Resource>(b: Bundle, type: T['resourceType']): T[] => (b.entry ?? []).flatMap((e) => (e.resource?.resourceType === type ? [e.resource as T] : []));

/**
 * Eligibility of each participant's coverage (as `peer-fhir eligibility` asks it: a CoverageEligibilityRequest per
 * member, an X12 270), answered by a synthetic 271, read back as CoverageEligibilityResponses and updated Coverages.
 */
function* eligibilityBundles(a: SyntheticAgency): Generator<Bundle> {
  const records = toFhir({ organizations: [a.organization], specialists: a.specialists, participants: a.participants }, { namespace: NS });
  // Server-assigned ids, as the CLI reads them back from the server.
  const withIds = (records.entry ?? []).map((e, i) => ({ ...e, resource: { ...e.resource!, id: `r${i}` } }));
  const stored: Bundle = { ...records, entry: withIds };
  const patients = byType<Patient>(stored, 'Patient');
  const coverages = byType<Coverage>(stored, 'Coverage');
  const organizations = byType<Organization>(stored, 'Organization');
  const provider = organizations.find((o) => o.identifier?.some((i) => i.value === a.organization.npi))!;
  const urlOf = new Map(withIds.map((e) => [e.fullUrl, `${e.resource.resourceType}/${e.resource.id}`]));
  const ref = (r: { reference?: string } | undefined) => urlOf.get(r?.reference) ?? r?.reference ?? '';
  const inputs: EligibilityInquiryInput[] = coverages.slice(0, 99).map((coverage, i) => {
    const patient = patients.find((p) => `Patient/${p.id}` === ref(coverage.beneficiary))!;
    const payer = organizations.find((o) => `Organization/${o.id}` === ref(coverage.payor[0]))!;
    const request: CoverageEligibilityRequest = {
      resourceType: 'CoverageEligibilityRequest',
      id: `elig-${i + 1}`,
      meta: { profile: [ExchangeProfiles.EligibilityRequest] },
      status: 'active',
      purpose: ['validation', 'benefits'],
      patient: { reference: `Patient/${patient.id}` },
      created: '2025-03-01',
      servicedDate: '2025-03-03',
      insurer: { reference: `Organization/${payer.id}` },
      insurance: [{ focal: true, coverage: { reference: `Coverage/${coverage.id}` } }],
    };
    return { request, patient, coverage, payer, provider };
  });
  if (!inputs.length) return;
  const text270 = write270(inputs, { sender: { id: a.organization.npi }, receiver: { id: 'SYNMEDICAID' }, controlNumbers: { isa: 15, gs: 1 }, usage: 'T', date: new Date('2025-03-01T12:00:00Z') });
  let n = 0;
  const text271 = answer270(text270, { decide: () => ELIGIBILITY_ANSWERS[n++ % ELIGIBILITY_ANSWERS.length]! });
  const out: Resource[] = [...inputs.map((i) => i.request)];
  for (const set of read271(text271)) {
    for (const [j, sub] of set.subscribers.entries()) {
      const input = inputs[j]!;
      const refs = { patient: input.request.patient, request: { reference: `CoverageEligibilityRequest/${input.request.id}` }, insurer: input.request.insurer, coverage: { reference: `Coverage/${input.coverage!.id}` } };
      out.push(toCoverageEligibilityResponse(set, sub, refs, { dateOfService: '2025-03-03' }), coverageFrom271(input.coverage!, set, sub, { dateOfService: '2025-03-03' }));
    }
  }
  yield { resourceType: 'Bundle', type: 'collection', entry: [...withIds.filter((e) => e.resource.resourceType !== 'Coverage'), ...out.map((resource) => ({ resource }))] };
}

/** The disclosure record (AuditEvent) of one consented disclosure per participant with a consent. */
function* disclosureBundles(a: SyntheticAgency): Generator<Bundle> {
  const events: Resource[] = a.consents.slice(0, 50).map((c, i) =>
    buildDisclosureAuditEvent({
      discloser: { npi: a.organization.npi },
      recipient: { npi: '1215908876', kind: 'practitioner' },
      purpose: 'treatment',
      consentIds: [c.id],
      at: '2025-03-04T10:00:00-05:00',
      resources: [`Encounter/e${i}`],
      patients: [`Patient/${c.participantId}`],
      part2: i % 2 === 0,
      channel: 'fhir-bundle',
    }),
  );
  yield { resourceType: 'Bundle', type: 'collection', entry: events.map((resource) => ({ resource })) };
}

/** Options of {@link emittedBundles}. */
export interface EmittedOptions {
  /** Encounters per records bundle. Default 500. */
  slice?: number;
  /** Months of supervision sessions. Default 3. */
  supervisionMonths?: number;
}

/** Every kind of resource peer-fhir emits for the agency, as bundles (see the file header). */
export function* emittedBundles(a: SyntheticAgency, options: EmittedOptions = {}): Generator<Bundle> {
  yield* recordBundles(a, options.slice ?? 500);
  yield* outcomeBundles(a);
  yield* referralBundles(a);
  yield* supervisionResources(a, options.supervisionMonths ?? 3);
  yield* billingBundles(a);
  yield* eligibilityBundles(a);
  yield* disclosureBundles(a);
}

/** Resources per type in the bundles. */
export function countByType(bundles: Iterable<Bundle>, into: Record<string, number> = {}): Record<string, number> {
  for (const b of bundles) for (const e of b.entry ?? []) if (e.resource) into[e.resource.resourceType] = (into[e.resource.resourceType] ?? 0) + 1;
  return into;
}

/** Every resource type peer-fhir emits as FHIR (the SDK's mappers, billing and X12 readers), sorted. */
export const EMITTED_TYPES: readonly string[] = [
  'AuditEvent', 'Basic', 'CarePlan', 'CareTeam', 'Claim', 'ClaimResponse', 'Condition', 'Consent', 'Coverage', 'CoverageEligibilityRequest', 'CoverageEligibilityResponse', 'DocumentReference', 'Encounter', 'Goal', 'Group',
  'Location', 'Observation', 'Organization', 'Patient', 'PaymentReconciliation', 'Practitioner', 'PractitionerRole', 'Provenance', 'Questionnaire',
  'QuestionnaireResponse', 'ServiceRequest', 'Task',
];
