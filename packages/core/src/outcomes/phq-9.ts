/**
 * PHQ-9 with its LOINC codes: panel 44249-1, items 44250-9…44260-8, total 44261-6, answers LA6568-5…LA6571-9
 * scored 0–3. The PHQ screeners need no permission to reproduce (Pfizer; as stated in US Core's PHQ-9 example).
 * @module
 */
import { PEER_FHIR_CANONICAL, Systems } from '../terminology/systems.js';
import { defineInstrument, type InstrumentScore } from './instrument.js';

const loinc = (code: string, display: string) => ({ system: Systems.LOINC, code, display });

// Item order and codes as in US Core's QuestionnaireResponse PHQ-9 example (LOINC 44249-1 panel members).
const ITEMS: readonly (readonly [string, string])[] = [
  ['44250-9', 'Little interest or pleasure in doing things'],
  ['44255-8', 'Feeling down, depressed, or hopeless'],
  ['44259-0', 'Trouble falling or staying asleep, or sleeping too much'],
  ['44254-1', 'Feeling tired or having little energy'],
  ['44251-7', 'Poor appetite or overeating'],
  ['44258-2', 'Feeling bad about yourself - or that you are a failure or have let yourself or your family down'],
  ['44252-5', 'Trouble concentrating on things, such as reading the newspaper or watching television'],
  ['44253-3', 'Moving or speaking so slowly that other people could have noticed; or the opposite - being so fidgety or restless that you have been moving around a lot more than usual'],
  ['44260-8', 'Thoughts that you would be better off dead, or of hurting yourself in some way'],
];

/**
 * PHQ-9 severity bands of the total (Kroenke, Spitzer & Williams 2001): 0–4 minimal, 5–9 mild, 10–14 moderate,
 * 15–19 moderately severe, 20–27 severe.
 *
 * @param total - the PHQ-9 total score (0-27)
 * @returns the severity band code and display
 * @see https://pubmed.ncbi.nlm.nih.gov/11556941/
 * @example
 * ```ts
 * phq9Severity(12); // { code: 'moderate', display: 'Moderate depression' }
 * ```
 * @category Outcomes
 */
export function phq9Severity(total: number): NonNullable<InstrumentScore['band']> {
  if (total <= 4) return { code: 'minimal', display: 'Minimal depression' };
  if (total <= 9) return { code: 'mild', display: 'Mild depression' };
  if (total <= 14) return { code: 'moderate', display: 'Moderate depression' };
  if (total <= 19) return { code: 'moderately-severe', display: 'Moderately severe depression' };
  return { code: 'severe', display: 'Severe depression' };
}

/**
 * The PHQ-9 instrument: items keyed by their LOINC codes (`44250-9`…), answers 0–3, total 0–27 (LOINC 44261-6)
 * with a severity band. Lower is better.
 *
 * @see https://loinc.org/44249-1
 * @example
 * ```ts
 * phq9.score({ '44250-9': 2, '44255-8': 2, '44259-0': 1, '44254-1': 1, '44251-7': 1, '44258-2': 1, '44252-5': 1, '44253-3': 1, '44260-8': 0 });
 * // { total: 10, band: { code: 'moderate', … } }
 * ```
 * @category Outcomes
 */
export const phq9 = defineInstrument({
  id: 'phq-9',
  title: 'Patient Health Questionnaire-9 (PHQ-9)',
  url: `${PEER_FHIR_CANONICAL}/Questionnaire/phq-9`,
  version: '1.0.0',
  direction: 'lower-is-better',
  items: ITEMS.map(([code, text]) => ({ linkId: code, text, code: loinc(code, text) })),
  answers: [
    { value: 0, coding: loinc('LA6568-5', 'Not at all') },
    { value: 1, coding: loinc('LA6569-3', 'Several days') },
    { value: 2, coding: loinc('LA6570-1', 'More than half the days') },
    { value: 3, coding: loinc('LA6571-9', 'Nearly every day') },
  ],
  scoreCode: loinc('44261-6', 'Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]'),
  instructions: 'Over the last 2 weeks, how often have you been bothered by any of the following problems?',
  score: (answers) => {
    const total = Object.values(answers).reduce((a, b) => a + b, 0);
    return { total, band: phq9Severity(total) };
  },
  questionnaire: {
    code: [loinc('44249-1', 'PHQ-9 quick depression assessment panel [Reported.PHQ]')],
    publisher: 'peer-fhir',
    copyright:
      'PHQ-9: developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute. Contains LOINC content (http://loinc.org/license).',
  },
});
