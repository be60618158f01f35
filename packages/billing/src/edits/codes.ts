/**
 * Stable codes of the pre-bill edits, their severity and a one-line title. Reasons built from them never carry PHI.
 * @module
 */

/**
 * Every pre-bill edit code with its default severity and title.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#pre-bill-edits
 * @example
 * ```ts
 * EDIT_CODES['PB-CONSENT-PART2'].severity; // 'hold'
 * ```
 * @category Edits
 */
export const EDIT_CODES = {
  'PB-ENCOUNTER-STATUS': { severity: 'hold', title: 'Encounter is not finished' },
  'PB-DUPLICATE': { severity: 'hold', title: 'Already billed on a claim that stands' },
  'PB-PARTICIPANT-UNKNOWN': { severity: 'hold', title: 'Participant record missing' },
  'PB-PACK-NOT-EFFECTIVE': { severity: 'hold', title: 'Date of service outside the rule pack dates' },
  'PB-SERVICE-NOT-COVERED': { severity: 'hold', title: 'Service not billable under the pack' },
  'PB-COVERAGE': { severity: 'hold', title: 'No coverage on the date of service' },
  'PB-SUBSCRIBER-ADDRESS': { severity: 'hold', title: 'Subscriber (participant) address missing' },
  'PB-ELIGIBILITY': { severity: 'hold', title: 'Latest eligibility answer says inactive or another payer' },
  'PB-AGE': { severity: 'hold', title: 'Age outside the pack bounds' },
  'PB-CONSENT-PART2': { severity: 'hold', title: 'No Part 2 consent to disclose for payment' },
  'PB-PLAN': { severity: 'hold', title: 'Recovery plan missing, unsigned or overdue' },
  'PB-SERVICE-ORDER': { severity: 'hold', title: 'No service order signed on or before the date of service' },
  'PB-CREDENTIAL': { severity: 'hold', title: 'Rendering peer credential not valid' },
  'PB-SUPERVISOR': { severity: 'hold', title: 'No supervisor on record' },
  'PB-DIAGNOSIS': { severity: 'hold', title: 'Diagnosis missing or not allowed' },
  'PB-PLACE-OF-SERVICE': { severity: 'hold', title: 'Place of service not allowed' },
  'PB-MODALITY': { severity: 'hold', title: 'Delivery modality not allowed' },
  'PB-GROUP-SIZE': { severity: 'hold', title: 'Group larger than the pack allows' },
  'PB-OVERLAP': { severity: 'hold', title: 'Overlapping services for the participant' },
  'PB-UNITS-MINIMUM': { severity: 'hold', title: 'Time below one billable unit' },
  'PB-CAP': { severity: 'hold', title: 'Units over a cap' },
  'PB-PRIOR-AUTH': { severity: 'hold', title: 'Units need prior authorization' },
  'PB-RATE-UNKNOWN': { severity: 'warn', title: 'No rate in the pack' },
  'PB-ELIGIBILITY-STALE': { severity: 'warn', title: 'No recent usable eligibility answer' },
  'PB-RULE-UNCONFIRMED': { severity: 'warn', title: 'A rule applied is not confirmed against its source' },
} as const satisfies Record<string, { severity: 'hold' | 'warn'; title: string }>;

/**
 * A pre-bill edit code such as `PB-CONSENT-PART2`.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#pre-bill-edits
 * @example
 * ```ts
 * const code: EditCode = 'PB-PLAN';
 * ```
 * @category Edits
 */
export type EditCode = keyof typeof EDIT_CODES;
