/**
 * Code-system and identifier-system URIs the X12 mapping reads and writes: the standard ones from core's `Systems`,
 * the SDK's own from core's vocabulary; the public ones are declared in `../systems.ts`.
 */
import { LEGACY_SYSTEM_ALIASES, Systems } from '@peer-fhir/core';

// The public ones (declared in ../systems.ts) are available here too, so the mapping imports every URI from one module.
export * from '../systems.js';

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
export const CPT_SYSTEM = Systems.CPT;
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
export const CLAIM_TYPE_SYSTEM = Systems.CLAIM_TYPE;
export const ADJUDICATION_SYSTEM = Systems.ADJUDICATION;
export const RELATED_CLAIM_RELATIONSHIP_SYSTEM = Systems.RELATED_CLAIM_RELATIONSHIP;
export const CARE_TEAM_ROLE_SYSTEM = Systems.CLAIM_CARE_TEAM_ROLE;
export const DIAGNOSIS_TYPE_SYSTEM = Systems.DIAGNOSIS_TYPE;
export const PAYMENT_TYPE_SYSTEM = Systems.EX_PAYMENT_TYPE;

/** FHIR payment-type code system (PaymentReconciliation.detail.type: payment | adjustment | advance). */
export const PAYMENT_DETAIL_TYPE_SYSTEM = Systems.PAYMENT_TYPE;
