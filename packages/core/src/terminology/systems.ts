/**
 * Exact code-system and identifier-system URIs peer-fhir emits and accepts.
 * @module
 */

/** Base of every canonical URL peer-fhir publishes (CodeSystems, extensions, profiles). */
export const PEER_FHIR_CANONICAL = 'https://peer-fhir.org/fhir';

/**
 * Code and identifier systems used by peer-fhir.
 *
 * @see https://hl7.org/fhir/R4/terminologies-systems.html
 * @example
 * ```ts
 * import { Systems } from '@peer-fhir/core';
 * const coding = { system: Systems.HCPCS, code: 'H0038' };
 * ```
 * @category Terminology
 */
export const Systems = {
  /** HCPCS Level II (emit the https form; the http form is accepted on input). OID 2.16.840.1.113883.6.285 */
  HCPCS: 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
  ICD10CM: 'http://hl7.org/fhir/sid/icd-10-cm',
  CMS_POS: 'https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set',
  NUCC: 'http://nucc.org/provider-taxonomy',
  NPI: 'http://hl7.org/fhir/sid/us-npi',
  EIN: 'urn:oid:2.16.840.1.113883.4.4',
  SOPT: 'https://nahdo.org/sopt',
  LOINC: 'http://loinc.org',
  SNOMED: 'http://snomed.info/sct',
  V2_0203: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  V3_ACT_CODE: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  V3_CONFIDENTIALITY: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
  V3_ACT_REASON: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  V3_PARTICIPATION_TYPE: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  V3_ROLE_CODE: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  CONSENT_SCOPE: 'http://terminology.hl7.org/CodeSystem/consentscope',
  CONSENT_ACTION: 'http://terminology.hl7.org/CodeSystem/consentaction',
  CONSENT_POLICY: 'http://terminology.hl7.org/CodeSystem/consentpolicycodes',
  CONDITION_CATEGORY: 'http://terminology.hl7.org/CodeSystem/condition-category',
  CONDITION_CLINICAL: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  CONDITION_VER_STATUS: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  GOAL_ACHIEVEMENT: 'http://terminology.hl7.org/CodeSystem/goal-achievement',
  CAREPLAN_CATEGORY_US_CORE: 'http://hl7.org/fhir/us/core/CodeSystem/careplan-category',
  US_CORE_DOCREF_CATEGORY: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category',
  SUBSCRIBER_RELATIONSHIP: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship',
  COVERAGE_CLASS: 'http://terminology.hl7.org/CodeSystem/coverage-class',
  PROVENANCE_PARTICIPANT_TYPE: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  /** Provenance.activity of a correction: UPDATE (amended), NULLIFY (entered in error), ABORT (cancelled). */
  V3_DATA_OPERATION: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation',
  SIGNATURE_TYPE: 'urn:iso-astm:E1762-95:2013',
  QUALIFICATION_V2_0360: 'http://terminology.hl7.org/CodeSystem/v2-0360',
  /** CDC Race & Ethnicity (OMB categories). */
  CDC_RACE_ETHNICITY: 'urn:oid:2.16.840.1.113883.6.238',
  V3_NULL_FLAVOR: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor',
  BCP47: 'urn:ietf:bcp:47',
  US_CORE_CATEGORY: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-category',
  OBSERVATION_CATEGORY: 'http://terminology.hl7.org/CodeSystem/observation-category',
  /** CPT (AMA): accepted next to HCPCS for 837P SV101 procedure codes. */
  CPT: 'http://www.ama-assn.org/go/cpt',
  /** FHIR Claim / ClaimResponse code systems (billing writes them, x12 reads and writes them). */
  CLAIM_TYPE: 'http://terminology.hl7.org/CodeSystem/claim-type',
  CLAIM_CARE_TEAM_ROLE: 'http://terminology.hl7.org/CodeSystem/claimcareteamrole',
  PROCESS_PRIORITY: 'http://terminology.hl7.org/CodeSystem/processpriority',
  ADJUDICATION: 'http://terminology.hl7.org/CodeSystem/adjudication',
  RELATED_CLAIM_RELATIONSHIP: 'http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship',
  DIAGNOSIS_TYPE: 'http://terminology.hl7.org/CodeSystem/ex-diagnosistype',
  /** ClaimResponse.payment.type (complete | partial). */
  EX_PAYMENT_TYPE: 'http://terminology.hl7.org/CodeSystem/ex-paymenttype',
  /** PaymentReconciliation.detail.type (payment | adjustment | advance). */
  PAYMENT_TYPE: 'http://terminology.hl7.org/CodeSystem/payment-type',
  /** X12 Claim Adjustment Reason Codes (THO / CARIN BB canonical). */
  CARC: 'https://x12.org/codes/claim-adjustment-reason-codes',
  /** X12 Remittance Advice Remark Codes (THO / CARIN BB canonical). */
  RARC: 'https://x12.org/codes/remittance-advice-remark-codes',
  /** peer-fhir's own X12 systems, where no published FHIR system exists. */
  X12_PAYER_ID: `${PEER_FHIR_CANONICAL}/sid/x12-payer-id`,
  X12_ADJUSTMENT_GROUP: `${PEER_FHIR_CANONICAL}/CodeSystem/x12-claim-adjustment-group`,
  X12_PROVIDER_ADJUSTMENT_REASON: `${PEER_FHIR_CANONICAL}/CodeSystem/x12-provider-adjustment-reason`,
  PEER_ADJUDICATION_CATEGORY: `${PEER_FHIR_CANONICAL}/CodeSystem/adjudication-category`,
  PAYER_CLAIM_CONTROL_NUMBER: `${PEER_FHIR_CANONICAL}/sid/payer-claim-control-number`,
  REMITTANCE_CLAIM: `${PEER_FHIR_CANONICAL}/sid/remittance-claim`,
  REMITTANCE_PAYMENT: `${PEER_FHIR_CANONICAL}/sid/remittance-payment`,
  /** peer-fhir's own CodeSystems (support types, activities, settings, …). */
  PEER_SUPPORT_TYPE: `${PEER_FHIR_CANONICAL}/CodeSystem/peer-support-type`,
  PEER_ACTIVITY: `${PEER_FHIR_CANONICAL}/CodeSystem/peer-activity`,
  PEER_SETTING: `${PEER_FHIR_CANONICAL}/CodeSystem/peer-setting`,
  PEER_MODALITY: `${PEER_FHIR_CANONICAL}/CodeSystem/peer-modality`,
  PEER_PROGRAM: `${PEER_FHIR_CANONICAL}/CodeSystem/peer-program`,
  PEER_SERVICE: `${PEER_FHIR_CANONICAL}/CodeSystem/peer-service`,
  PEER_CREDENTIAL: `${PEER_FHIR_CANONICAL}/CodeSystem/peer-credential`,
  PEER_ENDORSEMENT: `${PEER_FHIR_CANONICAL}/CodeSystem/peer-endorsement`,
  PEER_LIFE_DOMAIN: `${PEER_FHIR_CANONICAL}/CodeSystem/recovery-life-domain`,
  PEER_CARE_TEAM_ROLE: `${PEER_FHIR_CANONICAL}/CodeSystem/care-team-role`,
  PEER_CONSENT_KIND: `${PEER_FHIR_CANONICAL}/CodeSystem/consent-kind`,
  PEER_PLAN_CATEGORY: `${PEER_FHIR_CANONICAL}/CodeSystem/plan-category`,
  PEER_RECORD_KEY: `${PEER_FHIR_CANONICAL}/CodeSystem/record-key`,
} as const;

