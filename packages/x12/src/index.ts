/**
 * @peer-fhir/x12 — X12 837P 005010X222A1 writer and 835 005010X221A1 reader for peer support claims.
 * @packageDocumentation
 */
/** Package name, for diagnostics. @category Diagnostics */
export const PACKAGE_NAME = '@peer-fhir/x12';

export { X12AmountError, X12InputError, X12ParseError, X12UnbalancedError, X12VersionError, type X12Issue } from './errors.js';

export type { X12ClaimInput } from './837p/input.js';
export type { Write837POptions } from './837p/options.js';
export type { Part2ReleaseCode } from './837p/segments.js';
export { write837P, validateX12ClaimInput } from './837p/writer.js';
export { write837PStream, type Write837PStreamOptions } from './837p/stream.js';
export { resolveX12ClaimInput, resolveX12ClaimInputs } from './837p/resolve.js';

export {
  createControlNumberSource,
  type ControlNumberSource,
  type ControlNumbers,
} from './envelope/control-numbers.js';
export type { InterchangeParty } from './envelope/interchange.js';

export type { Adjustment, ProviderAdjustment, Remittance, RemittanceClaim, RemittanceHeader, RemittanceLine } from './835/types.js';
export { CLAIM_STATUS_TEXT, PROVIDER_ADJUSTMENT_REASON_TEXT } from './835/types.js';
export { read835, read835Stream, type RemittanceClaimEvent } from './835/reader.js';
export { toClaimResponse, remittanceToClaimResponses, remittanceClaimKeys, type ToClaimResponseOptions } from './835/to-claim-response.js';
export { toPaymentReconciliation, type ToPaymentReconciliationOptions } from './835/to-payment-reconciliation.js';
export {
  reconcile,
  type ExplainedAdjustment,
  type LineOutcome,
  type ReconciledLine,
  type ReconciledProviderAdjustment,
  type ReconciliationReport,
} from './835/reconcile.js';
export {
  read999,
  submitted837Transactions,
  CLAIM_STATUS_CATEGORY_TEXT,
  type Submitted837Transaction,
  type AcknowledgmentError,
  type ClaimStatus,
  type ClaimStatusReport,
  type ImplementationAcknowledgment,
  type TransactionAcknowledgment,
} from './ack/read.js';
export { read277, read277Stream } from './ack/read-277.js';
export { claimStatusToClaimResponses, claimStatusStage, type ClaimStatusStage } from './ack/to-claim-response.js';

export {
  ADJUSTMENT_GROUP_TEXT,
  CARC_TEXT,
  RARC_TEXT,
  describeAdjustmentGroup,
  describeCarc,
  describeRarc,
} from './codes/carc.js';

export {
  CARC_SYSTEM,
  RARC_SYSTEM,
  CLAIM_FREQUENCY_EXTENSION,
  LINE_CONTROL_NUMBER_EXTENSION,
  PAYER_ID_SYSTEM,
  ADJUSTMENT_GROUP_SYSTEM,
  SDK_ADJUDICATION_SYSTEM,
  PAYER_CLAIM_CONTROL_NUMBER_SYSTEM,
  REMITTANCE_CLAIM_SYSTEM,
  REMITTANCE_PAYMENT_SYSTEM,
  PROVIDER_ADJUSTMENT_REASON_SYSTEM,
} from './systems.js';

export { X12InquiryInputError, X12ResponseParseError, type X12ElementIssue } from './eligibility/errors.js';
export type { EligibilityInquiryInput, Write270Options } from './eligibility/input.js';
export { write270, IMPLEMENTATION_270 } from './eligibility/write-270.js';
export {
  SERVICE_TYPE_TEXT,
  ELIGIBILITY_CODE_TEXT,
  REJECT_REASON_TEXT,
  FOLLOW_UP_TEXT,
  ENTITY_TEXT,
  INSURANCE_TYPE_TEXT,
} from './eligibility/codes.js';
export {
  SERVICE_TYPE_SYSTEM,
  REJECT_REASON_SYSTEM,
  ELIGIBILITY_CODE_SYSTEM,
  ELIGIBILITY_TRACE_SYSTEM,
  OTHER_PAYER_EXTENSION,
  CLAIM_STATUS_TRACE_SYSTEM,
} from './eligibility/systems.js';
export type {
  DateRange,
  EligibilityRejection,
  BenefitEntity,
  EligibilityBenefit,
  EligibilitySubscriber,
  EligibilityResponseSet,
} from './eligibility/types.js';
export { read271, read271Stream } from './eligibility/read-271.js';
export { eligibilityVerdict, type EligibilityVerdict, type EligibilityVerdictOptions } from './eligibility/verdict.js';
export {
  toCoverageEligibilityResponse,
  coverageFrom271,
  eligibilityFromResponse,
  type EligibilityResponseRefs,
} from './eligibility/to-fhir.js';
export type { ClaimStatusInquiryInput, Write276Options, ClaimsAwaitingStatusOptions, StoredClaimResponses } from './status/input.js';
export { write276, claimsAwaitingStatus } from './status/write-276.js';
