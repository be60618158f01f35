/**
 * Rule-pack sections about who and what may be billed: group size, place of service, telehealth, age, diagnosis,
 * credentials, supervision, required artefacts, claim grouping.
 * @module
 */
import { z } from 'zod';
import { Modality, Modifier, Pos, Program } from '../internal/pack-primitives.js';
import { RuleSource } from './source.js';

/**
 * Group size and staff ratios.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#grouprule
 * @example
 * ```json
 * { "maxSize": 12, "staffRatios": [{ "staff": "CPSS group facilitator", "per": "group member", "max": 12 }], "source": { ... } }
 * ```
 * @category Rule packs
 */
export const GroupRule = z.strictObject({
  maxSize: z.number().int().min(2).optional(),
  /** Program staffing ratios (informational; not checkable from claims data). */
  staffRatios: z.array(z.strictObject({ staff: z.string().min(1), per: z.string().min(1), max: z.number().int().positive() })).default([]),
  source: RuleSource,
});
export type GroupRule = z.infer<typeof GroupRule>;

/**
 * Places of service accepted for in-person services.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#placeofservicerule
 * @example
 * ```json
 * { "allowed": ["11", "12", "53", "57"], "source": { ... } }
 * ```
 * @category Rule packs
 */
export const PlaceOfServiceRule = z.strictObject({ allowed: z.array(Pos).min(1), source: RuleSource });
export type PlaceOfServiceRule = z.infer<typeof PlaceOfServiceRule>;

/**
 * Telehealth delivery: modifiers and POS codes per modality, and modifiers the payer rejects.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#telehealthrule
 * @example
 * ```json
 * { "allowedModalities": ["in-person", "audio-only"], "audioOnly": { "modifiers": ["UK"], "placesOfService": ["02"] }, "rejectedModifiers": ["95"], "source": { ... } }
 * ```
 * @category Rule packs
 */
export const TelehealthRule = z.strictObject({
  allowedModalities: z.array(Modality).min(1),
  video: z.strictObject({ modifiers: z.array(Modifier).default([]), placesOfService: z.array(Pos).min(1) }).optional(),
  audioOnly: z.strictObject({ modifiers: z.array(Modifier).default([]), placesOfService: z.array(Pos).min(1) }).optional(),
  /** Modifiers the payer denies (GA DBHDD: 95). */
  rejectedModifiers: z.array(Modifier).default([]),
  source: RuleSource,
});
export type TelehealthRule = z.infer<typeof TelehealthRule>;

/**
 * Age bounds on the date of service, in whole years.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#agerule
 * @example
 * ```json
 * { "minYears": 21, "source": { ... } }
 * ```
 * @category Rule packs
 */
export const AgeRule = z.strictObject({
  minYears: z.number().int().nonnegative().optional(),
  maxYears: z.number().int().nonnegative().optional(),
  source: RuleSource,
});
export type AgeRule = z.infer<typeof AgeRule>;

/**
 * An ICD-10-CM category range (`F10`–`F19`) or a code prefix (`F43.1`).
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#diagnosismatcher
 * @example
 * ```json
 * { "from": "F10", "to": "F19" }
 * ```
 * @category Rule packs
 */
export const DiagnosisMatcher = z.union([
  z.strictObject({ from: z.string().regex(/^[A-Z]\d{2}$/), to: z.string().regex(/^[A-Z]\d{2}$/) }),
  z.strictObject({ prefix: z.string().regex(/^[A-Z]\d[0-9A-Z]?(\.[0-9A-Z]{0,4})?$/) }),
]);
export type DiagnosisMatcher = z.infer<typeof DiagnosisMatcher>;

/**
 * Diagnosis requirement and allow-lists per program.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#diagnosisrule
 * @example
 * ```json
 * { "required": true, "allow": [{ "programs": ["substance-use"], "codes": [{ "from": "F10", "to": "F19" }] }], "source": { ... } }
 * ```
 * @category Rule packs
 */
export const DiagnosisRule = z.strictObject({
  required: z.boolean(),
  /** Allow-lists; the first entry whose programs include the encounter's program applies. No entry = any code. */
  allow: z.array(z.strictObject({ programs: z.array(Program).min(1).optional(), codes: z.array(DiagnosisMatcher).min(1) })).default([]),
  source: RuleSource,
});
export type DiagnosisRule = z.infer<typeof DiagnosisRule>;

