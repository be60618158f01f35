// Issue 11: each claim carrying Part 2 data is a disclosure to the payer and gets one AuditEvent, returned for the
// caller to store before the claims leave (42 CFR 2.24 / 2.25).
import { describe, expect, it } from 'vitest';
import { readDisclosureAuditEvent } from '@peer-fhir/core';
import { buildClaims, buildCorrectionClaims, claimDisclosureAudits, evaluate, getPack, planCorrections, priorClaimFromFhir } from '../src/index.js';
import { validationProblems } from '../../../test/support/validators.js';
import { context, encounter, ORG_NPI, participant, plan } from './support/factories.js';

const NC = getPack('nc-alliance-peer-support-2019');

describe('claimDisclosureAudits', () => {
  const ctx = context(NC, {
    encounters: [encounter({ date: '2025-01-20', minutes: 45, part2: true }), encounter({ id: 'e-plain', date: '2025-01-21', minutes: 45, attendees: [{ participantId: 'p-2', diagnoses: ['F32.1'] }] })],
    participants: [participant(), participant({ id: 'p-2' })],
    plans: [plan(), plan({ id: 'plan-2', participantId: 'p-2' })],
    serviceOrders: [{ id: 'so-1', participantId: 'p-1', signedDate: '2019-01-01' }, { id: 'so-2', participantId: 'p-2', signedDate: '2019-01-01' }],
  });
  const result = evaluate(ctx);
  const claims = buildClaims(result.lines, { pack: NC, created: '2025-03-01' });

  it('returns one AuditEvent per claim carrying Part 2 data and none for the others', () => {
    expect(claims).toHaveLength(2);
    const audits = claimDisclosureAudits(claims, result.lines, ctx, { discloser: { npi: ORG_NPI }, channel: 'x12-837p' });
    expect(audits).toHaveLength(1);
    const entry = readDisclosureAuditEvent(audits[0]!);
    expect(entry).toMatchObject({ purpose: 'payment', consentIds: ['c-1'], resourceCount: 1, part2: true, channel: 'x12-837p', at: ctx.billedAt });
    expect(entry?.recipient.identifier?.value).toBeDefined();
  });

  it('passes both FHIR validators and refers to the claim and patient by identifier only', () => {
    const [audit] = claimDisclosureAudits(claims, result.lines, ctx, { discloser: { npi: ORG_NPI }, channel: 'x12-837p' });
    expect(validationProblems(audit!)).toEqual([]);
    expect(JSON.stringify(audit)).not.toMatch(/display":"[^"]*(Testperson|Medicaid Plan)/);
  });
});

// Issue 14 (leftover of 12): a void (frequency 8) repeats the original claim's Part 2 data to the payer, so its
// disclosure record names the consent(s) that permitted the original claim (42 CFR 2.24: which consent a disclosure
// relied on), though no billing line stands behind a void.
describe('claimDisclosureAudits for a void', () => {
  const enc = encounter({ date: '2025-01-20', minutes: 45, part2: true });
  const ctx = context(NC, { encounters: [enc], serviceOrders: [{ id: 'so-1', participantId: 'p-1', signedDate: '2019-01-01' }] });
  const original = buildClaims(evaluate(ctx).lines, { pack: NC, created: '2025-02-01' });
  const prior = original.map((c, i) => priorClaimFromFhir(c, { agency: ORG_NPI }, { payerClaimNumber: `ICN${i + 1}` })!);

  it('names the consents that permitted the original claim', () => {
    const later = context(NC, { encounters: [{ ...enc, status: 'entered-in-error' }], priorClaims: prior, serviceOrders: ctx.serviceOrders });
    const voids = buildCorrectionClaims(planCorrections(later), { pack: NC, created: '2025-03-02' });
    expect(voids).toHaveLength(1);
    const [originalAudit] = claimDisclosureAudits(original, evaluate(ctx).lines, ctx, { discloser: { npi: ORG_NPI }, channel: 'x12-837p' });
    const [voidAudit] = claimDisclosureAudits(voids, evaluate(later).lines, later, { discloser: { npi: ORG_NPI }, channel: 'x12-837p' });
    expect(readDisclosureAuditEvent(originalAudit!)?.consentIds).toEqual(['c-1']);
    expect(readDisclosureAuditEvent(voidAudit!)?.consentIds).toEqual(['c-1']);
  });
});
