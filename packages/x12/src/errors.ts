import { PeerFhirError } from '@peer-fhir/core';

/** One problem with 837P input: where it is and what is wrong — never the offending value. @category Errors */
export interface X12Issue {
  /** Path-like location, e.g. `claims[2].claim.item[0].modifier`. */
  readonly path: string;
  /** What is wrong, without echoing the value (values may be PHI). */
  readonly message: string;
}

/**
 * Thrown when claims cannot be turned into an 837P; lists every problem found. Code `x12.input-invalid`; `details`
 * holds the issue paths (never values).
 *
 * @example
 * ```ts
 * try { write837P(claims, options); } catch (e) { if (e instanceof X12InputError) console.error(e.issues); }
 * ```
 * @category Errors
 */
export class X12InputError extends PeerFhirError {
  override readonly name = 'X12InputError';
  readonly issues: readonly X12Issue[];

  constructor(issues: readonly X12Issue[], code = 'x12.input-invalid') {
    super(
      `837P input has ${issues.length} problem${issues.length === 1 ? '' : 's'}: ` +
        issues.map((i) => `${i.path}: ${i.message}`).join('; '),
      { code, details: { issueCount: issues.length, paths: issues.map((i) => i.path) } },
    );
    this.issues = issues;
  }
}

/**
 * Thrown when X12 text cannot be read; names the segment position and id, never element values. Code `x12.parse`;
 * `details` holds the segment position and (known) id.
 *
 * @example
 * ```ts
 * try { read835(text); } catch (e) { if (e instanceof X12ParseError) console.error(e.message); }
 * ```
 * @category Errors
 */
export class X12ParseError extends PeerFhirError {
  override readonly name = 'X12ParseError';
  /** 1-based segment position in the interchange, when known. */
  readonly segmentIndex: number | undefined;
  /** Segment id (e.g. `CLP`), when it is the id of a real X12 segment; never arbitrary text from the input. */
  readonly segmentId: string | undefined;

  constructor(message: string, segmentIndex?: number, segmentId?: string, code = 'x12.parse') {
    // A damaged file can put any text where a segment id belongs (a shifted delimiter turns a name or member id into
    // the "id"), so only ids of real X12 segments are named; anything else is reported by position alone.
    const id = segmentId !== undefined && KNOWN_SEGMENT_IDS.has(segmentId) ? segmentId : undefined;
    super(segmentIndex === undefined ? message : `${message} (segment ${segmentIndex}${id ? ` ${id}` : ''})`, {
      code,
      details: { ...(segmentIndex === undefined ? {} : { segmentIndex }), ...(id === undefined ? {} : { segmentId: id }) },
    });
    this.segmentIndex = segmentIndex;
    this.segmentId = id;
  }
}

/** Segment ids of the 5010 envelopes, the 835 and the 837P: the only segment ids an error message may contain. */
const KNOWN_SEGMENT_IDS: ReadonlySet<string> = new Set(
  (
    'ISA IEA GS GE ST SE TA1 BPR TRN CUR REF DTM N1 N2 N3 N4 PER RDM LX TS3 TS2 CLP CAS NM1 MIA MOA AMT QTY SVC LQ PLB ' +
    'BHT HL PRV SBR PAT DMG CLM HI NTE SV1 SV5 K3 CR1 CR2 CRC PWK CN1 HCP LIN CTP FRM MEA OI MIA MOA SVD LQ'
  ).split(' '),
);
