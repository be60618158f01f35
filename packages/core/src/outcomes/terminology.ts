/**
 * Code systems, canonical URLs and identifier systems of the outcome instruments peer-fhir bundles.
 * @module
 */
import { DEFAULT_ID_NAMESPACE } from '../terminology/identifiers.js';
import { PEER_FHIR_CANONICAL } from '../terminology/systems.js';

/**
 * Code systems and canonical URLs used by outcome measures: peer-fhir's own for instruments without LOINC codes
 * (BARC-10), HL7's observation-category, and the ordinalValue extension that carries each answer's score.
 *
 * @see https://hl7.org/fhir/R4/codesystem-observation-category.html
 * @example
 * ```ts
 * import { OutcomeSystems } from '@peer-fhir/core';
 * const total = { system: OutcomeSystems.BARC10, code: 'total' };
 * ```
 * @category Outcomes
 */
export const OutcomeSystems = {
  /** Items (`q1`…`q10`) and total score (`total`) of the BARC-10; it has no LOINC codes. */
  BARC10: `${PEER_FHIR_CANONICAL}/CodeSystem/barc-10`,
  /** The six-point agreement scale of the BARC-10 (`1` strongly disagree … `6` strongly agree). */
  AGREEMENT_6: `${PEER_FHIR_CANONICAL}/CodeSystem/agreement-6`,
  OBSERVATION_CATEGORY: 'http://terminology.hl7.org/CodeSystem/observation-category',
  /** R4 core extension carrying the score of an answer option. */
  ORDINAL_VALUE: 'http://hl7.org/fhir/StructureDefinition/ordinalValue',
} as const;

/**
 * Profiles named in `meta.profile` of outcome resources: US Core QuestionnaireResponse, peer-fhir's score Observation.
 *
 * @see https://hl7.org/fhir/us/core/STU6.1/StructureDefinition-us-core-questionnaireresponse.html
 * @example
 * ```ts
 * qr.meta = { profile: [OutcomeProfiles.QuestionnaireResponse] };
 * ```
 * @category Outcomes
 */
export const OutcomeProfiles = {
  QuestionnaireResponse: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-questionnaireresponse',
  Questionnaire: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-instrument`,
  ScoreObservation: `${PEER_FHIR_CANONICAL}/StructureDefinition/instrument-score`,
  /** US Core Observation Screening Assessment, which the score Observation also claims (category survey). */
  ScreeningAssessment: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-screening-assessment',
} as const;

/**
 * Identifier systems for outcome records in one namespace (same rules as `identifierSystems`).
 *
 * @param namespace - the namespace to mint identifiers under
 * @returns the identifier system URI of each kind of outcome record
 * @see https://hl7.org/fhir/R4/datatypes.html#Identifier
 * @example
 * ```ts
 * outcomeIdentifierSystems('https://ehr.example.org/ids').response; // 'https://ehr.example.org/ids/instrument-response'
 * ```
 * @category Outcomes
 */
export function outcomeIdentifierSystems(namespace: string = DEFAULT_ID_NAMESPACE) {
  const sep = namespace.startsWith('urn:') ? ':' : '/';
  const base = namespace.endsWith(sep) ? namespace.slice(0, -1) : namespace;
  return {
    response: `${base}${sep}instrument-response`,
    score: `${base}${sep}instrument-score`,
  } as const;
}
