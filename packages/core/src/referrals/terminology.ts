/**
 * Codes, profiles and identifier systems of closed-loop referrals (Gravity SDOH Clinical Care pattern).
 * @module
 */
import { DEFAULT_ID_NAMESPACE } from '../terminology/identifiers.js';
import { PEER_FHIR_CANONICAL } from '../terminology/systems.js';

/**
 * Code systems used by referrals: SDOHCC temporary codes (SDOH categories, `resulting-activity`), FHIR task-code,
 * and peer-fhir's referral category and business-status systems.
 *
 * @see http://hl7.org/fhir/us/sdoh-clinicalcare/STU2.1/CodeSystem-SDOHCC-CodeSystemTemporaryCodes.html
 * @example
 * ```ts
 * const cat = { system: ReferralSystems.SDOHCC_TEMPORARY, code: 'food-insecurity' };
 * ```
 * @category Referrals
 */
export const ReferralSystems = {
  SDOHCC_TEMPORARY: 'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes',
  TASK_CODE: 'http://hl7.org/fhir/CodeSystem/task-code',
  CATEGORY: `${PEER_FHIR_CANONICAL}/CodeSystem/referral-category`,
  BUSINESS_STATUS: `${PEER_FHIR_CANONICAL}/CodeSystem/referral-status`,
} as const;

/**
 * Profiles named in `meta.profile`: US Core ServiceRequest for the order and peer-fhir's referral Task. peer-fhir does
 * not claim the SDOHCC profiles: their rules (Task.requester a PractitionerRole or Organization, a completed Task's
 * output a Procedure, a required ServiceRequest.code binding) do not hold for every referral peer-fhir writes, and the
 * SDOHCC package is not available to check against.
 *
 * @see https://hl7.org/fhir/us/core/STU6.1/StructureDefinition-us-core-servicerequest.html
 * @example
 * ```ts
 * task.meta = { profile: [ReferralProfiles.Task] };
 * ```
 * @category Referrals
 */
export const ReferralProfiles = {
  ServiceRequest: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-servicerequest',
  Task: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-referral-task`,
} as const;

/**
 * SNOMED CT codes of a referral: 461481000124109 "Referral to peer support (procedure)" (ServiceRequest.code of
 * referrals into peer services) and 410606002 "Social service procedure" (category), as in HL7 Behavioral Health
 * Profiles' peer-mentoring ServiceRequest example.
 *
 * @see https://github.com/HL7/us-behavioral-health-profiles/blob/main/input/resources/servicerequest/ServiceRequest-peer-mentoring-example-1.xml
 * @example
 * ```ts
 * sr.code = { coding: [ReferralCodes.referralToPeerSupport] };
 * ```
 * @category Referrals
 */
export const ReferralCodes = {
  referralToPeerSupport: { system: 'http://snomed.info/sct', code: '461481000124109', display: 'Referral to peer support (procedure)' },
  socialServiceProcedure: { system: 'http://snomed.info/sct', code: '410606002', display: 'Social service procedure' },
} as const;

/**
 * What a referral is for, with the SDOHCC category (SDOH domain) each maps to.
 *
 * @see http://hl7.org/fhir/us/sdoh-clinicalcare/STU2.1/ValueSet-SDOHCC-ValueSetSDOHCategory.html
 * @example
 * ```ts
 * ReferralCategories.food.sdoh; // 'food-insecurity'
 * ```
 * @category Referrals
 */
export const ReferralCategories = {
  'peer-support': { display: 'Peer support services', sdoh: 'social-connection', sdohDisplay: 'Social Connection' },
  housing: { display: 'Housing', sdoh: 'housing-instability', sdohDisplay: 'Housing Instability' },
  employment: { display: 'Employment', sdoh: 'employment-status', sdohDisplay: 'Employment Status' },
  food: { display: 'Food', sdoh: 'food-insecurity', sdohDisplay: 'Food Insecurity' },
  transportation: { display: 'Transportation', sdoh: 'transportation-insecurity', sdohDisplay: 'Transportation Insecurity' },
  'mutual-aid': { display: 'Mutual-aid / recovery community', sdoh: 'social-connection', sdohDisplay: 'Social Connection' },
  financial: { display: 'Financial assistance', sdoh: 'financial-insecurity', sdohDisplay: 'Financial Insecurity' },
  education: { display: 'Education', sdoh: 'educational-attainment', sdohDisplay: 'Educational Attainment' },
  'health-insurance': { display: 'Health insurance', sdoh: 'health-insurance-coverage-status', sdohDisplay: 'Health Insurance Coverage Status' },
  'intimate-partner-violence': { display: 'Safety / intimate partner violence', sdoh: 'intimate-partner-violence', sdohDisplay: 'Intimate Partner Violence' },
  other: { display: 'Other', sdoh: 'sdoh-category-unspecified', sdohDisplay: 'SDOH Category Unspecified' },
} as const;

/**
 * Identifier systems for referral records in one namespace (same rules as `identifierSystems`).
 * @param namespace - the namespace to mint identifiers under
 * @returns the identifier system URI of each kind of referral record
 * @see https://hl7.org/fhir/R4/datatypes.html#Identifier
 * @example
 * ```ts
 * referralIdentifierSystems('https://ehr.example.org/ids').task; // 'https://ehr.example.org/ids/referral-task'
 * ```
 * @category Referrals
 */
export function referralIdentifierSystems(namespace: string = DEFAULT_ID_NAMESPACE) {
  const sep = namespace.startsWith('urn:') ? ':' : '/';
  const base = namespace.endsWith(sep) ? namespace.slice(0, -1) : namespace;
  return { serviceRequest: `${base}${sep}referral`, task: `${base}${sep}referral-task`, procedure: `${base}${sep}procedure` } as const;
}