/** Legacy spellings accepted on input and normalised to {@link Systems}. */
export const LEGACY_SYSTEM_ALIASES: Readonly<Record<string, string>> = /* @__PURE__ */ (() => ({
  // Built in a function marked pure: a bundle that never normalises (the browser mapping entry) drops the table.
  'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets': Systems.HCPCS,
  'urn:oid:2.16.840.1.113883.6.285': Systems.HCPCS,
  'http://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set': Systems.CMS_POS,
  'urn:oid:2.16.840.1.113883.6.90': Systems.ICD10CM,
  'urn:oid:2.16.840.1.113883.4.6': Systems.NPI,
  'http://hl7.org/fhir/sid/us-ein': Systems.EIN,
}))();

/**
 * Normalise a code-system URI: legacy forms (http HCPCS, OIDs) become the form peer-fhir emits.
 *
 * @param system - a code system URI
 * @returns the URI peer-fhir emits for it
 * @example
 * ```ts
 * normalizeSystem('http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets'); // Systems.HCPCS
 * ```
 * @category Terminology
 */
export function normalizeSystem(system: string | undefined): string | undefined {
  if (system === undefined) return undefined;
  return LEGACY_SYSTEM_ALIASES[system] ?? system;
}

/**
 * Profiles named in `meta.profile`: US Core 6.1.0 where one exists, peer-fhir's own otherwise.
 *
 * @see https://hl7.org/fhir/us/core/STU6.1/profiles-and-extensions.html
 * @example
 * ```ts
 * encounter.meta = { profile: [Profiles.Encounter] };
 * ```
 * @category Terminology
 */
