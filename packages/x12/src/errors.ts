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
 * try { write837P(claims, options); } catch (e) { if (e instanceof X12InputError) console.error(e.issues); }
 * ```
 * @category Errors
 */
export class X12InputError extends Error {
  override readonly name = 'X12InputError';
  readonly issues: readonly X12Issue[];

  constructor(issues: readonly X12Issue[]) {
    super(
      `837P input has ${issues.length} problem${issues.length === 1 ? '' : 's'}: ` +
        issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    );
    this.issues = issues;
  }
}

/**
 * Thrown when X12 text cannot be read; names the segment position and id, never element values.
 *
 * @example
 * ```ts
 * try { read835(text); } catch (e) { if (e instanceof X12ParseError) console.error(e.message); }
 * ```
 * @category Errors
 */
export class X12ParseError extends Error {
  override readonly name = 'X12ParseError';
  /** 1-based segment position in the interchange, when known. */
  readonly segmentIndex: number | undefined;
  /** Segment id (e.g. `CLP`), when known. */
  readonly segmentId: string | undefined;

  constructor(message: string, segmentIndex?: number, segmentId?: string) {
    super(segmentIndex === undefined ? message : `${message} (segment ${segmentIndex}${segmentId ? ` ${segmentId}` : ''})`);
    this.segmentIndex = segmentIndex;
    this.segmentId = segmentId;
  }
}
