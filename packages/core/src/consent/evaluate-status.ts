/**
 * Where a consent directive stands at a given moment: in force, expired, revoked, not yet effective…
 * @module
 */
import { PeerFhirValidationError } from '../errors.js';
import { IsoDate, IsoDateTime } from '../domain/common.js';
import type { ConsentDirective } from '../domain/consent.js';

/**
 * The state of a consent at a moment. `active` is the only state in which it permits anything;
 * the other statuses of a FHIR Consent (`draft`, `proposed`, `rejected`, `inactive`, `entered-in-error`) pass through.
 * @see https://hl7.org/fhir/R4/valueset-consent-state-codes.html
 * @example
 * ```ts
 * const state: ConsentState = consentStateAt(consent, '2026-03-01');
 * ```
 * @category Consent
 */
export type ConsentState =
  | 'active'
  | 'expired'
  | 'revoked'
  | 'not-yet-effective'
  | 'not-yet-signed'
  | 'draft'
  | 'proposed'
  | 'rejected'
  | 'inactive'
  | 'entered-in-error';

/** A moment as given (`YYYY-MM-DD` or a timestamp with offset): its calendar date and, for a timestamp, its instant. @internal */
export interface Moment {
  date: string;
  instant?: number;
}

/**
 * Parse `at` (a date or a timestamp with offset); throws {@link PeerFhirValidationError} with path `at` otherwise.
 * The date of a timestamp is the UTC date of its instant, never the local date as written: two spellings of one
 * instant (`2026-01-01T01:00:00+14:00`, `2025-12-31T11:00:00Z`) stand at the same place against a consent's dates.
 * @internal
 */
export function parseMoment(at: string, recordType = 'ConsentEvaluation'): Moment {
  if (IsoDate.safeParse(at).success) return { date: at };
  if (IsoDateTime.safeParse(at).success) {
    const instant = Date.parse(at);
    return { date: new Date(instant).toISOString().slice(0, 10), instant };
  }
  throw new PeerFhirValidationError(recordType, [
    { path: 'at', code: 'invalid_format', message: 'must be a date YYYY-MM-DD or a timestamp with Z or an offset' },
  ]);
}

function revokedBy(revokedAt: string, at: Moment): boolean {
  // 42 CFR 2.31(a): revocable at any time. A date-only `at` counts a revocation made any time that UTC day, or on
  // that day as written in any offset (fail closed).
  if (at.instant === undefined) return revokedAt.slice(0, 10) <= at.date || new Date(Date.parse(revokedAt)).toISOString().slice(0, 10) <= at.date;
  return Date.parse(revokedAt) <= at.instant;
}

/**
 * The state of `consent` at `at` (a date `YYYY-MM-DD` or a timestamp with offset). A consent's dates (signed, period
 * start and end, inclusive) are whole UTC days, so a timestamp is compared as the instant it denotes, whatever offset
 * it is written in; a revocation counts from its instant. A consent that is `inactive` only because it was revoked
 * later than `at` is `active` at `at`, so billing can ask about a past date of service.
 *
 * @param consent - a consent's status, period, signature date and revocation
 * @param at - a date `YYYY-MM-DD` or a timestamp with offset
 * @returns the consent's state at that moment
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C/section-2.31
 * @example
 * ```ts
 * consentStateAt({ status: 'active', period: { start: '2025-01-02', end: '2025-12-31' }, signedDate: '2025-01-02' }, '2026-01-01');
 * // 'expired'
 * ```
 * @category Consent
 */
export function consentStateAt(
  consent: Pick<ConsentDirective, 'status' | 'period' | 'signedDate' | 'revokedAt'>,
  at: string,
): ConsentState {
  const moment = parseMoment(at);
  if (consent.revokedAt !== undefined) {
    if (revokedBy(consent.revokedAt, moment)) return 'revoked';
    if (consent.status !== 'inactive' && consent.status !== 'active') return consent.status;
  } else if (consent.status !== 'active') {
    return consent.status;
  }
  // 42 CFR 2.31(a): signed and dated, in force until its expiration date or event.
  if (consent.signedDate > moment.date) return 'not-yet-signed';
  if (moment.date < consent.period.start) return 'not-yet-effective';
  if (consent.period.end !== undefined && moment.date > consent.period.end) return 'expired';
  return 'active';
}
