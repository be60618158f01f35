/**
 * What an outcome instrument is to peer-fhir: a versioned Questionnaire, its items, its answer scale and a scoring
 * function. Built-ins (BARC-10, PHQ-9) and vendor instruments share this shape.
 * @module
 */
import type { Coding, Questionnaire, QuestionnaireItem } from 'fhir/r4.js';
import { PeerFhirValidationError, type ValidationIssue } from '../errors.js';
import { OutcomeProfiles, OutcomeSystems } from './terminology.js';

/**
 * One answer option: the score it counts for and the coding stored in the QuestionnaireResponse.
 * @see https://hl7.org/fhir/R4/questionnaire-definitions.html#Questionnaire.item.answerOption
 * @example
 * ```ts
 * const notAtAll: AnswerChoice = { value: 0, coding: { system: 'http://loinc.org', code: 'LA6568-5', display: 'Not at all' } };
 * ```
 * @category Outcomes
 */
export interface AnswerChoice {
  value: number;
  coding: Coding;
}

/**
 * One scored item: its `linkId` (the key of the answer in an `InstrumentResponse`), text and optional code.
 * @see https://hl7.org/fhir/R4/questionnaire-definitions.html#Questionnaire.item
 * @example
 * ```ts
 * const item: InstrumentItem = { linkId: '44250-9', text: 'Little interest or pleasure in doing things', code: { system: 'http://loinc.org', code: '44250-9' } };
 * ```
 * @category Outcomes
 */
export interface InstrumentItem {
  linkId: string;
  text: string;
  code?: Coding | undefined;
}

/**
 * The result of scoring one response: the total and, when the instrument defines bands, the band it falls in.
 * @see https://hl7.org/fhir/R4/observation-definitions.html#Observation.interpretation
 * @example
 * ```ts
 * const s: InstrumentScore = { total: 12, band: { code: 'moderate', display: 'Moderate' } };
 * ```
 * @category Outcomes
 */
export interface InstrumentScore {
  total: number;
  band?: { code: string; display: string } | undefined;
}

/**
 * A registrable instrument. `score` receives answers already checked against `items` and `answers` (every item
 * answered with an allowed value), so it only has to compute.
 *
 * @see https://hl7.org/fhir/R4/questionnaire.html
 * @example
 * ```ts
 * const def: InstrumentDefinition = defineInstrument({ id: 'my-scale', title: 'My scale', version: '1.0.0',
 *   url: 'https://vendor.example/fhir/Questionnaire/my-scale', items, answers,
 *   scoreCode: { system: 'https://vendor.example/cs', code: 'total' }, direction: 'higher-is-better' });
 * ```
 * @category Outcomes
 */
export interface InstrumentDefinition {
  /** Registry key, e.g. `barc-10`. */
  id: string;
  title: string;
  /** Canonical URL of the Questionnaire. */
  url: string;
  version: string;
  /** The Questionnaire resource (with `url` and `version`). */
  questionnaire: Questionnaire;
  items: readonly InstrumentItem[];
  /** The answer scale shared by every item. */
  answers: readonly AnswerChoice[];
  /** Code of the total-score Observation. */
  scoreCode: Coding;
  /** Smallest and largest possible total. */
  range: { min: number; max: number };
  /** Whether a rising total means improvement (recovery capital) or worsening (symptom burden). */
  direction: 'higher-is-better' | 'lower-is-better';
  score(answers: Readonly<Record<string, number>>): InstrumentScore;
}

/**
 * Input of {@link defineInstrument}: everything but the Questionnaire, which is built from the items; `score`
 * defaults to the sum of the item values.
 * @see https://hl7.org/fhir/R4/questionnaire.html
 * @example
 * ```ts
 * const spec: InstrumentSpec = { id: 'x', title: 'X', version: '1', url, items, answers, scoreCode, direction: 'higher-is-better' };
 * ```
 * @category Outcomes
 */
export interface InstrumentSpec extends Omit<InstrumentDefinition, 'questionnaire' | 'score' | 'range'> {
  score?: InstrumentDefinition['score'] | undefined;
  /** Questionnaire fields to add (copyright, publisher, code, …). */
  questionnaire?: Partial<Omit<Questionnaire, 'resourceType' | 'url' | 'version' | 'item'>> | undefined;
  /** Lead text shown before the items. */
  instructions?: string | undefined;
}