/**
 * Accepted peer credentials and endorsements.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#credentialrule
 * @example
 * ```json
 * { "acceptedKinds": ["CPSS"], "states": ["NC"], "endorsementsByProgram": { "substance-use": ["SUD"] }, "source": { ... } }
 * ```
 * @category Rule packs
 */
export const CredentialRule = z.strictObject({
  /** Credential kinds accepted (CPSS, CPS, MHPS…); empty means any kind. */
  acceptedKinds: z.array(z.string().min(1)).default([]),
  /** Issuing states accepted; empty means any state. */
  states: z.array(z.string().regex(/^[A-Z]{2}$/)).default([]),
  /** Endorsements the credential must carry per program (any one of the list). */
  endorsementsByProgram: z.partialRecord(Program, z.array(z.enum(['MH', 'SUD', 'youth', 'family', 'forensic'])).min(1)).default({}),
  source: RuleSource,
});
export type CredentialRule = z.infer<typeof CredentialRule>;

/**
 * Whether a supervisor must be on record for the rendering peer.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#supervisionrule
 * @example
 * ```json
 * { "required": true, "source": { ... } }
 * ```
 * @category Rule packs
 */
export const SupervisionRule = z.strictObject({ required: z.boolean(), description: z.string().optional(), source: RuleSource });
export type SupervisionRule = z.infer<typeof SupervisionRule>;

/**
 * A span of days and/or months.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#span
 * @example
 * ```json
 * { "months": 6 }
 * ```
 * @category Rule packs
 */
export const Span = z
  .strictObject({ days: z.number().int().nonnegative().optional(), months: z.number().int().nonnegative().optional() })
  .refine((s) => s.days !== undefined || s.months !== undefined, { message: 'give days or months' });
export type Span = z.infer<typeof Span>;

/**
 * Recovery/service plan requirements.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#planrule
 * @example
 * ```json
 * { "required": true, "signatures": ["participant", "peer", "clinician"], "signedWithin": { "months": 1 }, "reviewEvery": { "months": 6 }, "source": { ... } }
 * ```
 * @category Rule packs
 */
export const PlanRule = z.strictObject({
  required: z.boolean(),
  signatures: z.array(z.enum(['participant', 'peer', 'clinician'])).default([]),
  /** Grace period after the first date of service during which services bill before the plan is signed. */
  signedWithin: Span.optional(),
  /** Longest time between reviews (re-signing); `reviewDue` on the plan is always enforced. */
  reviewEvery: Span.optional(),
  source: RuleSource,
});
export type PlanRule = z.infer<typeof PlanRule>;

/**
 * Service order (referral) signed by a licensed clinician on or before the date of service.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#serviceorderrule
 * @example
 * ```json
 * { "required": true, "source": { ... } }
 * ```
 * @category Rule packs
 */
export const ServiceOrderRule = z.strictObject({ required: z.boolean(), source: RuleSource });
export type ServiceOrderRule = z.infer<typeof ServiceOrderRule>;

/**
 * Documents that must exist before billing.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#artefactrules
 * @example
 * ```json
 * { "serviceOrder": { "required": true, "source": { ... } } }
 * ```
 * @category Rule packs
 */
export const ArtefactRules = z.strictObject({
  plan: PlanRule.optional(),
  serviceOrder: ServiceOrderRule.optional(),
});
export type ArtefactRules = z.infer<typeof ArtefactRules>;

/**
 * How billable lines are grouped into claims.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#claimgroupingrule
 * @example
 * ```json
 * { "period": "month", "source": { ... } }
 * ```
 * @category Rule packs
 */
export const ClaimGroupingRule = z.strictObject({ period: z.enum(['month', 'date-of-service']), source: RuleSource });
export type ClaimGroupingRule = z.infer<typeof ClaimGroupingRule>;

/**
 * How fresh an eligibility answer (271) must be: `PB-ELIGIBILITY-STALE` warns when the latest usable answer is more
 * than `staleAfterDays` days older than the date of service. A context's `eligibilityStaleAfterDays` overrides it.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/eligibility.md
 * @example
 * ```json
 * { "staleAfterDays": 30, "source": { ... } }
 * ```
 * @category Rule packs
 */
export const EligibilityCheckRule = z.strictObject({ staleAfterDays: z.number().int().min(1).max(366), source: RuleSource });
export type EligibilityCheckRule = z.infer<typeof EligibilityCheckRule>;
