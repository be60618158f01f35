import type { CoverageEligibilityRequest, Coverage, Organization, Patient, Practitioner } from 'fhir/r4.js';
import type { ControlNumberSource, ControlNumbers } from '../envelope/control-numbers.js';
import type { InterchangeParty } from '../envelope/interchange.js';

/**
 * One eligibility inquiry: a FHIR R4 `CoverageEligibilityRequest` and the resources it references, already resolved.
 *
 * Mapping (270 005010X279A1):
 * - `payer` -> 2100A NM1*PR (payer id: identifier `…/sid/x12-payer-id`, else its first identifier), NM108 `PI`
 * - `provider` -> 2100B NM1*1P with its NPI (NM108 `XX`); an Organization is NM102 `2`, a Practitioner `1`
 * - `request.identifier` (`…/sid/x12-eligibility-trace`, else `request.id`) -> 2000C TRN02, echoed by the 271
 * - `patient` + `coverage.subscriberId` -> 2100C NM1*IL (NM108 `MI`) and DMG (birth date, gender)
 * - `request.servicedDate` / `servicedPeriod` -> 2100C DTP*291 (D8 / RD8); omitted means "today" at the payer
 * - `request.item[].category` (X12 service type system) -> 2110C EQ01; `item[].productOrService` (HCPCS) -> EQ02;
 *   no item asks service type `30` (health benefit plan coverage)
 *
 * @category Eligibility
 */
export interface EligibilityInquiryInput {
  readonly request: CoverageEligibilityRequest;
  /** The member: Medicaid members are always the subscriber (2000C); 2000D dependents are not written. */
  readonly patient: Patient;
  /** Coverage whose `subscriberId` is the member id; omitted means search by name and birth date. */
  readonly coverage?: Coverage;
  readonly payer: Organization;
  /** The information receiver: the agency (Organization) or the peer (Practitioner), with an NPI. */
  readonly provider: Organization | Practitioner;
}

/**
 * Envelope settings for a 270 interchange.
 *
 * @category Eligibility
 */
export interface Write270Options {
  /** ISA05/06 + GS02. */
  readonly sender: InterchangeParty;
  /** ISA07/08 + GS03. */
  readonly receiver: InterchangeParty;
  readonly controlNumbers: ControlNumbers | ControlNumberSource;
  /** ISA15: `T` test, `P` production. */
  readonly usage: 'T' | 'P';
  /** Creation time for ISA09/10, GS04/05, BHT04/05 (UTC); default now. */
  readonly date?: Date;
  /**
   * TRN03 originating company identifier: 10 characters, `1` + the submitter's EIN or `9` + a 9-character id
   * (X279A1 2000C TRN03). Default: `1` + the provider Organization's EIN when it has one.
   */
  readonly originatorId?: string;
  /** Subscribers (2000C) per ST..SE; default 99, the batch limit of X279A1 section 1.4.3. */
  readonly maxSubscribersPerTransaction?: number;
  /** ISA14: ask for a TA1; default false. */
  readonly acknowledgmentRequested?: boolean;
  /** Put a line break after every `~`; default true. */
  readonly lineBreaks?: boolean;
}
