import { ACTIVE_CODES, INACTIVE_CODES, OTHER_PAYER_CODES } from './codes.js';
import type { BenefitEntity, DateRange, EligibilityBenefit, EligibilityRejection, EligibilityResponseSet, EligibilitySubscriber } from './types.js';

/**
 * What a 271 means for billing on a date of service: covered, not covered, covered by another payer (an MCO), or not
 * answered — with the reason in the 271's own words (codes and code-list names; another payer's organization name).
 *
 * @category Eligibility
 */
export interface EligibilityVerdict {
  readonly status: 'active' | 'inactive' | 'other-payer' | 'rejected' | 'unknown';
  /** What the 271 said, e.g. `271 says Inactive (EB01 6)`; never a member's name, id or birth date. */
  readonly reason: string;
  /** The coverage dates the 271 gave for the deciding benefit (or the subscriber's plan/eligibility dates). */
  readonly period?: DateRange;
  /** The other payer or managed-care plan (EB01 MC/R with its 2120C entity). */
  readonly otherPayer?: BenefitEntity;
  /** Plan facts for the Coverage: EB05 description, REF*18 plan number, REF*6P group number, EB04 insurance type. */
  readonly plan?: { readonly description?: string; readonly number?: string; readonly group?: string; readonly insuranceType?: string };
  readonly rejections: readonly EligibilityRejection[];
}

/** Options of {@link eligibilityVerdict}. @category Eligibility */
export interface EligibilityVerdictOptions {
  /** `YYYY-MM-DD`: only benefits whose dates cover it count. Default: every benefit. */
  readonly dateOfService?: string;
  /**
   * Service types that matter (EB03); a benefit with no service type applies to all. Default: `30` (health benefit plan
   * coverage) and the behavioral health types peer support is asked under (`MH`, `AI`, `A4`, `A6`, `A8`, `AJ`, `AK`).
   */
  readonly serviceTypes?: readonly string[];
}

const DEFAULT_SERVICE_TYPES = ['30', 'MH', 'AI', 'A4', 'A6', 'A8', 'AJ', 'AK'];
/** Entity roles that name a payer or plan (not a PCP or a facility). */
const PAYER_ROLES = new Set(['PR', 'PRP', 'SEP', 'TTP', 'Y2', 'P5', '1I', 'I3', '2B']);

const covers = (p: DateRange | undefined, dos: string | undefined) =>
  dos === undefined || p === undefined || ((p.start === undefined || p.start <= dos) && (p.end === undefined || dos <= p.end));

const rejectionWords = (r: EligibilityRejection) =>
  `${r.code} ${r.text} at ${r.loop}${r.followUp ? ` (follow-up ${r.followUp}: ${r.followUpText})` : ''}`;

/**
 * Decide what a 271 answer says about one member (on a date of service): rejected when the payer returned an AAA for
 * the payer, provider or subscriber loop; other-payer when a relevant benefit is EB01 `MC` (managed care coordinator)
 * or `R` (other or additional payer) naming a payer entity; active when a relevant benefit is EB01 `1`–`5`;
 * inactive when it is `6`–`8`; unknown otherwise.
 *
 * Spec: 005010X279A1 2110C EB01 (code list 1390), 2120C NM101, AAA03 (code list 901).
 *
 * @param set - the 271 transaction set
 * @param sub - the 2000C subscriber answer
 * @param options - the date of service and the service types asked about
 * @returns the verdict with its reasons
 * @example
 * ```ts
 * import { eligibilityVerdict, read271 } from '@peer-fhir/x12';
 * declare const text: string;
 * const [set] = read271(text);
 * const verdict = eligibilityVerdict(set!, set!.subscribers[0]!, { dateOfService: '2025-03-03' });
 * if (verdict.status !== 'active') console.log(verdict.reason);
 * ```
 * @category Eligibility
 */
export function eligibilityVerdict(set: EligibilityResponseSet, sub: EligibilitySubscriber, options: EligibilityVerdictOptions = {}): EligibilityVerdict {
  const rejections = [...set.rejections, ...sub.rejections];
  if (rejections.length) {
    return { status: 'rejected', reason: `271 rejected the inquiry: ${rejections.map(rejectionWords).join('; ')}`, rejections };
  }
  const types = new Set(options.serviceTypes ?? DEFAULT_SERVICE_TYPES);
  const dos = options.dateOfService;
  const fallback = sub.eligibilityPeriod ?? sub.planPeriod;
  // The 2100C plan/eligibility dates say when the member was covered; they bound active answers, not an EB01 6-8
  // "inactive" answer, which speaks for the date asked unless the EB carries its own dates.
  const relevant = sub.benefits.filter(
    (b) =>
      (b.serviceTypes.length === 0 || b.serviceTypes.some((t) => types.has(t))) &&
      covers(b.period ?? (INACTIVE_CODES.has(b.code) ? undefined : fallback), dos),
  );
  const planOf = (b: EligibilityBenefit | undefined): EligibilityVerdict['plan'] => {
    const refs = [...(b?.references ?? []), ...sub.references];
    const number = refs.find((r) => r.qualifier === '18')?.value;
    const group = refs.find((r) => r.qualifier === '6P')?.value;
    const out = {
      ...(b?.planDescription ? { description: b.planDescription } : {}),
      ...(number ? { number } : {}),
      ...(group ? { group } : {}),
      ...(b?.insuranceType ? { insuranceType: b.insuranceType } : {}),
    };
    return Object.keys(out).length ? out : undefined;
  };
  const result = (status: EligibilityVerdict['status'], b: EligibilityBenefit, extra: Partial<EligibilityVerdict> = {}): EligibilityVerdict => {
    const period = b.period ?? fallback;
    const plan = planOf(b);
    return {
      status,
      reason: `271 says ${b.text} (EB01 ${b.code})${extra.otherPayer ? `: ${extra.otherPayer.roleText}${extra.otherPayer.name ? ` ${extra.otherPayer.name}` : ''}` : ''}`,
      ...(period ? { period } : {}),
      ...(plan ? { plan } : {}),
      rejections: [],
      ...extra,
    };
  };
  for (const b of relevant) {
    if (!OTHER_PAYER_CODES.has(b.code)) continue;
    const entity = b.entities.find((e) => PAYER_ROLES.has(e.role));
    if (entity) return result('other-payer', b, { otherPayer: entity });
  }
  const active = relevant.find((b) => ACTIVE_CODES.has(b.code));
  if (active) return result('active', active);
  const inactive = relevant.find((b) => INACTIVE_CODES.has(b.code));
  if (inactive) return result('inactive', inactive);
  // 2110C AAA: the payer rejected the service asked (e.g. 53 benefit inconsistent with provider type)
  const benefitRejections = relevant.flatMap((b) => b.rejections);
  if (benefitRejections.length) {
    return { status: 'rejected', reason: `271 rejected the inquiry: ${benefitRejections.map(rejectionWords).join('; ')}`, rejections: benefitRejections };
  }
  const other = relevant[0];
  if (other) return { status: 'unknown', reason: `271 gives no coverage status, only ${other.text} (EB01 ${other.code})`, rejections: [] };
  return {
    status: 'unknown',
    reason: dos === undefined ? '271 has no eligibility benefit for the service types asked' : '271 has no eligibility benefit for the service types asked on the date of service',
    rejections: [],
  };
}

