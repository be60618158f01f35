import type { RecoveryPlan } from '@peer-fhir/core';
import type { Span } from '../pack/schema.js';
import { addDays, addMonths, within } from '../internal/dates.js';
import { finding, type ItemEdit } from '../internal/item.js';

const plus = (date: string, s: Span) => addDays(addMonths(date, s.months ?? 0), s.days ?? 0);
const spanText = (s: Span) => [s.months ? `${s.months} month(s)` : '', s.days ? `${s.days} day(s)` : ''].filter(Boolean).join(' ');

/**
 * A signed, current recovery plan (PA OMHSAS: within 1 month, reviewed every 6 months, signed by the individual, peer and
 * MH professional; OH OAC 5160-27-14(C)(1)(c): current individualized treatment plan).
 */
export const planEdit: ItemEdit = {
  code: 'PB-PLAN',
  check: ({ participant, dos }, { pack, ctx, firstService }) => {
    const rule = pack.artefacts.plan;
    if (!rule?.required || !participant) return [];
    const first = firstService.get(participant.id) ?? dos;
    if (rule.signedWithin && dos < plus(first, rule.signedWithin)) return [];
    const plans = (ctx.plans ?? []).filter((p) => p.participantId === participant.id && within(dos, p.period.start, p.period.end));
    const candidates = plans.filter((p) => p.status === 'active' || p.status === 'completed');
    if (candidates.length === 0) return [finding('PB-PLAN', 'no active recovery plan covers the date of service')];
    const problems: string[] = [];
    for (const p of candidates) {
      const why = planProblem(p, rule.signatures, dos, first, rule.signedWithin, rule.reviewEvery);
      if (why === undefined) return [];
      problems.push(why);
    }
    return [finding('PB-PLAN', problems[0] as string)];
  },
};

function planProblem(
  p: RecoveryPlan,
  roles: readonly string[],
  dos: string,
  first: string,
  signedWithin: Span | undefined,
  reviewEvery: Span | undefined,
): string | undefined {
  const signed = new Map<string, string>(p.signatures.map((s) => [s.role, s.signedAt.slice(0, 10)]));
  const missing = roles.filter((r) => !signed.has(r) || (signed.get(r) as string) > dos);
  if (missing.length > 0) return `plan lacks signature(s) of ${missing.join(', ')} on or before the date of service`;
  if (signedWithin && roles.length > 0) {
    const deadline = plus(first, signedWithin);
    const lastSigned = roles.map((r) => signed.get(r) as string).sort().at(-1) as string;
    if (lastSigned > deadline && dos < lastSigned) return `plan was not signed within ${spanText(signedWithin)} of the first service`;
  }
  if (dos > p.reviewDue) return 'plan review is overdue on the date of service';
  if (reviewEvery) {
    const dates = [...signed.values()].sort();
    const base = dates.at(-1) ?? p.period.start;
    if (dos > plus(base, reviewEvery)) return `plan has not been reviewed within ${spanText(reviewEvery)}`;
  }
  return undefined;
}
