/**
 * TR3 element rules for values the 837P takes from input (005010X222A1): type, min/max length, code lists. Every
 * check pushes a value-free issue naming the element; nothing here rewrites an identifier.
 */
import type { X12Issue } from '../errors.js';

/** X12 delimiters this SDK writes with (element, component, repetition, segment). */
const DELIMITER = /[*:^~]/;
/** The X12 basic + extended character set minus control characters: printable ASCII. */
const PRINTABLE = /^[\x20-\x7e]*$/;

/**
 * An identifier element (member id NM109, payer id, CLM01, REF02 prior authorization / payer claim number, REF*6R):
 * sent exactly as given, so a character X12 cannot carry is refused rather than rewritten — a transliterated id is an
 * id that does not exist at the payer. Returns the value, or undefined after pushing an issue.
 */
export function identifierElement(
  value: string | undefined,
  path: string,
  element: string,
  min: number,
  max: number,
  issues: X12Issue[],
  required = true,
): string | undefined {
  const v = value?.trim() ?? '';
  if (v === '') {
    if (required) issues.push({ path, message: `required (${element})` });
    return undefined;
  }
  if (!PRINTABLE.test(v) || DELIMITER.test(v)) {
    issues.push({ path, message: `contains a character an X12 identifier cannot carry (${element}: printable ASCII without * : ^ ~); identifiers are sent as given, never rewritten` });
    return undefined;
  }
  if (v.length < min || v.length > max) {
    issues.push({ path, message: `must be ${min}..${max} characters (${element})` });
    return undefined;
  }
  return v;
}

/** A cleaned text element (names, city, contact): present and within min/max after cleaning. */
export function textElement(cleaned: string, path: string, element: string, min: number, max: number, issues: X12Issue[]): string | undefined {
  if (cleaned === '') {
    issues.push({ path, message: `required, and not empty after removing characters X12 cannot carry (${element})` });
    return undefined;
  }
  if (cleaned.length < min || cleaned.length > max) {
    issues.push({ path, message: `must be ${min}..${max} characters (${element})` });
    return undefined;
  }
  return cleaned;
}

/**
 * SBR09 claim filing indicator code list (005010X222A1 2000B SBR09).
 * 11 other non-federal programs, 12 PPO, 13 POS, 14 EPO, 15 indemnity, 16 HMO Medicare risk, 17 dental maintenance
 * organization, AM automobile medical, BL Blue Cross/Blue Shield, CH CHAMPUS, CI commercial insurance, DS disability,
 * FI federal employees program, HM HMO, LM liability medical, MA Medicare Part A, MB Medicare Part B, MC Medicaid,
 * OF other federal program, TV Title V, VA Veterans Affairs plan, WC workers' compensation, ZZ mutually defined.
 */
export const CLAIM_FILING_INDICATOR_CODES: ReadonlySet<string> = new Set(
  '11 12 13 14 15 16 17 AM BL CH CI DS FI HM LM MA MB MC OF TV VA WC ZZ'.split(' '),
);

/** NUCC provider taxonomy code (PRV03): 10 characters, the last one `X`. */
export function taxonomyElement(value: string | undefined, path: string, element: string, issues: X12Issue[]): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]{3}[0-9A-Z]{6}X$/.test(value)) {
    issues.push({ path, message: `must be a 10-character NUCC taxonomy code ending in X (${element})` });
    return undefined;
  }
  return value;
}

/**
 * PER communication number for a telephone (PER04 with PER03 `TE`): digits only, area code included (North American
 * Dialing Plan, so 10 digits), optional leading `1` dropped. Punctuation is formatting and is removed; anything else
 * (letters such as `n/a`) is refused.
 */
export function phoneElement(value: string, path: string, element: string, issues: X12Issue[]): string | undefined {
  if (!/^[0-9()+.\-\s]+$/.test(value)) {
    issues.push({ path, message: `must be a telephone number (${element}: digits, area code included)` });
    return undefined;
  }
  const digits = value.replace(/\D/g, '').replace(/^1(?=\d{10}$)/, '');
  if (digits.length !== 10) {
    issues.push({ path, message: `must be a 10-digit telephone number with area code (${element})` });
    return undefined;
  }
  return digits;
}

/** Any element, after every other check: no delimiter, no control or non-ASCII character can reach the file. */
export function isSafeElement(value: string): boolean {
  return PRINTABLE.test(value) && !DELIMITER.test(value);
}
