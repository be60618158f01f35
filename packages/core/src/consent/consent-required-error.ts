/**
 * The error a caller throws when a disclosure is denied for want of consent.
 * @module
 */
import { PeerFhirError } from '../errors.js';
import { describeMissingConsent, type DecisionReasonCode, type DisclosureDecision, type MissingConsent } from './can-disclose.js';

/**
 * A disclosure was denied: names the consent that would be needed (kind, purpose, recipient kind) and the reason
 * codes, never PHI. Build it from a deny {@link DisclosureDecision}.
 *
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C/section-2.31
 * @example
 * ```ts
 * const decision = canDisclose(request);
 * if (decision.decision === 'deny') throw new ConsentRequiredError(decision);
 * ```
 * @category Consent
 */
export class ConsentRequiredError extends PeerFhirError {
  /** The consent that would permit the disclosure; absent when none can (Part 2 data for legal proceedings). */
  readonly missing: MissingConsent | undefined;
  /** Stable reason codes of the decision, in order. */
  readonly reasonCodes: readonly DecisionReasonCode[];
  /** The resource was Part 2 protected. */
  readonly part2: boolean;

  constructor(decision: Pick<DisclosureDecision, 'reasons' | 'missing' | 'part2'>) {
    const codes = decision.reasons.map((r) => r.code);
    super(
      decision.missing === undefined
        ? `Disclosure denied (${[...new Set(codes)].join(', ')}).`
        : `Disclosure denied: it needs ${describeMissingConsent(decision.missing)}.`,
      { code: 'core.consent-required', details: { reasonCodes: codes, part2: decision.part2 } },
    );
    this.missing = decision.missing;
    this.reasonCodes = codes;
    this.part2 = decision.part2;
  }
}