export const Profiles = {
  Patient: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient',
  Practitioner: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-practitioner',
  PractitionerRole: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-practitionerrole',
  Organization: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-organization',
  Coverage: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-coverage',
  Encounter: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-encounter',
  EncounterDiagnosis: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition-encounter-diagnosis',
  CarePlan: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-careplan',
  Goal: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-goal',
  CareTeam: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-careteam',
  Provenance: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-provenance',
  DocumentReference: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-documentreference',
  Location: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-location',
  /** The Group of a group session's attendees. */
  PeerGroupSession: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-group-session`,
  /**
   * The parent Encounter of a group session (subject = the Group). Not US Core Encounter, which requires a Patient
   * subject; each attendee's child Encounter is US Core.
   */
  PeerGroupEncounter: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-group-encounter`,
  /** A peer's PractitionerRole without contact information (US Core PractitionerRole pd-1 needs telecom or an endpoint). */
  PeerPractitionerRole: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-practitioner-role`,
  /** A consent recipient Practitioner known by a free-text name only (US Core Practitioner requires `name.family`). */
  PeerRecipientPractitioner: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-recipient-practitioner`,
  PeerConsent: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-consent`,
  /** A professional Claim for peer services (US Core has no Claim profile). */
  PeerProfessionalClaim: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-professional-claim`,
  /** A remittance (X12 835) of a peer services claim as a ClaimResponse. */
  PeerClaimResponse: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-claim-response`,
  PeerPlanSignature: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-plan-signature`,
} as const;

/**
 * US Core 6.1 extensions peer-fhir writes (on Patient).
 *
 * @see https://hl7.org/fhir/us/core/STU6.1/profiles-and-extensions.html#extensions
 * @example
 * ```ts
 * patient.extension?.find((e) => e.url === UsCoreExtensions.BirthSex)?.valueCode; // 'F'
 * ```
 * @category Terminology
 */
export const UsCoreExtensions = {
  Race: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
  Ethnicity: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity',
  BirthSex: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex',
} as const;

/**
 * Extensions peer-fhir defines, for what FHIR R4 has no element for.
 *
 * @example
 * ```ts
 * encounter.extension?.find((e) => e.url === Extensions.SupportType);
 * ```
 * @category Terminology
 */
export const Extensions = {
  SupportType: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-support-type`,
  Activity: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-activity`,
  Setting: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-setting`,
  Modality: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-modality`,
  PlaceOfService: `${PEER_FHIR_CANONICAL}/StructureDefinition/place-of-service`,
  GoalAddressed: `${PEER_FHIR_CANONICAL}/StructureDefinition/goal-addressed`,
  Part2Program: `${PEER_FHIR_CANONICAL}/StructureDefinition/part2-program`,
  CredentialEndorsement: `${PEER_FHIR_CANONICAL}/StructureDefinition/credential-endorsement`,
  CredentialState: `${PEER_FHIR_CANONICAL}/StructureDefinition/credential-state`,
  Strength: `${PEER_FHIR_CANONICAL}/StructureDefinition/recovery-strength`,
  CrisisPlan: `${PEER_FHIR_CANONICAL}/StructureDefinition/crisis-plan`,
  ReviewDue: `${PEER_FHIR_CANONICAL}/StructureDefinition/review-due`,
  ConsentRevoked: `${PEER_FHIR_CANONICAL}/StructureDefinition/consent-revoked`,
  ConsentDataScope: `${PEER_FHIR_CANONICAL}/StructureDefinition/consent-data-scope`,
  Supervisor: `${PEER_FHIR_CANONICAL}/StructureDefinition/supervisor`,
  /** 837P claim frequency code (CLM05-3) on a Claim; @peer-fhir/x12 writes and reads it. */
  ClaimFrequency: `${PEER_FHIR_CANONICAL}/StructureDefinition/claim-frequency`,
  /** 837P 2400 REF*6R override on a Claim.item; @peer-fhir/x12 reads it. */
  LineItemControlNumber: `${PEER_FHIR_CANONICAL}/StructureDefinition/line-item-control-number`,
} as const;
