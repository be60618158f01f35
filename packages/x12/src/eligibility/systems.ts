/** Code and identifier systems of the eligibility and claim status mappings. */
import { ExchangeExtensions, PEER_FHIR_CANONICAL } from '@peer-fhir/core';

/**
 * X12 service type codes (element 1365), X12's own FHIR code system URI (as Da Vinci uses it).
 * @see https://x12.org/codes/service-type-codes
 * @example
 * ```ts
 * const category = { coding: [{ system: SERVICE_TYPE_SYSTEM, code: 'MH' }] };
 * ```
 * @category Eligibility
 */
export const SERVICE_TYPE_SYSTEM = 'https://codesystem.x12.org/005010/1365';
/**
 * X12 reject reason codes (element 901, AAA03).
 * @see https://x12.org/codes
 * @example
 * ```ts
 * response.error?.[0]?.code.coding?.[0]?.system === REJECT_REASON_SYSTEM;
 * ```
 * @category Eligibility
 */
export const REJECT_REASON_SYSTEM = 'https://codesystem.x12.org/005010/901';
/**
 * X12 eligibility or benefit information codes (element 1390, EB01).
 * @see https://x12.org/codes
 * @example
 * ```ts
 * const eb01 = { coding: [{ system: ELIGIBILITY_CODE_SYSTEM, code: '1' }] };
 * ```
 * @category Eligibility
 */
export const ELIGIBILITY_CODE_SYSTEM = 'https://codesystem.x12.org/005010/1390';
/**
 * Identifier system of the 270 trace number (TRN02), echoed by the 271 (TRN*2): matches a response to its request.
 * @see https://hl7.org/fhir/R4/coverageeligibilityrequest-definitions.html#CoverageEligibilityRequest.identifier
 * @example
 * ```ts
 * request.identifier = [{ system: ELIGIBILITY_TRACE_SYSTEM, value: 'ELIG-0001' }];
 * ```
 * @category Eligibility
 */
export const ELIGIBILITY_TRACE_SYSTEM = `${PEER_FHIR_CANONICAL}/sid/x12-eligibility-trace`;
/**
 * Extension on `CoverageEligibilityResponse.insurance` naming another payer or managed-care plan the 271 reported
 * (EB01 `MC`/`R` with its 2120C entity): valueReference with the payer's display and identifier.
 * @see https://hl7.org/fhir/R4/extensibility.html
 * @example
 * ```ts
 * insurance.extension?.find((x) => x.url === OTHER_PAYER_EXTENSION)?.valueReference?.display;
 * ```
 * @category Eligibility
 */
export const OTHER_PAYER_EXTENSION = ExchangeExtensions.EligibilityOtherPayer;
/**
 * Identifier system of the 276 trace number (2200D TRN02), echoed by the 277.
 * @see https://hl7.org/fhir/R4/claim-definitions.html#Claim.identifier
 * @example
 * ```ts
 * const trace = { system: CLAIM_STATUS_TRACE_SYSTEM, value: 'CS-0001' };
 * ```
 * @category Claim status
 */
export const CLAIM_STATUS_TRACE_SYSTEM = `${PEER_FHIR_CANONICAL}/sid/x12-claim-status-trace`;
