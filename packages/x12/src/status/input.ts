import type { Claim, ClaimResponse, Coverage, Organization, Patient } from 'fhir/r4.js';
import type { ControlNumberSource, ControlNumbers } from '../envelope/control-numbers.js';
import type { InterchangeParty } from '../envelope/interchange.js';

/**
 * One claim status inquiry: a stored FHIR `Claim` and the resources it references, already resolved.
 *
 * Mapping (276 005010X212):
 * - `payer` -> 2100A NM1*PR (payer id `…/sid/x12-payer-id`, else its first identifier)
 * - `billingProvider` -> 2100C NM1*1P with its NPI (the service provider)
 * - `subscriber` + `coverage.subscriberId` -> 2000D DMG and 2100D NM1*IL (NM108 `MI`)
 * - `claim.identifier[0]` -> 2200D REF*EJ patient control number (the 837P CLM01); `trace` -> 2200D TRN02
 * - `payerClaimControlNumber` (an earlier 277/835's ICN) -> 2200D REF*1K; `claim.total` -> AMT*T3
 * - the claim's first and last service dates -> 2200D DTP*472 (D8 / RD8)
 *
 * @category Claim status
 */
export interface ClaimStatusInquiryInput {
  readonly claim: Claim;
  readonly billingProvider: Organization;
  readonly subscriber: Patient;
  readonly coverage: Coverage;
  readonly payer: Organization;
  /** 2200D TRN02, echoed by the 277; default the claim's `id`. */
  readonly trace?: string;
  /** The payer's claim control number from an earlier 277 or 835 (REF*1K). */
  readonly payerClaimControlNumber?: string;
}

/**
 * Envelope settings for a 276 interchange.
 *
 * @category Claim status
 */
export interface Write276Options {
  /** ISA05/06 + GS02. */
  readonly sender: InterchangeParty;
  /** ISA07/08 + GS03. */
  readonly receiver: InterchangeParty;
  /** 2100B information receiver (the submitter): name and ETIN (default `sender.id`). */
  readonly submitter: { readonly name: string; readonly etin?: string };
  readonly controlNumbers: ControlNumbers | ControlNumberSource;
  readonly usage: 'T' | 'P';
  /** Creation time for ISA09/10, GS04/05, BHT04/05 (UTC); default now. */
  readonly date?: Date;
  readonly acknowledgmentRequested?: boolean;
  readonly lineBreaks?: boolean;
}

/**
 * Options of {@link claimsAwaitingStatus}.
 *
 * @category Claim status
 */
export interface ClaimsAwaitingStatusOptions {
  /** `YYYY-MM-DD` "today". */
  readonly asOf: string;
  /** Ask about claims created at least this many days before `asOf` (e.g. 30). */
  readonly olderThanDays: number;
}

/** The responses {@link claimsAwaitingStatus} reads: ClaimResponses by the Claim they answer. @category Claim status */
export type StoredClaimResponses = readonly Pick<ClaimResponse, 'request' | 'outcome'>[];
