/** The eligibility answer that speaks for an item: the latest usable one whose dates cover the date of service. @internal */
import type { EligibilityCheck } from '../context.js';
import { within } from '../internal/dates.js';

/** Statuses that say something about coverage (a rejected or silent 271 does not). */
const USABLE = new Set<EligibilityCheck['status']>(['active', 'inactive', 'other-payer']);

export function latestEligibility(checks: readonly EligibilityCheck[], participantId: string, dos: string): EligibilityCheck | undefined {
  let best: EligibilityCheck | undefined;
  for (const c of checks) {
    if (c.participantId !== participantId || !USABLE.has(c.status)) continue;
    if (c.period && !within(dos, c.period.start ?? '0000-01-01', c.period.end)) continue;
    // later answers win; on the same day the later entry in the list (the last one read)
    if (!best || c.checkedOn >= best.checkedOn) best = c;
  }
  return best;
}
