import * as z from 'zod';
import { LifeDomains } from '../terminology/codes.js';
import { Clinician } from './specialist.js';
import { DatePeriod, enumOf, IsoDate, IsoDateTime, Npi, RecordId } from './common.js';

/** A dated progress note on a goal. @category Domain */
export const GoalProgressNote = z.object({
  date: IsoDate,
  text: z.string().min(1).max(5_000),
  authorNpi: Npi.optional(),
});
export type GoalProgressNote = z.infer<typeof GoalProgressNote>;

/** A recovery goal, in the participant's own words. @category Domain */
export const RecoveryGoal = z.object({
  id: RecordId,
  /** The goal as the participant said it. */
  text: z.string().min(1).max(2_000),
  domain: enumOf(LifeDomains),
  targetDate: IsoDate.optional(),
  status: z.enum(['proposed', 'active', 'on-hold', 'completed', 'cancelled']).default('active'),
  achievement: z
    .enum(['in-progress', 'improving', 'worsening', 'no-change', 'achieved', 'sustaining', 'not-achieved', 'no-progress'])
    .optional(),
  progressNotes: z.array(GoalProgressNote).default([]),
});
export type RecoveryGoal = z.infer<typeof RecoveryGoal>;

/** A signature on a plan: who signed (by role) and when. @category Domain */
export const PlanSignature = z.object({
  role: z.enum(['participant', 'peer', 'clinician']),
  signedAt: IsoDateTime,
});
export type PlanSignature = z.infer<typeof PlanSignature>;

/**
 * A person-centred recovery plan with goals, strengths, a crisis plan and signatures.
 *
 * @example
 * ```ts
 * RecoveryPlan.parse({ id: 'plan-1', participantId: 'p-1', peerNpi: '1245319599', period: { start: '2025-01-02' },
 *   status: 'active', goals: [{ id: 'g-1', text: 'Get my own apartment', domain: 'housing' }],
 *   strengths: ['Loves to cook'], reviewDue: '2025-07-02', signatures: [] });
 * ```
 * @category Domain
 */
export const RecoveryPlan = z
  .object({
    id: RecordId,
    participantId: RecordId,
    /** NPI of the peer specialist who wrote the plan with the participant. */
    peerNpi: Npi,
    /** The mental-health professional who co-signs, where the state requires one. */
    clinician: Clinician.optional(),
    period: DatePeriod,
    status: z.enum(['draft', 'active', 'on-hold', 'revoked', 'completed']),
    goals: z.array(RecoveryGoal).min(1),
    strengths: z.array(z.string().min(1).max(1_000)).default([]),
    crisisPlan: z.string().min(1).max(10_000).optional(),
    reviewDue: IsoDate,
    signatures: z.array(PlanSignature).default([]),
    /** The participant is served by a 42 CFR Part 2 program: the plan's resources carry the Part 2 labels. */
    part2: z.boolean().optional(),
  })
  .superRefine((p, ctx) => {
    const roles = new Set<string>();
    p.signatures.forEach((s, i) => {
      if (roles.has(s.role)) ctx.addIssue({ code: 'custom', path: ['signatures', i, 'role'], message: 'role has signed twice' });
      roles.add(s.role);
      if (s.role === 'clinician' && !p.clinician) {
        ctx.addIssue({ code: 'custom', path: ['signatures', i, 'role'], message: 'a clinician signature needs plan.clinician' });
      }
    });
    const ids = new Set<string>();
    p.goals.forEach((g, i) => {
      if (ids.has(g.id)) ctx.addIssue({ code: 'custom', path: ['goals', i, 'id'], message: 'goal id appears twice' });
      ids.add(g.id);
    });
    if (p.reviewDue < p.period.start) ctx.addIssue({ code: 'custom', path: ['reviewDue'], message: 'review is due before the plan starts' });
  });
export type RecoveryPlan = z.infer<typeof RecoveryPlan>;