/**
 * The answers of a response break the instrument's rules. `issues` names each problem by path
 * (`answers.q3: required`, `answers.q7: must be between 1 and 6`) and never holds an answer's value.
 *
 * @see https://hl7.org/fhir/R4/questionnaireresponse.html
 * @example
 * ```ts
 * try { scoreResponse(r); } catch (e) { if (e instanceof InstrumentAnswerError) console.log(e.issues.map((i) => i.path)); }
 * ```
 * @category Outcomes
 */
export class InstrumentAnswerError extends PeerFhirValidationError {
  /** Id of the instrument whose rules were broken. */
  readonly instrumentId: string;
  constructor(instrumentId: string, issues: readonly ValidationIssue[]) {
    super(`InstrumentResponse(${instrumentId})`, issues, 'core.instrument-answer');
    this.instrumentId = instrumentId;
  }
}

/**
 * Every problem of a set of answers against an instrument: missing items, unknown items, values off the scale.
 *
 * @param def - the instrument's items and answer scale
 * @param answers - the answers by item linkId
 * @returns one issue per problem (path and code, no answer value); empty when the answers are complete and valid
 * @see https://hl7.org/fhir/R4/questionnaireresponse.html#invs
 * @example
 * ```ts
 * answerProblems(barc10, { q1: 7 }); // [{ path: 'answers.q1', code: 'out_of_range', … }, { path: 'answers.q2', code: 'required', … }, …]
 * ```
 * @category Outcomes
 */
export function answerProblems(def: Pick<InstrumentDefinition, 'items' | 'answers'>, answers: Readonly<Record<string, number>>): ValidationIssue[] {
  const allowed = new Set(def.answers.map((a) => a.value));
  const values = def.answers.map((a) => a.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const issues: ValidationIssue[] = [];
  const known = new Set(def.items.map((i) => i.linkId));
  for (const item of def.items) {
    const v = answers[item.linkId];
    const path = `answers.${item.linkId}`;
    if (v === undefined) issues.push({ path, code: 'required', message: 'required' });
    else if (!Number.isInteger(v) || !allowed.has(v)) issues.push({ path, code: 'out_of_range', message: `must be an integer between ${min} and ${max}` });
  }
  for (const key of Object.keys(answers)) {
    if (!known.has(key)) issues.push({ path: `answers.${key}`, code: 'unknown_item', message: 'is not an item of this instrument' });
  }
  return issues;
}

/** Sum of the item values. */
function sumScore(answers: Readonly<Record<string, number>>): InstrumentScore {
  return { total: Object.values(answers).reduce((a, b) => a + b, 0) };
}

function questionnaireItem(item: InstrumentItem, answers: readonly AnswerChoice[]): QuestionnaireItem {
  return {
    linkId: item.linkId,
    ...(item.code ? { code: [item.code] } : {}),
    text: item.text,
    type: 'choice',
    required: true,
    answerOption: answers.map((a) => ({
      valueCoding: { ...a.coding, extension: [{ url: OutcomeSystems.ORDINAL_VALUE, valueDecimal: a.value }] },
    })),
  };
}

/**
 * Build an {@link InstrumentDefinition} (Questionnaire included) from items, an answer scale and a score code.
 *
 * @param spec - the items, answer scale, score and version of the instrument
 * @returns the instrument definition with its Questionnaire
 * @see https://hl7.org/fhir/R4/questionnaire.html
 * @example
 * ```ts
 * registerInstrument(defineInstrument({ id: 'my-scale', title: 'My scale', version: '1.0.0', url, items, answers, scoreCode, direction: 'higher-is-better' }));
 * ```
 * @category Outcomes
 */
export function defineInstrument(spec: InstrumentSpec): InstrumentDefinition {
  const { questionnaire: extra, instructions, score, ...rest } = spec;
  const values = spec.answers.map((a) => a.value);
  const range = { min: Math.min(...values) * spec.items.length, max: Math.max(...values) * spec.items.length };
  const name = spec.id.replace(/[^A-Za-z0-9]/g, '_').replace(/^([^A-Za-z])/, 'I$1').toUpperCase();
  const questionnaire: Questionnaire = {
    resourceType: 'Questionnaire',
    meta: { profile: [OutcomeProfiles.Questionnaire] },
    url: spec.url,
    version: spec.version,
    name,
    title: spec.title,
    status: 'active',
    subjectType: ['Patient'],
    ...extra,
    item: [
      ...(instructions ? [{ linkId: 'instructions', text: instructions, type: 'display' as const }] : []),
      ...spec.items.map((i) => questionnaireItem(i, spec.answers)),
    ],
  };
  return { ...rest, questionnaire, range, score: score ?? sumScore };
}
