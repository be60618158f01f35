/**
 * Score trends: one participant's totals over time, and a program's share of participants whose score rose.
 * Pure functions over scored responses or score Observations.
 * @module
 */
import { scoreResponse, type OutcomeOptions } from './response.js';
import { defaultInstruments } from './registry.js';

/**
 * One total score at one moment.
 * @see https://hl7.org/fhir/R4/observation.html
 * @example
 * ```ts
 * const p: ScorePoint = { participantId: 'p-1', instrumentId: 'barc-10', date: '2025-03-01T10:00:00-05:00', total: 41 };
 * ```
 * @category Outcomes
 */
export interface ScorePoint {
  participantId: string;
  instrumentId: string;
  /** `authored` / `effectiveDateTime` of the assessment. */
  date: string;
  total: number;
}

/**
 * Score every response (validating each, see `scoreResponse`) into {@link ScorePoint}s.
 *
 * @param responses - instrument responses (validated here)
 * @param options - the registry
 * @returns one score point per response
 * @see https://hl7.org/fhir/R4/questionnaireresponse.html
 * @example
 * ```ts
 * const points = scorePoints(responses);
 * ```
 * @category Outcomes
 */
export function scorePoints(responses: readonly unknown[], options: OutcomeOptions = {}): ScorePoint[] {
  return responses.map((r) => {
    const { response, score } = scoreResponse(r, options);
    return { participantId: response.participantId, instrumentId: response.instrumentId, date: response.authored, total: score.total };
  });
}

const byDate = (a: ScorePoint, b: ScorePoint): number => Date.parse(a.date) - Date.parse(b.date) || a.date.localeCompare(b.date);

/**
 * One participant's scores on one instrument, oldest first, with the first, latest and change.
 *
 * @see https://hl7.org/fhir/R4/observation.html
 * @example
 * ```ts
 * const t: ParticipantTrend = participantTrend(points, 'p-1', 'barc-10');
 * ```
 * @category Outcomes
 */
export interface ParticipantTrend {
  participantId: string;
  instrumentId: string;
  points: ScorePoint[];
  first?: ScorePoint | undefined;
  latest?: ScorePoint | undefined;
  /** latest.total − first.total; 0 with fewer than two assessments. */
  change: number;
}

/**
 * A participant's score over time on one instrument.
 *
 * @param points - score points from `scorePoints`
 * @param participantId - the participant
 * @param instrumentId - the instrument
 * @returns the participant's scores in date order with first, latest and change
 * @see https://hl7.org/fhir/R4/observation.html
 * @example
 * ```ts
 * participantTrend(points, 'p-1', 'barc-10').change; // +8
 * ```
 * @category Outcomes
 */
export function participantTrend(points: readonly ScorePoint[], participantId: string, instrumentId: string): ParticipantTrend {
  const mine = points.filter((p) => p.participantId === participantId && p.instrumentId === instrumentId).sort(byDate);
  const first = mine[0];
  const latest = mine[mine.length - 1];
  return { participantId, instrumentId, points: mine, first, latest, change: first && latest && mine.length > 1 ? latest.total - first.total : 0 };
}

/**
 * How a program's participants moved between their first and latest assessment on one instrument.
 * @see https://hl7.org/fhir/R4/measurereport.html
 * @example
 * ```ts
 * const { shareRose, shareImproved } = programScoreChange(points, 'barc-10');
 * ```
 * @category Outcomes
 */
export interface ProgramScoreChange {
  instrumentId: string;
  /** Participants with two or more assessments (the denominator). */
  assessed: number;
  /** Participants with a single assessment (not in the denominator). */
  singleAssessment: number;
  rose: number;
  fell: number;
  unchanged: number;
  /** rose / assessed (0 when nobody was assessed twice). */
  shareRose: number;
  /** Improved / assessed: rose for higher-is-better instruments, fell for lower-is-better ones (PHQ-9). */
  shareImproved: number;
  meanChange: number;
}

/**
 * Share of participants whose score rose (and improved) between first and latest assessment. Restrict to one
 * program by passing its participants' ids.
 *
 * @param points - score points from `scorePoints`
 * @param instrumentId - the instrument
 * @param options - the registry and the participants to count
 * @returns the share of participants whose score rose and improved
 * @see https://hl7.org/fhir/R4/measurereport.html
 * @example
 * ```ts
 * programScoreChange(points, 'barc-10', { participantIds: enrolledInSud }).shareRose; // 0.62
 * ```
 * @category Outcomes
 */
export function programScoreChange(
  points: readonly ScorePoint[],
  instrumentId: string,
  options: OutcomeOptions & { participantIds?: Iterable<string> | undefined } = {},
): ProgramScoreChange {
  const def = (options.registry ?? defaultInstruments).get(instrumentId);
  const only = options.participantIds ? new Set(options.participantIds) : undefined;
  const ids = new Set(points.filter((p) => p.instrumentId === instrumentId && (!only || only.has(p.participantId))).map((p) => p.participantId));
  let rose = 0, fell = 0, unchanged = 0, single = 0, sum = 0;
  for (const id of ids) {
    const t = participantTrend(points, id, instrumentId);
    if (t.points.length < 2) {
      single++;
      continue;
    }
    sum += t.change;
    if (t.change > 0) rose++;
    else if (t.change < 0) fell++;
    else unchanged++;
  }
  const assessed = rose + fell + unchanged;
  const share = (n: number) => (assessed === 0 ? 0 : n / assessed);
  return {
    instrumentId,
    assessed,
    singleAssessment: single,
    rose,
    fell,
    unchanged,
    shareRose: share(rose),
    shareImproved: share(def.direction === 'higher-is-better' ? rose : fell),
    meanChange: assessed === 0 ? 0 : sum / assessed,
  };
}
