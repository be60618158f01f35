/**
 * Short, plain-words summaries of the adjustment codes peer-support billing meets most.
 * Summaries are the SDK's own wording, not the X12 code list text; look unknown codes up at
 * https://x12.org/codes/claim-adjustment-reason-codes and https://x12.org/codes/remittance-advice-remark-codes.
 */

/** CAS01 claim adjustment group codes used in 005010X221A1. @category Codes */
export const ADJUSTMENT_GROUP_TEXT: Readonly<Record<string, string>> = {
  CO: 'Contractual obligation (provider write-off; do not bill the patient)',
  PR: 'Patient responsibility',
  OA: 'Other adjustment',
  PI: 'Payer-initiated reduction',
};

/** Claim adjustment reason codes (CARC). @category Codes */
export const CARC_TEXT: Readonly<Record<string, string>> = {
  '1': 'Deductible',
  '2': 'Coinsurance',
  '3': 'Co-payment',
  '16': 'Claim lacks information or has billing errors (see remark codes)',
  '18': 'Duplicate claim or service',
  '29': 'Filing time limit has passed',
  '45': 'Charge is above the fee schedule or maximum allowed',
  '50': 'Payer does not consider the service medically necessary',
  '96': 'Non-covered charge (see remark codes)',
  '97': 'Paid as part of another service already adjudicated',
  '119': 'Benefit maximum for the period or occurrence reached',
  '151': 'Information does not support this many services or this frequency',
  '185': 'Rendering provider is not eligible to perform this service',
  '197': 'Prior authorization, precertification or notification missing',
  B7: 'Provider was not certified or eligible for this service on this date',
};

/** Remittance advice remark codes (RARC) with short summaries. @category Codes */
export const RARC_TEXT: Readonly<Record<string, string>> = {
  N130: 'Check the plan benefit documents for limits on this service',
  N362: 'Days or units of service exceed the payer maximum',
  MA130: 'Claim has incomplete or invalid information; correct and resubmit as a new claim',
};

/**
 * Plain words for a CARC, or a pointer to the code list when the SDK has no summary.
 *
 * Spec: X12 Claim Adjustment Reason Codes (https://x12.org/codes/claim-adjustment-reason-codes).
 *
 * @param code - a claim adjustment reason code (CAS02)
 * @returns the reason in words
 * @example
 * describeCarc('197'); // 'Prior authorization, precertification or notification missing'
 * @category Codes
 */
export function describeCarc(code: string): string {
  return CARC_TEXT[code] ?? `Adjustment reason ${code} (see the X12 CARC list)`;
}

/**
 * Plain words for a RARC, or a pointer to the code list when the SDK has no summary.
 *
 * Spec: X12 Remittance Advice Remark Codes (https://x12.org/codes/remittance-advice-remark-codes).
 *
 * @param code - a remittance advice remark code (LQ02)
 * @returns the remark in words
 * @example
 * describeRarc('N362'); // 'Days or units of service exceed the payer maximum'
 * @category Codes
 */
export function describeRarc(code: string): string {
  return RARC_TEXT[code] ?? `Remark ${code} (see the X12 RARC list)`;
}

/**
 * Plain words for a CAS group code.
 *
 * Spec: 005010X221A1 CAS01 (Claim Adjustment Group Code, element 1033).
 *
 * @param code - a CAS01 group code (CO, PR, OA, PI, CR)
 * @returns the group in words
 * @example
 * describeAdjustmentGroup('PR'); // 'Patient responsibility'
 * @category Codes
 */
export function describeAdjustmentGroup(code: string): string {
  return ADJUSTMENT_GROUP_TEXT[code] ?? `Adjustment group ${code}`;
}
