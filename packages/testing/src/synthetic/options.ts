/**
 * Options of the synthetic agency generator and their defaults.
 * @module
 */
import { addMonths, toDay } from './clock.js';
import { stateProfile, type StateProfile } from './geography.js';

/**
 * What to generate. Only `seed` is required; the same options always produce the same agency.
 *
 * @example
 * ```ts
 * const options: SyntheticAgencyOptions = { seed: 7, state: 'TX', participants: 120, months: 6 };
 * ```
 * @category Synthetic data
 */
export interface SyntheticAgencyOptions {
  /** Seed of the pseudo-random generator (any integer; taken modulo 2^32). */
  seed: number;
  /** First day of the service period, `YYYY-MM-DD`. Default `2025-01-01`. */
  start?: string;
  /** Length of the service period in calendar months. Default 12. */
  months?: number;
  /** Number of participants. Default 40. */
  participants?: number;
  /** Number of peer specialists. Default 6, or one per 8 participants when that is more. */
  specialists?: number;
  /**
   * Two-letter state of the agency: addresses, credential titles and the time zone of timestamps (the zone of the
   * state's most populous area, with US daylight time from the second Sunday of March to the first Sunday of
   * November where observed; e.g. NC -05:00/-04:00, TX -06:00/-05:00, AZ -07:00). Default `NC`.
   */
  state?: string;
  /** Share of participants enrolled in a 42 CFR Part 2 program (only substance-use and co-occurring programs are Part 2). Default 0.3. */
  part2Share?: number;
  /** Share of specialists whose credential expires during the period and is not renewed. Default 0.15. */
  expiredCredentialShare?: number;
  /** Share of specialists without a supervising clinician. Default 1/6. */
  unsupervisedShare?: number;
  /** Mean encounter records per enrolled participant per month (group sessions included). Default 4. */
  encountersPerParticipantPerMonth?: number;
  /** Share of encounter records that are group sessions. Default 0.3. */
  groupShare?: number;
  /** Share of participants without a recovery plan. Default 0.08. */
  noPlanShare?: number;
  /** Share of encounters with status `cancelled`. Default 0.01. */
  cancelledShare?: number;
  /** Attach a short note to each attendee. Default true. */
  notes?: boolean;
}

/** Options with every default applied, plus derived calendar values. @internal */
export interface ResolvedOptions {
  seed: number;
  startDay: number;
  /** Exclusive end: first day after the period. */
  endDay: number;
  months: number;
  participants: number;
  specialists: number;
  state: StateProfile;
  part2Share: number;
  expiredCredentialShare: number;
  unsupervisedShare: number;
  encountersPerParticipantPerMonth: number;
  groupShare: number;
  noPlanShare: number;
  cancelledShare: number;
  notes: boolean;
}

const share = (name: string, v: number): number => {
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be between 0 and 1`);
  return v;
};
const count = (name: string, v: number, min: number): number => {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}`);
  return v;
};

/** Apply defaults and check ranges. @internal */
export function resolveOptions(o: SyntheticAgencyOptions): ResolvedOptions {
  if (!Number.isFinite(o.seed)) throw new RangeError('seed must be a finite number');
  const startDay = toDay(o.start ?? '2025-01-01');
  const months = count('months', o.months ?? 12, 1);
  const participants = count('participants', o.participants ?? 40, 1);
  const rate = o.encountersPerParticipantPerMonth ?? 4;
  if (!(rate >= 0)) throw new RangeError('encountersPerParticipantPerMonth must be >= 0');
  return {
    seed: Math.trunc(o.seed) >>> 0,
    startDay,
    endDay: addMonths(startDay, months),
    months,
    participants,
    specialists: count('specialists', o.specialists ?? Math.max(6, Math.ceil(participants / 8)), 1),
    state: stateProfile((o.state ?? 'NC').toUpperCase()),
    part2Share: share('part2Share', o.part2Share ?? 0.3),
    expiredCredentialShare: share('expiredCredentialShare', o.expiredCredentialShare ?? 0.15),
    unsupervisedShare: share('unsupervisedShare', o.unsupervisedShare ?? 1 / 6),
    encountersPerParticipantPerMonth: rate,
    groupShare: share('groupShare', o.groupShare ?? 0.3),
    noPlanShare: share('noPlanShare', o.noPlanShare ?? 0.08),
    cancelledShare: share('cancelledShare', o.cancelledShare ?? 0.01),
    notes: o.notes ?? true,
  };
}
