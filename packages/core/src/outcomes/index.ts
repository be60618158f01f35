/**
 * Outcome measures: instruments as versioned Questionnaires, responses, score Observations and trends.
 * @module
 */
export { OutcomeSystems, OutcomeProfiles, outcomeIdentifierSystems } from './terminology.js';
export {
  defineInstrument,
  answerProblems,
  InstrumentAnswerError,
  type AnswerChoice,
  type InstrumentItem,
  type InstrumentScore,
  type InstrumentDefinition,
  type InstrumentSpec,
} from './instrument.js';
export { barc10, BARC10_URL } from './barc-10.js';
export { phq9, phq9Severity } from './phq-9.js';
export { InstrumentRegistry, UnknownInstrumentError, createInstrumentRegistry, defaultInstruments, registerInstrument, getInstrument } from './registry.js';
export { InstrumentResponse, scoreResponse, type ScoredResponse, type OutcomeOptions } from './response.js';
export { questionnaireResponseToFhir, scoreObservationToFhir, instrumentResponseBundle, type OutcomeMappingOptions } from './to-fhir.js';
export { instrumentResponseFromFhir, scorePointFromObservation, type OutcomeReadOptions } from './from-fhir.js';
export { scorePoints, participantTrend, programScoreChange, type ScorePoint, type ParticipantTrend, type ProgramScoreChange } from './trends.js';
