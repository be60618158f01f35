import { finding, type ItemEdit } from '../internal/item.js';
import { latestEligibility } from './eligibility-latest.js';

/**
 * The participant's latest eligibility answer covering the date of service must not say inactive (271 EB01 6–8) or
 * name another payer (EB01 MC/R, e.g. the member's Medicaid MCO) than the one billed. The hold repeats what the 271
 * said. Off when the context carries no eligibility answers.
 */
export const eligibilityEdit: ItemEdit = {
  code: 'PB-ELIGIBILITY',
  check: ({ participant, attendee, dos, coverage }, { ctx }) => {
    if (!ctx.eligibility || !participant) return [];
    const latest = latestEligibility(ctx.eligibility, attendee.participantId, dos);
    if (!latest) return [];
    if (latest.status === 'inactive') return [finding('PB-ELIGIBILITY', `latest eligibility answer: ${latest.reason}`)];
    if (latest.status === 'other-payer') {
      // Billing that payer already (the MCO is the coverage's payer): nothing to hold
      const billed = coverage?.payerId ?? ctx.payerId;
      if (latest.otherPayer?.id !== undefined && latest.otherPayer.id === billed) return [];
      return [finding('PB-ELIGIBILITY', `latest eligibility answer: ${latest.reason} — bill that payer`)];
    }
    return [];
  },
};
