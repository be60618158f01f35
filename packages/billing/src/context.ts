/**
 * What `evaluate` needs: the pack, the clinical records from @peer-fhir/core, and the billing records this package owns
 * (service orders, prior authorizations, already-billed history, episodes, other services).
 * @module
 */
import { z } from 'zod';
import {
  IsoDate,
  IsoDateTime,
  Npi,
  RecordId,
  type ConsentDirective,
  type Participant,
  type PeerEncounter,
  type PeerSpecialist,
  type RecoveryPlan,
} from '@peer-fhir/core';
import type { Claim } from 'fhir/r4.js';
import type { RulePack } from './pack/schema.js';

const Hcpcs = z.string().regex(/^[A-Z]\d{4}$/, { message: 'must be a HCPCS Level II code' });

/**
 * A service order (referral) signed by a physician or licensed clinician (NC CCP 8G: on or before the first day of service).
 *
 * @see https://www.alliancehealthplan.org/provider-news/changes-to-medicaid-funded-peer-support/
 * @example
 * ```ts
 * ServiceOrder.parse({ id: 'so-1', participantId: 'p-1', signedDate: '2025-01-02', signerNpi: '1245319599' });
 * ```
 * @category Context
 */
export const ServiceOrder = z.object({
  id: RecordId,
  participantId: RecordId,
  signedDate: IsoDate,
  signerNpi: Npi.optional(),
  /** Codes ordered; omitted means any peer service. */
  codes: z.array(Hcpcs).optional(),
  /** Last date the order covers; omitted means open-ended. */
  expires: IsoDate.optional(),
});
export type ServiceOrder = z.infer<typeof ServiceOrder>;

/**
 * A payer's prior authorization: units of a code for a participant over a period.
 *
 * @see https://hl7.org/fhir/R4/claim-definitions.html#Claim.insurance.preAuthRef
 * @example
 * ```ts
 * PriorAuthorization.parse({ id: 'pa-1', participantId: 'p-1', code: 'H0038', period: { start: '2025-01-01', end: '2025-06-30' },
 *   units: 48, reference: 'AUTH123' });
 * ```
 * @category Context
 */
export const PriorAuthorization = z.object({
  id: RecordId,
  participantId: RecordId,
  code: Hcpcs,
  period: z.object({ start: IsoDate, end: IsoDate }),
  units: z.number().int().positive(),
  /** Units already consumed by claims outside this evaluation. */
  unitsUsed: z.number().int().nonnegative().default(0),
  /** The payer's authorization number (Claim.insurance.preAuthRef, 837P REF*G1). */
  reference: z.string().min(1).max(50),
});
export type PriorAuthorization = z.infer<typeof PriorAuthorization>;

/**
 * Units already billed for a participant (earlier claims), counted against caps.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#caps
 * @example
 * ```ts
 * BilledUnits.parse({ participantId: 'p-1', date: '2025-01-02', code: 'H0038', units: 4 });
 * ```
 * @category Context
 */
export const BilledUnits = z.object({
  participantId: RecordId,
  date: IsoDate,
  code: Hcpcs,
  units: z.number().int().nonnegative(),
  /** Units of this entry that were billed under a prior authorization. */
  priorAuthUnits: z.number().int().nonnegative().default(0),
  /** The prior authorization (its payer number, REF*G1) those units were drawn from; they count against it. */
  priorAuthReference: z.string().min(1).max(50).optional(),
});
export type BilledUnits = z.infer<typeof BilledUnits>;

/**
 * An episode of care (NC: unmanaged units once per episode per state fiscal year).
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#caps
 * @example
 * ```ts
 * Episode.parse({ participantId: 'p-1', start: '2025-01-02' });
 * ```
 * @category Context
 */
export const Episode = z.object({ participantId: RecordId, start: IsoDate, end: IsoDate.optional() });
export type Episode = z.infer<typeof Episode>;

/**
 * Another behavioral health service the participant received (TX: peer services may not be simultaneous with them).
 * @see https://www.thecheckup.org/2020/11/06/provider-alert-peer-specialist-services-became-a-benefit-of-texas-medicaid-january-1-2019/
 * @example
 * ```ts
 * OtherService.parse({ participantId: 'p-1', start: '2025-01-02T10:00:00-05:00', end: '2025-01-02T11:00:00-05:00', code: '90837' });
 * ```
 * @category Context
 */
export const OtherService = z.object({ participantId: RecordId, start: IsoDateTime, end: IsoDateTime, code: z.string().min(1).optional() });
export type OtherService = z.infer<typeof OtherService>;

/**
 * What the latest eligibility answer (an X12 271 or a FHIR CoverageEligibilityResponse) said about a participant:
 * `PB-ELIGIBILITY` holds on `inactive` and `other-payer`, `PB-ELIGIBILITY-STALE` warns when it is old or unusable.
 * `reason` is the 271's own words (codes and code-list names, another payer's name) — never a member's name or id.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/eligibility.md
 * @example
 * ```ts
 * EligibilityCheck.parse({ participantId: 'p-1', checkedOn: '2025-03-02', status: 'inactive', reason: '271 says Inactive (EB01 6)' });
 * ```
 * @category Context
 */
export const EligibilityCheck = z.object({
  participantId: RecordId,
  /** Date the payer answered (271 BHT04 / CoverageEligibilityResponse.created). */
  checkedOn: IsoDate,
  status: z.enum(['active', 'inactive', 'other-payer', 'rejected', 'unknown']),
  reason: z.string().min(1).max(500),
  /** Dates the answer covers; omitted means it speaks for any date. */
  period: z.object({ start: IsoDate.optional(), end: IsoDate.optional() }).optional(),
  /** The other payer or managed-care plan named by the 271 (EB01 MC/R + 2120C). */
  otherPayer: z.object({ name: z.string().min(1).optional(), id: z.string().min(1).optional() }).optional(),
});
export type EligibilityCheck = z.infer<typeof EligibilityCheck>;

