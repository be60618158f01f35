// Issue 11: each claim carrying Part 2 data is a disclosure to the payer and gets one AuditEvent, returned for the
// caller to store before the claims leave (42 CFR 2.24 / 2.25).
import { describe, expect, it } from 'vitest';
import { readDisclosureAuditEvent } from '@peer-fhir/core';
import { buildClaims, claimDisclosureAudits, evaluate, getPack } from '../src/index.js';
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
