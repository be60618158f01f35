import { PeerFhirError } from '@peer-fhir/core';

/** One problem with 837P input: where it is and what is wrong — never the offending value. @category Errors */
export interface X12Issue {
  /** Path-like location, e.g. `claims[2].claim.item[0].modifier`. */
  readonly path: string;
  /** What is wrong, without echoing the value (values may be PHI). */
  readonly message: string;
}

/**
 * Thrown when claims cannot be turned into an 837P; lists every problem found.
 *
 * @example
 * ```ts
 * try { write837P(claims, options); } catch (e) { if (e instanceof X12InputError) console.error(e.code, e.issues); }
 * ```
 * @category Errors
 */
export class X12InputError extends PeerFhirError {
  override readonly name = 'X12InputError';
  readonly issues: readonly X12Issue[];

  constructor(issues: readonly X12Issue[]) {
    super(
      `837P input has ${issues.length} problem${issues.length === 1 ? '' : 's'}: ` +
        issues.map((i) => `${i.path}: ${i.message}`).join('; '),
      { code: 'x12.input-invalid', details: { issueCount: issues.length, paths: issues.map((i) => i.path) } },
    );
    this.issues = issues;
  }
}

/**
 * Thrown when X12 text cannot be read; names the segment position and id (and the element, when one is at fault),
 * never element values.
 *
 * @example
 * ```ts
 * try { read835(text); } catch (e) { if (e instanceof X12ParseError) console.error(e.code, e.segmentIndex, e.element); }
 * ```
 * @category Errors
 */
export class X12ParseError extends PeerFhirError {
  override readonly name: string = 'X12ParseError';
  /** 1-based segment position in the interchange, when known. */
  readonly segmentIndex: number | undefined;
  /** Segment id (e.g. `CLP`), when it is the id of a real X12 segment; never arbitrary text from the input. */
  readonly segmentId: string | undefined;
  /** Element reference (e.g. `CLP04`), when one element is at fault. */
  readonly element: string | undefined;

  /**
   * @param message - what is wrong, without any value from the file
   * @param segmentIndex - 1-based segment position in the interchange
   * @param segmentId - the segment's id; dropped unless it is a known X12 segment id
   * @param element - the element at fault, e.g. `CLP04`
   */
  constructor(message: string, segmentIndex?: number, segmentId?: string, element?: string) {
    // A damaged file can put any text where a segment id belongs (a shifted delimiter turns a name or member id into
    // the "id"), so only ids of real X12 segments are named; anything else is reported by position alone.
    const id = segmentId !== undefined && KNOWN_SEGMENT_IDS.has(segmentId) ? segmentId : undefined;
    const el = element !== undefined && /^[A-Z][A-Z0-9]{1,2}\d{2}(-\d{1,2})?$/.test(element) ? element : undefined;
    super(segmentIndex === undefined ? message : `${message} (segment ${segmentIndex}${id ? ` ${id}` : ''})`, {
      code: 'x12.parse',
      details: { ...(segmentIndex !== undefined ? { segmentIndex } : {}), ...(id ? { segmentId: id } : {}), ...(el ? { element: el } : {}) },
    });
    this.segmentIndex = segmentIndex;
    this.segmentId = id;
    this.element = el;
  }
}

/**
 * An amount or quantity element of an 835 is not an X12 decimal (`R`) number with at most two decimal places for
 * money: the file is refused whole rather than read as $0.00. Names the segment position and element, never the value.
 *
 * Spec: X12 5010 data element type `R`; 005010X221A1 monetary amounts (BPR02, CLP03-05, CAS03, SVC02-03, AMT02, PLB04).
 *
 * @example
 * ```ts
 * try { read835(text); } catch (e) { if (e instanceof X12AmountError) console.error(e.element, e.segmentIndex); }
 * ```
 * @category Errors
 */
export class X12AmountError extends X12ParseError {
  override readonly name: string = 'X12AmountError';
  override readonly code: string = 'x12.amount-invalid';
}

/**
 * An 835 does not balance: BPR02 ≠ ΣCLP04 − ΣPLB, a claim's CLP03 − CLP04 ≠ its CAS total (claim and service
 * level), or a line's SVC02 − SVC03 ≠ its CAS total. The whole file is refused; the error names the segment
 * position and the rule, never an amount.
 *
 * Spec: 005010X221A1 section 1.10.2.1 (balancing).
 *
 * @example
 * ```ts
 * try { read835(text); } catch (e) { if (e instanceof X12UnbalancedError) console.error(e.rule, e.segmentIndex); }
 * ```
 * @category Errors
 */
export class X12UnbalancedError extends X12ParseError {
  override readonly name: string = 'X12UnbalancedError';
  override readonly code: string = 'x12.835-unbalanced';
  /** Which balancing rule failed: `transaction` (BPR02), `claim` (CLP) or `line` (SVC). */
  readonly rule: 'transaction' | 'claim' | 'line';

  /**
   * @param rule - the balancing rule that failed
   * @param segmentIndex - 1-based position of the segment that closes the unbalanced unit (SE, CLP or SVC)
   * @param segmentId - that segment's id
   */
  constructor(rule: 'transaction' | 'claim' | 'line', segmentIndex: number, segmentId: string) {
    const what =
      rule === 'transaction'
        ? 'BPR02 does not equal the sum of CLP04 minus the sum of PLB adjustments'
        : rule === 'claim'
          ? 'CLP03 minus CLP04 does not equal the claim and service line adjustments (CAS)'
          : 'SVC02 minus SVC03 does not equal the line adjustments (CAS)';
    super(`835 does not balance: ${what}`, segmentIndex, segmentId);
    this.rule = rule;
  }
}

/**
 * The interchange is not the X12 version this reader implements (e.g. a 4010 835 read as 5010): refused, never
 * guessed at.
 *
 * @example
 * ```ts
 * try { read835(text); } catch (e) { if (e instanceof X12VersionError) console.error(e.message); }
 * ```
 * @category Errors
 */
export class X12VersionError extends X12ParseError {
  override readonly name: string = 'X12VersionError';
  override readonly code: string = 'x12.version-unsupported';
}

/** Segment ids of the 5010 envelopes, the 835 and the 837P: the only segment ids an error message may contain. */
const KNOWN_SEGMENT_IDS: ReadonlySet<string> = new Set(
  (
    'ISA IEA GS GE ST SE TA1 BPR TRN CUR REF DTM N1 N2 N3 N4 PER RDM LX TS3 TS2 CLP CAS NM1 MIA MOA AMT QTY SVC LQ PLB ' +
    'BHT HL PRV SBR PAT DMG CLM HI NTE SV1 SV5 K3 CR1 CR2 CRC PWK CN1 HCP LIN CTP FRM MEA OI MIA MOA SVD LQ ' +
    'AK1 AK2 IK3 IK4 IK5 AK9 CTX STC DTP'
  ).split(' '),
);
