import { addDays } from '../internal/dates.js';
import { finding, type ItemEdit } from '../internal/item.js';
import { latestEligibility } from './eligibility-latest.js';

/** Default freshness: Medicaid members move between fee-for-service and managed care month to month. */
const DEFAULT_STALE_AFTER_DAYS = 30;

/**
 * Warn when no usable eligibility answer covers the date of service, or the latest was received more than
 * `eligibilityStaleAfterDays` (else the pack's `eligibilityCheck.staleAfterDays`, else 30) days before it. Off when the context carries no eligibility answers.
 */
export const eligibilityStaleEdit: ItemEdit = {
  code: 'PB-ELIGIBILITY-STALE',
  check: ({ participant, attendee, dos }, { ctx }) => {
    if (!ctx.eligibility || !participant) return [];
    const days = ctx.eligibilityStaleAfterDays ?? ctx.pack.eligibilityCheck?.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS;
    const latest = latestEligibility(ctx.eligibility, attendee.participantId, dos);
    if (!latest) return [finding('PB-ELIGIBILITY-STALE', 'no usable eligibility answer covers the date of service (none, rejected or silent)')];
    if (latest.checkedOn < addDays(dos, -days)) {
      return [finding('PB-ELIGIBILITY-STALE', `latest eligibility answer is more than ${days} day(s) older than the date of service`)];
    }
    return [];
  },
};
