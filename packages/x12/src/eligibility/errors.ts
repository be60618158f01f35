/**
 * Errors of the eligibility (270/271) and claim status (276) transactions. Both carry positions, paths and codes only:
 * 270/271/276 files hold names, member ids and birth dates, so no element value ever reaches a message or `details`.
 */
import { PeerFhirError } from '@peer-fhir/core';

/** One element that failed its TR3 rule: where it is and which rule, never the value. @category Eligibility */
export interface X12ElementIssue {
  /** Input path (`requests[2].patient.name.family`) or segment element reference (`2100C NM109`). */
  readonly path: string;
  /** The X12 element reference the value was meant for, e.g. `NM109`. */
  readonly element: string;
  /** What is wrong: `required`, `too-long`, `too-short`, `not-in-code-list`, `bad-format`. */
  readonly problem: 'required' | 'too-long' | 'too-short' | 'not-in-code-list' | 'bad-format';
  /** The rule in words (`AN 2..80`, `one of the X12 service type codes`), never the value. */
  readonly message: string;
}

/**
 * Thrown when a 270 or 276 cannot be written: lists every element that would break its TR3 rule (type, length, code
 * list) with a path and the element reference — never the value.
 *
 * @example
 * ```ts
 * import { X12InquiryInputError, write270, type EligibilityInquiryInput, type Write270Options } from '@peer-fhir/x12';
 * declare const requests: EligibilityInquiryInput[];
 * declare const options: Write270Options;
 * try { write270(requests, options); } catch (e) { if (e instanceof X12InquiryInputError) console.error(e.issues.map((i) => i.path)); }
 * ```
 * @category Eligibility
 */
export class X12InquiryInputError extends PeerFhirError {
  readonly issues: readonly X12ElementIssue[];
  constructor(transaction: '270' | '276', issues: readonly X12ElementIssue[]) {
    super(
      `${transaction} input has ${issues.length} problem${issues.length === 1 ? '' : 's'}: ` +
        issues.map((i) => `${i.path} (${i.element}): ${i.message}`).join('; '),
      { code: 'x12.inquiry-input-invalid', details: { transaction, issues } },
    );
    this.issues = issues;
  }
}

/**
 * Thrown when a 271 (or another response transaction read here) is malformed: names the 1-based segment position, the
 * segment id when it is a known X12 id, and what was expected — never an element value.
 *
 * @example
 * ```ts
 * import { X12ResponseParseError, read271 } from '@peer-fhir/x12';
 * declare const text: string;
 * try { await read271(text); } catch (e) { if (e instanceof X12ResponseParseError) console.error(e.segmentIndex); }
 * ```
 * @category Eligibility
 */
export class X12ResponseParseError extends PeerFhirError {
  /** 1-based segment position in the interchange, when known. */
  readonly segmentIndex: number | undefined;
  /** Segment id when it is a real X12 segment id (a damaged file can put PHI where the id belongs). */
  readonly segmentId: string | undefined;
  constructor(message: string, segmentIndex?: number, segmentId?: string) {
    const id = segmentId !== undefined && RESPONSE_SEGMENT_IDS.has(segmentId) ? segmentId : undefined;
    super(segmentIndex === undefined ? message : `${message} (segment ${segmentIndex}${id ? ` ${id}` : ''})`, {
      code: 'x12.response-malformed',
      details: { ...(segmentIndex !== undefined ? { segmentIndex } : {}), ...(id ? { segmentId: id } : {}) },
    });
    this.segmentIndex = segmentIndex;
    this.segmentId = id;
  }
}

/** Segment ids of the 5010 envelopes and the 270/271/276/277 transactions: the only ids an error may name. */
const RESPONSE_SEGMENT_IDS: ReadonlySet<string> = new Set(
  'ISA IEA GS GE ST SE TA1 BHT HL TRN NM1 N3 N4 PER PRV REF DMG INS HI DTP EQ AMT III EB HSD MSG LS LE AAA STC QTY SVC'.split(' '),
);
