/**
 * The one X12 element validator of the writers (837P, 270, 276): every element is checked against its TR3 data element
 * attributes — type, minimum/maximum length, code list, character set — before it is serialized, and every check
 * pushes a value-free issue naming the element; nothing here rewrites an identifier.
 *
 * Two entry points share the character rules: segment tables of {@link ElementRule}s written through
 * {@link ValidatingWriter} (270, 276), and the per-value helpers the 837P normaliser calls (`identifierElement`,
 * `textElement`, `taxonomyElement`, `phoneElement`, `isSafeElement`).
 *
 * Types (X12 005010 data element types): `AN` string, `ID` identifier from a code list, `DT` date (CCYYMMDD), `TM` time
 * (HHMM..HHMMSSDD), `N0` integer without sign or decimal point, `R` decimal.
 */
import type { X12Issue } from '../errors.js';
import type { X12ElementIssue } from '../eligibility/errors.js';
import { serializeSegment, type Delimiters, type Element } from './segment.js';

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

/** The attributes of one simple element (or one component of a composite) in the TR3. */
export interface ElementRule {
  /** Reference designator, e.g. `NM109`, `EQ02-2`. */
  readonly ref: string;
  readonly type: 'AN' | 'ID' | 'DT' | 'TM' | 'N0' | 'R';
  readonly min: number;
  readonly max: number;
  /** `R` required, `S` situational (written only when there is a value). */
  readonly usage: 'R' | 'S';
  /** Allowed codes for `ID` elements (the TR3's code list for this position). */
  readonly codes?: ReadonlySet<string>;
  /** Words for the code list in messages, e.g. `an X12 service type code`. */
  readonly codesName?: string;
}

/** A composite element: its component rules in order. */
export interface CompositeRule {
  readonly ref: string;
  readonly usage: 'R' | 'S';
  readonly components: readonly ElementRule[];
}

/** A segment: id and its element rules by position (index 0 = element 01); `null` = not used by this TR3. */
export interface SegmentRule {
  readonly id: string;
  readonly elements: readonly (ElementRule | CompositeRule | null)[];
}

/** Build a rule quickly: `rule('NM109', 'AN', 2, 80)` (required) / `rule(..., 'S')`. */
export function rule(
  ref: string,
  type: ElementRule['type'],
  min: number,
  max: number,
  usage: 'R' | 'S' = 'R',
  codes?: readonly string[],
  codesName?: string,
): ElementRule {
  return { ref, type, min, max, usage, ...(codes ? { codes: new Set(codes) } : {}), ...(codesName ? { codesName } : {}) };
}

const isComposite = (r: ElementRule | CompositeRule): r is CompositeRule => 'components' in r;


/**
 * Check one value against its rule; push value-free issues. `''` means absent.
 *
 * @param path - where the value came from (input path), for the issue
 */
export function checkElement(r: ElementRule, value: string, path: string, issues: X12ElementIssue[]): void {
  const push = (problem: X12ElementIssue['problem'], message: string): void => {
    issues.push({ path, element: r.ref, problem, message });
  };
  if (value === '') {
    if (r.usage === 'R') push('required', `required (${r.type} ${r.min}..${r.max})`);
    return;
  }
  if (r.codes && !r.codes.has(value)) return push('not-in-code-list', `must be ${r.codesName ?? `one of ${[...r.codes].join(', ')}`}`);
  switch (r.type) {
    case 'DT':
      if (!/^\d{8}$/.test(value) || !validDate(value)) return push('bad-format', 'must be a calendar date CCYYMMDD');
      break;
    case 'TM':
      if (!/^([01]\d|2[0-3])[0-5]\d(\d{2}(\d{1,2})?)?$/.test(value)) return push('bad-format', 'must be a time HHMM[SS[DD]]');
      break;
    case 'N0':
      if (!/^\d+$/.test(value)) return push('bad-format', 'must be a whole number without sign or decimal point');
      break;
    case 'R':
      if (!/^-?(\d+\.?\d*|\.\d+)$/.test(value)) return push('bad-format', 'must be a decimal number');
      break;
    case 'AN':
      // Receivers drop leading and trailing spaces of AN elements and read a blank one as absent, so such a value would
      // arrive as a different value: refused, never rewritten (an identifier that changes is one the payer lacks)
      if (!PRINTABLE.test(value) || value.trim() !== value || value === '') return push('bad-format', 'must be printable ASCII without leading or trailing spaces');
      break;
  }
  // Length counts digits only for numeric types (sign and decimal point are not counted, X12.6 3.3.1)
  const length = r.type === 'R' || r.type === 'N0' ? value.replace(/[-.]/g, '').length : value.length;
  if (length > r.max) push('too-long', `must be at most ${r.max} characters (${r.type} ${r.min}..${r.max})`);
  else if (length < r.min) push('too-short', `must be at least ${r.min} characters (${r.type} ${r.min}..${r.max})`);
}

