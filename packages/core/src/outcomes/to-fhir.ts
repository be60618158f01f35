/**
 * InstrumentResponse -> QuestionnaireResponse + score Observation (category `survey`, `derivedFrom` the response).
 * @module
 */
import type { Bundle, Observation, QuestionnaireResponse, Reference } from 'fhir/r4.js';
import { stableUuid } from '../fhir/internal/hash.js';
import { logicalRef, type RecordKey } from '../fhir/internal/builder.js';
import { recordKeys } from '../fhir/keys.js';
import { agencyNamespace } from '../terminology/identifiers.js';
import { Systems } from '../terminology/systems.js';
import { labelIfPart2 } from '../security/part2-labels.js';
import { scoreResponse, type OutcomeOptions, type ScoredResponse } from './response.js';
import { OutcomeProfiles, OutcomeSystems, outcomeIdentifierSystems } from './terminology.js';

/**
 * Options of the outcome mappers: the identifier namespace, and references to use instead of logical
 * (identifier) references when the caller knows the server ids.
 * @see https://hl7.org/fhir/R4/references.html#logical
 * @example
 * ```ts
 * questionnaireResponseToFhir(r, { namespace: 'https://ehr.example.org/ids', subject: { reference: 'Patient/123' } });
 * ```
 * @category Outcomes
 */
export interface OutcomeMappingOptions extends OutcomeOptions {
  namespace?: string | undefined;
  /** Organization NPI of the agency whose records these are (identifiers are scoped to it). */
  agency?: string | undefined;
  /** Reference to the participant's Patient (default: logical reference by participant identifier). */
  subject?: Reference | undefined;
  /** Reference to the encounter (default: logical reference by encounter identifier when `encounterId` is set). */
  encounter?: Reference | undefined;
  /** Reference to the QuestionnaireResponse for the Observation's `derivedFrom` (default: logical by identifier). */
  questionnaireResponse?: Reference | undefined;
  /**
   * Resolves the participant's Patient and the encounter to their literal references on the server (`Patient/123`),
   * as `toFhir`'s `existing` does (see `recordKeys`). US Core searches (`QuestionnaireResponse?patient=`,
   * `Observation?patient=&category=survey`) match literal references only; without an answer the reference is
   * logical (identifier only).
   */
  existing?: ((key: RecordKey) => string | undefined) | undefined;
}

/** A reference by identifier, with the literal `reference` too when the caller knows it. */
function keyedRef(key: RecordKey, existing: OutcomeMappingOptions['existing']): Reference {
  const literal = existing?.(key);
  return { ...(literal ? { reference: literal } : {}), ...logicalRef(key.resourceType, key.system, key.value) };
}

function refs(scored: ScoredResponse, o: OutcomeMappingOptions) {
  const keys = recordKeys({ agency: o.agency ?? '', namespace: o.namespace });
  const r = scored.response;
  return {
    subject: o.subject ?? keyedRef(keys.participant(r.participantId), o.existing),
    encounter: o.encounter ?? (r.encounterId ? keyedRef(keys.encounter(r.encounterId), o.existing) : undefined),
  };
}

/**
 * Map a response to a QuestionnaireResponse (US Core profile) answering the instrument's versioned Questionnaire;
 * each answer is the answer option's coding. Validates and throws like {@link scoreResponse}.
 *
 * @param input - an instrument response (validated here)
 * @param options - the namespace and agency, and the subject and encounter to reference
 * @returns the QuestionnaireResponse
 * @see https://hl7.org/fhir/R4/questionnaireresponse.html
 * @example
 * ```ts
 * const qr = questionnaireResponseToFhir(response, { namespace: NS });
 * qr.questionnaire; // 'https://peer-fhir.org/fhir/Questionnaire/barc-10|1.0.0'
 * ```
 * @category Outcomes
 */
export function questionnaireResponseToFhir(input: unknown, options: OutcomeMappingOptions = {}): QuestionnaireResponse {
  const s = scoreResponse(input, options);
  const { response: r, instrument: def } = s;
  const { subject, encounter } = refs(s, options);
  return labelIfPart2<QuestionnaireResponse>({
    resourceType: 'QuestionnaireResponse',
    meta: { profile: [OutcomeProfiles.QuestionnaireResponse] },
    identifier: { system: outcomeIdentifierSystems(agencyNamespace({ agency: options.agency ?? '', namespace: options.namespace })).response, value: r.id },
    questionnaire: `${def.url}|${def.version}`,
    status: 'completed',
    subject,
    ...(encounter ? { encounter } : {}),
    authored: r.authored,
    ...(r.administeredByNpi ? { author: logicalRef('Practitioner', Systems.NPI, r.administeredByNpi) } : {}),
    item: def.items.map((item) => {
      const choice = def.answers.find((a) => a.value === r.answers[item.linkId]);
      return { linkId: item.linkId, text: item.text, answer: choice ? [{ valueCoding: { ...choice.coding } }] : [] };
    }),
  }, r.part2 === true);
}

