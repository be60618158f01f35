/**
 * Recovery plans: one per participant (some have none), re-written at each six-monthly review, with goals in
 * the participant's words, strengths, a crisis plan and signatures. Some reviews are overdue, some signatures missing.
 * @module
 */
import type { Clinician, PlanSignature, RecoveryGoal, RecoveryPlan } from '@peer-fhir/core';
import { addMonths, formatOffset, fromDay, localDateTime, offsetMinutes, type UsZone } from './clock.js';
import type { Program } from './codes.js';
import type { ResolvedOptions } from './options.js';
import type { ParticipantInfo } from './participants.js';
import { CRISIS_HELPS, CRISIS_SIGNS, GOAL_PHRASES, STRENGTHS, type LifeDomain } from './phrases.js';
import { exactShare, type Random } from './random.js';
import type { SpecialistInfo } from './specialists.js';

/** The plan in force over a span of days and the goals a contact may address. @internal */
export interface PlanSpan {
  startDay: number;
  /** Exclusive. */
  endDay: number;
  activeGoalIds: readonly string[];
}

const DOMAIN_WEIGHTS: Record<Program, Partial<Record<LifeDomain, number>>> = {
  'mental-health': { 'mental-health': 5, housing: 2, employment: 2, relationships: 2, community: 2, health: 2, education: 1, finances: 1, spirituality: 1, transportation: 1 },
  'substance-use': { recovery: 6, housing: 2, employment: 2, relationships: 2, legal: 2, health: 1, finances: 1, transportation: 1 },
  'co-occurring': { recovery: 4, 'mental-health': 4, housing: 2, employment: 1, relationships: 2, legal: 1, health: 1, community: 1 },
};

function newGoal(rng: Random, id: string, program: Program, startDay: number, used: Set<string>): RecoveryGoal {
  let domain: LifeDomain = rng.weighted(DOMAIN_WEIGHTS[program]);
  let text = rng.pick(GOAL_PHRASES[domain]);
  for (let tries = 0; used.has(text) && tries < 5; tries++) {
    domain = rng.weighted(DOMAIN_WEIGHTS[program]);
    text = rng.pick(GOAL_PHRASES[domain]);
  }
  used.add(text);
  return {
    id,
    text,
    domain,
    ...(rng.chance(0.7) ? { targetDate: fromDay(addMonths(startDay, rng.int(6, 12))) } : {}),
    status: 'active',
    achievement: rng.pick(['in-progress', 'improving', 'no-change'] as const),
    progressNotes: [],
  };
}

function signedAt(rng: Random, zone: UsZone, day: number): string {
  return localDateTime(fromDay(day), rng.int(9 * 60, 16 * 60), formatOffset(offsetMinutes(zone, day)));
}

/**
 * The goals after a six-month review: goals met at the last review leave, a quarter of the rest are met, the others
 * get an achievement and (when their target date has passed) a new one; each gets a progress note. Draws from `rng`
 * in goal order, so the seeded output does not depend on how the loop is written.
 */
function reviewGoals(rng: Random, goals: readonly RecoveryGoal[], reviewDay: number, authorNpi: string): RecoveryGoal[] {
  return goals.filter((g) => g.status === 'active').map((g) => {
    const note = { date: fromDay(reviewDay), text: 'Reviewed at six-month plan review.', authorNpi };
    if (rng.chance(0.25)) {
      return { ...g, status: 'completed' as const, achievement: 'achieved' as const, progressNotes: [...g.progressNotes, note] };
    }
    const stale = g.targetDate !== undefined && g.targetDate <= fromDay(reviewDay);
    return {
      ...g,
      ...(stale ? { targetDate: fromDay(addMonths(reviewDay, rng.int(3, 9))) } : {}),
      achievement: rng.pick(['improving', 'in-progress', 'no-change', 'worsening'] as const),
      progressNotes: [...g.progressNotes, note],
    };
  });
}

/**
 * Plans for every participant, and for each the spans of days each plan version was in force.
 * Versions that ended before the period are not emitted; the first emitted is `plan-0001`, reviews `plan-0001-r1`, ….
 */
