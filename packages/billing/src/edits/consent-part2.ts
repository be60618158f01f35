import { allowsPaymentDisclosure } from '../internal/consent.js';
import { finding, type ItemEdit } from '../internal/item.js';

/**
 * Part 2 records may go to a payer only with a consent for payment (42 CFR 2.31, 2.33(b)).
 * TODO(core): use core's `canDisclose` when it lands; the check is local until then.
 */
export const consentPart2Edit: ItemEdit = {
  code: 'PB-CONSENT-PART2',
  check: ({ encounter, participant, coverage, dos }, { ctx }) => {
    if (!encounter.part2 || !participant || !coverage) return [];
    const ok = (ctx.consents ?? []).some((c) => allowsPaymentDisclosure(c, participant.id, coverage, dos));
    return ok ? [] : [finding('PB-CONSENT-PART2', 'no active Part 2 consent naming this payer for payment covers the date of service')];
  },
};
