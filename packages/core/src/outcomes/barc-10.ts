/**
 * BARC-10, the Brief Assessment of Recovery Capital: ten self-report items on a six-point agreement scale,
 * total 10–60, higher is more recovery capital (Vilsaint et al., Drug and Alcohol Dependence 177 (2017) 71–76).
 * PhenX lists it as freely available, permission not required
 * (https://www.phenxtoolkit.org/protocols/view/590502). Item texts below are peer-fhir's short paraphrases of the
 * ten item themes, not the published wording: show your licensed form to participants.
 * @module
 */
import { PEER_FHIR_CANONICAL } from '../terminology/systems.js';
import { defineInstrument, type AnswerChoice, type InstrumentItem } from './instrument.js';
import { OutcomeSystems } from './terminology.js';

const ITEM_THEMES = [
  'Things other than substance use matter more to me',
  'Overall I am satisfied with my life',
  'I have the energy for what I set out to do',
  'I feel part of, and proud of, my community',
  'Friends give me a lot of support',
  'My life feels full and worthwhile without alcohol or drugs',
  'Where I live supports my recovery',
  'I own what I do',
  'I am comfortable working with professionals',
  'I am moving forward in my recovery',
] as const;

const AGREEMENT = ['Strongly disagree', 'Disagree', 'Somewhat disagree', 'Somewhat agree', 'Agree', 'Strongly agree'] as const;

/**
 * Canonical URL of the BARC-10 Questionnaire peer-fhir publishes.
 * @see https://hl7.org/fhir/R4/resource.html#canonical
 * @example
 * ```ts
 * qr.questionnaire = `${BARC10_URL}|${barc10.version}`;
 * ```
 * @category Outcomes
 */
export const BARC10_URL = `${PEER_FHIR_CANONICAL}/Questionnaire/barc-10`;

/**
 * The BARC-10 instrument: items `q1`…`q10`, answers 1–6, total 10–60 (code `total` in {@link OutcomeSystems.BARC10}).
 * The total is a plain sum; 47 or more was associated with sustained remission in the validation study.
 *
 * @see https://www.phenxtoolkit.org/protocols/view/590502
 * @example
 * ```ts
 * barc10.score({ q1: 6, q2: 5, q3: 4, q4: 4, q5: 5, q6: 6, q7: 3, q8: 6, q9: 5, q10: 5 }).total; // 49
 * ```
 * @category Outcomes
 */
export const barc10 = defineInstrument({
  id: 'barc-10',
  title: 'Brief Assessment of Recovery Capital (BARC-10)',
  url: BARC10_URL,
  version: '1.0.0',
  direction: 'higher-is-better',
  items: ITEM_THEMES.map(
    (text, i): InstrumentItem => ({ linkId: `q${i + 1}`, text, code: { system: OutcomeSystems.BARC10, code: `q${i + 1}`, display: text } }),
  ),
  answers: AGREEMENT.map((display, i): AnswerChoice => ({ value: i + 1, coding: { system: OutcomeSystems.AGREEMENT_6, code: String(i + 1), display } })),
  scoreCode: { system: OutcomeSystems.BARC10, code: 'total', display: 'BARC-10 total score' },
  instructions: 'How much do you agree with each statement? 1 = strongly disagree, 6 = strongly agree.',
  questionnaire: {
    code: [{ system: OutcomeSystems.BARC10, code: 'barc-10', display: 'Brief Assessment of Recovery Capital' }],
    publisher: 'peer-fhir',
    copyright:
      'BARC-10: Vilsaint CL, Kelly JF, Bergman BG, Groshkova T, Best D, White W. Drug Alcohol Depend. 2017;177:71-76. Freely available per PhenX. Item texts are paraphrases.',
  },
});