function validDate(d8: string): boolean {
  const y = Number(d8.slice(0, 4));
  const m = Number(d8.slice(4, 6));
  const d = Number(d8.slice(6, 8));
  const t = new Date(Date.UTC(y, m - 1, d));
  return y >= 1800 && t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** Delimiter characters may never appear inside an element (they would split it). */
function containsDelimiter(value: string, d: Delimiters): boolean {
  return value.includes(d.element) || value.includes(d.component) || value.includes(d.repetition) || value.includes(d.segment);
}

/** The value for one element position: a string, or components for a composite. */
export type ElementValue = string | readonly string[];

/**
 * Validates every element of a segment against its {@link SegmentRule}, then serializes it. Issues are collected
 * (not thrown) so a writer can report every problem of a batch at once; {@link ValidatingWriter.issues} is the list.
 */
export class ValidatingWriter {
  readonly issues: X12ElementIssue[] = [];
  private readonly parts: string[] = [];
  /** Segments written since the last {@link ValidatingWriter.resetCount} (for SE01). */
  count = 0;

  constructor(
    private readonly d: Delimiters,
    private readonly terminator: string,
  ) {}

  /**
   * Check and write one segment. `paths` names the input a value came from (by element position) so issues point at
   * the input, not only at the segment.
   */
  add(seg: SegmentRule, values: readonly ElementValue[], paths: Readonly<Record<number, string>> = {}, loop = ''): void {
    if (values.length > seg.elements.length) throw new Error(`internal: ${seg.id} has ${seg.elements.length} elements`);
    const out: Element[] = [];
    seg.elements.forEach((r, i) => {
      const v = values[i] ?? '';
      const where = paths[i + 1] ?? `${loop ? `${loop} ` : ''}${seg.id}${String(i + 1).padStart(2, '0')}`;
      if (r === null) {
        if (v !== '' && !(Array.isArray(v) && v.every((c) => c === ''))) throw new Error(`internal: ${seg.id}${i + 1} is not used`);
        out.push('');
        return;
      }
      if (isComposite(r)) {
        const comps = typeof v === 'string' ? (v === '' ? [] : [v]) : v;
        if (comps.every((c) => c === '')) {
          if (r.usage === 'R') this.issues.push({ path: where, element: r.ref, problem: 'required', message: 'required (composite)' });
          out.push('');
          return;
        }
        r.components.forEach((c, j) => this.check(c, comps[j] ?? '', where));
        if (comps.length > r.components.length) this.issues.push({ path: where, element: r.ref, problem: 'too-long', message: `at most ${r.components.length} components` });
        out.push(comps);
        return;
      }
      if (typeof v !== 'string') throw new Error(`internal: ${seg.id}${i + 1} is not a composite`);
      this.check(r, v, where);
      out.push(v);
    });
    this.parts.push(serializeSegment(seg.id, out, this.d) + this.terminator);
    this.count++;
  }

  /** Pre-built segment (the fixed-width ISA, built and checked by the envelope module). */
  addRaw(segment: string): void {
    this.parts.push(segment + this.terminator);
    this.count++;
  }

  resetCount(): void {
    this.count = 0;
  }

  /** The text written so far; empties the buffer. */
  drain(): string {
    const out = this.parts.join('');
    this.parts.length = 0;
    return out;
  }

  private check(r: ElementRule, v: string, where: string): void {
    if (containsDelimiter(v, this.d)) {
      this.issues.push({ path: where, element: r.ref, problem: 'bad-format', message: 'must not contain an X12 delimiter' });
      return;
    }
    checkElement(r, v, where, this.issues);
  }
}
