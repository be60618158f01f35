/**
 * The code-system, identifier-system and extension URLs of the X12 mapping that are part of `@peer-fhir/x12`'s public
 * surface. Each value comes from core's vocabulary (`Systems`, `Extensions`): one home for every canonical URL.
 * @module
 */
import { Extensions, Systems } from '@peer-fhir/core';

/**
 * X12 Claim Adjustment Reason Codes (THO / CARIN BB canonical).
 * @see https://hl7.org/fhir/us/carin-bb/STU1.1/CodeSystem-X12ClaimAdjustmentReasonCodes.json.html
 * @example
 * ```ts
 * const reason = { coding: [{ system: CARC_SYSTEM, code: '45' }] };
 * ```
 * @category Terminology
 */
export const CARC_SYSTEM = Systems.CARC;
/**
 * X12 Remittance Advice Remark Codes (THO / CARIN BB canonical).
 * @see https://terminology.hl7.org/CodeSystem-RARC.html
 * @example
 * ```ts
 * const remark = { coding: [{ system: RARC_SYSTEM, code: 'N130' }] };
 * ```
 * @category Terminology
 */
export const RARC_SYSTEM = Systems.RARC;

/**
 * Claim extension carrying the 837P claim frequency code (CLM05-3): valueCode '1' | '7' | '8'.
 * @see https://hl7.org/fhir/R4/extensibility.html
 * @example
 * ```ts
 * claim.extension = [{ url: CLAIM_FREQUENCY_EXTENSION, valueCode: '8' }]; // void
 * ```
 * @category Terminology
 */
export const CLAIM_FREQUENCY_EXTENSION = Extensions.ClaimFrequency;
/**
 * Claim.item extension overriding the 2400 REF*6R line item control number: valueString.
 * @see https://hl7.org/fhir/R4/extensibility.html
 * @example
 * ```ts
 * item.extension = [{ url: LINE_CONTROL_NUMBER_EXTENSION, valueString: 'L0001' }];
 * ```
 * @category Terminology
 */
export const LINE_CONTROL_NUMBER_EXTENSION = Extensions.LineItemControlNumber;
/**
 * Organization identifier system for the payer's X12 payer id (2010BB NM109).
 * @see https://hl7.org/fhir/R4/datatypes.html#Identifier
 * @example
 * ```ts
 * payer.identifier = [{ system: PAYER_ID_SYSTEM, value: 'GAMCD' }];
 * ```
 * @category Terminology
 */
export const PAYER_ID_SYSTEM = Systems.X12_PAYER_ID;
/**
 * Adjudication category system for CAS group codes (CO/PR/OA/PI) — no published FHIR system found.
 * @see https://hl7.org/fhir/R4/claimresponse-definitions.html#ClaimResponse.item.adjudication.category
 * @example
 * ```ts
 * adjudication.category.coding?.[0]?.system === ADJUSTMENT_GROUP_SYSTEM;
 * ```
 * @category Terminology
 */
export const ADJUSTMENT_GROUP_SYSTEM = Systems.X12_ADJUSTMENT_GROUP;
/**
 * Adjudication categories the SDK adds next to HL7's: patient-responsibility, remark.
 * @see https://hl7.org/fhir/R4/valueset-adjudication.html
 * @example
 * ```ts
 * const remark = { coding: [{ system: SDK_ADJUDICATION_SYSTEM, code: 'remark' }] };
 * ```
 * @category Terminology
 */
export const SDK_ADJUDICATION_SYSTEM = Systems.PEER_ADJUDICATION_CATEGORY;
/**
 * Identifier system for the payer claim control number (CLP07) on ClaimResponse.
 * @see https://hl7.org/fhir/R4/claimresponse-definitions.html#ClaimResponse.identifier
 * @example
 * ```ts
 * response.identifier?.find((i) => i.system === PAYER_CLAIM_CONTROL_NUMBER_SYSTEM)?.value;
 * ```
 * @category Terminology
 */
export const PAYER_CLAIM_CONTROL_NUMBER_SYSTEM = Systems.PAYER_CLAIM_CONTROL_NUMBER;
/**
 * Identifier system for one claim payment of one remittance (ClaimResponse and PaymentReconciliation.detail): the
 * payer (TRN03), the payment trace (TRN02), the payer claim control number (CLP07, else CLP01), CLP02 and an ordinal,
 * so a reversal and its correction — which share CLP07 — are two records, and reading the same 835 again matches.
 * @see https://hl7.org/fhir/R4/claimresponse-definitions.html#ClaimResponse.identifier
 * @example
 * ```ts
 * response.identifier?.find((i) => i.system === REMITTANCE_CLAIM_SYSTEM)?.value;
 * ```
 * @category Terminology
 */
export const REMITTANCE_CLAIM_SYSTEM = Systems.REMITTANCE_CLAIM;
/**
 * Identifier system for one 835 payment (PaymentReconciliation.identifier): payer (TRN03) and trace number (TRN02),
 * the reassociation key of the 835.
 * @see https://hl7.org/fhir/R4/paymentreconciliation-definitions.html#PaymentReconciliation.identifier
 * @example
 * ```ts
 * reconciliation.identifier?.find((i) => i.system === REMITTANCE_PAYMENT_SYSTEM)?.value;
 * ```
 * @category Terminology
 */
export const REMITTANCE_PAYMENT_SYSTEM = Systems.REMITTANCE_PAYMENT;
/**
 * Code system for 835 PLB03-1 provider adjustment reason codes (`WO`, `L6`, `FB`, ...) — no published FHIR system found.
 * @see https://hl7.org/fhir/R4/paymentreconciliation-definitions.html#PaymentReconciliation.detail.type
 * @example
 * ```ts
 * const type = { coding: [{ system: PROVIDER_ADJUSTMENT_REASON_SYSTEM, code: 'WO' }] };
 * ```
 * @category Terminology
 */
export const PROVIDER_ADJUSTMENT_REASON_SYSTEM = Systems.X12_PROVIDER_ADJUSTMENT_REASON;
