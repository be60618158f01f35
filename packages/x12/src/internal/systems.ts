/**
 * Code-system and identifier-system URIs the X12 mapping reads and writes: the standard ones from core's `Systems`,
 * the SDK's own under core's canonical base `PEER_FHIR_CANONICAL`.
 */
import { Extensions, LEGACY_SYSTEM_ALIASES, PEER_FHIR_CANONICAL, Systems } from '@peer-fhir/core';

/** Every spelling core accepts on input for `system` (the emitted form first, then its legacy aliases). */
const spellings = (system: string): readonly string[] => [
  system,
  ...Object.entries(LEGACY_SYSTEM_ALIASES)
    .filter(([, to]) => to === system)
    .map(([from]) => from),
];

/** NPI (CMS National Provider Identifier). */
export const NPI_SYSTEM = Systems.NPI;
/** Employer Identification Number (TIN): core's system first, then the spellings seen in the wild. */
export const EIN_SYSTEMS: readonly string[] = spellings(Systems.EIN);

/** HCPCS Level II — emitted form (https). */
export const HCPCS_SYSTEM = Systems.HCPCS;
/** CPT (AMA) — accepted for SV101 with qualifier HC as well. */
export const CPT_SYSTEM = 'http://www.ama-assn.org/go/cpt';
/** Systems accepted for procedure codes and modifiers (SV101-2 .. SV101-6): HCPCS in every spelling core accepts, and CPT. */
export const PROCEDURE_SYSTEMS: readonly string[] = [...spellings(Systems.HCPCS), CPT_SYSTEM];

/** ICD-10-CM (and its OID spelling). */
export const ICD10CM_SYSTEMS: readonly string[] = spellings(Systems.ICD10CM);
/** CMS place-of-service code set (THO CMSPlaceofServiceCodes), and its http spelling. */
export const POS_SYSTEMS: readonly string[] = spellings(Systems.CMS_POS);
/** NUCC provider taxonomy. */
export const NUCC_SYSTEM = Systems.NUCC;
/** HL7 v3 ActCode (carries the 42CFRPart2 security label). */
export const ACT_CODE_SYSTEM = Systems.V3_ACT_CODE;
/** HL7 v2-0203 identifier types (MB = member number). */
export const V2_0203_SYSTEM = Systems.V2_0203;

/** FHIR claim type / adjudication / related-claim / care-team-role / payment-type code systems. */
export const CLAIM_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/claim-type';
export const ADJUDICATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/adjudication';
export const RELATED_CLAIM_RELATIONSHIP_SYSTEM = Systems.RELATED_CLAIM_RELATIONSHIP;
export const CARE_TEAM_ROLE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/claimcareteamrole';
export const DIAGNOSIS_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/ex-diagnosistype';
export const PAYMENT_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/ex-paymenttype';

/**
 * X12 Claim Adjustment Reason Codes (THO / CARIN BB canonical).
 * @see https://hl7.org/fhir/us/carin-bb/STU1.1/CodeSystem-X12ClaimAdjustmentReasonCodes.json.html
 * @example
 * ```ts
 * const reason = { coding: [{ system: CARC_SYSTEM, code: '45' }] };
 * ```
 * @category Terminology
 */
export const CARC_SYSTEM = 'https://x12.org/codes/claim-adjustment-reason-codes';
/**
 * X12 Remittance Advice Remark Codes (THO / CARIN BB canonical).
 * @see https://terminology.hl7.org/CodeSystem-RARC.html
 * @example
 * ```ts
 * const remark = { coding: [{ system: RARC_SYSTEM, code: 'N130' }] };
 * ```
 * @category Terminology
 */
export const RARC_SYSTEM = 'https://x12.org/codes/remittance-advice-remark-codes';

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
export const LINE_CONTROL_NUMBER_EXTENSION = `${PEER_FHIR_CANONICAL}/StructureDefinition/line-item-control-number`;
/**
 * Organization identifier system for the payer's X12 payer id (2010BB NM109).
 * @see https://hl7.org/fhir/R4/datatypes.html#Identifier
 * @example
 * ```ts
 * payer.identifier = [{ system: PAYER_ID_SYSTEM, value: 'GAMCD' }];
 * ```
 * @category Terminology
 */
export const PAYER_ID_SYSTEM = `${PEER_FHIR_CANONICAL}/sid/x12-payer-id`;
/**
 * Adjudication category system for CAS group codes (CO/PR/OA/PI) — no published FHIR system found.
 * @see https://hl7.org/fhir/R4/claimresponse-definitions.html#ClaimResponse.item.adjudication.category
 * @example
 * ```ts
 * adjudication.category.coding?.[0]?.system === ADJUSTMENT_GROUP_SYSTEM;
 * ```
 * @category Terminology
 */
export const ADJUSTMENT_GROUP_SYSTEM = `${PEER_FHIR_CANONICAL}/CodeSystem/x12-claim-adjustment-group`;
/**
 * Adjudication categories the SDK adds next to HL7's: patient-responsibility, remark.
 * @see https://hl7.org/fhir/R4/valueset-adjudication.html
 * @example
 * ```ts
 * const remark = { coding: [{ system: SDK_ADJUDICATION_SYSTEM, code: 'remark' }] };
 * ```
 * @category Terminology
 */
export const SDK_ADJUDICATION_SYSTEM = `${PEER_FHIR_CANONICAL}/CodeSystem/adjudication-category`;
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
export const REMITTANCE_CLAIM_SYSTEM = `${PEER_FHIR_CANONICAL}/sid/remittance-claim`;
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
export const REMITTANCE_PAYMENT_SYSTEM = `${PEER_FHIR_CANONICAL}/sid/remittance-payment`;
/**
 * Code system for 835 PLB03-1 provider adjustment reason codes (`WO`, `L6`, `FB`, ...) — no published FHIR system found.
 * @see https://hl7.org/fhir/R4/paymentreconciliation-definitions.html#PaymentReconciliation.detail.type
 * @example
 * ```ts
 * const type = { coding: [{ system: PROVIDER_ADJUSTMENT_REASON_SYSTEM, code: 'WO' }] };
 * ```
 * @category Terminology
 */
export const PROVIDER_ADJUSTMENT_REASON_SYSTEM = `${PEER_FHIR_CANONICAL}/CodeSystem/x12-provider-adjustment-reason`;
/** FHIR payment-type code system (PaymentReconciliation.detail.type: payment | adjustment | advance). */
export const PAYMENT_DETAIL_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/payment-type';
