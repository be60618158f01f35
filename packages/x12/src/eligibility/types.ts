/**
 * What a 271 says, typed: one {@link EligibilityResponseSet} per ST..SE transaction set, one
 * {@link EligibilitySubscriber} per 2000C loop. Values (names, member ids) are data here and never reach an error.
 */

/** A FHIR-style date range (`YYYY-MM-DD`); either end may be open. @category Eligibility */
export interface DateRange {
  readonly start?: string;
  readonly end?: string;
}

/**
 * One AAA request validation segment: the payer could not answer (part of) the inquiry.
 *
 * @category Eligibility
 */
export interface EligibilityRejection {
  /** Loop the AAA sits in: 2000A/2100A (payer), 2100B (provider), 2100C (subscriber), 2110C (one benefit). */
  readonly loop: '2000A' | '2100A' | '2100B' | '2100C' | '2110C';
  /** AAA03 reject reason code and its words. */
  readonly code: string;
  readonly text: string;
  /** AAA04 follow-up action code and its words. */
  readonly followUp?: string;
  readonly followUpText?: string;
  /** 1-based segment position in the interchange. */
  readonly segmentIndex: number;
}

/** A 2120C benefit related entity (a managed-care plan, another payer, a primary care provider). @category Eligibility */
export interface BenefitEntity {
  /** NM101 entity identifier code (`Y2` managed care organization, `PRP` primary payer, `P3` PCP, ...) and words. */
  readonly role: string;
  readonly roleText: string;
  /** NM103 organization name (or last name), NM104 first name. */
  readonly name?: string;
  readonly firstName?: string;
  /** NM108 id qualifier (`PI` payer id, `XX` NPI, `FI` EIN, ...) and NM109 id. */
  readonly idQualifier?: string;
  readonly id?: string;
}

/** One 2110C EB benefit (eligibility or benefit information). @category Eligibility */
export interface EligibilityBenefit {
  /** EB01 eligibility or benefit information code (`1` active, `6` inactive, `MC` managed care coordinator, ...). */
  readonly code: string;
  readonly text: string;
  /** EB02 coverage level (`IND`, `FAM`, ...). */
  readonly coverageLevel?: string;
  /** EB03 service type codes (repeating). Empty means the benefit applies to the plan as a whole. */
  readonly serviceTypes: readonly string[];
  /** EB04 insurance type code (`MC` Medicaid, `HM` HMO, ...). */
  readonly insuranceType?: string;
  /** EB05 plan coverage description (the plan's name as the payer prints it). */
  readonly planDescription?: string;
  /** EB07 monetary amount in dollars, EB08 percent (0..1). */
  readonly amount?: number;
  readonly percent?: number;
  /** EB06 time period qualifier. */
  readonly timePeriod?: string;
  /** EB11 authorization or certification required: Y/N/U. */
  readonly authorizationRequired?: 'Y' | 'N' | 'U';
  /** EB12 in plan network: Y/N/U/W (W = not applicable). */
  readonly inPlanNetwork?: 'Y' | 'N' | 'U' | 'W';
  /** EB13 procedure: qualifier (`HC`), code, modifiers. */
  readonly procedure?: { readonly qualifier: string; readonly code: string; readonly modifiers: readonly string[] };
  /** 2110C DTP dates (plan, eligibility, benefit), when the benefit carries its own. */
  readonly period?: DateRange;
  /** 2110C REF (qualifier + value; `18` plan number, `6P` group number, ...). */
  readonly references: readonly { readonly qualifier: string; readonly value: string }[];
  /** 2120C entities (managed-care plan, other payer). */
  readonly entities: readonly BenefitEntity[];
  /** 2110C AAA. */
  readonly rejections: readonly EligibilityRejection[];
}

/** The answer about one member: a 2000C loop and everything under it. @category Eligibility */
export interface EligibilitySubscriber {
  /** TRN*2 trace numbers: the 270's TRN02 echoed back (matches the response to its request). */
  readonly traces: readonly string[];
  /** TRN*1 trace numbers the payer added. */
  readonly payerTraces: readonly string[];
  readonly last?: string;
  readonly first?: string;
  readonly middle?: string;
  /** NM109 member id as the payer has it (may correct the one asked). */
  readonly memberId?: string;
  /** DMG02 as `YYYY-MM-DD`, DMG03. */
  readonly birthDate?: string;
  readonly gender?: string;
  /** 2100C REF (e.g. `6P` group number, `18` plan number, `SY` SSN is never kept). */
  readonly references: readonly { readonly qualifier: string; readonly value: string }[];
  /** 2100C DTP: plan (291, 346/347), eligibility (307, 356/357). */
  readonly planPeriod?: DateRange;
  readonly eligibilityPeriod?: DateRange;
  readonly benefits: readonly EligibilityBenefit[];
  /** 2100C AAA. */
  readonly rejections: readonly EligibilityRejection[];
  /** 1-based position of the 2000C HL. */
  readonly segmentIndex: number;
}

/** One 271 transaction set (ST..SE). @category Eligibility */
export interface EligibilityResponseSet {
  /** ST02. */
  readonly controlNumber: string;
  /** BHT03 reference identification and BHT04 date (`YYYY-MM-DD`). */
  readonly reference: string;
  readonly created?: string;
  /** 2100A information source (the payer): NM103 name, NM108/NM109 id. */
  readonly payer: { readonly name?: string; readonly idQualifier?: string; readonly id?: string };
  /** 2100B information receiver (the provider): NM103 name, NM109 id (an NPI with NM108 `XX`). */
  readonly receiver: { readonly name?: string; readonly idQualifier?: string; readonly id?: string };
  /** AAA at 2000A, 2100A and 2100B: the payer could not answer any subscriber under them. */
  readonly rejections: readonly EligibilityRejection[];
  readonly subscribers: readonly EligibilitySubscriber[];
  /** 2000D dependent loops skipped (Medicaid members are subscribers; a 2000D answer is counted, not read). */
  readonly dependentsSkipped: number;
  /** 1-based position of the ST segment. */
  readonly segmentIndex: number;
}
