import { canDisclose, identifierSystems, part2SecurityLabels, type ConsentDirective, type DisclosureDecision, type DisclosureRecipient } from '@peer-fhir/core';
import type { BillingContext } from '../context.js';
import { finding, type ItemEdit } from '../internal/item.js';

// What the payer receives: a Claim carrying the Part 2 labels (42 CFR 2.32), so core decides as for the real disclosure.
const PART2_CLAIM = { resourceType: 'Claim', meta: { security: part2SecurityLabels() } } as const;

/** The payer as a disclosure recipient: an organization named by its payer identifier, within the TPO class. */
export function payerRecipient(payerId: string, agency: string, namespace: string | undefined): DisclosureRecipient {
  // 42 CFR 2.31(a)(4)(i): third-party payers are in the class a single TPO consent may designate.
  return { kind: 'organization', isTpoRecipient: true, identifier: { system: identifierSystems({ agency, namespace }).payer, value: payerId } };
}

/**
 * The Part 2 billing rule, at its two instants: the date of service and the billing run (`billedAt`, the moment the
 * claim is disclosed to the payer). Default `reliance`: permit when a consent covering payment to this payer is in
 * effect at the billing run, or was in effect on the date of service — "acting in reliance includes the provision of
 * treatment services in reliance on a valid consent to disclose information to a third-party payer"
 * (42 CFR 2.31(a)(6)), so a consent revoked after the service still covers it, and a consent signed after the
 * service but before billing is in effect when the claim is disclosed. `strict` requires both. Returns the two
 * decisions and the consents relied on (`undefined` when the rule does not permit).
 * @internal
 */
export function part2BillingDecision(
  ctx: Pick<BillingContext, 'consents' | 'namespace' | 'billedAt' | 'part2ConsentRule'>,
  participantId: string,
  payerId: string,
  dos: string,
  agency: string,
): { permitted: boolean; consentIds: string[]; atService: DisclosureDecision; atBilling: DisclosureDecision | undefined } {
  const consents: ConsentDirective[] = (ctx.consents ?? []).filter((c) => c.participantId === participantId);
  const ask = (at: string) =>
    canDisclose({ resource: PART2_CLAIM, recipient: payerRecipient(payerId, agency, ctx.namespace), purpose: 'payment', at, consents, participantId });
  const atService = ask(dos);
  const atBilling = ctx.billedAt === undefined ? undefined : ask(ctx.billedAt);
  const ok = (d: DisclosureDecision | undefined) => d?.decision === 'permit';
  // Without the billing run's instant there is no disclosure moment to decide at: fail closed.
  const permitted = atBilling !== undefined && ((ctx.part2ConsentRule ?? 'reliance') === 'strict' ? ok(atService) && ok(atBilling) : ok(atService) || ok(atBilling));
  const consentIds = permitted ? [...new Set([...(ok(atBilling) ? (atBilling?.consentIds ?? []) : []), ...(ok(atService) ? atService.consentIds : [])])] : [];
  return { permitted, consentIds, atService, atBilling };
}

/**
 * Part 2 records may go to a payer only with a consent for payment (42 CFR 2.31, 2.33(b)), decided by core's
 * `canDisclose` at the date of service and at the billing run's instant (`BillingContext.billedAt`); see
 * {@link part2BillingDecision} for the rule and `BillingContext.part2ConsentRule` for the strict option.
 */
export const consentPart2Edit: ItemEdit = {
  code: 'PB-CONSENT-PART2',
  check: ({ encounter, participant, coverage, dos }, { ctx }) => {
    if (!encounter.part2 || !participant || !coverage) return [];
    if (ctx.billedAt === undefined) {
      return [finding('PB-CONSENT-PART2', 'a Part 2 claim is a disclosure to the payer at the billing run, and the billing run instant (billedAt) was not given')];
    }
    const d = part2BillingDecision(ctx, participant.id, coverage.payerId, dos, encounter.organizationNpi);
    if (d.permitted) return [];
    // Core's reason codes name rules only; its messages carry consent ids, which findings never do.
    const codes = [...new Set([...d.atService.reasons, ...(d.atBilling?.reasons ?? [])].filter((r) => r.code !== 'CONSENT-PERMITS').map((r) => r.code))].sort();
    const when = (ctx.part2ConsentRule ?? 'reliance') === 'strict' ? 'both on the date of service and at the billing run' : 'on the date of service or at the billing run';
    return [finding('PB-CONSENT-PART2', `no Part 2 consent permits disclosure to this payer for payment ${when}${codes.length ? ` (${codes.join(', ')})` : ''}`)];
  },
};