/**
 * One encounter x participant a claim billed, with what it billed (to tell an amended encounter from an unchanged one).
 *
 * @see https://hl7.org/fhir/R4/claim-definitions.html#Claim.item
 * @example
 * ```ts
 * PriorClaimItem.parse({ encounterId: 'enc-1', participantId: 'p-1', dateOfService: '2025-03-03', code: 'H0038', modifiers: [], units: 4, charge: 18.5, diagnoses: ['F11.20'] });
 * ```
 * @category Context
 */
export const PriorClaimItem = z.object({
  encounterId: RecordId,
  participantId: RecordId,
  dateOfService: IsoDate,
  code: Hcpcs,
  modifiers: z.array(z.string()).default([]),
  units: z.number().int().nonnegative(),
  charge: z.number().nullable(),
  diagnoses: z.array(z.string()).default([]),
});
export type PriorClaimItem = z.infer<typeof PriorClaimItem>;

/**
 * A claim sent earlier (a stored Claim and what the payer answered), for the duplicate edit and for corrections: an
 * encounter on an active prior claim is never billed again as an original; a changed one is billed as a replacement
 * (frequency 7), a voided one as a void (8), both naming `payerClaimNumber` (837P REF*F8).
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/corrections.md
 * @example
 * ```ts
 * PriorClaim.parse({ claimId: '1234567893_p-1_TXMCD_2025-03', created: '2025-04-01', payerClaimNumber: 'ICN0001', items: [] });
 * ```
 * @category Context
 */
export const PriorClaim = z.object({
  /** Our claim identifier (CLM01). */
  claimId: z.string().min(1),
  /** CLM05-3: 1 original, 7 replacement, 8 void. */
  frequency: z.enum(['1', '7', '8']).default('1'),
  /** Claim.created; orders claims of one chain. */
  created: z.string().min(1),
  /** The payer's claim control number (835 CLP07), once the payer has answered. */
  payerClaimNumber: z.string().min(1).optional(),
  /** For a replacement or void: the payer claim number of the claim it corrects. */
  replaces: z.string().min(1).optional(),
  /** Refused before adjudication (999 / 277CA rejection): the services may be billed again as an original. */
  rejected: z.boolean().default(false),
  items: z.array(PriorClaimItem),
  /** The stored Claim itself: a void (frequency 8) repeats it. */
  source: z.custom<Claim>((v) => typeof v === 'object' && v !== null && (v as { resourceType?: unknown }).resourceType === 'Claim').optional(),
});
export type PriorClaim = z.infer<typeof PriorClaim>;

/**
 * Everything one pre-bill evaluation reads. Records must already be parsed with their core schemas.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#context
 * @example
 * ```ts
 * const ctx: BillingContext = { pack: getPack('nj-horizon-sud-peer-2020'), encounters, participants, specialists,
 *   plans: [], consents, serviceOrders: [], priorAuthorizations: [], history: [] };
 * ```
 * @category Context
 */
export interface BillingContext {
  pack: RulePack;
  encounters: readonly PeerEncounter[];
  participants: readonly Participant[];
  specialists: readonly PeerSpecialist[];
  plans?: readonly RecoveryPlan[];
  consents?: readonly ConsentDirective[];
  serviceOrders?: readonly ServiceOrder[];
  priorAuthorizations?: readonly PriorAuthorization[];
  /** Units already billed before this evaluation. */
  history?: readonly BilledUnits[];
  /**
   * Claims sent before (with the payer's claim numbers): turns on `PB-DUPLICATE` (an encounter on an active prior
   * claim is not billed again as an original) and lets `planCorrections` find replacements and voids.
   */
  priorClaims?: readonly PriorClaim[];
  episodes?: readonly Episode[];
  otherServices?: readonly OtherService[];
  /**
   * Identifier namespace, the same one given to core's mappers. A Part 2 consent names the payer as recipient by the
   * identifier `identifierSystems(namespace).payer | payerId`.
   */
  namespace?: string;
  /**
   * The billing run's instant, a timestamp with offset: when the claims are disclosed to the payer. A Part 2
   * encounter is decided at its date of service and at this instant; without it, Part 2 encounters are held.
   */
  billedAt?: string;
  /**
   * The Part 2 billing rule: `reliance` (default) bills when a consent covering payment to the payer is in effect at
   * `billedAt` or was in effect on the date of service (42 CFR 2.31(a)(6)); `strict` requires both.
   */
  part2ConsentRule?: 'reliance' | 'strict';
  /** Coverage payer id to bill; omitted means the participant's coverage active on the date of service. */
  payerId?: string;
  /**
   * Eligibility answers (271 / CoverageEligibilityResponse). Omitted turns `PB-ELIGIBILITY` and `PB-ELIGIBILITY-STALE`
   * off; given (even empty), every item needs a usable answer covering its date of service.
   */
  eligibility?: readonly EligibilityCheck[];
  /**
   * Days an eligibility answer stays fresh before the date of service (`PB-ELIGIBILITY-STALE`); default 30 (Medicaid
   * members churn between fee-for-service and managed care monthly).
   */
  eligibilityStaleAfterDays?: number;
  /**
   * Units over a `hold` cap or without prior authorization: `split` (default) bills the units within the limit and holds
   * the rest; `hold-whole` holds the whole encounter line.
   */
  capPolicy?: 'split' | 'hold-whole';
}
