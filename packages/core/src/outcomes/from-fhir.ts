/**
 * QuestionnaireResponse / score Observation -> domain records, for trends over what a server holds.
 * @module
 */
import type { Observation, QuestionnaireResponse, Reference } from 'fhir/r4.js';
import { FhirMappingError, type ValidationIssue } from '../errors.js';
import { agencyNamespace, identifierSystems } from '../terminology/identifiers.js';
import { Systems } from '../terminology/systems.js';
import { isPart2Protected } from '../security/part2-labels.js';
import { defaultInstruments, type InstrumentRegistry } from './registry.js';
import { InstrumentResponse } from './response.js';
import { parseOrThrow } from '../validate.js';
import { outcomeIdentifierSystems } from './terminology.js';
import type { ScorePoint } from './trends.js';

/**
 * Options of the outcome readers: namespace, registry, and the participant id when the subject is a literal
 * reference (`Patient/123`) rather than a logical one.
 * @see https://hl7.org/fhir/R4/references.html
 * @example
 * ```ts
 * instrumentResponseFromFhir(qr, { namespace: NS, participantId: 'p-1' });
 * ```
 * @category Outcomes
 */
export interface OutcomeReadOptions {
  namespace?: string | undefined;
  /** Organization NPI of the agency whose records these are (identifiers are scoped to it). */
  agency?: string | undefined;
  registry?: InstrumentRegistry | undefined;
  participantId?: string | undefined;
}

function participantOf(subject: Reference | undefined, o: OutcomeReadOptions, issues: ValidationIssue[], path: string): string {
  const id = subject?.identifier?.system === identifierSystems({ agency: o.agency ?? '', namespace: o.namespace }).participant ? subject.identifier.value : undefined;
  const out = o.participantId ?? id;
  if (!out) issues.push({ path, code: 'missing_reference', message: 'no participant identifier (pass participantId for a literal reference)' });
  return out ?? '';
}

/**
 * Read a QuestionnaireResponse written by peer-fhir (or any response to a registered instrument's Questionnaire)
 * back into an {@link InstrumentResponse}. Throws `FhirMappingError` listing every problem by path.
 *
 * @param qr - a QuestionnaireResponse
 * @param options - the namespace, agency and registry
 * @returns the instrument response record
 * @see https://hl7.org/fhir/R4/questionnaireresponse.html
 * @example
 * ```ts
 * const r = instrumentResponseFromFhir(qr, { namespace: NS });
 * r.answers.q1; // 5
 * ```
 * @category Outcomes
 */
export function instrumentResponseFromFhir(qr: QuestionnaireResponse, options: OutcomeReadOptions = {}): InstrumentResponse {
  const issues: ValidationIssue[] = [];
  const def = qr.questionnaire ? (options.registry ?? defaultInstruments).byUrl(qr.questionnaire) : undefined;
  if (!def) issues.push({ path: 'questionnaire', code: 'unknown_instrument', message: 'is not a registered instrument' });
  const idSys = outcomeIdentifierSystems(agencyNamespace({ agency: options.agency ?? '', namespace: options.namespace })).response;
  const id = qr.identifier?.system === idSys ? qr.identifier.value : qr.id;
  if (!id) issues.push({ path: 'identifier', code: 'required', message: 'required' });
  const participantId = participantOf(qr.subject, options, issues, 'subject');
  const answers: Record<string, number> = {};
  (qr.item ?? []).forEach((item, i) => {
    const a = item.answer?.[0];
    if (!a || !def) return;
    if (a.valueInteger !== undefined) answers[item.linkId] = a.valueInteger;
    else if (a.valueCoding) {
      const choice = def.answers.find((c) => c.coding.code === a.valueCoding?.code && c.coding.system === a.valueCoding?.system);
      if (choice) answers[item.linkId] = choice.value;
      else issues.push({ path: `item[${i}].answer[0].valueCoding`, code: 'unknown_answer', message: 'is not an answer option of the instrument' });
    }
  });
  if (!qr.authored) issues.push({ path: 'authored', code: 'required', message: 'required' });
  if (issues.length > 0) throw new FhirMappingError('QuestionnaireResponse', issues);
  const encounterId = qr.encounter?.identifier?.system === identifierSystems({ agency: options.agency ?? '', namespace: options.namespace }).encounter ? qr.encounter.identifier.value : undefined;
  const author = qr.author?.identifier?.system === Systems.NPI ? qr.author.identifier.value : undefined;
  return parseOrThrow(
    InstrumentResponse,
    {
      id, instrumentId: def?.id, participantId, authored: qr.authored, answers, ...(encounterId ? { encounterId } : {}), ...(author ? { administeredByNpi: author } : {}),
      ...(isPart2Protected(qr) ? { part2: true } : {}),
    },
    'InstrumentResponse',
  );
}

/**
 * Read a total-score Observation into a {@link ScorePoint} (participant, instrument, date, total); the instrument is
 * recognised by the Observation's code. Throws `FhirMappingError` when it is not a registered score.
 *
 * @param obs - a total-score Observation
 * @param options - the namespace, agency and registry
 * @returns the score point
 * @see https://hl7.org/fhir/R4/observation.html
 * @example
 * ```ts
 * const points = observations.map((o) => scorePointFromObservation(o, { namespace: NS }));
 * ```
 * @category Outcomes
 */
export function scorePointFromObservation(obs: Observation, options: OutcomeReadOptions = {}): ScorePoint {
  const issues: ValidationIssue[] = [];
  const codings = obs.code.coding ?? [];
  const def = (options.registry ?? defaultInstruments).list().find((d) => codings.some((c) => c.system === d.scoreCode.system && c.code === d.scoreCode.code));
  if (!def) issues.push({ path: 'code', code: 'unknown_instrument', message: 'is not the score code of a registered instrument' });
  const participantId = participantOf(obs.subject, options, issues, 'subject');
  const total = obs.valueInteger ?? obs.valueQuantity?.value;
  if (total === undefined) issues.push({ path: 'valueInteger', code: 'required', message: 'required' });
  const date = obs.effectiveDateTime ?? obs.effectivePeriod?.start;
  if (!date) issues.push({ path: 'effectiveDateTime', code: 'required', message: 'required' });
  if (issues.length > 0 || !def || total === undefined || !date) throw new FhirMappingError('Observation', issues);
  return { participantId, instrumentId: def.id, date, total };
}
