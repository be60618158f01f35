/**
 * One completed instrument: the domain record, validated against the instrument, and its score.
 * @module
 */
import * as z from 'zod';
import { IsoDateTime, Npi, RecordId } from '../domain/common.js';
import { parseOrThrow } from '../validate.js';
import { answerProblems, InstrumentAnswerError, type InstrumentDefinition, type InstrumentScore } from './instrument.js';
import { defaultInstruments, type InstrumentRegistry } from './registry.js';

/**
 * A participant's answers to one instrument at one moment, answers keyed by item `linkId`
 * (`q1`…`q10` for BARC-10, LOINC item codes for PHQ-9).
 *
 * @see https://hl7.org/fhir/R4/questionnaireresponse.html
 * @example
 * ```ts
 * const r = InstrumentResponse.parse({ id: 'qr-1', instrumentId: 'barc-10', participantId: 'p-1',
 *   authored: '2025-03-01T10:00:00-05:00', answers: { q1: 5, q2: 4, q3: 4, q4: 3, q5: 5, q6: 5, q7: 4, q8: 6, q9: 5, q10: 5 } });
 * ```
 * @category Outcomes
 */
export const InstrumentResponse = z.object({
  id: RecordId,
  instrumentId: z.string().min(1).max(64),
  participantId: RecordId,
  authored: IsoDateTime,
  answers: z.record(z.string().min(1).max(64), z.number()),
  /** The encounter in which it was completed, if any. */
  encounterId: RecordId.optional(),
  /** Who administered it. */
  administeredByNpi: Npi.optional(),
  /** Collected by a 42 CFR Part 2 program: the QuestionnaireResponse and score Observation carry the Part 2 labels. */
  part2: z.boolean().optional(),
});
export type InstrumentResponse = z.infer<typeof InstrumentResponse>;

/**
 * A scored response: the record, its instrument and score.
 * @see https://hl7.org/fhir/R4/observation.html
 * @example
 * ```ts
 * const { total } = scoreResponse(r).score;
 * ```
 * @category Outcomes
 */
export interface ScoredResponse {
  response: InstrumentResponse;
  instrument: InstrumentDefinition;
  score: InstrumentScore;
}

/**
 * Options of the outcome functions: the registry to look instruments up in (default {@link defaultInstruments}).
 * @see https://hl7.org/fhir/R4/questionnaire.html
 * @example
 * ```ts
 * scoreResponse(r, { registry: myRegistry });
 * ```
 * @category Outcomes
 */
export interface OutcomeOptions {
  registry?: InstrumentRegistry | undefined;
}

/**
 * Validate a response (record shape, then every answer against its instrument) and compute its score. Throws
 * `PeerFhirValidationError` for a malformed record and {@link InstrumentAnswerError} listing every missing,
 * unknown or out-of-range answer by path.
 *
 * @param input - an instrument response (validated here)
 * @param options - the registry
 * @returns the response with its total and interpretation
 * @see https://hl7.org/fhir/R4/questionnaireresponse.html
 * @example
 * ```ts
 * scoreResponse({ ...r, answers: { ...r.answers, q3: 7 } }); // throws: answers.q3: must be an integer between 1 and 6
 * ```
 * @category Outcomes
 */
export function scoreResponse(input: unknown, options: OutcomeOptions = {}): ScoredResponse {
  const response = parseOrThrow(InstrumentResponse, input, 'InstrumentResponse');
  const instrument = (options.registry ?? defaultInstruments).get(response.instrumentId);
  const issues = answerProblems(instrument, response.answers);
  if (issues.length > 0) throw new InstrumentAnswerError(instrument.id, issues);
  return { response, instrument, score: instrument.score(response.answers) };
}