/**
 * Map a response to its total-score Observation: category `survey`, the instrument's score code, `valueInteger`,
 * the severity band (if any) as interpretation, `derivedFrom` the QuestionnaireResponse.
 *
 * @param input - an instrument response (validated here)
 * @param options - the namespace and agency, and the subject and encounter to reference
 * @returns the total-score Observation
 * @see https://hl7.org/fhir/R4/observation.html
 * @example
 * ```ts
 * const obs = scoreObservationToFhir(response, { questionnaireResponse: { reference: 'QuestionnaireResponse/9' } });
 * obs.valueInteger; // 49
 * ```
 * @category Outcomes
 */
export function scoreObservationToFhir(input: unknown, options: OutcomeMappingOptions = {}): Observation {
  const s = scoreResponse(input, options);
  const { response: r, instrument: def, score } = s;
  const { subject, encounter } = refs(s, options);
  const idSys = outcomeIdentifierSystems(agencyNamespace({ agency: options.agency ?? '', namespace: options.namespace }));
  return labelIfPart2<Observation>({
    resourceType: 'Observation',
    meta: { profile: [OutcomeProfiles.ScreeningAssessment, OutcomeProfiles.ScoreObservation] },
    identifier: [{ system: idSys.score, value: r.id }],
    status: 'final',
    category: [{ coding: [{ system: OutcomeSystems.OBSERVATION_CATEGORY, code: 'survey', display: 'Survey' }] }],
    code: { coding: [{ ...def.scoreCode }], text: `${def.title} total score` },
    subject,
    ...(encounter ? { encounter } : {}),
    effectiveDateTime: r.authored,
    ...(r.administeredByNpi ? { performer: [logicalRef('Practitioner', Systems.NPI, r.administeredByNpi)] } : {}),
    valueInteger: score.total,
    ...(score.band ? { interpretation: [{ text: score.band.display, coding: [{ system: `${def.url}/band`, code: score.band.code, display: score.band.display }] }] } : {}),
    derivedFrom: [options.questionnaireResponse ?? { type: 'QuestionnaireResponse', identifier: { system: idSys.response, value: r.id } }],
  }, r.part2 === true);
}

/**
 * One transaction Bundle with both resources as conditional creates (`If-None-Exist: identifier=…`), the
 * Observation's `derivedFrom` pointing at the QuestionnaireResponse entry. Writing it twice creates nothing new.
 *
 * @param input - an instrument response (validated here)
 * @param options - the namespace and agency, and the subject and encounter to reference
 * @returns a transaction Bundle with the QuestionnaireResponse and score Observation as conditional creates
 * @see https://hl7.org/fhir/R4/http.html#transaction
 * @example
 * ```ts
 * await client.transaction(instrumentResponseBundle(response, { namespace: NS }));
 * ```
 * @category Outcomes
 */
export function instrumentResponseBundle(input: unknown, options: OutcomeMappingOptions = {}): Bundle {
  const qr = questionnaireResponseToFhir(input, options);
  const idSys = outcomeIdentifierSystems(agencyNamespace({ agency: options.agency ?? '', namespace: options.namespace }));
  const value = qr.identifier?.value ?? '';
  const qrUrl = `urn:uuid:${stableUuid(`QuestionnaireResponse|${idSys.response}|${value}`)}`;
  const obs = scoreObservationToFhir(input, { ...options, questionnaireResponse: { reference: qrUrl } });
  const entry = (fullUrl: string, resource: QuestionnaireResponse | Observation, system: string) => ({
    fullUrl,
    resource,
    request: { method: 'POST' as const, url: resource.resourceType, ifNoneExist: `identifier=${encodeURIComponent(system)}|${encodeURIComponent(value)}` },
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [entry(qrUrl, qr, idSys.response), entry(`urn:uuid:${stableUuid(`Observation|${idSys.score}|${value}`)}`, obs, idSys.score)],
  };
}