export function makePlans(
  rng: Random,
  o: ResolvedOptions,
  participants: readonly ParticipantInfo[],
  specialists: readonly SpecialistInfo[],
): { plans: RecoveryPlan[]; spans: Map<number, PlanSpan[]> } {
  const n = participants.length;
  const noPlan = exactShare(rng, n, o.noPlanShare);
  const overdue = exactShare(rng, n, 0.1);
  const unsigned = exactShare(rng, n, 0.1);
  const plans: RecoveryPlan[] = [];
  const spans = new Map<number, PlanSpan[]>();

  for (const p of participants) {
    if (noPlan.has(p.index)) continue;
    const num = String(p.index + 1).padStart(4, '0');
    const specialist = (specialists[p.specialistIdx] as SpecialistInfo).record;
    const clinician: Clinician | undefined = specialist.supervisor && rng.chance(0.85) ? specialist.supervisor : undefined;
    const program = p.enrollment.program;
    const usedTexts = new Set<string>();
    let goalCount = rng.int(1, 4);
    let goals: RecoveryGoal[] = Array.from({ length: goalCount }, (_, g) => newGoal(rng, `goal-${num}-${g + 1}`, program, p.enrollStart, usedTexts));
    const strengths = rng.sample(STRENGTHS, rng.int(1, 3));
    const crisisPlan = rng.chance(0.9)
      ? `When I ${rng.pick(CRISIS_SIGNS)} or ${rng.pick(CRISIS_SIGNS)}, I will ${rng.pick(CRISIS_HELPS)}. If that does not help I will ${rng.pick(CRISIS_HELPS)}.`
      : undefined;
    const mySpans: PlanSpan[] = [];
    let start = p.enrollStart + rng.int(0, 20);
    let emitted = 0;

    while (start < p.enrollEnd && start < o.endDay) {
      const reviewDue = addMonths(start, 6);
      // A review happens on time (or a little late) unless this participant's review is overdue.
      const reviewed = !overdue.has(p.index) && reviewDue < Math.min(p.enrollEnd, o.endDay);
      const limit = Math.min(p.enrollEnd, o.endDay);
      let reviewDay = reviewed ? reviewDue + rng.int(-10, 7) : undefined;
      if (reviewDay !== undefined && reviewDay >= limit) reviewDay = reviewDue;
      const spanEnd = reviewDay ?? limit;
      if (spanEnd > o.startDay) {
        const discharged = reviewDay === undefined && p.enrollEnd < o.endDay;
        const signatures: PlanSignature[] = [
          { role: 'participant', signedAt: signedAt(rng, o.state.zone, start) },
          { role: 'peer', signedAt: signedAt(rng, o.state.zone, start) },
          ...(clinician ? [{ role: 'clinician' as const, signedAt: signedAt(rng, o.state.zone, start + rng.int(0, 5)) }] : []),
        ];
        if (unsigned.has(p.index) && emitted === 0) signatures.splice(rng.int(0, signatures.length - 1), 1);
        const id = emitted === 0 ? `plan-${num}` : `plan-${num}-r${emitted}`;
        const ended = reviewDay !== undefined || discharged;
        plans.push({
          id,
          participantId: p.record.id,
          peerNpi: specialist.npi,
          ...(clinician ? { clinician } : {}),
          period: { start: fromDay(start), ...(ended ? { end: fromDay(Math.max(start, spanEnd - 1)) } : {}) },
          status: ended ? 'completed' : 'active',
          goals: goals.map((g) => ({ ...g, progressNotes: g.progressNotes.slice() })),
          strengths,
          ...(crisisPlan === undefined ? {} : { crisisPlan }),
          reviewDue: fromDay(reviewDue),
          signatures,
        });
        mySpans.push({ startDay: start, endDay: spanEnd, activeGoalIds: goals.filter((g) => g.status === 'active').map((g) => g.id) });
        emitted++;
      }
      if (reviewDay === undefined) break;
      // At review: goals met at the last review leave the plan, some more are met, each gets a progress note,
      // and a new goal may be added.
      goals = reviewGoals(rng, goals, reviewDay, specialist.npi);
      if (goals.every((g) => g.status !== 'active') || rng.chance(0.3)) {
        goalCount++;
        goals.push(newGoal(rng, `goal-${num}-${goalCount}`, program, reviewDay, usedTexts));
      }
      start = reviewDay;
    }
    spans.set(p.index, mySpans);
  }
  return { plans, spans };
}
