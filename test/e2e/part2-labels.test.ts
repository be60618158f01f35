// Issue 11, acceptance 3: every resource type the SDK emits from a Part 2 source carries the four Part 2 labels
// (R, SUD, 42CFRPart2, NORDSCLCD) — a table over all mappers: core's toFhir (encounters, plans, consents, coverage),
// referrals, outcomes, billing's Claims and disclosure AuditEvents, x12's ClaimResponses from an 835, the disclosure
// Bundle. Only resources about people and agencies in general (Patient, Practitioner, PractitionerRole, Organization)
// stay unlabelled: they say nothing about SUD treatment by themselves (docs/consent.md states the rule per type).
import type { Claim, Resource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import {
  buildDisclosureAuditEvent,
  ConsentDirective,
  buildDisclosureBundle,
  instrumentResponseBundle,
  isPart2Protected,
  part2SecurityLabels,
  referralBundle,
  toFhir,
} from '@peer-fhir/core';
import { buildClaimBundle, claimDisclosureAudits, evaluate, getPack } from '@peer-fhir/billing';
import { read835, remittanceToClaimResponses, resolveX12ClaimInput } from '@peer-fhir/x12';
import { build835ForTest } from '@peer-fhir/x12/testing';
import { billableAgency, generateAgency, syntheticBillingContext, withPlaceholderRates } from '@peer-fhir/testing';

const FOUR = part2SecurityLabels().map((c) => `${c.system}|${c.code}`).sort();
const hasAllFour = (r: Resource) => FOUR.every((k) => (r.meta?.security ?? []).some((c) => `${c.system}|${c.code}` === k));
const UNLABELLED_BY_RULE = new Set(['Patient', 'Practitioner', 'PractitionerRole', 'Organization']);

// A Part 2 source: every encounter from a Part 2 program; every participant has a plan and a Part 2 consent.
const pack = withPlaceholderRates(getPack('tx-medicaid-peer-specialist-2019'), { H0038: 6.25 }, 'label test price, not a fee schedule');
const agency = (() => {
  const a = billableAgency(generateAgency({ seed: 21, months: 1, participants: 4, state: 'TX', start: '2025-03-01' }));
  const consents = a.participants.map((p) =>
    ConsentDirective.parse({
      id: `c-${p.id}`, participantId: p.id, kind: 'part2-tpo', status: 'active', recipients: [], purposes: ['treatment', 'payment', 'operations'],
      period: { start: '2025-01-01' }, signedDate: '2025-01-01', disclosingOrganizationNpi: a.organization.npi,
    }),
  );
  return { ...a, consents, encounters: a.encounters.map((e) => ({ ...e, part2: true })) };
})();
const participantId = agency.participants[0]!.id;

const emitted: Resource[] = [];
const core = toFhir({
  organizations: [agency.organization],
  specialists: agency.specialists,
  participants: agency.participants,
  // One plan per participant: a revised plan reuses its goals' ids and belongs in a later transaction.
  plans: [...new Map(agency.plans.map((p) => [p.participantId, p])).values()],
  encounters: agency.encounters,
  consents: agency.consents,
});
emitted.push(...(core.entry ?? []).map((e) => e.resource as Resource));
emitted.push(
  ...(referralBundle({
    id: 'ref-1', participantId, direction: 'into-peer-services', category: 'peer-support', requester: { npi: agency.specialists[0]!.npi },
    performer: { name: 'Peer program' }, status: 'requested', authoredOn: '2025-01-02T10:00:00Z', part2: true,
  }, { agency: agency.organization.npi }).entry ?? []).map((e) => e.resource as Resource),
);
emitted.push(
  ...(instrumentResponseBundle({
    id: 'qr-1', instrumentId: 'barc-10', participantId, authored: '2025-01-03T10:00:00Z', part2: true,
    answers: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`q${i + 1}`, 4])),
  }, { agency: agency.organization.npi }).entry ?? []).map((e) => e.resource as Resource),
);
const ctx = syntheticBillingContext(agency, pack);
const result = evaluate(ctx);
if (result.lines.length === 0) throw new Error(`nothing billed: ${[...new Set(result.decisions.flatMap((d) => d.holds.map((h) => h.code)))].join(', ')}`);
const claimBundle = buildClaimBundle(result.lines, { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants }, { pack, created: '2025-03-01' });
const claims = (claimBundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Claim' ? [e.resource as Claim] : []));
emitted.push(...claims);
emitted.push(...claimDisclosureAudits(claims, result.lines, ctx, { discloser: { npi: agency.organization.npi }, channel: 'x12-837p' }));
const text835 = build835ForTest(claims.map((c) => resolveX12ClaimInput(c, claimBundle)), () => ({ kind: 'paid' }), {
  sender: { id: 'SYNMEDICAID' }, receiver: { id: 'PEERFHIRTEST' }, traceNumber: 'EFT1',
  payer: { name: 'Synthetic Medicaid', tin: '999999999', id: 'SYNMEDICAID' }, date: new Date('2025-04-02T12:00:00Z'), controlNumbers: { isa: 1, gs: 1, st: 1 },
});
emitted.push(...read835(text835).flatMap((r) => remittanceToClaimResponses(r, claims)));
const encounterResource = emitted.find((r) => r.resourceType === 'Encounter')!;
const disclosure = buildDisclosureBundle([{ ...encounterResource, id: 'e-1' }], { discloser: { npi: agency.organization.npi }, recipient: { npi: '1234567802' }, purpose: 'treatment', consentIds: ['c-1'], at: '2025-04-01T10:00:00Z' });
emitted.push(disclosure, ...(disclosure.entry ?? []).filter((e) => e.resource?.resourceType === 'Provenance').map((e) => e.resource as Resource));
emitted.push(buildDisclosureAuditEvent({ discloser: { npi: agency.organization.npi }, recipient: { npi: '1234567802' }, purpose: 'treatment', consentIds: ['c-1'], at: '2025-04-01T10:00:00Z', resources: ['Encounter/e-1'], patients: ['Patient/1'], part2: true, channel: 'fhir-bundle' }));

const EXPECTED = [
  'Encounter', 'Condition', 'DocumentReference', 'CarePlan', 'Goal', 'CareTeam', 'Provenance', 'Consent', 'Coverage',
  'ServiceRequest', 'Task', 'QuestionnaireResponse', 'Observation', 'Claim', 'ClaimResponse', 'AuditEvent', 'Bundle',
];

describe('Part 2 labels on every resource derived from a Part 2 source', () => {
  it.each(EXPECTED)('%s carries R, SUD, 42CFRPart2 and NORDSCLCD', (type) => {
    const ofType = emitted.filter((r) => r.resourceType === type);
    expect(ofType.length).toBeGreaterThan(0);
    expect(ofType.filter((r) => !hasAllFour(r)).map((r) => r.resourceType)).toEqual([]);
  });

  it('leaves no other emitted type unlabelled, except people and agencies by rule', () => {
    const unlabelled = [...new Set(emitted.filter((r) => !isPart2Protected(r)).map((r) => r.resourceType))].sort();
    expect(unlabelled.filter((t) => !UNLABELLED_BY_RULE.has(t))).toEqual([]);
  });
});
