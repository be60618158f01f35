/**
 * Profiles and extensions of the resources peer-fhir writes around billing and disclosure: eligibility (X12 270/271),
 * payment (X12 835) and the accounting of disclosures. US Core has no profile for these types; each names a peer-fhir
 * profile (`@peer-fhir/core/profiles`). Kept apart from `Profiles` so the browser mapping entry does not carry them.
 * @module
 */
import { PEER_FHIR_CANONICAL } from './systems.js';

/**
 * Profiles named in `meta.profile` by the eligibility, payment and disclosure resources peer-fhir writes.
 *
 * @see https://hl7.org/fhir/R4/coverageeligibilityresponse.html
 * @example
 * ```ts
 * response.meta = { profile: [ExchangeProfiles.EligibilityResponse] };
 * ```
 * @category Terminology
 */
export const ExchangeProfiles = {
  /** A CoverageEligibilityRequest asked of a payer as an X12 270. */
  EligibilityRequest: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-eligibility-request`,
  /** A payer's X12 271 answer as a CoverageEligibilityResponse. */
  EligibilityResponse: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-eligibility-response`,
  /** One X12 835 payment (BPR/TRN) as a PaymentReconciliation. */
  PaymentReconciliation: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-payment-reconciliation`,
  /** The AuditEvent that records one disclosure (42 CFR 2.24 accounting). */
  DisclosureAudit: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-disclosure-audit`,
} as const;

/**
 * Extensions of the eligibility resources peer-fhir writes.
 *
 * @example
 * ```ts
 * coverage.extension?.find((e) => e.url === ExchangeExtensions.EligibilityOtherPayer)?.valueReference?.display;
 * ```
 * @category Terminology
 */
export const ExchangeExtensions = {
  /** Another payer or managed-care plan a 271 names (2120C), on Coverage and CoverageEligibilityResponse.insurance. */
  EligibilityOtherPayer: `${PEER_FHIR_CANONICAL}/StructureDefinition/eligibility-other-payer`,
} as const;
