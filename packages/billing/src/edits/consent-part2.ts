import { canDisclose, identifierSystems, part2SecurityLabels, type DisclosureRecipient, type MedicaidCoverage } from '@peer-fhir/core';
import { finding, type ItemEdit } from '../internal/item.js';

// What the payer receives: a Claim carrying the Part 2 labels (42 CFR 2.32), so core decides as for the real disclosure.
const PART2_CLAIM = { resourceType: 'Claim', meta: { security: part2SecurityLabels() } } as const;

/** The payer as a disclosure recipient: an organization named by its payer identifier, within the TPO class. */
function payerRecipient(coverage: MedicaidCoverage, agency: string, namespace: string | undefined): DisclosureRecipient {
  // 42 CFR 2.31(a)(4)(i): third-party payers are in the class a single TPO consent may designate.
  return { kind: 'organization', isTpoRecipient: true, identifier: { system: identifierSystems({ agency, namespace }).payer, value: coverage.payerId } };
}

/**
 * Part 2 records may go to a payer only with a consent for payment (42 CFR 2.31, 2.33(b)), decided by core's
 * `canDisclose` at the date of service. A consent revoked after the date of service still covers it: "acting in
 * reliance includes the provision of treatment services in reliance on a valid consent to disclose information to a
 * third-party payer" (42 CFR 2.31(a)(6)); core's `consentStateAt` treats a later revocation as active at that date.
 */
export const consentPart2Edit: ItemEdit = {
  code: 'PB-CONSENT-PART2',
  check: ({ encounter, participant, coverage, dos }, { ctx }) => {
    if (!encounter.part2 || !participant || !coverage) return [];
    const decision = canDisclose({
      resource: PART2_CLAIM,
      recipient: payerRecipient(coverage, encounter.organizationNpi, ctx.namespace),
      purpose: 'payment',
      at: dos,
      consents: (ctx.consents ?? []).filter((c) => c.participantId === participant.id),
      participantId: participant.id,
    });
    if (decision.decision === 'permit') return [];
    // Core's reason codes name rules only; its messages carry consent ids, which findings never do.
    const codes = [...new Set(decision.reasons.map((r) => r.code))].sort();
    return [
      finding(
        'PB-CONSENT-PART2',
        `no Part 2 consent permits disclosure to this payer for payment on the date of service${codes.length ? ` (${codes.join(', ')})` : ''}`,
      ),
    ];
  },
};
