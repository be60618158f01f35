/**
 * Code lists of peer-fhir's own CodeSystems and the standard codes the mapping uses.
 * Each list is `code -> display`; the domain schemas derive their enums from these keys.
 * @module
 */

/** Kinds of social support peers give (peer-fhir CodeSystem peer-support-type). @category Terminology */
export const SupportTypes = {
  emotional: 'Emotional support',
  informational: 'Informational support',
  instrumental: 'Instrumental support',
  affiliational: 'Affiliational support',
} as const;

/** Peer activities during a contact (peer-fhir CodeSystem peer-activity). @category Terminology */
export const Activities = {
  advocacy: 'Advocacy',
  'system-navigation': 'System navigation',
  'resource-linkage': 'Resource linkage',
  'skill-building': 'Skill building',
  'goal-setting': 'Goal setting',
  'community-integration': 'Community integration',
  'crisis-planning': 'Crisis planning',
  'self-disclosure': 'Strategic self-disclosure / role modeling',
} as const;

/** Where the contact took place (peer-fhir CodeSystem peer-setting). @category Terminology */
export const Settings = {
  community: 'Community',
  home: 'Home',
  clinic: 'Clinic',
  'emergency-department': 'Emergency department',
  inpatient: 'Inpatient',
  'crisis-stabilization': 'Crisis stabilization unit',
  'correctional-reentry': 'Correctional or re-entry setting',
  'shelter-housing': 'Shelter or housing program',
  'peer-run-center': 'Peer-run center',
  'warm-line': 'Warm line',
} as const;

/** How the contact was delivered (peer-fhir CodeSystem peer-modality). @category Terminology */
export const Modalities = {
  'in-person': 'In person',
  video: 'Synchronous audio and video',
  'audio-only': 'Audio only',
} as const;

/** Program the service belongs to (peer-fhir CodeSystem peer-program). @category Terminology */
export const Programs = {
  'mental-health': 'Mental health program',
  'substance-use': 'Substance use program',
  'co-occurring': 'Co-occurring mental health and substance use program',
} as const;

/** Kinds of peer service (peer-fhir CodeSystem peer-service), carried next to HCPCS in Encounter.type. @category Terminology */
export const PeerServices = {
  'individual-peer-support': 'Individual peer support',
  'group-peer-support': 'Group peer support',
  'group-peer-support-session': 'Group peer support session (whole group)',
} as const;

/** Credential endorsements (peer-fhir CodeSystem peer-endorsement). @category Terminology */
export const Endorsements = {
  MH: 'Mental health',
  SUD: 'Substance use disorder',
  youth: 'Youth',
  family: 'Family',
  forensic: 'Forensic',
} as const;

/** Life domains of recovery goals (peer-fhir CodeSystem recovery-life-domain). @category Terminology */
export const LifeDomains = {
  housing: 'Housing',
  employment: 'Employment',
  education: 'Education',
  health: 'Physical health',
  'mental-health': 'Mental health',
  recovery: 'Recovery from substance use',
  relationships: 'Relationships and family',
  community: 'Community and social connection',
  finances: 'Finances',
  legal: 'Legal',
  spirituality: 'Spirituality and meaning',
  transportation: 'Transportation',
} as const;

/** Kinds of consent directive (peer-fhir CodeSystem consent-kind). @category Terminology */
export const ConsentKinds = {
  'part2-tpo': '42 CFR Part 2 single consent for treatment, payment and health care operations',
  'part2-specific': '42 CFR Part 2 consent to a named recipient',
  'hipaa-authorization': 'HIPAA authorization (45 CFR 164.508)',
} as const;

/**
 * Purposes of use and their v3-ActReason codes.
 * @see https://terminology.hl7.org/CodeSystem-v3-ActReason.html
 * @category Terminology
 */
export const Purposes = {
  treatment: { code: 'TREAT', display: 'treatment' },
  payment: { code: 'HPAYMT', display: 'healthcare payment' },
  operations: { code: 'HOPERAT', display: 'healthcare operations' },
  'care-coordination': { code: 'COC', display: 'coordination of care' },
  research: { code: 'HRESCH', display: 'healthcare research' },
  'public-health': { code: 'PUBHLTH', display: 'public health' },
  'patient-request': { code: 'PATRQT', display: 'patient requested' },
  legal: { code: 'HLEGAL', display: 'legal' },
} as const;

/** Purposes covered by a Part 2 single TPO consent (42 CFR 2.33(b), 2024 rule). @category Terminology */
export const TPO_PURPOSES = ['treatment', 'payment', 'operations', 'care-coordination'] as const;

/** Signature types used on plan Provenance (ASTM E1762-95). @category Terminology */
export const SignatureTypes = {
  participant: { code: '1.2.840.10065.1.12.1.7', display: 'Consent Signature' },
  peer: { code: '1.2.840.10065.1.12.1.1', display: "Author's Signature" },
  clinician: { code: '1.2.840.10065.1.12.1.6', display: 'Validation Signature' },
} as const;

/** Peer specialist taxonomy (NUCC 175T00000X Peer Specialist). @category Terminology */
export const PEER_SPECIALIST_TAXONOMY = { code: '175T00000X', display: 'Peer Specialist' } as const;

/** HCPCS H0038 self-help/peer services, per 15 minutes. @category Terminology */
export const HCPCS_PEER_SERVICES = { code: 'H0038', display: 'Self-help/peer services, per 15 minutes' } as const;

/**
 * OMB race categories (CDC Race & Ethnicity code system, `urn:oid:2.16.840.1.113883.6.238`), the codes the US Core
 * Race extension's `ombCategory` takes; `ASKU` (asked but declined) and `UNK` come from v3-NullFlavor.
 * @see https://hl7.org/fhir/us/core/STU6.1/StructureDefinition-us-core-race.html
 * @category Terminology
 */
export const OmbRaceCategories = {
  '1002-5': 'American Indian or Alaska Native',
  '2028-9': 'Asian',
  '2054-5': 'Black or African American',
  '2076-8': 'Native Hawaiian or Other Pacific Islander',
  '2106-3': 'White',
  ASKU: 'Asked but no answer',
  UNK: 'Unknown',
} as const;

/**
 * OMB ethnicity categories for the US Core Ethnicity extension's `ombCategory` (same code systems as race).
 * @see https://hl7.org/fhir/us/core/STU6.1/StructureDefinition-us-core-ethnicity.html
 * @category Terminology
 */
export const OmbEthnicityCategories = {
  '2135-2': 'Hispanic or Latino',
  '2186-5': 'Not Hispanic or Latino',
  ASKU: 'Asked but no answer',
  UNK: 'Unknown',
} as const;

/**
 * Sex assigned at birth, the codes of the US Core Birth Sex extension (`F`, `M` from v3-AdministrativeGender; `ASKU`,
 * `UNK` from v3-NullFlavor).
 * @see https://hl7.org/fhir/us/core/STU6.1/StructureDefinition-us-core-birthsex.html
 * @category Terminology
 */
export const BirthSexCodes = {
  F: 'Female',
  M: 'Male',
  ASKU: 'Asked but no answer',
  UNK: 'Unknown',
} as const;
