/**
 * Code-system and identifier-system URIs the X12 mapping reads and writes.
 * Kept here until @peer-fhir/core's terminology module lands; the lead will re-point these.
 */

/** NPI (CMS National Provider Identifier). */
export const NPI_SYSTEM = 'http://hl7.org/fhir/sid/us-npi';
/** Employer Identification Number (TIN) — both spellings seen in the wild are accepted. */
export const EIN_SYSTEMS: readonly string[] = ['http://hl7.org/fhir/sid/us-ein', 'urn:oid:2.16.840.1.113883.4.4'];

/** HCPCS Level II — emitted form (https). */
export const HCPCS_SYSTEM = 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
/** HCPCS Level II — http form, accepted on input. */
export const HCPCS_SYSTEM_HTTP = 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
/** CPT (AMA) — accepted for SV101 with qualifier HC as well. */
export const CPT_SYSTEM = 'http://www.ama-assn.org/go/cpt';
/** Systems accepted for procedure codes and modifiers (SV101-2 .. SV101-6). */
export const PROCEDURE_SYSTEMS: readonly string[] = [HCPCS_SYSTEM, HCPCS_SYSTEM_HTTP, CPT_SYSTEM];

/** ICD-10-CM. */
export const ICD10CM_SYSTEM = 'http://hl7.org/fhir/sid/icd-10-cm';
/** CMS place-of-service code set (THO CMSPlaceofServiceCodes). */
export const POS_SYSTEM = 'https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set';
/** NUCC provider taxonomy. */
export const NUCC_SYSTEM = 'http://nucc.org/provider-taxonomy';
/** HL7 v3 ActCode (carries the 42CFRPart2 security label). */
export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
/** HL7 v2-0203 identifier types (MB = member number). */
export const V2_0203_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0203';

/** FHIR claim type / adjudication / related-claim / care-team-role / payment-type code systems. */
export const CLAIM_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/claim-type';
export const ADJUDICATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/adjudication';
export const RELATED_CLAIM_RELATIONSHIP_SYSTEM = 'http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship';
export const CARE_TEAM_ROLE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/claimcareteamrole';
export const DIAGNOSIS_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/ex-diagnosistype';
export const PAYMENT_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/ex-paymenttype';

/** X12 Claim Adjustment Reason Codes (THO / CARIN BB canonical). @category Terminology */
export const CARC_SYSTEM = 'https://x12.org/codes/claim-adjustment-reason-codes';
/** X12 Remittance Advice Remark Codes (THO / CARIN BB canonical). @category Terminology */
export const RARC_SYSTEM = 'https://x12.org/codes/remittance-advice-remark-codes';

/** SDK canonical base for the few things no published system covers. */
export const SDK_BASE = 'https://peer-fhir.github.io/fhir';
/** Claim extension carrying the 837P claim frequency code (CLM05-3): valueCode '1' | '7' | '8'. @category Terminology */
export const CLAIM_FREQUENCY_EXTENSION = `${SDK_BASE}/StructureDefinition/claim-frequency`;
/** Claim.item extension overriding the 2400 REF*6R line item control number: valueString. @category Terminology */
export const LINE_CONTROL_NUMBER_EXTENSION = `${SDK_BASE}/StructureDefinition/line-item-control-number`;
/** Organization identifier system for the payer's X12 payer id (2010BB NM109). @category Terminology */
export const PAYER_ID_SYSTEM = `${SDK_BASE}/sid/x12-payer-id`;
/** Adjudication category system for CAS group codes (CO/PR/OA/PI) — no published FHIR system found. @category Terminology */
export const ADJUSTMENT_GROUP_SYSTEM = `${SDK_BASE}/CodeSystem/x12-claim-adjustment-group`;
/** Adjudication categories the SDK adds next to HL7's: patient-responsibility, remark. @category Terminology */
export const SDK_ADJUDICATION_SYSTEM = `${SDK_BASE}/CodeSystem/adjudication-category`;
/** Identifier system for the payer claim control number (CLP07) on ClaimResponse. @category Terminology */
export const PAYER_CLAIM_CONTROL_NUMBER_SYSTEM = `${SDK_BASE}/sid/payer-claim-control-number`;
